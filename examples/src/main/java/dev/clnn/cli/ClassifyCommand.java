package dev.clnn.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
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
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code clnn classify --model M.onnx --image FILE}: decodes a PNG or JPEG, resizes it to the
 * model's input size (or {@code --size}), normalises each channel ({@code (v / 255 - mean) / std},
 * ImageNet's statistics by default), lays it out NCHW, and prints the top-5 classes with their
 * probabilities (a softmax is applied when the output is not one already).
 */
@Command(name = "classify", mixinStandardHelpOptions = true,
        description = "Classify an image (PNG/JPEG) with an ONNX image classifier; prints the top-5 classes.",
        footerHeading = "%nExamples:%n",
        footer = {"  clnn classify --model mobilenetv2.onnx --image cat.jpg --labels imagenet.txt",
            "  clnn classify --model m.onnx --image x.png --mean .5,.5,.5 --std .5,.5,.5",
            "  clnn classify --model m.onnx --image cat.jpg --json - | jq .top5"})
final class ClassifyCommand implements Callable<Integer> {
    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Option(names = "--model", paramLabel = "FILE", required = true, description = "The .onnx classifier, input (N, 3, H, W).")
    Path model;

    @Option(names = "--image", paramLabel = "FILE", required = true, description = "A PNG or JPEG image.")
    Path image;

    @Option(names = "--labels", paramLabel = "FILE", description = "Class names, one per line.")
    Path labels;

    @Option(names = "--size", paramLabel = "PIXELS", defaultValue = "224",
            description = "Input size when the model does not fix it (default ${DEFAULT-VALUE}).")
    int size;

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
        Shape ex = m.exampleShape();
        if (ex.rank() != 3 || ex.dim(0) != 3) {
            throw new IllegalArgumentException(model.getFileName() + " takes " + ex + " examples; classify needs an"
                    + " image classifier with input (N, 3, H, W)");
        }
        int h = ex.dim(1);
        int w = ex.dim(2);
        if (size != h && h == w) {
            out.printf("The model takes %dx%d images; --size %d is ignored%n", h, w, size);
        }
        float[] x;
        try {
            x = ImageInput.load(image, w, h, mean, std);
        } catch (NoClassDefFoundError e) {
            throw new IllegalStateException("classify decodes images with javax.imageio, which this Java runtime "
                    + "lacks (module java.desktop); run it on a full JDK or JRE");
        }
        List<String> names = labels == null ? null : Files.readAllLines(labels, StandardCharsets.UTF_8);
        ClDevice d = device == null ? Devices.defaultDevice() : Devices.selectOne(device);
        long t0 = System.nanoTime();
        try (Model compiled = m.compile(d, 1)) {
            float[] y = compiled.predict(x);
            double s = (System.nanoTime() - t0) / 1e9;
            Shape ys = compiled.outputShape();
            if (ys.rank() != 2) {
                throw new IllegalArgumentException(model.getFileName() + " returns " + ys
                        + "; classify needs (1, classes) output");
            }
            float[] p = TopK.isDistribution(y) ? y : TopK.softmax(y);
            out.printf("%s on %s (%.3f s with compilation), %dx%d input:%n", image.getFileName(), d.name(), s, w, h);
            List<Json.Obj> top = new ArrayList<>();
            for (int i : TopK.indices(p, 5)) {
                String name = names != null && i < names.size() ? names.get(i) : "class " + i;
                out.printf("  %6.2f %%  %s (%d)%n", 100 * p[i], name, i);
                top.add(Json.obj().put("index", i).put("label", names != null && i < names.size() ? name : null)
                        .put("probability", p[i]));
            }
            if (json != null) {
                Json.write(json, Json.header("classify", List.of(d), null).put("model", model.toString())
                        .put("image", image.toString()).put("width", w).put("height", h).put("seconds", s)
                        .put("top5", top), spec.commandLine().getOut());
            }
        }
        out.flush();
        return 0;
    }
}
