package dev.clnn.onnx;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import ai.onnx.proto.OnnxMl;
import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.TensorShapeProto;
import ai.onnx.proto.OnnxMl.TypeProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import com.google.protobuf.ByteString;

import dev.clnn.graph.Graph;
import dev.clnn.graph.Node;
import dev.clnn.graph.Op;
import dev.clnn.ops.Activation;
import dev.clnn.ops.ConcatParams;
import dev.clnn.ops.Conv2dParams;
import dev.clnn.ops.ElementwiseParams;
import dev.clnn.ops.PadParams;
import dev.clnn.ops.Pool2dParams;
import dev.clnn.ops.SliceParams;
import dev.clnn.tensor.Shape;

/**
 * Exports any clnn {@link Graph} (MobileNet v1/v2, the MNIST CNN, a trained Sequential's graph) to
 * ONNX (opset 17), so another runtime can run exactly the same network and weights: the way
 * {@code clnn}'s benchmarks put ONNX Runtime beside clnn in one run.
 *
 * <p>The model keeps clnn's interface: the graph's inputs (NHWC {@code (N, H, W, C)} for images,
 * symbolic batch {@code N}) and its outputs as clnn computes them. Inside, every rank-4 value is NCHW,
 * the layout of ONNX's Conv and pooling: each input is transposed once, HWIO kernels are stored
 * OIHW, and NHWC axes (softmax, concat, pad, transpose, reshape) are mapped; a reshape of a rank-4
 * value goes back to NHWC first, since flattening order depends on the layout. Fused epilogues
 * become their own nodes (Add, Relu, Clip, ...), which ONNX Runtime fuses again.
 */
public final class GraphExport implements Op.Visitor<Void> {
    /** The default-domain opset of exported models (HardSwish needs 14). */
    public static final int OPSET = 17;
    /** NCHW dimension i is NHWC dimension TO_NCHW[i]. */
    private static final int[] TO_NCHW = {0, 3, 1, 2};
    /** NHWC dimension i is NCHW dimension TO_NHWC[i]. */
    private static final int[] TO_NHWC = {0, 2, 3, 1};

    private final GraphProto.Builder graph = GraphProto.newBuilder();
    private final Map<String, Shape> shapes;
    /** clnn value -> ONNX name and layout. */
    private final Map<String, String> names = new HashMap<>();
    private final Map<String, Boolean> nchw = new HashMap<>();
    private Node node;
    private int counter;

    private GraphExport(Graph g) {
        this.shapes = new HashMap<>(g.shapes(1));     // a separable op adds its middle value
    }

    /**
     * The serialized ONNX model of {@code graph}; its inputs keep their value names, a single output
     * is "output", and several keep their value names (an output that is also an input gets
     * {@code _output} appended).
     */
    public static byte[] toBytes(Graph graph) {
        return model(graph, "output", graph.name()).toByteArray();
    }

    /**
     * The ONNX model of {@code graph} with output {@code outputName} and a doc string. Weights are
     * named after their node ({@code conv2d/kernel}, {@code dense_1/bias}, {@code bn/gamma}), which
     * is how {@link OnnxWeights} finds them again. Package-private: the public API hands out bytes.
     */
    static ModelProto model(Graph graph, String outputName, String doc) {
        return new GraphExport(graph).build(graph, outputName, doc);
    }

    private ModelProto build(Graph g, String outputName, String doc) {
        graph.setName(g.name());
        for (String in : g.inputNames()) {
            graph.addInput(valueInfo(in, shapes.get(in)));
            names.put(in, in);
            nchw.put(in, false);
            if (shapes.get(in).rank() == 4) {
                names.put(in, emit("Transpose", List.of(in)).addAttribute(ints("perm", TO_NCHW)).getOutput(0));
                nchw.put(in, true);
            }
        }
        for (Node n : g.nodes()) {
            node = n;
            n.op().accept(this);
        }
        for (String value : g.outputs()) {
            String name = g.outputs().size() == 1 ? outputName : value + (g.isInput(value) ? "_output" : "");
            graph.addNode(NodeProto.newBuilder().setOpType("Identity")
                    .setName(g.outputs().size() == 1 ? "output" : "output_" + value).addInput(nhwc(value))
                    .addOutput(name));
            graph.addOutput(valueInfo(name, shapes.get(value)));
        }
        String version = GraphExport.class.getPackage().getImplementationVersion();
        return ModelProto.newBuilder().setIrVersion(8).setProducerName("clnn")
                .setProducerVersion(version == null ? "development" : version).setDocString(doc)
                .addOpsetImport(OnnxMl.OperatorSetIdProto.newBuilder().setDomain("").setVersion(OPSET))
                .setGraph(graph).build();
    }

