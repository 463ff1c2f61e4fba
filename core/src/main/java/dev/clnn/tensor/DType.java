package dev.clnn.tensor;

/** Element types. Only fp32 is computed today; fp16 is reserved for storage and kernels to come. */
public enum DType {
    FLOAT32(4), FLOAT16(2);

    private final int bytes;

    DType(int bytes) {
        this.bytes = bytes;
    }

    public int bytes() { return bytes; }
}
