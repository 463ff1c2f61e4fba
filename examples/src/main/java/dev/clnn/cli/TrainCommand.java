package dev.clnn.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;

import dev.clnn.cl.ClContext;
import dev.clnn.cl.ClDevice;
import dev.clnn.cl.Devices;
import dev.clnn.data.Mnist;
import dev.clnn.models.MnistCnn;
import dev.clnn.nn.Sequential;
import dev.clnn.onnx.OnnxExport;
import dev.clnn.train.Adam;
import dev.clnn.train.EpochMetrics;
import dev.clnn.train.FitOptions;
import dev.clnn.train.History;
import dev.clnn.train.Metrics;
import dev.clnn.train.Optimizer;
import dev.clnn.train.Sgd;
import dev.clnn.train.Trainer;
import dev.clnn.train.TrainingListener;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code clnn train <model>}: training on an OpenCL device. */
@Command(name = "train", mixinStandardHelpOptions = true,
        description = "Train a model on an OpenCL device.",
        subcommands = {TrainCommand.MnistCommand.class})
final class TrainCommand {

    /**
     * {@code clnn train mnist}: TensorFlow's "quickstart for experts" CNN on MNIST-format data
     * (Fashion-MNIST by default), printing Keras-style metrics per epoch.
     */
    @Command(name = "mnist", mixinStandardHelpOptions = true,
            description = {"Train TensorFlow's quickstart CNN (Conv2D 32 3x3 ReLU, Flatten, Dense 128 ReLU, "
                    + "Dense 10) on MNIST-format data, printing loss and accuracy on the training and test data "
                    + "after each epoch.",
                "Default data: /usr/share/datasets/fashion-mnist (Debian package dataset-fashion-mnist)."})
    static final class MnistCommand implements Callable<Integer> {
        enum OptimizerKind { adam, sgd }

        @Spec
        picocli.CommandLine.Model.CommandSpec spec;

        @Option(names = "--data", paramLabel = "DIR",
                description = "Directory of train-/t10k-images-idx3-ubyte[.gz] and -labels-idx1-ubyte[.gz] "
                        + "(default: ${DEFAULT-VALUE}).", defaultValue = "/usr/share/datasets/fashion-mnist")
        Path data;

        @Option(names = "--epochs", defaultValue = "5", description = "Epochs (default ${DEFAULT-VALUE}).")
        int epochs;

        @Option(names = "--batch-size", defaultValue = "32",
                description = "Examples per step (default ${DEFAULT-VALUE}).")
        int batchSize;

        @Option(names = "--lr", defaultValue = "0.001", description = "Learning rate (default ${DEFAULT-VALUE}).")
        float lr;

        @Option(names = "--optimizer", defaultValue = "adam",
                description = "adam (beta1 0.9, beta2 0.999, epsilon 1e-7) or sgd (default ${DEFAULT-VALUE}).")
        OptimizerKind optimizer;

        @Option(names = "--momentum", defaultValue = "0", description = "Momentum of sgd (default ${DEFAULT-VALUE}).")
        float momentum;

        @Option(names = "--device", paramLabel = "SPEC", description = "Device spec (default: the default device).")
        String device;

        @Option(names = "--seed", defaultValue = "42",
                description = "Seed of the initial weights and the shuffling (default ${DEFAULT-VALUE}).")
        long seed;

        @Option(names = "--limit", paramLabel = "N",
                description = "Use only the first N training and N test images (quick runs).")
        Integer limit;

        @Option(names = "--save", paramLabel = "FILE", description = "Save the trained weights to FILE (clnn format).")
        Path save;

        @Option(names = "--export-onnx", paramLabel = "FILE", description = "Export the trained model to FILE (ONNX).")
        Path onnx;

