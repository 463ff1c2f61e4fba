package dev.clnn.cl;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * Warns, once per JVM, when the JVM runs without {@code libjsig} on Linux.
 *
 * <p>NOTE: HotSpot takes {@code SIGSEGV} and {@code SIGBUS} for itself: implicit null checks,
 * stack banging and safepoint polls are faults its handler turns back into Java semantics. OpenCL
 * drivers (NVIDIA's, and PoCL through LLVM) install their own handlers for the same signals when
 * they load. Without {@code libjsig}, whichever handler came last wins: the JVM dies at a random
 * later point ({@code SIGSEGV} in Java code, an {@code hs_err} file naming no OpenCL frame). With
 * {@code libjsig} preloaded, it intercepts {@code sigaction} and chains the handlers so each sees
 * its own faults. It has to be in the process before the JVM starts, so only the environment
 * ({@code LD_PRELOAD}) can provide it; a library cannot fix this at run time, only say so.
 *
 * <p>The warning goes to the {@code System.Logger} named {@code dev.clnn.cl} at {@code WARNING}
 * (by default through {@code java.util.logging}, which prints it on standard error); setting that
 * logger's level above {@code WARNING} silences it.
 */
public final class SignalChaining {
    private static final System.Logger LOG = System.getLogger("dev.clnn.cl");
    private static final AtomicBoolean CHECKED = new AtomicBoolean();
    private static final Path MAPS = Path.of("/proc/self/maps");

    private SignalChaining() {
    }

    /**
     * On Linux, checks the first time it is called in this JVM that {@code libjsig} is loaded, and
     * logs a warning naming the fix when it is not. Does nothing on other systems or on later calls;
     * never throws.
     */
    public static void checkOnce() {
        if (!CHECKED.compareAndSet(false, true)) {
            return;
        }
        try {
            warnIfMissing(System.getProperty("os.name", ""), SignalChaining::mappedFiles,
                    System.getProperty("java.home", "$JAVA_HOME"));
        } catch (RuntimeException e) {
            // a diagnostic must never stop the library from working: an unreadable /proc (a sandbox,
            // a container without procfs) or a logging backend that fails just means no check
        }
    }

    /**
     * Logs the warning when {@code osName} is Linux and {@code maps} (the lines of
     * {@code /proc/self/maps}, read only on Linux) name no {@code libjsig}.
     *
     * @return whether it warned
     */
    static boolean warnIfMissing(String osName, Supplier<Stream<String>> maps, String javaHome) {
        if (!osName.toLowerCase(Locale.ROOT).startsWith("linux")) {
            return false;
        }
        boolean loaded;
        try (Stream<String> lines = maps.get()) {
            loaded = libjsigMapped(lines);
        }
        if (loaded) {
            return false;
        }
        LOG.log(Level.WARNING, warning(javaHome));
        return true;
    }

    /**
     * Whether {@code libjsig.so} is among the files mapped into the process, given the lines of
     * {@code /proc/self/maps} ({@code address perms offset dev inode path}).
     */
    static boolean libjsigMapped(Stream<String> mapsLines) {
        return mapsLines.anyMatch(line -> {
            int slash = line.indexOf('/');
            if (slash < 0) {
                return false;   // anonymous memory, [heap], [stack], [vdso]
            }
            String path = line.substring(slash);
            String name = path.substring(path.lastIndexOf('/') + 1);
            return name.startsWith("libjsig.so");
        });
    }

    /** The warning text: what happens, why, and the exact variable to set. */
    static String warning(String javaHome) {
        String lib = Path.of(javaHome, "lib", "libjsig.so").toString();
        return "This JVM was started without libjsig. OpenCL drivers (NVIDIA's, PoCL through LLVM) install"
                + " signal handlers that replace the JVM's own, and the JVM then crashes at random (SIGSEGV in"
                + " Java code). Start java with the environment variable LD_PRELOAD=" + lib
                + " (it must be in java's environment when the process starts; -D options and JAVA_TOOL_OPTIONS"
                + " cannot do it). See README.md, \"As a library\", for Maven Surefire, Docker and Spring Boot.";
    }

    /** The lines of {@code /proc/self/maps}; paths are bytes, so decoded one byte per char, never failing. */
    private static Stream<String> mappedFiles() {
        try {
            return Files.lines(MAPS, StandardCharsets.ISO_8859_1);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
