package dev.clnn.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Whether standard error is a terminal, which decides how progress is shown: a bar redrawn in
 * place with {@code \r} on a terminal, plain lines otherwise (a log file or a pipe would fill with
 * carriage returns). {@code CLNN_PROGRESS=bar} or {@code CLNN_PROGRESS=lines} overrides the guess.
 */
final class Terminal {
    static final String ENV = "CLNN_PROGRESS";

    private Terminal() {
    }

    /** Whether progress on the process's standard error should be a redrawn bar. */
    static boolean stderrIsTerminal() {
        Boolean forced = forced(System.getenv(ENV));
        if (forced != null) {
            return forced;
        }
        // NOTE: System.console() is null as soon as stdin or stdout is redirected, even when stderr
        // still shows on the screen (`clnn train mnist > log`), so on Linux ask where fd 2 points.
        Path fd2 = Path.of("/proc/self/fd/2");
        if (Files.exists(Path.of("/proc/self/fd"))) {
            try {
                return isTerminalDevice(Files.readSymbolicLink(fd2).toString());
            } catch (IOException | UnsupportedOperationException e) {
                return false;
            }
        }
        return System.console() != null;
    }

    /** {@code bar} forces the bar, {@code lines} plain lines; anything else (or unset) leaves it to the guess. */
    static Boolean forced(String value) {
        if (value == null) {
            return null;
        }
        switch (value.trim().toLowerCase(java.util.Locale.ROOT)) {
            case "bar":
                return Boolean.TRUE;
            case "lines":
                return Boolean.FALSE;
            default:
                return null;
        }
    }

    /** Pseudo-terminals ({@code /dev/pts/N}), virtual consoles ({@code /dev/ttyN}) and the console. */
    static boolean isTerminalDevice(String target) {
        return target.startsWith("/dev/pts/") || target.startsWith("/dev/tty") || target.equals("/dev/console");
    }
}
