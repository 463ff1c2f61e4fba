package dev.clnn.cli;

import java.util.Locale;
import java.util.Map;

import dev.clnn.cl.ClDevice;
import dev.clnn.graph.Executable;
import dev.clnn.graph.Graph;
import dev.clnn.graph.Passes;
import dev.clnn.tensor.Shape;

/**
 * Size checks made before a command allocates anything, all in {@code long}: a batch that no
 * device can hold, or whose host arrays Java cannot allocate, is refused in a second with the
 * sizes involved instead of failing (or swapping) after minutes of work.
 */
final class MemoryCheck {
    /** The largest Java array (the JVM keeps a few header words below {@code Integer.MAX_VALUE}). */
    static final long MAX_ARRAY = Integer.MAX_VALUE - 8;

    private MemoryCheck() {
    }

    /**
     * Device bytes that compiling {@code graph} for {@code batch} asks for: weights plus the
     * memory plan's activation slots of the optimized graph, as {@code Executable.compile}
     * computes it before refusing.
     */
    static long deviceBytes(Graph graph, int batch) {
        Graph g = Passes.optimize(graph);
        return Executable.deviceBytes(g, batch);
    }

    /** Whether {@code device} can hold {@code bytes}, with the message that says why not. */
    static String deviceProblem(Graph graph, int batch, long bytes, ClDevice device) {
        if (bytes <= device.globalMemBytes()) {
            return null;
        }
        return String.format(Locale.ROOT, "%s at batch %d needs about %s of device memory; %s has %s. Use a "
                + "smaller --batch-size or another device.", graph.name(), batch, mib(bytes), device.name(),
                mib(device.globalMemBytes()));
    }

    /** Refuses a host array of {@code floats} floats that Java cannot hold; {@code fix} says what to do. */
    static void checkArray(long floats, String what, String fix) {
        if (floats > MAX_ARRAY) {
            throw new UserError(String.format(Locale.ROOT, "%s is %,d floats, more than a Java array holds (%,d); %s",
                    what, floats, MAX_ARRAY, fix));
        }
    }

    /** Refuses {@code bytes} of new host arrays when the Java heap cannot take them. */
    static void checkHeap(long bytes, String what) {
        Runtime rt = Runtime.getRuntime();
        long free = rt.maxMemory() - (rt.totalMemory() - rt.freeMemory());
        if (bytes > free) {
            throw new UserError(String.format(Locale.ROOT, "%s needs about %s of Java heap; %s is free (of at most "
                    + "%s). Use a smaller --batch-size, or raise -Xmx via CLNN_JAVA_OPTS", what, mib(bytes),
                    mib(free), mib(rt.maxMemory())));
        }
    }

    /** Floats of every value of one example, as the plain-Java reference holds them all at once. */
    static long referenceFloatsPerExample(Graph graph) {
        long sum = 0;
        for (Map.Entry<String, Shape> e : graph.shapes(1).entrySet()) {
            sum += e.getValue().size();
        }
        return sum;
    }

    static String mib(long bytes) {
        return String.format(Locale.ROOT, "%,.1f MiB", bytes / 1048576.0);
    }
}
