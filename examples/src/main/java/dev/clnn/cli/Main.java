package dev.clnn.cli;

import java.io.PrintWriter;

import dev.clnn.cl.ClException;
import dev.clnn.cl.NoOpenClException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code clnn} command line: device discovery and benchmarks on every OpenCL device.
 * Errors the user can act on (no OpenCL, an unknown device, a bad size) end in one readable
 * message and exit code 2; {@code CLNN_DEBUG=1} adds the stack trace.
 */
@Command(name = "clnn", mixinStandardHelpOptions = true, versionProvider = Version.class,
        description = "Deep-learning compute on any OpenCL device: CPU, integrated GPU, discrete or external GPU.",
        subcommands = {DevicesCommand.class, BenchCommand.class, TrainCommand.class, InferCommand.class,
            ClassifyCommand.class, CommandLine.HelpCommand.class})
public final class Main {

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs the command line and returns its exit code (for tests and embedding). */
    public static int run(String... args) {
        CommandLine cli = new CommandLine(new Main());
        cli.setExecutionExceptionHandler(Main::handle);
        return cli.execute(aliases(args));
    }

    /** {@code clnn bench --model FILE ...} is {@code clnn bench model --model FILE ...}. */
    static String[] aliases(String... args) {
        if (args.length > 1 && args[0].equals("bench") && (args[1].equals("--model") || args[1].startsWith("--model="))) {
            String[] rewritten = new String[args.length + 1];
            rewritten[0] = "bench";
            rewritten[1] = "model";
            System.arraycopy(args, 1, rewritten, 2, args.length - 1);
            return rewritten;
        }
        return args;
    }

    static int handle(Exception e, CommandLine cli, CommandLine.ParseResult parsed) {
        PrintWriter err = cli.getErr();
        if (System.getenv("CLNN_DEBUG") != null) {
            e.printStackTrace(err);
        }
        if (e instanceof NoOpenClException || e instanceof IllegalArgumentException
                || e instanceof IllegalStateException) {
            err.println("clnn: " + e.getMessage());
            return 2;
        }
        if (e instanceof ClException) {
            err.println("clnn: OpenCL error: " + e.getMessage());
            return 1;
        }
        err.println("clnn: unexpected " + e.getClass().getSimpleName() + ": " + e.getMessage()
                + (System.getenv("CLNN_DEBUG") == null ? " (run with CLNN_DEBUG=1 for the stack trace)" : ""));
        return 1;
    }
}
