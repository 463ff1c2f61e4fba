package dev.clnn.onnx;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import dev.clnn.graph.Graph;
import dev.clnn.graph.Op;
import dev.clnn.ops.TransposeParams;
import dev.clnn.tensor.Shape;

/**
 * The clnn graph being built and the layout of its values. ONNX activations are NCHW, clnn's
 * NHWC: every ONNX value computed from the input maps to a {@link Val} that says whether its
 * data is NHWC (4-D values that went through a convolution, a pooling, ...) or in ONNX's own
 * order. Operators that care about element order ask for one or the other ({@link #nhwc},
 * {@link #plain}), and the transpose (or, where only unit dimensions move, the reshape) that
 * converts a value is added once and shared by every later reader.
 */
final class Layout {
    /** ONNX's (N, C, H, W) axes in clnn's (N, H, W, C) order. */
    static final int[] NCHW_TO_NHWC = {0, 2, 3, 1};

    private final Graph.Builder builder;
    /** Device values by ONNX name. */
    private final Map<String, Val> vals = new HashMap<>();
    /** clnn value name -> its shape at batch 1. */
    private final Map<String, Shape> shapes = new HashMap<>();
    /** clnn value name -> the same value transposed to NHWC, or back to ONNX's order. */
    private final Map<String, String> nhwcOf = new HashMap<>();
    private final Map<String, String> plainOf = new HashMap<>();
    private final Set<String> names = new HashSet<>();
    private final String input;
    /** clnn names of the graph inputs, in order. */
    private final List<String> inputs = new ArrayList<>();

    /**
     * Starts a graph whose (first) input is the ONNX value {@code onnxInput} with dimensions
     * {@code dims} (batch first, given as 1), in ONNX's order.
     */
    Layout(String graphName, String onnxInput, int[] dims) {
        this.input = unique(onnxInput.isEmpty() ? "input" : onnxInput);
        this.builder = Graph.builder(graphName, input, example(dims));
        shapes.put(input, Shape.of(dims));
        inputs.add(input);
    }

    /** One example's shape: {@code dims} without the batch. */
    private static Shape example(int[] dims) {
        int[] rest = new int[dims.length - 1];
        System.arraycopy(dims, 1, rest, 0, rest.length);
        return Shape.of(rest);
    }

    /**
     * Declares another graph input, the ONNX value {@code onnxInput} of dimensions {@code dims}
     * (batch first, given as 1) in ONNX's order; returns its clnn name.
     */
    String addInput(String onnxInput, int[] dims) {
        String name = unique(onnxInput.isEmpty() ? "input" : onnxInput);
        builder.input(name, example(dims));
        shapes.put(name, Shape.of(dims));
        inputs.add(name);
        return name;
    }

    /** The clnn name of the graph's first input. */
    String input() {
        return input;
    }

    /** Whether the clnn value {@code name} is one of the graph's inputs. */
    boolean isInput(String name) {
        return inputs.contains(name);
    }

    /** A clnn value name made from {@code base}: legal characters, and not taken yet. */
    private String unique(String base) {
        String s = base.replaceAll("[^A-Za-z0-9_.:/-]", "_");
        if (s.isEmpty()) {
            s = "v";
        }
        String name = s;
        for (int k = 2; !names.add(name); k++) {
            name = s + "_" + k;
        }
        return name;
    }

    /** Adds a node named after {@code base}; returns its output value, whose batch-1 shape is recorded. */
    String add(String base, Op op, String... inputs) {
        String name = unique(base);
        List<Shape> in = new ArrayList<>();
        for (String v : inputs) {
            in.add(shapes.get(v));
        }
        Shape out = op.infer(in);
        builder.add(name, op, inputs);
        shapes.put(name, out);
        return name;
    }

    /** The batch-1 shape of the clnn value {@code name}. */
    Shape shape(String name) {
        return shapes.get(name);
    }

