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
import dev.clnn.tensor.DType;
import dev.clnn.tensor.Shape;
import dev.clnn.tensor.Tensor;
import dev.clnn.vision.Classifications;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code clnn infer --model M.onnx --input X.npy [--output Y.npy]}: runs an ONNX model on float32
 * .npy arrays in the layout the model declares (e.g. NCHW {@code (N, 3, 224, 224)}); the batch size
 * is the arrays' first dimension. A model of several inputs takes one {@code --input} per input, in
 * the model's order or as {@code NAME=FILE}; {@code --output} likewise writes outputs (one, or
 * several in order, or by name). Prints every output's shape, the top-5 classes of each
 * {@code (N, classes)} output and the time.
 */
@Command(name = "infer", mixinStandardHelpOptions = true,
        description = {"Run an ONNX model on .npy inputs (the model's own layout, e.g. NCHW) and write its outputs.",
            "A model of several inputs takes --input once per input: in the model's order, or as NAME=FILE.",
            "--output writes the first output, or with several (in order, or as NAME=FILE) those outputs.",
            "Output paths (--output, --json) are checked before the model is loaded."},
        footerHeading = "%nExamples:%n",
        footer = {"  clnn infer --model mobilenet.onnx --input batch.npy --output logits.npy",
            "  clnn infer --model m.onnx --input x.npy --examples 100 --profile --device gpu",
            "  clnn infer --model m.onnx --input x.npy --json - | jq '.examples[0].top5'",
            "  clnn infer --model two.onnx --input left=l.npy --input right=r.npy --output mask=m.npy"})
final class InferCommand implements Callable<Integer> {
    /** Examples whose top-5 the text report lists (the JSON lists all). */
    private static final int LISTED = 8;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Option(names = "--model", paramLabel = "FILE", required = true, description = "The .onnx file.")
    Path model;

    @Option(names = "--input", paramLabel = "[NAME=]FILE", required = true,
            description = "float32 .npy input, (N, ...) as the model declares it; once per model input.")
    List<String> inputs;

    @Option(names = "--output", paramLabel = "[NAME=]FILE",
            description = "Write an output here (.npy): the first, or the next in order, or NAME.")
    List<String> outputs;

    @Option(names = "--device", paramLabel = "SPEC", description = "Device spec (default: the default device).")
    String device;

    @Option(names = "--examples", paramLabel = "N", defaultValue = "0",
            description = "Also time this many further runs of the batch (default ${DEFAULT-VALUE}).")
    int examples;

    @Option(names = "--profile", description = "Print a per-layer table (device time from profiling events).")
    boolean profile;

    @Option(names = "--precision", paramLabel = "fp32|fp16", defaultValue = "fp32",
            description = "How activations are stored on the device: fp32, or fp16 (half precision: half the memory "
                    + "traffic, computed in fp32; bench --precision fp16 measures how far results move; default ${DEFAULT-VALUE}).")
    String precision;

    @Option(names = "--json", paramLabel = "FILE", description = "Also write shapes, times and each example's top-5 "
            + "as JSON to FILE ('-': standard output, the report then goes to standard error).")
    Path json;

    @Override
    public Integer call() throws IOException {
        PrintWriter out = FileArgs.isStdout(json) ? spec.commandLine().getErr() : spec.commandLine().getOut();
        if (examples < 0) {
            throw new IllegalArgumentException("--examples must not be negative, got " + examples);
        }
        DType storage = PrecisionOption.storage(precision);
        List<NamedFile> inFiles = NamedFile.parseAll(inputs);
        List<NamedFile> outFiles = NamedFile.parseAll(outputs);
        FileArgs.requireFile(model);
        for (NamedFile f : inFiles) {
            FileArgs.requireFile(f.file());
        }
        Path[] written = NamedFile.files(outFiles);
        Path[] checked = Arrays.copyOf(written, written.length + 1);
        checked[written.length] = FileArgs.file(json);
        FileArgs.requireWritable(checked);
        long t0 = System.nanoTime();
        OnnxModel m = OnnxImport.load(model);
        double load = (System.nanoTime() - t0) / 1e9;
        Path[] inPaths = NamedFile.bind(inFiles, m.inputNames(), "--input", true);
        Path[] outPaths = NamedFile.bind(outFiles, m.outputNames(), "--output", false);
        Npy.Array[] xs = new Npy.Array[inPaths.length];
        for (int k = 0; k < xs.length; k++) {
            xs[k] = Npy.read(inPaths[k]);
        }
        int batch = checkInputs(m, inPaths, xs);
        ClDevice d = device == null ? Devices.defaultDevice() : Devices.selectOne(device);
        out.printf("Model %s (%.2f s to load), %s, on %s%s%n", m, load, describeInputs(m, xs), d.name(),
                storage == DType.FLOAT16 ? ", activations stored as fp16" : "");
        Json.Obj doc = Json.header("infer", List.of(d), null).put("model", model.toString())
                .put("input", inPaths[0].toString()).put("inputName", m.inputName()).put("inputShape", xs[0].shape().dims())
                .put("outputName", m.outputName()).put("loadSeconds", load);
        List<Json.Obj> inDocs = new ArrayList<>();
        for (int k = 0; k < xs.length; k++) {
            inDocs.add(Json.obj().put("name", m.inputNames().get(k)).put("file", inPaths[k].toString())
                    .put("shape", xs[k].shape().dims()));
        }
        doc.put("inputs", inDocs);
        doc.put("precision", storage == DType.FLOAT16 ? "fp16" : "fp32");
        run(out, m, d, xs, outPaths, doc, storage);
        if (json != null) {
            Json.write(json, doc, spec.commandLine().getOut());
        }
        out.flush();
        return 0;
    }

