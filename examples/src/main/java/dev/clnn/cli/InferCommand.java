package dev.clnn.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

import dev.clnn.cl.ClDevice;
import dev.clnn.cl.Devices;
import dev.clnn.graph.Executable;
import dev.clnn.models.Model;
import dev.clnn.onnx.OnnxImport;
import dev.clnn.onnx.OnnxModel;
import dev.clnn.tensor.Npy;
import dev.clnn.tensor.Shape;
import dev.clnn.tensor.Tensor;
import dev.clnn.vision.Classifications;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code clnn infer --model M.onnx --input X.npy [--output Y.npy]}: runs an ONNX model on a float32
 * .npy array in the layout the model declares (e.g. NCHW {@code (N, 3, 224, 224)}); the batch size
 * is the array's first dimension. Writes the first output as .npy and prints its shape, the top-5
 * classes of a classifier and the time.
 */
@Command(name = "infer", mixinStandardHelpOptions = true,
        description = {"Run an ONNX model on a .npy input (the model's own layout, e.g. NCHW) and write the output.",
            "Output paths (--output, --json) are checked before the model is loaded."},
        footerHeading = "%nExamples:%n",
        footer = {"  clnn infer --model mobilenet.onnx --input batch.npy --output logits.npy",
            "  clnn infer --model m.onnx --input x.npy --examples 100 --profile --device gpu",
            "  clnn infer --model m.onnx --input x.npy --json - | jq '.examples[0].top5'"})
final class InferCommand implements Callable<Integer> {
    /** Examples whose top-5 the text report lists (the JSON lists all). */
    private static final int LISTED = 8;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Option(names = "--model", paramLabel = "FILE", required = true, description = "The .onnx file.")
    Path model;

    @Option(names = "--input", paramLabel = "FILE", required = true,
            description = "float32 .npy input, (N, ...) as the model declares it.")
    Path input;

    @Option(names = "--output", paramLabel = "FILE", description = "Write the first output here (.npy).")
    Path output;

    @Option(names = "--device", paramLabel = "SPEC", description = "Device spec (default: the default device).")
    String device;

    @Option(names = "--examples", paramLabel = "N", defaultValue = "0",
            description = "Also time this many further runs of the batch (default ${DEFAULT-VALUE}).")
    int examples;

    @Option(names = "--profile", description = "Print a per-layer table (device time from profiling events).")
    boolean profile;

    @Option(names = "--json", paramLabel = "FILE", description = "Also write shapes, times and each example's top-5 "
            + "as JSON to FILE ('-': standard output, the report then goes to standard error).")
    Path json;

    @Override
    public Integer call() throws IOException {
        PrintWriter out = FileArgs.isStdout(json) ? spec.commandLine().getErr() : spec.commandLine().getOut();
        if (examples < 0) {
            throw new IllegalArgumentException("--examples must not be negative, got " + examples);
        }
        FileArgs.requireFile(model);
        FileArgs.requireFile(input);
        FileArgs.requireWritable(output, FileArgs.file(json));
        long t0 = System.nanoTime();
        OnnxModel m = OnnxImport.load(model);
        double load = (System.nanoTime() - t0) / 1e9;
        Npy.Array x = Npy.read(input);
        int batch = checkInput(m, x.shape());
        ClDevice d = device == null ? Devices.defaultDevice() : Devices.selectOne(device);
        out.printf("Model %s (%.2f s to load), input %s, on %s%n", m, load, x.shape(), d.name());
        Json.Obj doc = Json.header("infer", List.of(d), null).put("model", model.toString())
                .put("input", input.toString()).put("inputName", m.inputName()).put("inputShape", x.shape().dims())
                .put("outputName", m.outputName()).put("loadSeconds", load);
        long t1 = System.nanoTime();
        try (Model compiled = m.compile(d, batch)) {
            float[] y = compiled.predict(x.data());
            double first = (System.nanoTime() - t1) / 1e9;
            Shape ys = compiled.outputShape();
            out.printf("Output '%s' %s; compile and first run %.3f s%n", m.outputName(), ys, first);
            doc.put("outputShape", ys.dims()).put("compileAndFirstRunSeconds", first);
            timeAndProfile(out, compiled, x.data(), batch, doc);
            if (ys.rank() == 2) {
                doc.put("examples", topFive(out, y, batch, ys.dim(1)));
            }
            if (output != null) {
                Npy.write(output, ys, y);
                out.println("Output written to " + output);
                doc.put("output", output.toString());
            }
        }
        if (json != null) {
            Json.write(json, doc, spec.commandLine().getOut());
        }
        out.flush();
        return 0;
    }

    /** The batch size, once the input's shape is (N, the model's example shape). */
    private int checkInput(OnnxModel m, Shape got) {
        Shape expected = m.exampleShape();
        if (got.rank() != expected.rank() + 1 || !Arrays.equals(Arrays.copyOfRange(got.dims(), 1, got.rank()),
                expected.dims()) || got.dim(0) < 1) {
            throw new IllegalArgumentException(model.getFileName() + " takes input '" + m.inputName() + "' of shape (N, "
                    + Arrays.toString(expected.dims()).replaceAll("[\\[\\]]", "") + "); " + input + " holds " + got);
        }
        m.checkBatch(got.dim(0));
        return got.dim(0);
    }

    /** {@code --examples} further timed runs and the {@code --profile} table. */
    private void timeAndProfile(PrintWriter out, Model compiled, float[] x, int batch, Json.Obj doc) {
        if (examples == 0 && !profile) {
            return;
        }
        Executable exe = compiled.executable();
        try (Tensor in = Tensor.allocate(compiled.context(), compiled.inputShape())) {
            in.copyFrom(x);
            if (examples > 0) {
                long t2 = System.nanoTime();
                for (int i = 0; i < examples; i++) {
                    in.copyFrom(x);
                    exe.run(in).toArray();
                }
                double s = (System.nanoTime() - t2) / 1e9;
                out.printf("%d runs of batch %d: %.3f ms per run, %.1f examples/s%n", examples, batch,
                        s * 1e3 / examples, examples * (double) batch / s);
                doc.put("runs", examples).put("msPerRun", s * 1e3 / examples)
                        .put("examplesPerSecond", examples * (double) batch / s);
            }
            if (profile) {
                ModelReport.layers(out, exe.profile(in));
            }
        }
    }

    /** Prints the top-5 of the first examples of a (batch, classes) output; returns all of them for the JSON. */
    private static List<Json.Obj> topFive(PrintWriter out, float[] y, int batch, int classes) {
        List<Json.Obj> rows = new ArrayList<>();
        for (int b = 0; b < batch; b++) {
            float[] row = Arrays.copyOfRange(y, b * classes, (b + 1) * classes);
            int[] top = Classifications.topIndices(row, 5);
            List<String> listed = new ArrayList<>();
            List<Json.Obj> entries = new ArrayList<>();
            for (int i : top) {
                listed.add(String.format(Locale.ROOT, "%d (%.4g)", i, row[i]));
                entries.add(Json.obj().put("index", i).put("value", row[i]));
            }
            if (b < LISTED) {
                out.printf("  example %d: top-5 %s%n", b, listed);
            }
            rows.add(Json.obj().put("example", b).put("top5", entries));
        }
        if (batch > LISTED) {
            out.printf("  ... %d more examples%n", batch - LISTED);
        }
        return rows;
    }
}
