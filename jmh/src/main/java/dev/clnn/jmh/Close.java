package dev.clnn.jmh;

/** Closing what a benchmark's set-up built, in the order given, skipping what it never got to build. */
final class Close {
    private Close() {
    }

    /** Closes each non-null resource; clnn's {@code close()} does not throw, anything else is reported. */
    static void all(AutoCloseable... resources) {
        for (AutoCloseable r : resources) {
            if (r == null) {
                continue;
            }
            try {
                r.close();
            } catch (Exception e) {
                System.err.println("Closing " + r + " failed: " + e);
            }
        }
    }
}
