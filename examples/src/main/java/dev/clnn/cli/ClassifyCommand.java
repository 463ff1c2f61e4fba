package dev.clnn.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

import dev.clnn.cl.ClDevice;
import dev.clnn.cl.Devices;
import dev.clnn.models.Model;
import dev.clnn.onnx.OnnxImport;
import dev.clnn.onnx.OnnxModel;
import dev.clnn.tensor.Shape;
import dev.clnn.vision.Classification;
import dev.clnn.vision.Classifications;
import dev.clnn.vision.ImagePreprocessor;
import dev.clnn.vision.Images;
import dev.clnn.vision.Labels;
import dev.clnn.vision.RgbImage;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code clnn classify --model M.onnx --image FILE}: decodes an image and prepares it with the
 * ImageNet recipe of {@link ImagePreprocessor} at the model's input size (shorter side resized with
 * antialiasing, centre crop, {@code (v / 255 - mean) / std}, NCHW), runs the model and prints the
 * top-5 classes with their probabilities (a softmax is applied when the output is not one already).
 * A 1,000-class model is labelled with ImageNet's classes unless {@code --labels} says otherwise.
 */
@Command(name = "classify", mixinStandardHelpOptions = true,
        description = {"Classify an image (PNG/JPEG/BMP/GIF) with an ONNX image classifier; prints the top-5 classes.",
            "The image is prepared as torchvision's ImageNet evaluation does: the shorter side resized (antialiased) "
                    + "to 256/224 of the model's input size, a centre crop of that size, then per-channel mean and "
                    + "std. A model with 1,000 (or 1,001) outputs gets ImageNet's class names unless --labels is given."},
        footerHeading = "%nExamples:%n",
        footer = {"  clnn classify --model mobilenetv2.onnx --image cat.jpg",
            "  clnn classify --model m.onnx --image x.png --labels classes.txt --mean .5,.5,.5 --std .5,.5,.5",
            "  clnn classify --model m.onnx --image cat.jpg --json - | jq .top5"})
final class ClassifyCommand implements Callable<Integer> {
    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Option(names = "--model", paramLabel = "FILE", required = true, description = "The .onnx classifier, input (N, 3, H, W).")
    Path model;

    @Option(names = "--image", paramLabel = "FILE", required = true, description = "A PNG, JPEG, BMP or GIF image.")
    Path image;

    @Option(names = "--labels", paramLabel = "FILE", description = "Class names, one per line, one per model output "
            + "(another count is an error). Default: ImageNet's for 1,000 (or 1,001) outputs, else class numbers.")
    Path labels;

    @Option(names = "--size", paramLabel = "PIXELS", defaultValue = "224",
            description = "Input size when the model does not fix it (default ${DEFAULT-VALUE}).")
    int size;

    @Option(names = "--resize", paramLabel = "PIXELS", description = "Resize the shorter side to PIXELS before the "
            + "centre crop (default: the input size * 256 / 224, e.g. 256 for 224).")
    Integer resize;

    @Option(names = "--mean", paramLabel = "R,G,B", hideParamSyntax = true, split = ",", defaultValue = "0.485,0.456,0.406", description = "Per-channel mean (RGB).")
    float[] mean;

    @Option(names = "--std", paramLabel = "R,G,B", hideParamSyntax = true, split = ",", defaultValue = "0.229,0.224,0.225", description = "Per-channel std (RGB).")
    float[] std;

    @Option(names = "--device", paramLabel = "SPEC", description = "Device spec (default: the default device).")
    String device;

    @Option(names = "--json", paramLabel = "FILE", description = "Also write the top-5 as JSON to FILE ('-': "
            + "standard output, the report then goes to standard error).")
    Path json;

    @Override
    public Integer call() throws IOException {
        PrintWriter out = FileArgs.isStdout(json) ? spec.commandLine().getErr() : spec.commandLine().getOut();
        FileArgs.requireFile(model);
        FileArgs.requireFile(image);
        FileArgs.requireFile(labels);
        FileArgs.requireWritable(FileArgs.file(json));
        if (mean.length != 3 || std.length != 3) {
            throw new IllegalArgumentException("--mean and --std need 3 values each (R,G,B)");
        }
        OnnxModel m = OnnxImport.load(model);
        if (m.inputNames().size() != 1 || m.outputNames().size() != 1) {
            throw new IllegalArgumentException(model.getFileName() + " has inputs " + m.inputNames() + " and outputs "
                    + m.outputNames() + "; classify needs an image classifier of one input (N, 3, H, W) and one"
                    + " output (N, classes)");
        }
        Shape ex = m.exampleShape();
        if (ex.rank() != 3 || ex.dim(0) != 3) {
            throw new IllegalArgumentException(model.getFileName() + " takes " + ex + " examples; classify needs an"
                    + " image classifier with input (N, 3, H, W)");
        }
        Shape ys = m.outputShape(1);
        if (ys.rank() != 2) {
            throw new IllegalArgumentException(model.getFileName() + " returns " + ys + "; classify needs (1, classes) output");
        }
        int classes = ys.dim(1);
        Labels names = labels == null ? Labels.standard(classes).orElse(null) : Labels.read(labels).requireClasses(classes);
        int h = ex.dim(1);
        int w = ex.dim(2);
        if (spec.commandLine().getParseResult().hasMatchedOption("--size") && (size != h || size != w)) {
            out.printf("The model takes %dx%d images; --size %d is ignored%n", w, h, size);
        }
        ImagePreprocessor prep = preprocessor(w, h);
        RgbImage img = Images.read(image);
        float[] x = prep.apply(img);
        ClDevice d = device == null ? Devices.defaultDevice() : Devices.selectOne(device);
        long t0 = System.nanoTime();
        float[] y;
        try (Model compiled = m.compile(d, 1)) {
            y = compiled.predict(x);
        }
        double s = (System.nanoTime() - t0) / 1e9;
        Classifications result = Classifications.of(y, names);
        out.printf("%s (%dx%d) on %s (%.3f s with compilation), %dx%d input:%n", image.getFileName(), img.width(),
                img.height(), d.name(), s, w, h);
        List<Json.Obj> top = new ArrayList<>();
        for (Classification c : result.top(5)) {
            out.printf("  %6.2f %%  %s (%d)%n", 100 * c.probability(), c.name(), c.index());
            top.add(Json.obj().put("index", c.index()).put("label", c.label()).put("probability", c.probability()));
        }
        out.printf("Preprocessing: %s; labels: %s%s%n", prep, names == null ? "none" : names,
                result.softmaxApplied() ? "; softmax applied to the output" : "");
        if (json != null) {
            Json.write(json, Json.header("classify", List.of(d), null).put("model", model.toString())
                    .put("image", image.toString()).put("width", w).put("height", h).put("seconds", s)
                    .put("preprocessing", prep.toString()).put("labels", names == null ? null : names.source())
                    .put("softmaxApplied", result.softmaxApplied()).put("top5", top), spec.commandLine().getOut());
        }
        out.flush();
        return 0;
    }

    /** The ImageNet recipe at the model's input size, with the options' resize, mean and std. */
    private ImagePreprocessor preprocessor(int w, int h) {
        ImagePreprocessor p = w == h ? ImagePreprocessor.imagenet(w)
                : ImagePreprocessor.imagenet().withCrop(w, h).withResize((int) Math.round(Math.max(w, h) * 256.0 / 224.0));
        if (resize != null) {
            p = p.withResize(resize);
        }
        return p.withMean(mean).withStd(std);
    }
}