    // --- the ops ---

    @Override
    public Void conv(Op.Conv c) {
        Shape w = c.weightShape();
        Conv2dParams p = c.params();
        float[] oihw = new float[c.weights().length];
        int kh = w.dim(0), kw = w.dim(1), ci = w.dim(2), co = w.dim(3);
        for (int y = 0; y < kh; y++) {
            for (int x = 0; x < kw; x++) {
                for (int i = 0; i < ci; i++) {
                    for (int o = 0; o < co; o++) {
                        oihw[((o * ci + i) * kh + y) * kw + x] = c.weights()[((y * kw + x) * ci + i) * co + o];
                    }
                }
            }
        }
        String k = named("kernel", oihw, co, ci, kh, kw);
        List<String> in = c.bias() == null ? List.of(input(0), k) : List.of(input(0), k, named("bias", c.bias(), co));
        String y = emit("Conv", in).addAttribute(ints("strides", p.strideH(), p.strideW()))
                .addAttribute(ints("dilations", p.dilationH(), p.dilationW()))
                .addAttribute(ints("pads", p.padTop(), p.padLeft(), p.padBottom(), p.padRight()))
                .addAttribute(ints("group", p.groups())).getOutput(0);
        if (p.residual() == Conv2dParams.Residual.ADD_THEN_ACTIVATE) {
            y = emit("Add", List.of(y, input(1))).getOutput(0);
        }
        y = activation(y, p.activation());
        if (p.residual() == Conv2dParams.Residual.ACTIVATE_THEN_ADD) {
            y = emit("Add", List.of(y, input(1))).getOutput(0);
        }
        return define(y, true);
    }

    /**
     * The two convolutions, as the graph held them before {@code Passes.fuseSeparable} joined them: the
     * depthwise one named {@code NODE/depthwise}, its output {@code OUTPUT/depthwise}.
     */
    @Override
    public Void separable(Op.Separable s) {
        String x = node.inputs().get(0);
        String mid = node.output() + "/depthwise";
        List<String> inputs = new java.util.ArrayList<>(node.inputs());
        inputs.set(0, mid);
        inTurn(new Node(node.name() + "/depthwise", s.depthwise(), List.of(x), mid),
                new Node(node.name(), s.pointwise(), inputs, node.output()));
        return null;
    }

    /**
     * The multiply and the convolution, as the graph held them before {@code Passes.fuseScales} joined
     * them: the multiply named {@code NODE/scale}, its output {@code OUTPUT/scale}.
     */
    @Override
    public Void scaled(Op.Scaled s) {
        String x = node.inputs().get(0);
        String mid = node.output() + "/scale";
        List<String> inputs = new java.util.ArrayList<>(node.inputs().subList(1, node.inputs().size()));
        inputs.set(0, mid);
        inTurn(new Node(node.name() + "/scale", new Op.Binary(ElementwiseParams.mul()), List.of(x,
                node.inputs().get(1)), mid), new Node(node.name(), s.pointwise(), inputs, node.output()));
        return null;
    }

    /**
     * The normalisation and the convolution, as the graph held them before {@code Passes.fuseNorms}
     * joined them: the normalisation named {@code NODE/norm}, its output {@code OUTPUT/norm}; of the
     * input's first channels ({@code NODE/read}), when it has more.
     */
    @Override
    public Void normalized(Op.Normalized n) {
        String x = node.inputs().get(0);
        String mid = node.output() + "/norm";
        List<String> inputs = new java.util.ArrayList<>(node.inputs());
        inputs.set(0, mid);
        Node norm = new Node(node.name() + "/norm", n.norm(), List.of(x), mid);
        Node conv = new Node(node.name(), n.pointwise(), inputs, node.output());
        Shape xs = shapes.get(x);
        int c = n.read(xs).dim(3);
        if (c == xs.dim(3)) {
            inTurn(norm, conv);
        } else {
            String read = node.output() + "/read";
            inTurn(new Node(node.name() + "/read", new Op.Slice(SliceParams.all(4).withAxis(3, 0, c, 1)), List.of(x),
                    read), new Node(norm.name(), n.norm(), List.of(read), mid), conv);
        }
        return null;
    }

