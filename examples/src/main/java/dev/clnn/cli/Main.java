package dev.clnn.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.Charset;
import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

import dev.clnn.cl.ClException;
import dev.clnn.cl.NoOpenClException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code clnn} command line: device discovery, benchmarks, training and inference on every
 * OpenCL device. Exit codes: 0 when all went well, 1 when the work failed (an OpenCL error, a
 * failed correctness check, an I/O error, out of memory), 2 for a mistake the user can fix (a bad
 * option, a missing input, an unwritable output, no OpenCL). Every failure ends in one readable
 * line on stderr; {@code CLNN_DEBUG=1} adds the stack trace.
 */
@Command(name = "clnn", mixinStandardHelpOptions = true, versionProvider = Version.class,
        description = "Deep-learning compute on any OpenCL device: CPU, integrated GPU, discrete or external GPU.",
        subcommands = {DevicesCommand.class, BenchCommand.class, TrainCommand.class, InferCommand.class,
            ClassifyCommand.class, TuneCommand.class, CommandLine.HelpCommand.class},
        footerHeading = "%nExamples:%n",
        footer = {"  clnn devices                        list the devices; '*' marks the default",
            "  clnn bench mobilenet --device all   MobileNet v1 on every device",
            "  clnn train mnist --save m.weights   train the MNIST CNN, keep the weights",
            "  clnn infer --model m.onnx --input x.npy --output y.npy",
            "  clnn classify --model m.onnx --image cat.jpg --labels labels.txt",
            "  clnn tune --device gpu              fastest kernels for this device, kept for later",
            "  clnn help bench                     the help of one command",
            "",
            "Environment:",
            "  CLNN_DEVICE=SPEC          the default device",
            "  CLNN_PROGRESS=bar|lines   progress as a bar redrawn in place, or plain lines",
            "                            (default: a bar when stderr is a terminal)",
            "  CLNN_DEBUG=1              a stack trace with each error",
            "  CLNN_JAVA_OPTS            JVM options of the ./clnn launcher, e.g. -Xmx8g"})
public final class Main {
    static final int OK = 0;
    static final int FAILURE = 1;
    static final int USAGE = 2;

    public static void main(String[] args) {
        // The CLI's own output formats with Locale.ROOT (CliWriter); this also covers the messages
        // and summaries the library formats with the default locale. Only the process entry point
        // does it: run() may be embedded in an application whose locale is not ours to change.
        Locale.setDefault(Locale.Category.FORMAT, Locale.ROOT);
        System.exit(run(args));
    }

    /** Runs the command line on the process's stdout and stderr and returns its exit code. */
    public static int run(String... args) {
        PrintWriter out = new CliWriter(System.out, charset("stdout"), false);
        PrintWriter err = new CliWriter(System.err, charset("stderr"), Terminal.stderrIsTerminal());
        return run(out, err, args);
    }

    /** Runs the command line on the given writers (tests, embedding) and returns its exit code. */
    static int run(PrintWriter out, PrintWriter err, String... args) {
        return execute(commandLine(new Main(), out, err), aliases(args));
    }

    /**
     * A {@link CommandLine} for {@code command} with clnn's writers, error handling and help
     * sections. Writers that are not {@link CliWriter}s are wrapped in one (numbers in
     * {@link java.util.Locale#ROOT}, not a terminal).
     */
    static CommandLine commandLine(Object command, PrintWriter out, PrintWriter err) {
        CommandLine cli = new CommandLine(command);
        cli.setOut(out instanceof CliWriter ? out : new CliWriter(out, false));
        cli.setErr(err instanceof CliWriter ? err : new CliWriter(err, false));
        cli.setExecutionExceptionHandler(Main::handle);
        addExitCodes(cli);
        return cli;
    }

