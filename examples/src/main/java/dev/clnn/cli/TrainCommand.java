package dev.clnn.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
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
import dev.clnn.train.Optimizer;
import dev.clnn.train.Sgd;
import dev.clnn.train.Trainer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code clnn train <model>}: training on an OpenCL device. */
@Command(name = "train", mixinStandardHelpOptions = true,
        description = "Train a model on an OpenCL device.",
        subcommands = {TrainCommand.MnistCommand.class},
        footerHeading = "%nExamples:%n",
        footer = {"  clnn train mnist", "  clnn train mnist --device gpu --epochs 10 --save mnist.weights",
            "  clnn train mnist --limit 1000 --json - | jq .history"})
final class TrainCommand {

    /**
     * {@code clnn train mnist}: TensorFlow's "quickstart for experts" CNN on MNIST-format data
     * (Fashion-MNIST by default), printing Keras-style metrics per epoch.
     */
    @Command(name = "mnist", mixinStandardHelpOptions = true,
            description = {"Train TensorFlow's quickstart CNN (Conv2D 32 3x3 ReLU, Flatten, Dense 128 ReLU, "
                    + "Dense 10) on MNIST-format data, printing loss and accuracy on the training and test data "
                    + "after each epoch.",
                "Default data: /usr/share/datasets/fashion-mnist (Debian package dataset-fashion-mnist).",
                "Output paths (--save, --export-onnx, --json) are checked before training starts."},
            footerHeading = "%nExamples:%n",
            footer = {"  clnn train mnist --epochs 1 --limit 2000                  a quick run",
                "  clnn train mnist --device gpu --save m.weights --export-onnx m.onnx",
                "  clnn train mnist --data ~/mnist --optimizer sgd --lr 0.01 --momentum 0.9",
                "  clnn train mnist --json metrics.json 2> progress.log"})
    static final class MnistCommand implements Callable<Integer> {
        enum OptimizerKind { adam, sgd }

        @Spec
        picocli.CommandLine.Model.CommandSpec spec;

        @Option(names = "--data", paramLabel = "DIR",
                description = "Directory of train-/t10k-images-idx3-ubyte[.gz] and -labels-idx1-ubyte[.gz] "
                        + "(default: ${DEFAULT-VALUE}).", defaultValue = "/usr/share/datasets/fashion-mnist")
        Path data;

        @Option(names = "--epochs", paramLabel = "N", defaultValue = "5", description = "Epochs (default ${DEFAULT-VALUE}).")
        int epochs;

        @Option(names = "--batch-size", paramLabel = "N", defaultValue = "32",
                description = "Examples per step (default ${DEFAULT-VALUE}).")
        int batchSize;

        @Option(names = "--lr", paramLabel = "RATE", defaultValue = "0.001",
                description = "Learning rate (default ${DEFAULT-VALUE}).")
        float lr;

        @Option(names = "--optimizer", paramLabel = "adam|sgd", defaultValue = "adam",
                description = "adam (beta1 0.9, beta2 0.999, epsilon 1e-7) or sgd (default ${DEFAULT-VALUE}).")
        OptimizerKind optimizer;

        @Option(names = "--momentum", paramLabel = "M", defaultValue = "0",
                description = "Momentum of sgd (default ${DEFAULT-VALUE}).")
        float momentum;

        @Option(names = "--device", paramLabel = "SPEC", description = "Device spec (default: the default device).")
        String device;

        @Option(names = "--seed", paramLabel = "N", defaultValue = "42",
                description = "Seed of the initial weights and the shuffling (default ${DEFAULT-VALUE}).")
        long seed;

        @Option(names = "--limit", paramLabel = "N",
                description = "Use only the first N training and N test images (quick runs).")
        Integer limit;

        @Option(names = "--save", paramLabel = "FILE", description = "Save the trained weights to FILE (clnn format).")
        Path save;

        @Option(names = "--export-onnx", paramLabel = "FILE", description = "Export the trained model to FILE (ONNX).")
        Path onnx;

        @Option(names = "--json", paramLabel = "FILE", description = "Also write the settings and per-epoch metrics "
                + "as JSON to FILE ('-': standard output, the report then goes to standard error).")
        Path json;

        @Override
        public Integer call() throws IOException {
            PrintWriter out = FileArgs.isStdout(json) ? spec.commandLine().getErr() : spec.commandLine().getOut();
            PrintWriter err = spec.commandLine().getErr();
            if (limit != null && limit < 1) {
                throw new IllegalArgumentException("--limit must be at least 1, got " + limit);
            }
            FitOptions options = FitOptions.defaults().withEpochs(epochs).withBatchSize(batchSize).withSeed(seed)
                    .withProgressEvery(Math.max(1, 1024 / Math.max(1, batchSize)));
            FileArgs.requireDirectory(data, data.equals(Mnist.DEFAULT_DIR) ? "Fashion-MNIST is read from there by "
                    + "default: install the Debian package dataset-fashion-mnist (apt-get install "
                    + "dataset-fashion-mnist) or pass --data DIR" : null);
            FileArgs.requireWritable(save, onnx, FileArgs.file(json));
            ClDevice d = Devices.selectOne(device);
            Mnist.Split split = load();
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
                TrainReport report = new TrainReport(out, err);
                History history = trainer.fit(split.train(), split.test(), options, report);
                double total = (System.nanoTime() - t0) / 1e9;
                out.printf("Total: %.1f s (%.1f s per epoch) on %s (%s, %s)%n", total,
                        history.epochs().stream().mapToDouble(EpochMetrics::seconds).average().orElse(0), d.name(),
                        d.kind(), d.platformName());
                writeOutputs(out, model);
                if (json != null) {
                    Json.write(json, json(d, split, opt, report, total), spec.commandLine().getOut());
                    if (!FileArgs.isStdout(json)) {
                        out.println("Metrics written to " + json);
                    }
                }
            }
            out.flush();
            return 0;
        }

        private void writeOutputs(PrintWriter out, Sequential model) throws IOException {
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

        private Json.Obj json(ClDevice d, Mnist.Split split, Optimizer opt, TrainReport report, double total) {
            return Json.header("train mnist", List.of(d), seed).put("model", "mnist_cnn")
                    .put("data", data.toString()).put("trainExamples", split.train().size())
                    .put("testExamples", split.test().size()).put("optimizer", optimizer).put("optimizerDetail",
                            opt.toString()).put("lr", lr).put("momentum", optimizer == OptimizerKind.sgd ? momentum : null)
                    .put("batchSize", batchSize).put("epochs", epochs).put("totalSeconds", total)
                    .put("save", save == null ? null : save.toString())
                    .put("exportOnnx", onnx == null ? null : onnx.toString()).put("history", report.epochs());
        }

        private Mnist.Split load() {
            int n = limit == null ? Integer.MAX_VALUE : limit;
            Mnist.Split split;
            try {
                split = Mnist.load(data, n, n);
            } catch (NoSuchFileException e) {
                throw new UserError("No MNIST-format data at " + data + ": " + e.getReason()
                        + ". Install the Debian package dataset-fashion-mnist (apt-get install dataset-fashion-mnist) "
                        + "or pass --data DIR.");
            } catch (IOException e) {
                throw new UserError(e.getMessage());
            }
            if (split.train().size() == 0 || split.test().size() == 0) {
                throw new UserError(data + " holds " + split.train().size() + " training and " + split.test().size()
                        + " test images; training needs at least one of each");
            }
            return split;
        }
    }
}
