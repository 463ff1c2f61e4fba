package dev.clnn.cli;

import picocli.CommandLine.Command;

/**
 * {@code clnn bench <work>}: benchmarks, each on one or every device. {@code clnn bench --model FILE}
 * is {@code clnn bench model --model FILE} (see {@link Main#run}).
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Benchmark work on one or every OpenCL device.",
        subcommands = {BenchModelCommand.V1.class, BenchModelCommand.V2.class, BenchModelCommand.Mnist.class,
            BenchModelCommand.Onnx.class, BenchGemmCommand.class, BenchOpsCommand.class},
        footerHeading = "%nExamples:%n",
        footer = {"  clnn bench mobilenet --device all     MobileNet v1 on every device, compared",
            "  clnn bench mnist_cnn --batch-size 64 --json -",
            "  clnn bench --model resnet18.onnx --batch-size 8",
            "  clnn bench gemm --size 4096 --device gpu",
            "  clnn bench ops --kind depthwise --device all"})
final class BenchCommand {
}
