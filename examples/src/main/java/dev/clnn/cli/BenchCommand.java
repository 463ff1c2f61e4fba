package dev.clnn.cli;

import picocli.CommandLine.Command;

/**
 * {@code clnn bench <work>}: benchmarks, each on one or every device. {@code clnn bench --model FILE}
 * is {@code clnn bench model --model FILE} (see {@link Main#run}).
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Benchmark work on one or every OpenCL device.",
        subcommands = {BenchModelCommand.V1.class, BenchModelCommand.V2.class, BenchModelCommand.Mnist.class,
            BenchModelCommand.Onnx.class, BenchGemmCommand.class, BenchOpsCommand.class})
final class BenchCommand {
}