    /**
     * The input, or its convolution ({@code NODE/conv}), padded with zero channels to the width (what
     * the reference computes).
     */
    @Override
    public Void widen(Op.Widen w) {
        String x = node.inputs().get(0);
        int c = w.first(shapes.get(x)).dim(3);
        Node pad = new Node(node.name(), new Op.Pad(PadParams.of(new int[4], new int[] {0, 0, 0, w.channels() - c})),
                List.of(w.conv() == null ? x : node.output() + "/conv"), node.output());
        if (w.conv() == null) {
            inTurn(pad);
        } else {
            inTurn(new Node(node.name() + "/conv", w.conv(), List.of(x), node.output() + "/conv"), pad);
        }
        return null;
    }

    /**
     * The convolution ({@code NODE/conv}) and the tensor it writes into, as a concatenation of the
     * tensor's channels before ({@code NODE/before}), the convolution's output and the channels after
     * ({@code NODE/after}).
     */
    @Override
    public Void convInto(Op.ConvInto c) {
        String into = node.inputs().get(1);
        int width = shapes.get(into).dim(3);
        int end = c.offset() + c.conv().outChannels();
        List<Node> parts = new java.util.ArrayList<>();
        List<String> gathered = new java.util.ArrayList<>();
        if (c.offset() > 0) {
            parts.add(new Node(node.name() + "/before", new Op.Slice(SliceParams.all(4).withAxis(3, 0, c.offset(), 1)),
                    List.of(into), node.output() + "/before"));
        }
        parts.add(new Node(node.name() + "/conv", c.conv(), node.inputs().subList(0, 1), node.output() + "/conv"));
        if (end < width) {
            parts.add(new Node(node.name() + "/after", new Op.Slice(SliceParams.all(4).withAxis(3, end, width, 1)),
                    List.of(into), node.output() + "/after"));
        }
        for (Node p : parts) {
            gathered.add(p.output());
        }
        parts.add(new Node(node.name(), new Op.Concat(ConcatParams.axis(3), gathered.size()), gathered, node.output()));
        inTurn(parts.toArray(new Node[0]));
        return null;
    }

    /**
     * A node of a lowered graph as the nodes it stands for, in turn: each reads values already
     * defined, the last defines the node's output.
     */
    private void inTurn(Node... nodes) {
        Node whole = node;
        for (Node n : nodes) {
            shapes.put(n.output(), n.op().infer(n.inputs().stream().map(shapes::get).toList()));
            node = n;
            n.op().accept(this);
        }
        node = whole;
    }

    @Override
    public Void dense(Op.Dense d) {
        if (shapes.get(node.inputs().get(0)).rank() > 2) {
            // MatMul folds the leading dimensions as Gemm does not; it reads clnn's own element order
            String y = emit("MatMul", List.of(nhwc(node.inputs().get(0)), named("kernel", d.weights(), d.in(),
                    d.out()))).getOutput(0);
            if (d.bias() != null) {
                y = emit("Add", List.of(y, named("bias", d.bias(), d.out()))).getOutput(0);
            }
            return define(activation(y, d.activation()), false);
        }
        String y = emit("Gemm", List.of(input(0), named("kernel", d.weights(), d.in(), d.out()), named("bias",
                d.bias() == null ? new float[d.out()] : d.bias(), d.out()))).getOutput(0);
        return define(activation(y, d.activation()), false);
    }

    @Override
    public Void batchNorm(Op.BatchNorm bn) {
        int c = bn.gamma().length;
        String y = emit("BatchNormalization", List.of(input(0), named("gamma", bn.gamma(), c), named("beta", bn.beta(), c),
                named("moving_mean", bn.mean(), c), named("moving_variance", bn.variance(), c)))
                .addAttribute(floatAttr("epsilon", bn.epsilon()))
                .getOutput(0);
        return define(activation(y, bn.activation()), layoutOf(0));
    }

    /**
     * The value as it is: the reference computes in fp32 throughout, and the exported graph does too (the
     * convolutions of a graph that stores half-precision activations are exported as fp32 ones).
     */
    @Override
    public Void cast(Op.Cast c) {
        return define(input(0), layoutOf(0));
    }

    @Override
    public Void act(Op.Act a) {
        return define(activation(input(0), a.activation()), layoutOf(0));
    }