    /** The device value holding the ONNX value {@code onnxName}, or null. */
    Val val(String onnxName) {
        return vals.get(onnxName);
    }

    boolean isVal(String onnxName) {
        return vals.containsKey(onnxName);
    }

    /** Records that the ONNX value {@code onnxName} is held by {@code v}. */
    void put(String onnxName, Val v) {
        vals.put(onnxName, v);
    }

    Graph build(List<String> outputs) {
        return builder.build(outputs);
    }

    /** The ONNX dimensions of a value at batch 1. */
    int[] dims(Val v) {
        int[] d = shapes.get(v.name()).dims();
        return v.nhwc() ? new int[] {d[0], d[3], d[1], d[2]} : d;
    }

    /** The value as NHWC data (a 4-D value); a conversion it needs is named after {@code base}. */
    String nhwc(Val v, String base) {
        if (v.nhwc()) {
            return v.name();
        }
        return nhwcOf.computeIfAbsent(v.name(), k -> {
            int[] d = shapes.get(k).dims();
            if (d.length != 4) {
                throw new OnnxFormatException("needs a 4-D (N, C, H, W) input, got rank " + d.length);
            }
            if (d[1] == 1 || d[2] * d[3] == 1) {
                return add(base + "_nhwc", new Op.Reshape(new int[] {d[2], d[3], d[1]}), k);
            }
            return add(base + "_nhwc", new Op.Transpose(TransposeParams.NCHW_TO_NHWC), k);
        });
    }

    /** The value in ONNX's element order and shape; a conversion it needs is named after {@code base}. */
    String plain(Val v, String base) {
        if (!v.nhwc()) {
            return v.name();
        }
        return plainOf.computeIfAbsent(v.name(), k -> {
            int[] d = shapes.get(k).dims();
            if (d[3] == 1 || d[1] * d[2] == 1) {
                return add(base + "_nchw", new Op.Reshape(new int[] {d[3], d[1], d[2]}), k);
            }
            return add(base + "_nchw", new Op.Transpose(TransposeParams.NHWC_TO_NCHW), k);
        });
    }

    /**
     * A constant of dimensions {@code dims} (the first 1) as a value repeated along the batch, in
     * ONNX's order (ViT's class token, concatenated before the patches): a {@code Where} of both
     * operands the constant, its condition a one-element-per-example slice of the model input, so
     * the result takes each compile's batch size. The nodes are named after {@code base}.
     */
    String batchOf(float[] data, int[] dims, String base) {
        if (dims.length < 2 || dims[0] != 1) {
            throw new OnnxFormatException("a constant of shape " + java.util.Arrays.toString(dims)
                    + " cannot be repeated along the batch (it must be (1, ...))");
        }
        int inRank = shapes.get(input).rank();
        dev.clnn.ops.SliceParams first = dev.clnn.ops.SliceParams.all(inRank);
        for (int k = 1; k < inRank; k++) {
            first = first.withAxis(k, 0, 1, 1);
        }
        String one = add(base + "_batch", new Op.Slice(first), input);
        int[] unit = new int[dims.length - 1];
        java.util.Arrays.fill(unit, 1);
        String cond = add(base + "_batch", new Op.Reshape(unit), one);
        Shape s = Shape.of(dims);
        return add(base + "_const", new Op.Where(s, data, s, data), cond);
    }

    /** clnn's axis for ONNX axis {@code a} of a value (NHWC maps 1 -> 3, 2 -> 1, 3 -> 2). */
    static int axis(Val v, int a) {
        if (!v.nhwc()) {
            return a;
        }
        return a == 1 ? 3 : a == 0 ? 0 : a - 1;
    }

    /** Per-axis values of an (N, C, H, W) value in (N, H, W, C) order. */
    static int[] toNhwc(int[] nchw) {
        return new int[] {nchw[0], nchw[2], nchw[3], nchw[1]};
    }
}
