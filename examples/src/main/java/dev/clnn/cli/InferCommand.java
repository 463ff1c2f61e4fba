package dev.clnn.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Arrays;
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
        description = "Run an ONNX model on a .npy input (the model's own layout, e.g. NCHW) and write the output.")
final class InferCommand implements Callable<Integer> {
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

    @Option(names = "--examples", defaultValue = "0",
            description = "Also time this many further runs of the batch (default ${DEFAULT-VALUE}).")
    int examples;

    @Option(names = "--profile", description = "Print a per-layer table (device time from profiling events).")
    boolean profile;

    @Override
    public Integer call() throws IOException {
        PrintWriter out = spec.commandLine().getOut();
        if (examples < 0) {
            throw new IllegalArgumentException("--examples must not be negative, got " + examples);
        }
        long t0 = System.nanoTime();
        OnnxModel m = OnnxImport.load(model);
        double load = (System.nanoTime() - t0) / 1e9;
        Npy.Array x = Npy.read(input);
        Shape expected = m.exampleShape();
        Shape got = x.shape();
        if (got.rank() != expected.rank() + 1 || !Arrays.equals(Arrays.copyOfRange(got.dims(), 1, got.rank()),
                expected.dims()) || got.dim(0) < 1) {
            throw new IllegalArgumentException(model.getFileName() + " takes input '" + m.inputName() + "' of shape (N, "
                    + Arrays.toString(expected.dims()).replaceAll("[\\[\\]]", "") + "); " + input + " holds " + got);
        }
        int batch = got.dim(0);
        m.checkBatch(batch);
        ClDevice d = device == null ? Devices.defaultDevice() : Devices.selectOne(device);
        out.printf("Model %s (%.2f s to load), input %s, on %s%n", m, load, got, d.name());
        long t1 = System.nanoTime();
        try (Model compiled = m.compile(d, batch)) {
            float[] y = compiled.predict(x.data());
            double first = (System.nanoTime() - t1) / 1e9;
            Shape ys = compiled.outputShape();
            out.printf("Output '%s' %s; compile and first run %.3f s%n", m.outputName(), ys, first);
            if (examples > 0) {
                Executable exe = compiled.executable();
                try (Tensor in = Tensor.allocate(compiled.context(), compiled.inputShape())) {
                    long t2 = System.nanoTime();
                    for (int i = 0; i < examples; i++) {
                        in.copyFrom(x.data());
                        exe.run(in).toArray();
                    }
                    double s = (System.nanoTime() - t2) / 1e9;
                    out.printf("%d runs of batch %d: %.3f ms per run, %.1f examples/s%n", examples, batch,
                            s * 1e3 / examples, examples * (double) batch / s);
                    if (profile) {
                        ModelReport.layers(out, exe.profile(in));
                    }
                }
            } else if (profile) {
                try (Tensor in = Tensor.allocate(compiled.context(), compiled.inputShape())) {
                    in.copyFrom(x.data());
                    ModelReport.layers(out, compiled.executable().profile(in));
                }
            }
            if (ys.rank() == 2) {
                for (int b = 0; b < Math.min(batch, 8); b++) {
                    float[] row = Arrays.copyOfRange(y, b * ys.dim(1), (b + 1) * ys.dim(1));
                    out.printf("  example %d: top-5 %s%n", b, TopK.format(row, 5, null));
                }
                if (batch > 8) {
                    out.printf("  ... %d more examples%n", batch - 8);
                }
            }
            if (output != null) {
                Npy.write(output, ys, y);
                out.println("Output written to " + output);
            }
        }
        out.flush();
        return 0;
    }
}
