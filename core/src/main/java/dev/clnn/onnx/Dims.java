package dev.clnn.onnx;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import ai.onnx.proto.OnnxMl.NodeProto;

/**
 * ONNX's rules for axes and dimensions (negative axes, Squeeze, Unsqueeze, Reshape targets,
 * Transpose permutations), checked: shared by {@link ConstEval} and the translators.
 */
final class Dims {
    private Dims() {
    }

    static int[] axesOf(NodeProto n, List<Const> in, int opset, int inputSince) {
        if (opset >= inputSince) {
            return in.size() > 1 && in.get(1) != null ? in.get(1).ints("axes") : null;
        }
        return Attrs.has(n, "axes") ? Attrs.ints(n, "axes") : null;
    }

    static int[] reversed(int rank) {
        int[] p = new int[rank];
        for (int i = 0; i < rank; i++) {
            p[i] = rank - 1 - i;
        }
        return p;
    }

    static void checkPerm(int[] perm, int rank) {
        boolean[] seen = new boolean[rank];
        if (perm.length != rank) {
            throw new OnnxFormatException("Transpose perm " + Arrays.toString(perm) + " does not fit rank " + rank);
        }
        for (int p : perm) {
            if (p < 0 || p >= rank || seen[p]) {
                throw new OnnxFormatException("Transpose perm " + Arrays.toString(perm) + " is not a permutation");
            }
            seen[p] = true;
        }
    }

    /** A possibly negative axis of a tensor of {@code rank} dimensions, checked. */
    static int axis(int axis, int rank, String what) {
        if (axis < -rank || axis >= rank) {
            throw new OnnxFormatException(what + " " + axis + " is out of range for rank " + rank);
        }
        return axis < 0 ? axis + rank : axis;
    }

    static int[] unsqueezeDims(int[] dims, int[] axes) {
        if (axes == null) {
            throw new OnnxFormatException("Unsqueeze needs axes");
        }
        int rank = dims.length + axes.length;
        boolean[] inserted = new boolean[rank];
        for (int a : axes) {
            int k = axis(a, rank, "Unsqueeze axis");
            if (inserted[k]) {
                throw new OnnxFormatException("Unsqueeze axis " + a + " repeats");
            }
            inserted[k] = true;
        }
        int[] out = new int[rank];
        for (int k = 0, j = 0; k < rank; k++) {
            out[k] = inserted[k] ? 1 : dims[j++];
        }
        return out;
    }

    static int[] squeezeDims(int[] dims, int[] axes) {
        boolean[] drop = new boolean[dims.length];
        if (axes == null) {
            for (int k = 0; k < dims.length; k++) {
                drop[k] = dims[k] == 1;
            }
        } else {
            for (int a : axes) {
                int k = axis(a, dims.length, "Squeeze axis");
                if (dims[k] != 1) {
                    throw new OnnxFormatException("Squeeze axis " + a + " has size " + dims[k] + ", not 1");
                }
                drop[k] = true;
            }
        }
        List<Integer> out = new ArrayList<>();
        for (int k = 0; k < dims.length; k++) {
            if (!drop[k]) {
                out.add(dims[k]);
            }
        }
        return out.stream().mapToInt(Integer::intValue).toArray();
    }

    /** ONNX Reshape's target: 0 copies the input dimension (unless allowzero), one -1 is inferred. */
    static int[] reshapeDims(int[] in, Const shape, boolean allowZero) {
        long[] t = shape.longs();
        int[] out = new int[t.length];
        long total = Const.count(in);
        long known = 1;
        int unknown = -1;
        for (int i = 0; i < t.length; i++) {
            if (Const.isBatch(t[i])) {
                throw new OnnxFormatException("Reshape of a constant to a shape that depends on the batch size");
            }
            if (t[i] == -1) {
                if (unknown >= 0) {
                    throw new OnnxFormatException("Reshape shape " + Arrays.toString(t) + " has two -1");
                }
                unknown = i;
                continue;
            }
            if (t[i] == 0 && !allowZero) {
                if (i >= in.length) {
                    throw new OnnxFormatException("Reshape shape " + Arrays.toString(t) + " copies dimension " + i
                            + " of a rank-" + in.length + " input");
                }
                out[i] = in[i];
            } else if (t[i] < 0 || t[i] > OnnxTensors.MAX_ELEMENTS) {
                throw new OnnxFormatException("Reshape shape " + Arrays.toString(t) + " has a bad dimension " + t[i]);
            } else {
                out[i] = (int) t[i];
            }
            known *= out[i];
        }
        if (unknown >= 0) {
            if (known == 0 || total % known != 0) {
                throw new OnnxFormatException("Cannot reshape " + Arrays.toString(in) + " to " + Arrays.toString(t));
            }
            out[unknown] = (int) (total / known);
        } else if (known != total) {
            throw new OnnxFormatException("Cannot reshape " + Arrays.toString(in) + " to " + Arrays.toString(t));
        }
        return out;
    }
}