    @Override
    public Void binary(Op.Binary b) {
        int ra = shapes.get(node.inputs().get(0)).rank();
        int rb = shapes.get(node.inputs().get(1)).rank();
        if ((ra == 4) != (rb == 4)) {
            throw new IllegalArgumentException("ONNX export: node " + node.name() + " broadcasts a rank-" + ra
                    + " value with a rank-" + rb + " value; only equal ranks are exported");
        }
        boolean rank4 = ra == 4;
        String x = rank4 ? nchwOf(0) : input(0);
        String y = rank4 ? nchwOf(1) : input(1);
        String out = binaryNode(b.params().op(), x, y);
        return define(activation(out, b.params().activation()), rank4);
    }

    @Override
    public Void binaryConst(Op.BinaryConst b) {
        boolean rank4 = layoutOf(0);
        Shape s = b.constantShape();
        String c;
        if (rank4) {
            // align the constant's NHWC dimensions with the input's, then store it NCHW
            int[] d = new int[4];
            java.util.Arrays.fill(d, 1);
            for (int i = 0; i < s.rank(); i++) {
                d[4 - s.rank() + i] = s.dim(i);
            }
            c = constant(permute(b.constant(), d, TO_NCHW), d[0], d[3], d[1], d[2]);
        } else {
            c = constant(b.constant(), toLongs(s.dims()));
        }
        String out = binaryNode(b.params().op(), input(0), c);
        return define(activation(out, b.params().activation()), rank4);
    }

    @Override
    public Void pool(Op.Pool pool) {
        Pool2dParams p = pool.params();
        NodeProto.Builder n;
        switch (p.mode()) {
            case GLOBAL_AVERAGE:
                n = emit("GlobalAveragePool", List.of(input(0)));
                break;
            case MAX:
                n = emit("MaxPool", List.of(input(0)));
                break;
            default:
                n = emit("AveragePool", List.of(input(0))).addAttribute(ints("count_include_pad",
                        p.countIncludePad() ? 1 : 0));
                break;
        }
        if (p.mode() != Pool2dParams.Mode.GLOBAL_AVERAGE) {
            n.addAttribute(ints("kernel_shape", p.kernelH(), p.kernelW()))
                    .addAttribute(ints("strides", p.strideH(), p.strideW()))
                    .addAttribute(ints("pads", p.padTop(), p.padLeft(), p.padBottom(), p.padRight()));
            if (p.ceilMode()) {
                n.addAttribute(intAttr("ceil_mode", 1));
            }
        }
        return define(n.getOutput(0), true);
    }

    @Override
    public Void reshape(Op.Reshape r) {
        Shape out = shapes.get(node.output());
        long[] dims = toLongs(out.dims());
        dims[0] = r.from() == r.to() ? 0 : -1;     // keep the batch, or merge it with the next axes
        String y = emit("Reshape", List.of(nhwc(node.inputs().get(0)), constant(dims))).getOutput(0);
        if (out.rank() == 4) {
            y = emit("Transpose", List.of(y)).addAttribute(ints("perm", TO_NCHW)).getOutput(0);
        }
        return define(y, out.rank() == 4);
    }

    @Override
    public Void softmax(Op.Softmax s) {
        int rank = shapes.get(node.inputs().get(0)).rank();
        int axis = s.params().axis() < 0 ? s.params().axis() + rank : s.params().axis();
        String y = emit(s.params().log() ? "LogSoftmax" : "Softmax", List.of(input(0)))
                .addAttribute(ints("axis", layoutOf(0) ? indexOf(TO_NCHW, axis) : axis)).getOutput(0);
        return define(y, layoutOf(0));
    }

    @Override
    public Void transpose(Op.Transpose t) {
        int[] perm = t.params().perm();
        boolean in4 = layoutOf(0);
        boolean out4 = perm.length == 4;
        int[] onnx = new int[perm.length];
        for (int i = 0; i < perm.length; i++) {
            int j = out4 ? TO_NCHW[i] : i;          // NHWC output dimension of ONNX output dimension i
            onnx[i] = in4 ? TO_NHWC[perm[j]] : perm[j];
        }
        return define(emit("Transpose", List.of(input(0))).addAttribute(ints("perm", onnx)).getOutput(0), out4);
    }

    @Override
    public Void pad(Op.Pad p) {
        int[] b = p.params().begin();
        int[] e = p.params().end();
        int rank = b.length;
        long[] pads = new long[2 * rank];
        for (int i = 0; i < rank; i++) {
            int j = layoutOf(0) ? TO_NCHW[i] : i;
            pads[i] = b[j];
            pads[rank + i] = e[j];
        }
        String y = emit("Pad", List.of(input(0), constant(pads), constant(new float[] {p.params().value()})))
                .getOutput(0);
        return define(y, layoutOf(0));
    }

