package dev.clnn.onnx;

import java.util.Map;

import ai.onnx.proto.OnnxMl.NodeProto;

import dev.clnn.graph.Op;
import dev.clnn.tensor.Shape;

/**
 * What a {@link Translator} sees of one node: the node and its attributes, its inputs as
 * constants ({@link #constIn}) or device values ({@link #valIn}) with their layouts, the model's
 * opset and declared batch size, and the graph being built. Made fresh for every node.
 */
final class NodeContext {
    private final NodeProto node;
    private final int opset;
    private final int fixedBatch;
    private final Layout layout;
    private final Map<String, Const> consts;

    NodeContext(NodeProto node, int opset, int fixedBatch, Layout layout, Map<String, Const> consts) {
        this.node = node;
        this.opset = opset;
        this.fixedBatch = fixedBatch;
        this.layout = layout;
        this.consts = consts;
    }

    NodeProto node() { return node; }

    String opType() { return node.getOpType(); }

    /** The default-domain opset the model imports. */
    int opset() { return opset; }

    /** The batch size the model's input declares, or 0 when it is symbolic. */
    int fixedBatch() { return fixedBatch; }

    // ---- attributes, with ONNX's defaults ----

    boolean has(String name) { return Attrs.has(node, name); }

    long i(String name, long dflt) { return Attrs.i(node, name, dflt); }

    float f(String name, float dflt) { return Attrs.f(node, name, dflt); }

    String s(String name, String dflt) { return Attrs.s(node, name, dflt); }

    /** An ints attribute, or null when absent. */
    int[] ints(String name) { return Attrs.ints(node, name); }

    // ---- inputs and the output ----

    int inputCount() { return node.getInputCount(); }

    /** Whether optional input {@code i} is given. */
    boolean present(int i) {
        return node.getInputCount() > i && !node.getInput(i).isEmpty();
    }

    /** Whether input {@code i} is a value computed from the model input (not a constant). */
    boolean isVal(int i) {
        return layout.isVal(node.getInput(i));
    }

    /** Input {@code i} as a constant, or null when the optional input is absent; {@code what} names it in errors. */
    Const constIn(int i, String what) {
        if (!present(i)) {
            return null;
        }
        Const c = consts.get(node.getInput(i));
        if (c == null) {
            if (layout.isVal(node.getInput(i))) {
                throw new OnnxFormatException(what + " ('" + node.getInput(i) + "') must be a constant or an"
                        + " initializer; clnn does not take it computed at run time");
            }
            throw new OnnxFormatException("input '" + node.getInput(i) + "' is not defined by an earlier node");
        }
        return c;
    }

    /** Input {@code i} as a value computed from the model input. */
    Val valIn(int i) {
        Val v = anyValIn(i);
        if (v.pending()) {
            throw new OnnxFormatException("input '" + node.getInput(i) + "' is a Transpose by "
                    + java.util.Arrays.toString(v.perm()) + ", which moves the batch axis; clnn follows such a"
                    + " transpose only into Slice, Gather, Split and Squeeze that bring the batch first again");
        }
        return v;
    }

    /** Input {@code i} as a value computed from the model input, perhaps a transpose not carried out ({@link Val#pending}). */
    Val anyValIn(int i) {
        Val v = layout.val(node.getInput(i));
        if (v == null) {
            throw new OnnxFormatException(consts.containsKey(node.getInput(i)) ? "input '" + node.getInput(i)
                    + "' is a constant where clnn takes a value computed from the model input"
                    : "input '" + node.getInput(i) + "' is not defined by an earlier node");
        }
        return v;
    }

    /** Records {@code v} as the value of the node's (first) output. */
    void put(Val v) {
        layout.put(node.getOutput(0), v);
    }

    /** Number of outputs the node names (some may be empty: not wanted). */
    int outputCount() { return node.getOutputCount(); }

    /** Records {@code v} as the value of output {@code k}; an output the model leaves unnamed is skipped. */
    void put(int k, Val v) {
        if (!node.getOutput(k).isEmpty()) {
            layout.put(node.getOutput(k), v);
        }
    }

    /** Records the constant {@code c} as the value of the node's (first) output. */
    void putConst(Const c) {
        consts.put(node.getOutput(0), c);
    }

    // ---- building ----

    /** What nodes added for this node are named after: its name, else its operator. */
    String base() {
        return base(node);
    }

    /** What nodes added for {@code n} are named after: its name, else its operator. */
    static String base(NodeProto n) {
        return n.getName().isEmpty() ? n.getOpType() : n.getName();
    }

    /** Adds a node named after this one; returns its output value. */
    String add(Op op, String... inputs) {
        return layout.add(base(), op, inputs);
    }

    /** Adds a helper node named after this one with {@code suffix}; returns its output value. */
    String add(String suffix, Op op, String... inputs) {
        return layout.add(base() + suffix, op, inputs);
    }

    /** The batch-1 shape of the clnn value {@code name}. */
    Shape shape(String name) { return layout.shape(name); }

    /**
     * The ONNX dimensions of {@code v} at batch 1. The first is 1 unless a Reshape merged the batch
     * with the next axes (then the rows per example), or {@code v} is a pending transpose.
     */
    int[] dims(Val v) {
        if (!v.pending()) {
            return layout.dims(v);
        }
        int[] d = layout.dims(new Val(v.name(), false));
        int[] out = new int[d.length];
        for (int k = 0; k < out.length; k++) {
            out[k] = d[v.perm()[k]];
        }
        return out;
    }

    /** {@code v} as NHWC data; see {@link Layout#nhwc}. */
    String nhwc(Val v) { return layout.nhwc(v, base()); }

    /** Constant input {@code i} repeated along the batch, a value in ONNX's order; see {@link Layout#batchOf}. */
    Val batchOf(int i, String what) {
        return new Val(layoutBatchOf(constIn(i, what)), false);
    }

    /** The constant {@code c} repeated along the batch; the clnn value, in ONNX's order. */
    String layoutBatchOf(Const c) {
        if (c.isInteger()) {
            throw new OnnxFormatException("an integer constant repeated along the batch is not supported");
        }
        return layout.batchOf(c.floats(), c.dims(), base());
    }

    /** {@code v} in ONNX's element order; see {@link Layout#plain}. */
    String plain(Val v) { return layout.plain(v, base()); }
}
