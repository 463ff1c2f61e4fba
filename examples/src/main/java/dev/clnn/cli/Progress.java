package dev.clnn.cli;

import java.io.PrintWriter;

/**
 * Progress of a long loop on stderr. On a terminal ({@link CliWriter#isTerminal}) a bar redrawn in
 * place about twice a second; elsewhere (a pipe, a log file) at most three plain lines, at a
 * quarter, half and three quarters of the way, and only once the loop has run for a second, so
 * that short loops print nothing and logs hold no carriage returns.
 */
final class Progress {
    private static final int WIDTH = 30;
    private static final long REDRAW_NANOS = 500_000_000L;
    private static final long QUIET_NANOS = 1_000_000_000L;

    private final PrintWriter err;
    private final boolean bar;
    private final long total;
    private final String unit;
    private final long start = System.nanoTime();
    private long last;
    private int quarter = 1;

    Progress(PrintWriter err, long total, String unit) {
        this.err = err;
        this.bar = CliWriter.isTerminal(err);
        this.total = total;
        this.unit = unit;
    }

    void step(long done) {
        long now = System.nanoTime();
        double s = (now - start) / 1e9;
        if (bar) {
            if (now - last < REDRAW_NANOS && done < total) {
                return;
            }
            last = now;
            int filled = (int) (WIDTH * done / total);
            err.printf("\r  [%s%s] %d/%d %s, %.1f s", "#".repeat(filled), ".".repeat(WIDTH - filled), done, total,
                    unit, s);
            err.flush();
            return;
        }
        if (quarter < 4 && done * 4 >= total * quarter && done < total) {
            while (quarter < 4 && done * 4 >= total * quarter) {
                quarter++;
            }
            if (now - start >= QUIET_NANOS) {
                err.printf("  %d/%d %s, %.1f s%n", done, total, unit, s);
                err.flush();
            }
        }
    }

    /** Clears the bar (a terminal) so that the next output starts on a clean line. */
    void done() {
        if (bar) {
            err.print("\r" + " ".repeat(WIDTH + 50) + "\r");
            err.flush();
        }
    }
}