    @Override
    public Void concat(Op.Concat c) {
        int rank = shapes.get(node.inputs().get(0)).rank();
        int axis = c.params().axis() < 0 ? c.params().axis() + rank : c.params().axis();
        List<String> in = new java.util.ArrayList<>();
        for (int i = 0; i < node.inputs().size(); i++) {
            in.add(input(i));
        }
        return define(emit("Concat", in).addAttribute(ints("axis", layoutOf(0) ? indexOf(TO_NCHW, axis) : axis))
                .getOutput(0), layoutOf(0));
    }

    @Override
    public Void slice(Op.Slice s) {
        SliceParams p = s.params();
        int rank = p.rank();
        List<Integer> axes = new java.util.ArrayList<>();
        for (int k = 1; k < rank; k++) {
            if (!p.keepsWhole(k)) {
                axes.add(k);
            }
        }
        if (axes.isEmpty()) {
            return define(emit("Identity", List.of(input(0))).getOutput(0), layoutOf(0));
        }
        long[] starts = new long[axes.size()];
        long[] ends = new long[axes.size()];
        long[] onnxAxes = new long[axes.size()];
        long[] steps = new long[axes.size()];
        for (int i = 0; i < axes.size(); i++) {
            int k = axes.get(i);
            starts[i] = p.starts()[k];
            ends[i] = p.ends()[k] == Integer.MAX_VALUE ? Long.MAX_VALUE : p.ends()[k];
            onnxAxes[i] = layoutOf(0) ? indexOf(TO_NCHW, k) : k;
            steps[i] = p.steps()[k];
        }
        String y = emit("Slice", List.of(input(0), constant(starts), constant(ends), constant(onnxAxes),
                constant(steps))).getOutput(0);
        return define(y, layoutOf(0));
    }

    @Override
    public Void unary(Op.Unary u) {
        String x = input(0);
        String y;
        switch (u.params().kind()) {
            case GELU: {
                // opset 17 has no Gelu: x * 0.5 * (1 + erf(x / sqrt 2)), the form the exporters write
                String e = emit("Erf", List.of(emit("Div", List.of(x, constant(new float[] {(float) Math.sqrt(2)})))
                        .getOutput(0))).getOutput(0);
                String one = emit("Add", List.of(e, constant(new float[] {1f}))).getOutput(0);
                y = emit("Mul", List.of(emit("Mul", List.of(x, constant(new float[] {0.5f}))).getOutput(0), one))
                        .getOutput(0);
                break;
            }
            case GELU_TANH: {
                float c = (float) Math.sqrt(2 / Math.PI);
                String cube = emit("Pow", List.of(x, constant(new float[] {3f}))).getOutput(0);
                String inner = emit("Add", List.of(x, emit("Mul", List.of(cube, constant(new float[] {0.044715f})))
                        .getOutput(0))).getOutput(0);
                String t = emit("Tanh", List.of(emit("Mul", List.of(inner, constant(new float[] {c}))).getOutput(0)))
                        .getOutput(0);
                String one = emit("Add", List.of(t, constant(new float[] {1f}))).getOutput(0);
                y = emit("Mul", List.of(emit("Mul", List.of(x, constant(new float[] {0.5f}))).getOutput(0), one))
                        .getOutput(0);
                break;
            }
            case POW:
                y = emit("Pow", List.of(x, constant(new float[] {u.params().exponent()}))).getOutput(0);
                break;
            default:
                y = emit(onnxName(u.params().kind()), List.of(x)).getOutput(0);
                break;
        }
        return define(y, layoutOf(0));
    }

    @Override
    public Void layerNorm(Op.LayerNorm l) {
        Shape in = shapes.get(node.inputs().get(0));
        int axis = l.axis() < 0 ? l.axis() + in.rank() : l.axis();
        String x = input(0);
        boolean transposed = layoutOf(0);
        if (transposed) {
            // the exported value is NCHW: normalise clnn's NHWC order
            x = emit("Transpose", List.of(x)).addAttribute(ints("perm", TO_NHWC)).getOutput(0);
        }
        long[] dims = new long[in.rank() - axis];
        for (int i = axis; i < in.rank(); i++) {
            dims[i - axis] = in.dim(i);
        }
        String y = emit("LayerNormalization", List.of(x, constant(l.scale(), dims), constant(l.bias(), dims)))
                .addAttribute(ints("axis", axis)).addAttribute(floatAttr("epsilon", l.epsilon())).getOutput(0);
        if (transposed) {
            y = emit("Transpose", List.of(y)).addAttribute(ints("perm", TO_NCHW)).getOutput(0);
        }
        return define(y, transposed);
    }

