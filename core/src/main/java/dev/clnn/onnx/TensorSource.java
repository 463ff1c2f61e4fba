package dev.clnn.onnx;

import java.nio.file.Path;

import ai.onnx.proto.OnnxMl.TensorProto;

/**
 * Where one import reads its constants from, and how much memory they may take: the model's
 * directory (external data files live there; null when the model was not read from a file) and a
 * byte budget shared by every initializer, {@code Constant} and folded value of the model. A small
 * model can name gigabytes of constants (many initializers pointing at one large external file,
 * a chain of {@code ConstantOfShape}s); the budget turns that into one clear error naming the
 * tensor, instead of an {@link OutOfMemoryError} somewhere later.
 */
final class TensorSource {
    private final Path dir;
    private final long budget;
    private long left;

    TensorSource(Path dir, long budget) {
        this.dir = dir;
        this.budget = budget;
        this.left = budget;
    }

    /** Half the heap: the graph built from the constants holds converted copies of most of them. */
    static long defaultBudget() {
        return Runtime.getRuntime().maxMemory() / 2;
    }

    /** The model's directory, or null. */
    Path dir() {
        return dir;
    }

    /** The tensor {@code t}, checked now and decoded on first use; see {@link OnnxTensors#read}. */
    Const read(TensorProto t) {
        return OnnxTensors.read(t, this);
    }

    /** Counts {@code bytes} of constants against the budget, failing when it is spent. */
    void take(long bytes, String what) {
        if (bytes > left) {
            throw new OnnxFormatException(what + " needs " + bytes + " bytes of memory; with it, this model's constants"
                    + " would take more than the " + budget + " bytes this import allows them (half the JVM's heap;"
                    + " run java with a larger -Xmx)");
        }
        left -= bytes;
    }

    /** Counts a tensor computed at load time: 4 bytes a float element, 8 an integer one. */
    void take(Const c, String what) {
        take((long) c.size() * (c.isInteger() ? 8 : 4), what);
    }
}