    /** Compiles for the inputs' batch size, runs, times and profiles as asked, reports and writes the outputs. */
    private void run(PrintWriter out, OnnxModel m, ClDevice d, Npy.Array[] xs, Path[] outPaths, Json.Obj doc,
                     DType storage) throws IOException {
        int batch = xs[0].shape().dim(0);
        float[][] data = Arrays.stream(xs).map(Npy.Array::data).toArray(float[][]::new);
        long t1 = System.nanoTime();
        try (Model compiled = m.compile(d, batch, storage)) {
            float[][] ys = compiled.predictAll(data);
            double first = (System.nanoTime() - t1) / 1e9;
            List<Shape> shapes = compiled.outputShapes();
            for (int k = 0; k < ys.length; k++) {
                out.printf(k == 0 ? "Output '%s' %s; compile and first run %.3f s%n" : "Output '%s' %s%n",
                        m.outputNames().get(k), shapes.get(k), first);
            }
            doc.put("outputShape", shapes.get(0).dims()).put("compileAndFirstRunSeconds", first);
            timeAndProfile(out, compiled, data, batch, doc);
            doc.put("outputs", reportOutputs(out, m, shapes, ys, outPaths, batch, doc));
        }
    }

    /**
     * Prints each (N, classes) output's top-5 and writes the outputs that have a file; returns each
     * output's JSON (and puts the first one's top-5 and file under the old single-output keys).
     */
    private static List<Json.Obj> reportOutputs(PrintWriter out, OnnxModel m, List<Shape> shapes, float[][] ys,
                                                Path[] files, int batch, Json.Obj doc) throws IOException {
        List<Json.Obj> docs = new ArrayList<>();
        for (int k = 0; k < ys.length; k++) {
            String name = m.outputNames().get(k);
            Json.Obj o = Json.obj().put("name", name).put("shape", shapes.get(k).dims());
            if (shapes.get(k).rank() == 2) {
                if (ys.length > 1) {
                    out.printf("Output '%s':%n", name);
                }
                List<Json.Obj> top = topFive(out, ys[k], batch, shapes.get(k).dim(1));
                o.put("examples", top);
                if (k == 0) {
                    doc.put("examples", top);
                }
            }
            if (files[k] != null) {
                Npy.write(files[k], shapes.get(k), ys[k]);
                out.println((ys.length == 1 ? "Output" : "Output '" + name + "'") + " written to " + files[k]);
                o.put("file", files[k].toString());
                if (k == 0) {
                    doc.put("output", files[k].toString());
                }
            }
            docs.add(o);
        }
        return docs;
    }

    /** "input (2, 3, 8, 8)", or "inputs 'a' (2, 3, 8, 8), 'b' (2, 4)". */
    private static String describeInputs(OnnxModel m, Npy.Array[] xs) {
        if (xs.length == 1) {
            return "input " + xs[0].shape();
        }
        List<String> parts = new ArrayList<>();
        for (int k = 0; k < xs.length; k++) {
            parts.add("'" + m.inputNames().get(k) + "' " + xs[k].shape());
        }
        return "inputs " + String.join(", ", parts);
    }

    /** The batch size, once every input's shape is (N, the model's example shape) with one N. */
    private int checkInputs(OnnxModel m, Path[] files, Npy.Array[] xs) {
        int batch = -1;
        for (int k = 0; k < xs.length; k++) {
            Shape expected = m.exampleShapes().get(k);
            Shape got = xs[k].shape();
            if (got.rank() != expected.rank() + 1 || !Arrays.equals(Arrays.copyOfRange(got.dims(), 1, got.rank()),
                    expected.dims()) || got.dim(0) < 1) {
                throw new IllegalArgumentException(model.getFileName() + " takes input '" + m.inputNames().get(k)
                        + "' of shape (N, " + Arrays.toString(expected.dims()).replaceAll("[\\[\\]]", "") + "); "
                        + files[k] + " holds " + got);
            }
            if (batch > 0 && got.dim(0) != batch) {
                throw new IllegalArgumentException(files[0] + " holds " + batch + " examples and " + files[k] + " "
                        + got.dim(0) + "; every input of " + model.getFileName() + " takes the same batch size");
            }
            batch = got.dim(0);
        }
        m.checkBatch(batch);
        return batch;
    }

    /** {@code --examples} further timed runs and the {@code --profile} table. */
    private void timeAndProfile(PrintWriter out, Model compiled, float[][] x, int batch, Json.Obj doc) {
        if (examples == 0 && !profile) {
            return;
        }
        Executable exe = compiled.executable();
        Tensor[] in = new Tensor[x.length];
        try {
            for (int k = 0; k < in.length; k++) {
                in[k] = Tensor.allocate(compiled.context(), compiled.inputShapes().get(k));
                in[k].copyFrom(x[k]);
            }
            if (examples > 0) {
                long t2 = System.nanoTime();
                for (int i = 0; i < examples; i++) {
                    for (int k = 0; k < in.length; k++) {
                        in[k].copyFrom(x[k]);
                    }
                    for (Tensor y : exe.runAll(in)) {
                        y.toArray();
                    }
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
        } finally {
            for (Tensor t : in) {
                if (t != null) {
                    t.close();
                }
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