    /** Both operands in clnn's order (a rank-4 one back from NCHW), transposed as the op asks; the product stays in clnn's order. */
    @Override
    public Void matMul(Op.MatMul m) {
        String a = swapLastTwo(nhwc(node.inputs().get(0)), 0, m.params().transA());
        String b = swapLastTwo(nhwc(node.inputs().get(1)), 1, m.params().transB());
        return define(emit("MatMul", List.of(a, b)).getOutput(0), false);
    }

    /**
     * ReduceSum (axes as an input), ReduceMean or ReduceL2 (axes as an attribute at opset 17). A value exported
     * NCHW keeps its layout when the reduced axes stay; otherwise it is reduced in clnn's order.
     */
    @Override
    public Void reduce(Op.Reduce r) {
        int rank = shapes.get(node.inputs().get(0)).rank();
        boolean[] red = r.params().reduced(rank);
        boolean keepNchw = layoutOf(0) && r.params().keepDims();
        String x = keepNchw ? input(0) : nhwc(node.inputs().get(0));
        int count = 0;
        for (boolean b : red) {
            count += b ? 1 : 0;
        }
        int[] axes = new int[count];
        count = 0;
        for (int k = 0; k < rank; k++) {
            if (red[k]) {
                axes[count++] = keepNchw ? indexOf(TO_NCHW, k) : k;
            }
        }
        java.util.Arrays.sort(axes);
        int keep = r.params().keepDims() ? 1 : 0;
        NodeProto.Builder n;
        if (r.params().mode() == dev.clnn.ops.ReduceParams.Mode.SUM) {
            n = emit("ReduceSum", List.of(x, constant(toLongs(axes))));
        } else {
            String op = r.params().mode() == dev.clnn.ops.ReduceParams.Mode.L2 ? "ReduceL2" : "ReduceMean";
            n = emit(op, List.of(x)).addAttribute(ints("axes", axes));
        }
        return define(n.addAttribute(intAttr("keepdims", keep)).getOutput(0), keepNchw);
    }

    /** Where in clnn's order; the 0 / 1 float condition is cast to ONNX's booleans. */
    @Override
    public Void where(Op.Where w) {
        String c = emit("Cast", List.of(nhwc(node.inputs().get(0))))
                .addAttribute(intAttr("to", TensorProto.DataType.BOOL_VALUE)).getOutput(0);
        int next = 1;
        String a = w.aConst() == null ? nhwc(node.inputs().get(next++)) : constant(w.aConst(), w.aShape().dims());
        String b = w.bConst() == null ? nhwc(node.inputs().get(next)) : constant(w.bConst(), w.bShape().dims());
        return define(emit("Where", List.of(c, a, b)).getOutput(0), false);
    }

    /** Tile, its counts in NCHW order for a value exported NCHW. */
    @Override
    public Void tile(Op.Tile t) {
        int[] r = t.repeats();
        long[] repeats = new long[r.length];
        for (int i = 0; i < r.length; i++) {
            repeats[i] = layoutOf(0) ? r[TO_NCHW[i]] : r[i];
        }
        return define(emit("Tile", List.of(input(0), constant(repeats))).getOutput(0), layoutOf(0));
    }

    @Override
    public Void resize(Op.Resize r) {
        return define(NormResizeExport.resize(this, r.params(), nchwOf(0)), true);
    }

    @Override
    public Void groupNorm(Op.GroupNorm g) {
        int rank = shapes.get(node.inputs().get(0)).rank();
        if (g.channelsLast() && rank != 4) {
            throw new IllegalArgumentException("ONNX export: node " + node.name() + " normalises groups of a rank-"
                    + rank + " channels-last value; only rank 4 is exported");
        }
        String x = g.channelsLast() ? nchwOf(0) : nhwc(node.inputs().get(0));
        return define(NormResizeExport.groupNorm(this, g, x, rank), g.channelsLast());
    }

