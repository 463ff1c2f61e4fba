package dev.clnn.ops;

import java.util.Arrays;

import dev.clnn.tensor.Shape;

/**
 * Parameters of a {@link Transpose}: output dimension {@code k} is input dimension {@code perm[k]}
 * (ONNX {@code Transpose}, NumPy {@code transpose}). Immutable: the array is copied in and out.
 *
 * @param perm a permutation of {@code 0 .. rank-1}
 */
public record TransposeParams(int[] perm) {

    /** NCHW to NHWC: {@code (N, C, H, W) -> (N, H, W, C)}. */
    public static final TransposeParams NCHW_TO_NHWC = new TransposeParams(new int[] {0, 2, 3, 1});
    /** NHWC to NCHW: {@code (N, H, W, C) -> (N, C, H, W)}. */
    public static final TransposeParams NHWC_TO_NCHW = new TransposeParams(new int[] {0, 3, 1, 2});

    public TransposeParams {
        if (perm == null) {
            throw new IllegalArgumentException("Transpose: a permutation is required");
        }
        perm = perm.clone();
        boolean[] seen = new boolean[perm.length];
        for (int p : perm) {
            if (p < 0 || p >= perm.length || seen[p]) {
                throw new IllegalArgumentException("Transpose: " + Arrays.toString(perm)
                        + " is not a permutation of 0.." + (perm.length - 1));
            }
            seen[p] = true;
        }
    }

    public static TransposeParams of(int... perm) {
        return new TransposeParams(perm);
    }

    /** Reversed dimensions, ONNX's default when {@code perm} is absent. */
    public static TransposeParams reverse(int rank) {
        int[] p = new int[rank];
        for (int i = 0; i < rank; i++) {
            p[i] = rank - 1 - i;
        }
        return new TransposeParams(p);
    }

    public int rank() { return perm.length; }

    /**
     * The output shape for an input of shape {@code in}: dimension {@code k} is the input's
     * {@code perm[k]}.
     *
     * @throws IllegalArgumentException when the input's rank is not the permutation's
     */
    public Shape outputShape(Shape in) {
        if (in.rank() != perm.length) {
            throw new IllegalArgumentException("Transpose " + this + " needs a rank-" + perm.length + " input, got "
                    + in);
        }
        int[] out = new int[perm.length];
        for (int k = 0; k < perm.length; k++) {
            out[k] = in.dim(perm[k]);
        }
        return Shape.of(out);
    }

    @Override
    public int[] perm() { return perm.clone(); }

    @Override
    public boolean equals(Object o) {
        return o instanceof TransposeParams t && Arrays.equals(perm, t.perm);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(perm);
    }

    @Override
    public String toString() {
        return "transpose" + Arrays.toString(perm);
    }
}
