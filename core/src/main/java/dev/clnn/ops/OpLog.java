package dev.clnn.ops;

import java.lang.System.Logger.Level;

import dev.clnn.cl.ClContext;

/**
 * The one record each operator writes when it is configured: which kernel variant and parameters
 * it chose, for which shapes, on which device. {@code DEBUG} on the logger {@code dev.clnn.ops}, so
 * it costs nothing unless asked for ({@code dev.clnn.ops.level = FINE} in a
 * {@code java.util.logging} configuration).
 */
final class OpLog {
    private static final System.Logger LOG = System.getLogger("dev.clnn.ops");

    private OpLog() {
    }

    /** Logs "{@code op shapes on device: config}". */
    static void configured(String op, ClContext cl, Object shapes, Object config) {
        if (LOG.isLoggable(Level.DEBUG)) {
            LOG.log(Level.DEBUG, op + " " + shapes + " on " + cl.device().name() + ": " + config);
        }
    }
}