    /** {@code x}, input {@code i} of the node, with its last two dimensions swapped when {@code swap}. */
    private String swapLastTwo(String x, int i, boolean swap) {
        if (!swap) {
            return x;
        }
        int rank = shapes.get(node.inputs().get(i)).rank();
        int[] perm = new int[rank];
        for (int d = 0; d < rank; d++) {
            perm[d] = d;
        }
        perm[rank - 2] = rank - 1;
        perm[rank - 1] = rank - 2;
        return emit("Transpose", List.of(x)).addAttribute(ints("perm", perm)).getOutput(0);
    }

    private static String onnxName(dev.clnn.ops.UnaryParams.Kind k) {
        switch (k) {
            case ERF: return "Erf";
            case SQRT: return "Sqrt";
            case RECIPROCAL: return "Reciprocal";
            case EXP: return "Exp";
            case LOG: return "Log";
            case NEG: return "Neg";
            default: return "Abs";
        }
    }

    // --- helpers ---

    private String activation(String x, Activation a) {
        switch (a.kind()) {
            case NONE:
                return x;
            case RELU:
                return emit("Relu", List.of(x)).getOutput(0);
            case CLIP:
                return emit("Clip", List.of(x, constant(new float[] {a.lo()}), constant(new float[] {a.hi()})))
                        .getOutput(0);
            case LEAKY_RELU:
                return emit("LeakyRelu", List.of(x)).addAttribute(floatAttr("alpha", a.alpha())).getOutput(0);
            case SIGMOID:
                return emit("Sigmoid", List.of(x)).getOutput(0);
            case TANH:
                return emit("Tanh", List.of(x)).getOutput(0);
            case HARD_SWISH:
                return emit("HardSwish", List.of(x)).getOutput(0);
            case SILU:
                return emit("Mul", List.of(x, emit("Sigmoid", List.of(x)).getOutput(0))).getOutput(0);
            case GELU: {
                // opset 17 has no Gelu: x * (erf(x / sqrt 2) + 1) * 0.5, as PyTorch exports it
                String erf = emit("Erf", List.of(emit("Div", List.of(x, constant(new float[] {(float) Math.sqrt(2)})))
                        .getOutput(0))).getOutput(0);
                String one = emit("Add", List.of(erf, constant(new float[] {1f}))).getOutput(0);
                String half = emit("Mul", List.of(x, constant(new float[] {0.5f}))).getOutput(0);
                return emit("Mul", List.of(half, one)).getOutput(0);
            }
            default:
                return emit("HardSigmoid", List.of(x)).addAttribute(floatAttr("alpha", a.alpha()))
                        .addAttribute(floatAttr("beta", a.beta())).getOutput(0);
        }
    }

    /** The ONNX node of a binary op; ONNX's Equal gives booleans, cast back to clnn's 0 / 1 floats. */
    private String binaryNode(dev.clnn.ops.ElementwiseParams.Op op, String x, String y) {
        String out = emit(binaryName(op), List.of(x, y)).getOutput(0);
        if (op == dev.clnn.ops.ElementwiseParams.Op.EQUAL) {
            out = emit("Cast", List.of(out)).addAttribute(intAttr("to", TensorProto.DataType.FLOAT_VALUE)).getOutput(0);
        }
        return out;
    }

    private static String binaryName(dev.clnn.ops.ElementwiseParams.Op op) {
        switch (op) {
            case ADD: return "Add";
            case SUB: return "Sub";
            case MUL: return "Mul";
            case EQUAL: return "Equal";
            default: return "Div";
        }
    }

    private String input(int i) {
        return names.get(node.inputs().get(i));
    }

    private boolean layoutOf(int i) {
        return nchw.get(node.inputs().get(i));
    }

    /** Input {@code i} as NCHW, for a rank-4 binary op whose other operand is NCHW. */
    private String nchwOf(int i) {
        String v = node.inputs().get(i);
        if (nchw.get(v) || shapes.get(v).rank() != 4) {
            return names.get(v);
        }
        return emit("Transpose", List.of(names.get(v))).addAttribute(ints("perm", TO_NCHW)).getOutput(0);
    }

    /** The value as clnn lays it out (NHWC for rank 4). */
    private String nhwc(String value) {
        if (!nchw.get(value)) {
            return names.get(value);
        }
        return emit("Transpose", List.of(names.get(value))).addAttribute(ints("perm", TO_NHWC)).getOutput(0);
    }

    private Void define(String onnxName, boolean isNchw) {
        names.put(node.output(), onnxName);
        nchw.put(node.output(), isNchw && shapes.get(node.output()).rank() == 4);
        return null;
    }

