package dev.clnn.cli;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/** Runs the command line as {@link Main#run} does, into byte buffers instead of the process's streams. */
final class CliRun {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    /** Runs {@code args} with stderr as a pipe or file would be: not a terminal. */
    int run(String... args) {
        return Main.run(new CliWriter(out, false), new CliWriter(err, false), args);
    }

    /** Runs {@code args} with stderr treated as a terminal (progress bars redrawn with {@code \r}). */
    int runOnTerminal(String... args) {
        return Main.run(new CliWriter(out, false), new CliWriter(err, true), args);
    }

    String out() {
        return out.toString(StandardCharsets.UTF_8);
    }

    String err() {
        return err.toString(StandardCharsets.UTF_8);
    }

    /** Both streams, for assertion messages. */
    String both() {
        return "stdout:\n" + out() + "\nstderr:\n" + err();
    }
}