        @Override
        public Integer call() throws IOException {
            PrintWriter out = spec.commandLine().getOut();
            PrintWriter err = spec.commandLine().getErr();
            if (limit != null && limit < 1) {
                throw new IllegalArgumentException("--limit must be at least 1, got " + limit);
            }
            FitOptions options = FitOptions.defaults().withEpochs(epochs).withBatchSize(batchSize).withSeed(seed)
                    .withProgressEvery(Math.max(1, 1024 / Math.max(1, batchSize)));
            Mnist.Split split = load();
            ClDevice d = Devices.selectOne(device);
            long t0 = System.nanoTime();
            try (ClContext cl = ClContext.create(d);
                 Sequential model = MnistCnn.create(cl, seed);
                 Optimizer opt = optimizer == OptimizerKind.adam ? new Adam(lr) : new Sgd(lr, momentum);
                 Trainer trainer = new Trainer(model, opt)) {
                out.printf("Device: %s%n", d);
                out.printf("Data: %d training and %d test images from %s%n", split.train().size(), split.test().size(),
                        data);
                out.print(model.summary());
                out.printf("Optimizer: %s, batch size %d, %d epochs, seed %d%n%n", opt, batchSize, epochs, seed);
                out.flush();
                History history = trainer.fit(split.train(), split.test(), options, new Progress(out, err));
                double total = (System.nanoTime() - t0) / 1e9;
                out.printf("Total: %.1f s (%.1f s per epoch) on %s (%s, %s)%n", total,
                        history.epochs().stream().mapToDouble(EpochMetrics::seconds).average().orElse(0), d.name(),
                        d.kind(), d.platformName());
                if (save != null) {
                    model.save(save);
                    out.println("Weights saved to " + save);
                }
                if (onnx != null) {
                    OnnxExport.write(model, onnx);
                    out.println("ONNX model written to " + onnx + " (input '" + OnnxExport.INPUT
                            + "' (N, 28, 28, 1) NHWC float32 in [0, 1], output '" + OnnxExport.OUTPUT + "' (N, 10))");
                }
            }
            out.flush();
            return 0;
        }

        private Mnist.Split load() {
            int n = limit == null ? Integer.MAX_VALUE : limit;
            try {
                return Mnist.load(data, n, n);
            } catch (NoSuchFileException e) {
                throw new IllegalArgumentException("No MNIST-format data at " + data + ": " + e.getReason()
                        + ". Install the Debian package dataset-fashion-mnist (apt-get install dataset-fashion-mnist) "
                        + "or pass --data DIR.", e);
            } catch (IOException e) {
                throw new IllegalArgumentException(e.getMessage(), e);
            }
        }
    }

    /** Keras-style output: a progress bar on stderr while an epoch runs, one line per epoch on stdout. */
    static final class Progress implements TrainingListener {
        private static final int WIDTH = 30;
        private final PrintWriter out;
        private final PrintWriter err;
        private long epochStart;

        Progress(PrintWriter out, PrintWriter err) {
            this.out = out;
            this.err = err;
        }

        @Override
        public void epochStarted(int epoch, int epochs, int steps) {
            epochStart = System.nanoTime();
        }

        @Override
        public void progress(int epoch, int step, int steps, Metrics running) {
            int filled = (int) ((long) WIDTH * step / steps);
            String bar = "=".repeat(filled) + (filled < WIDTH ? ">" + " ".repeat(WIDTH - filled - 1) : "");
            err.printf(Locale.ROOT, "\rEpoch %d [%s] %d/%d - loss %.4f - accuracy %.2f - %.1f s ", epoch, bar, step,
                    steps, running.loss(), running.accuracy() * 100, (System.nanoTime() - epochStart) / 1e9);
            err.flush();
        }

        @Override
        public void epochEnded(EpochMetrics m) {
            err.print("\r" + " ".repeat(WIDTH + 70) + "\r");
            err.flush();
            Metrics test = m.test();
            out.printf(Locale.ROOT, "Epoch %d, Loss: %.4f, Accuracy: %.2f, Test Loss: %.4f, Test Accuracy: %.2f%n",
                    m.epoch(), m.train().loss(), m.train().accuracy() * 100, test.loss(), test.accuracy() * 100);
            out.printf(Locale.ROOT, "  time %.1f s (training %.1f s, test %.1f s)%n", m.seconds(), m.trainSeconds(),
                    m.seconds() - m.trainSeconds());
            out.flush();
        }
    }
}
