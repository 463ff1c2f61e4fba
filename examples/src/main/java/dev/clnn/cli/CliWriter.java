package dev.clnn.cli;

import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.io.Writer;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * The command line's stdout and stderr: a {@link PrintWriter} whose {@code printf} and
 * {@code format} use {@link Locale#ROOT}, so numbers print as {@code 0.945} under every locale
 * (a German default would print {@code 0,945}, which scripts and other tools misread), and which
 * knows whether it goes to a terminal (for progress bars, see {@link Terminal}).
 */
final class CliWriter extends PrintWriter {
    private final boolean terminal;

    CliWriter(Writer out, boolean terminal) {
        super(out, true);
        this.terminal = terminal;
    }

    CliWriter(OutputStream out, Charset charset, boolean terminal) {
        this(new OutputStreamWriter(out, charset), terminal);
    }

    CliWriter(OutputStream out, boolean terminal) {
        this(out, StandardCharsets.UTF_8, terminal);
    }

    /** Whether this writer is a terminal that can redraw a line with {@code \r}. */
    boolean terminal() {
        return terminal;
    }

    @Override
    public PrintWriter format(String format, Object... args) {
        return super.format(Locale.ROOT, format, args);
    }

    @Override
    public PrintWriter printf(String format, Object... args) {
        return super.format(Locale.ROOT, format, args);
    }

    /** Whether {@code w} redraws progress in place: a {@link CliWriter} on a terminal. */
    static boolean isTerminal(PrintWriter w) {
        return w instanceof CliWriter c && c.terminal;
    }
}
