package dev.clnn.testing;

import java.util.ArrayList;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.stream.Collectors;

/**
 * Collects what the library logs to one logger while open. {@code System.Logger}'s default backend
 * is {@code java.util.logging}, so a handler on the logger of the same name sees every record.
 *
 * <pre>{@code
 * try (LogCapture log = LogCapture.of("dev.clnn.cl")) {
 *     ...
 *     assertTrue(log.contains(Level.WARNING, "libjsig"));
 * }
 * }</pre>
 */
public final class LogCapture implements AutoCloseable {
    // NOTE: java.util.logging holds loggers weakly; this reference keeps the level and handler alive
    private final Logger logger;
    private final Level previousLevel;
    private final List<LogRecord> records = new ArrayList<>();
    private final Handler handler = new Handler() {
        @Override
        public void publish(LogRecord record) {
            synchronized (records) {
                records.add(record);
            }
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };

    private LogCapture(String name) {
        logger = Logger.getLogger(name);
        previousLevel = logger.getLevel();
        handler.setLevel(Level.ALL);
        logger.setLevel(Level.ALL);
        logger.addHandler(handler);
    }

    /** Captures every record, at every level, of logger {@code name} and its children. */
    public static LogCapture of(String name) {
        return new LogCapture(name);
    }

    /** The records so far, each as {@code LEVEL message} with its parameters filled in. */
    public List<String> lines() {
        synchronized (records) {
            return records.stream()
                    .map(r -> r.getLevel() + " " + new java.util.logging.SimpleFormatter().formatMessage(r))
                    .collect(Collectors.toList());
        }
    }

    /** Whether a record at {@code level} contains {@code fragment}. */
    public boolean contains(Level level, String fragment) {
        return lines().stream().anyMatch(l -> l.startsWith(level + " ") && l.contains(fragment));
    }

    @Override
    public void close() {
        logger.removeHandler(handler);
        logger.setLevel(previousLevel);
    }
}
