package dev.clnn.tensor;

/**
 * Element types. Computation is fp32 everywhere; {@link #FLOAT16} is a storage type: activations kept
 * as IEEE half-precision floats between the kernels built for it, converted to fp32 as they are loaded
 * and rounded to nearest as they are stored, which halves the memory traffic and the activation memory.
 */
public enum DType {
    FLOAT32(4), FLOAT16(2);

    private final int bytes;

    DType(int bytes) {
        this.bytes = bytes;
    }

    public int bytes() { return bytes; }

    /** How many 4-byte floats of a buffer hold {@code elements} elements of this type (rounded up). */
    public long floatsFor(long elements) {
        return (elements * bytes + 3) / 4;
    }
}