    NodeProto.Builder emit(String op, List<String> inputs) {
        String name = (node == null ? "input" : node.name()) + "_" + op.toLowerCase(java.util.Locale.ROOT) + "_"
                + counter++;
        NodeProto.Builder n = NodeProto.newBuilder().setOpType(op).setName(name).addAllInput(inputs).addOutput(name);
        graph.addNode(n);
        return graph.getNodeBuilder(graph.getNodeCount() - 1);
    }

    String constant(float[] values, long... dims) {
        String name = "c" + counter++;
        ByteBuffer bytes = ByteBuffer.allocate(4 * values.length).order(ByteOrder.LITTLE_ENDIAN);
        bytes.asFloatBuffer().put(values);
        TensorProto.Builder t = TensorProto.newBuilder().setName(name).setDataType(TensorProto.DataType.FLOAT_VALUE)
                .setRawData(ByteString.copyFrom(bytes.array()));
        for (long d : dims) {
            t.addDims(d);
        }
        graph.addInitializer(t);
        return name;
    }

    String constant(float[] values, int... dims) {
        return constant(values, toLongs(dims));
    }

    /** A weight of the current node, named {@code <node>/<what>} (Keras' names for the built-in networks). */
    String named(String what, float[] values, int... dims) {
        String name = constant(values, toLongs(dims));
        TensorProto.Builder t = graph.getInitializerBuilder(graph.getInitializerCount() - 1);
        String wanted = node.name() + "/" + what;
        t.setName(wanted);
        return wanted;
    }

    String constant(long[] values) {
        String name = "c" + counter++;
        TensorProto.Builder t = TensorProto.newBuilder().setName(name).setDataType(TensorProto.DataType.INT64_VALUE)
                .addDims(values.length);
        for (long v : values) {
            t.addInt64Data(v);
        }
        graph.addInitializer(t);
        return name;
    }

    /** {@code data} of NHWC dims {@code d} permuted to the dimension order {@code perm}. */
    private static float[] permute(float[] data, int[] d, int[] perm) {
        float[] out = new float[data.length];
        int[] od = {d[perm[0]], d[perm[1]], d[perm[2]], d[perm[3]]};
        int[] idx = new int[4];
        for (int i = 0; i < data.length; i++) {
            int r = i;
            for (int k = 3; k >= 0; k--) {
                idx[k] = r % d[k];
                r /= d[k];
            }
            int o = 0;
            for (int k = 0; k < 4; k++) {
                o = o * od[k] + idx[perm[k]];
            }
            out[o] = data[i];
        }
        return out;
    }

    private static int indexOf(int[] a, int v) {
        for (int i = 0; i < a.length; i++) {
            if (a[i] == v) {
                return i;
            }
        }
        throw new IllegalArgumentException("axis " + v);
    }

    private static long[] toLongs(int[] a) {
        long[] out = new long[a.length];
        for (int i = 0; i < a.length; i++) {
            out[i] = a[i];
        }
        return out;
    }

    private static ValueInfoProto valueInfo(String name, Shape batchOne) {
        TensorShapeProto.Builder s = TensorShapeProto.newBuilder()
                .addDim(TensorShapeProto.Dimension.newBuilder().setDimParam("N"));
        for (int i = 1; i < batchOne.rank(); i++) {
            s.addDim(TensorShapeProto.Dimension.newBuilder().setDimValue(batchOne.dim(i)));
        }
        return ValueInfoProto.newBuilder().setName(name).setType(TypeProto.newBuilder().setTensorType(
                TypeProto.Tensor.newBuilder().setElemType(TensorProto.DataType.FLOAT_VALUE).setShape(s))).build();
    }

    static AttributeProto.Builder ints(String name, int... values) {
        AttributeProto.Builder a = AttributeProto.newBuilder().setName(name);
        if (values.length == 1 && (name.equals("group") || name.equals("axis") || name.equals("count_include_pad"))) {
            return a.setType(AttributeProto.AttributeType.INT).setI(values[0]);
        }
        a.setType(AttributeProto.AttributeType.INTS);
        for (int v : values) {
            a.addInts(v);
        }
        return a;
    }

    private static AttributeProto.Builder intAttr(String name, long value) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INT).setI(value);
    }

    static AttributeProto.Builder floatAttr(String name, float value) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.FLOAT).setF(value);
    }
}