    /** Executes, turning anything thrown, {@link Error}s included, into one line and an exit code. */
    static int execute(CommandLine cli, String... args) {
        try {
            return cli.execute(args);
        } catch (Error e) {
            // NOTE: picocli hands only Exceptions to the execution exception handler; an
            // OutOfMemoryError from a command would otherwise end the JVM with a stack trace.
            return handleError(e, cli.getErr());
        } finally {
            cli.getOut().flush();
            cli.getErr().flush();
        }
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
        if (e.getCause() instanceof Error error && e instanceof CommandLine.ExecutionException) {
            return handleError(error, err);
        }
        if (debug()) {
            e.printStackTrace(err);
        }
        String line;
        int code = USAGE;
        if (e instanceof UserError || e instanceof NoOpenClException || e instanceof IllegalArgumentException
                || e instanceof IllegalStateException) {
            line = e.getMessage();
        } else if (e instanceof NoSuchFileException f) {
            line = "no such file: " + f.getFile();
        } else if (e instanceof AccessDeniedException f) {
            line = "permission denied: " + f.getFile();
        } else if (e instanceof ClException) {
            line = "OpenCL error: " + e.getMessage();
            code = FAILURE;
        } else if (e instanceof IOException) {
            line = "I/O error: " + e.getMessage();
            code = FAILURE;
        } else {
            line = "unexpected " + e.getClass().getSimpleName() + ": " + e.getMessage() + debugHint();
            code = FAILURE;
        }
        err.println("clnn: " + line);
        err.flush();
        return code;
    }

    /** Errors (out of memory above all) as one line and exit code 1. */
    static int handleError(Error e, PrintWriter err) {
        if (debug()) {
            e.printStackTrace(err);
        }
        String line;
        if (e instanceof OutOfMemoryError) {
            String what = e.getMessage() == null ? "Java heap space" : e.getMessage();
            String fix = what.contains("Direct buffer") ? "raise -XX:MaxDirectMemorySize via CLNN_JAVA_OPTS"
                    : "raise -Xmx via CLNN_JAVA_OPTS (e.g. CLNN_JAVA_OPTS=-Xmx8g; Java may now use "
                            + (Runtime.getRuntime().maxMemory() >> 20) + " MiB)";
            line = "out of memory (" + what + "): use a smaller --batch-size or " + fix;
        } else if (e instanceof StackOverflowError) {
            line = "stack overflow (a very deep model?): raise -Xss via CLNN_JAVA_OPTS, e.g. -Xss16m" + debugHint();
        } else {
            line = "internal error: " + e.getClass().getSimpleName() + ": " + e.getMessage() + debugHint();
        }
        err.println("clnn: " + line);
        err.flush();
        return FAILURE;
    }

    private static boolean debug() {
        String v = System.getenv("CLNN_DEBUG");
        return v != null && !v.isEmpty() && !v.equals("0");
    }

    private static String debugHint() {
        return debug() ? "" : " (run with CLNN_DEBUG=1 for the stack trace)";
    }

    /** The same exit-code section under every command's help. */
    private static void addExitCodes(CommandLine cli) {
        Map<String, String> codes = new LinkedHashMap<>();
        codes.put("0", "Success.");
        codes.put("1", "The work failed: an OpenCL error, a failed correctness check, an I/O error, out of memory.");
        codes.put("2", "A usage or user mistake: a bad option, a missing input file, an output path that cannot be "
                + "written, no OpenCL device.");
        cli.getCommandSpec().usageMessage().exitCodeListHeading("%nExit codes:%n").exitCodeList(codes);
        for (CommandLine sub : cli.getSubcommands().values()) {
            addExitCodes(sub);
        }
    }

    private static Charset charset(String stream) {
        String name = System.getProperty(stream + ".encoding", System.getProperty("sun." + stream + ".encoding"));
        try {
            return name == null ? Charset.defaultCharset() : Charset.forName(name);
        } catch (IllegalArgumentException e) {
            return Charset.defaultCharset();
        }
    }
}
