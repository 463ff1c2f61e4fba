package dev.clnn.graph;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import dev.clnn.cl.ClDevice;
import dev.clnn.ops.Activation;
import dev.clnn.ops.BatchNormFolding;
import dev.clnn.ops.Concat;
import dev.clnn.ops.Conv2d;
import dev.clnn.ops.Conv2dParams;
import dev.clnn.ops.Conv2dParams.Residual;
import dev.clnn.ops.ElementwiseParams;
import dev.clnn.ops.NormalizedPointwise;
import dev.clnn.ops.ScaledPointwise;
import dev.clnn.ops.SeparableConv;
import dev.clnn.ops.TransposeParams;
import dev.clnn.tensor.DType;
import dev.clnn.tensor.Shape;

/**
 * Graph rewrites that fuse work into fewer kernels without changing results beyond rounding:
 * BatchNorm folded into the preceding convolution, a constant row added after a dense op folded into its bias, a residual add carried by the convolution that
 * feeds it, a transpose of the last two dimensions read by a MatMul as the GEMM's transpose flag, and activations moved into the epilogue of the convolution, dense or element-wise op
 * before them (x * sigmoid(x) and GELU first made activations). A value is only fused away when the op it feeds is its sole reader and it is not
 * one of the graph's outputs.
 */
public final class Passes {
    private Passes() {
    }

    /** Every pass, in the order that lets each enable the next. */
    public static Graph optimize(Graph g) {
        return fuseActivations(formActivations(fuseResiduals(foldBatchNorms(foldDenseBiases(
                foldTransposesIntoProducts(simplifyTransposes(g)))))));
    }

    /**
     * {@link #optimize}, then the rewrites only some devices gain from: on a device that runs a
     * depthwise and a pointwise convolution as one kernel ({@link SeparableConv#widestOn}, the CPUs),
     * {@link #fuseSeparable} up to the width it gains on; on one that folds a per-image scale into the
     * pointwise convolution after it ({@link ScaledPointwise#runsOn}, the CPUs), {@link #fuseScales}.
     * What compiles a graph for a device calls this.
     */
    public static Graph optimize(Graph g, ClDevice device) {
        Graph out = optimize(g);
        int widest = SeparableConv.widestOn(device);
        if (widest > 0) {
            out = fuseSeparable(out, widest);
        }
        if (NormalizedPointwise.runsOn(device)) {
            out = fuseNorms(out);
            if (Concat.inPlace()) {
                out = concatenateInPlace(out, device);
            }
        }
        return ScaledPointwise.runsOn(device) ? fuseScales(out) : out;
    }

    /**
     * Half-precision activations: every convolution ({@link Op.Conv}, and the joined {@link Op.Separable},
     * {@link Op.Normalized} and {@link Op.Scaled}) stores its input, output and residual as halves
     * ({@link Conv2dParams#storage()}; its kernels convert as they load and store, and compute in fp32),
     * a {@link Op.Reshape} of a half value is one, and an {@link Op.Cast} comes between each half
     * value and the ops that compute on fp32 ones (pooling, dense layers, element-wise ops, the
     * concatenations written in place, ...), and before each graph output, which stays fp32 like the
     * inputs. A graph output computed in half is renamed {@code NAME@fp16} and cast to {@code NAME}.
     * Casts are made once per value and type, right before their first reader. The reference
     * ({@link ReferenceExecutor}) computes the result in fp32, so half-precision results differ
     * from it by the roundings of the stored values.
     */
    public static Graph storeHalf(Graph g) {
        Map<String, DType> types = new HashMap<>();
        for (String in : g.inputNames()) {
            types.put(in, DType.FLOAT32);
        }
        Set<String> outputs = new HashSet<>(g.outputs());
        Map<String, String> renamed = new HashMap<>();     // graph outputs computed in half
        Map<String, String> casts = new HashMap<>();       // "value@type" -> the cast's output
        List<Node> out = new ArrayList<>();
        for (Node n : g.nodes()) {
            Op op = half(n.op());
            List<String> ins = new ArrayList<>();
            for (int i = 0; i < n.inputs().size(); i++) {
                String v = renamed.getOrDefault(n.inputs().get(i), n.inputs().get(i));
                DType want = op instanceof Op.Reshape ? types.get(v) : op.inputType(i);
                if (types.get(v) == want) {
                    ins.add(v);
                    continue;
                }
                String key = v + "@" + (want == DType.FLOAT16 ? "fp16" : "fp32");
                String cast = casts.get(key);
                if (cast == null) {
                    cast = key;
                    out.add(new Node(n.name() + "/" + key, new Op.Cast(want), List.of(v), cast));
                    casts.put(key, cast);
                    types.put(cast, want);
                }
                ins.add(cast);
            }
            DType type = op instanceof Op.Reshape ? types.get(ins.get(0)) : op.storage();
            if (type == DType.FLOAT16 && outputs.contains(n.output())) {
                String h = n.output() + "@fp16";
                renamed.put(n.output(), h);
                out.add(new Node(n.name(), op, ins, h));
                types.put(h, type);
                out.add(new Node(n.name() + "/cast", new Op.Cast(DType.FLOAT32), List.of(h), n.output()));
                types.put(n.output(), DType.FLOAT32);
                casts.put(h + "@fp32", n.output());
            } else {
                out.add(n.with(op, ins));
                types.put(n.output(), type);
            }
        }
        return g.withNodes(out);
    }

    /** {@code op} computing on half-precision activations, when it is a convolution; else itself. */
    private static Op half(Op op) {
        if (op instanceof Op.Conv c) {
            return c.storing(DType.FLOAT16);
        }
        if (op instanceof Op.Separable s) {
            return new Op.Separable(s.depthwise().storing(DType.FLOAT16), s.pointwise().storing(DType.FLOAT16));
        }
        if (op instanceof Op.Normalized n) {
            return new Op.Normalized(n.norm(), n.pointwise().storing(DType.FLOAT16));
        }
        if (op instanceof Op.Scaled s) {
            return new Op.Scaled(s.pointwise().storing(DType.FLOAT16));
        }
        return op;
    }

    /**
     * Concatenations of channels that copy nothing: DenseNet's dense block, where layer {@code k}
     * concatenates the block's input and the features of the layers before it, and the block ends with
     * the concatenation of all of them. The largest concatenation's tensor is allocated once ({@link
     * Op.Widen}, which copies the block's input {@code v0} into its first channels, or has the
     * convolution computing it write them when the group alone reads it); each convolution
     * producing a later input {@code vj} writes its channels of that tensor in place ({@link
     * Op.ConvInto}); and every concatenation of a prefix of the same inputs becomes the tensor as it
     * stands once that prefix is written, which its readers, normalised pointwise convolutions
     * ({@link Op.Normalized}), read as its first channels. The pass applies when: the concatenations are
     * along the channels of rank-4 values; each {@code vj} (j >= 1) is computed by a convolution without
     * a residual whose variant on {@code device} writes channels of a wider tensor ({@code
     * Conv2d.writesSlices}), after {@code v0} and in order, and is read by those concatenations alone;
     * every concatenation but the largest is read only by normalised pointwise convolutions; none of
     * them is a graph output but the largest. Anything else stays a copy, and so does every
     * concatenation of a graph that does not run at batch 1 (its channels are read at that batch).
     */
    public static Graph concatenateInPlace(Graph g, ClDevice device) {
        java.util.Map<String, Shape> shapes;
        try {
            shapes = g.shapes(1);       // (channels, which do not depend on the batch)
        } catch (IllegalArgumentException e) {
            return g;                   // a graph that does not run at batch 1 (a fixed reshape): left as it is
        }
        List<Node> nodes = new ArrayList<>(g.nodes());
        boolean changed = true;
        while (changed) {
            changed = false;
            for (Node top : nodes) {
                if (isChannelConcat(top, shapes) && isLargest(top, nodes)) {
                    List<Node> rewritten = inPlace(g, nodes, top, shapes, device);
                    if (rewritten != null) {
                        nodes = rewritten;
                        changed = true;
                        break;
                    }
                }
            }
        }
        return rebuild(g, nodes);
    }

    private static boolean isChannelConcat(Node n, java.util.Map<String, Shape> shapes) {
        if (!(n.op() instanceof Op.Concat c)) {
            return false;
        }
        Shape y = shapes.get(n.output());
        return y != null && y.rank() == 4 && Math.floorMod(c.params().axis(), 4) == 3;
    }

    /** No other concatenation's inputs start with all of {@code top}'s. */
    private static boolean isLargest(Node top, List<Node> nodes) {
        for (Node n : nodes) {
            if (n != top && n.op() instanceof Op.Concat && n.inputs().size() > top.inputs().size()
                    && n.inputs().subList(0, top.inputs().size()).equals(top.inputs())) {
                return false;
            }
        }
        return true;
    }

    /** The nodes with {@code top}'s group concatenated in place, or null when the group does not qualify. */
    private static List<Node> inPlace(Graph g, List<Node> nodes, Node top, java.util.Map<String, Shape> shapes,
                                      ClDevice device) {
        List<String> vs = top.inputs();
        int n = vs.size() - 1;
        if (n < 1 || new java.util.HashSet<>(vs).size() != vs.size()) {
            return null;
        }
        // the group: top, and every channel concatenation of a proper prefix of its inputs, by the index of
        // the prefix's last input
        java.util.Map<String, Integer> members = new java.util.HashMap<>();
        for (Node c : nodes) {
            if (isChannelConcat(c, shapes) && c.inputs().size() <= vs.size()
                    && c.inputs().equals(vs.subList(0, c.inputs().size()))) {
                if (c != top && g.outputs().contains(c.output())) {
                    return null;
                }
                members.put(c.output(), c.inputs().size() - 1);
            }
        }
        for (Node r : nodes) {
            for (String in : r.inputs()) {
                if (members.containsKey(in) && !in.equals(top.output()) && !(r.op() instanceof Op.Normalized
                        && r.inputs().get(0).equals(in) && !r.inputs().subList(1, r.inputs().size()).contains(in))) {
                    return null;        // a prefix read by something that cannot read the first channels of a wider tensor
                }
            }
        }
        int p0 = indexOfProducer(nodes, vs.get(0));
        int[] offset = new int[n + 1];
        int width = 0;
        for (int j = 0; j <= n; j++) {
            offset[j] = width;
            width += shapes.get(vs.get(j)).dim(3);
        }
        java.util.Map<Integer, Integer> writer = new java.util.HashMap<>();     // node index -> the j it writes
        int last = p0;
        for (int j = 1; j <= n; j++) {
            String v = vs.get(j);
            int p = indexOfProducer(nodes, v);
            if (p <= last || !writesSlice(g, nodes, p, members.keySet(), shapes, device)) {
                return null;
            }
            writer.put(p, j);
            last = p;
        }
        String root = top.output();
        String[] tensor = new String[n + 1];        // the tensor once v0 .. vj are written
        for (int j = 0; j <= n; j++) {
            tensor[j] = j == n ? root : root + "/" + j;
        }
        // v0 too is written in place when a convolution computes it for the group alone
        boolean convFirst = p0 >= 0 && writesSlice(g, nodes, p0, members.keySet(), shapes, device);
        List<Node> out = new ArrayList<>();
        if (p0 < 0) {
            out.add(new Node(top.name() + "/widen", new Op.Widen(width), List.of(vs.get(0)), tensor[0]));
        }
        for (int i = 0; i < nodes.size(); i++) {
            Node nd = nodes.get(i);
            Integer j = writer.get(i);
            if (members.containsKey(nd.output())) {
                continue;       // a concatenation: its readers read the tensor
            } else if (i == p0 && convFirst) {
                out.add(new Node(nd.name(), new Op.Widen(width, (Op.Conv) nd.op()), nd.inputs().subList(0, 1),
                        tensor[0]));
            } else if (j != null) {
                out.add(new Node(nd.name(), new Op.ConvInto((Op.Conv) nd.op(), offset[j]),
                        List.of(nd.inputs().get(0), tensor[j - 1]), tensor[j]));
            } else {
                List<String> ins = new ArrayList<>();
                for (String in : nd.inputs()) {
                    Integer k = members.get(in);
                    ins.add(k == null ? in : tensor[k]);
                }
                out.add(new Node(nd.name(), nd.op(), ins, nd.output()));
                if (i == p0) {
                    out.add(new Node(top.name() + "/widen", new Op.Widen(width), List.of(vs.get(0)), tensor[0]));
                }
            }
        }
        return out;
    }

    /**
     * Node {@code p} is a convolution that can write its output into channels of a wider tensor on
     * {@code device}, and only the concatenations {@code members} read that output, which is no graph
     * output.
     */
    private static boolean writesSlice(Graph g, List<Node> nodes, int p, java.util.Set<String> members,
                                       java.util.Map<String, Shape> shapes, ClDevice device) {
        Node producer = nodes.get(p);
        String v = producer.output();
        if (g.outputs().contains(v) || !(producer.op() instanceof Op.Conv conv)
                || !Conv2d.writesSlices(device, conv.params(), shapes.get(producer.inputs().get(0)), conv.weightShape())) {
            return false;
        }
        return nodes.stream().allMatch(r -> !r.inputs().contains(v) || members.contains(r.output()));
    }

    /**
     * A batch normalisation activated by none, ReLU or a clip whose output only a pointwise convolution
     * reads becomes, with it, one {@link Op.Normalized} node, named after the convolution and placed
     * where it was: DenseNet's pre-activation, which reads a concatenation and so could not be folded
     * into a convolution before it. Left apart: a normalisation with another activation, one whose
     * output is a graph output or read elsewhere too, and a convolution whose residual is the
     * normalisation's input.
     */
    public static Graph fuseNorms(Graph g) {
        List<Node> nodes = new ArrayList<>(g.nodes());
        for (int i = 0; i < nodes.size(); i++) {
            Node pw = nodes.get(i);
            if (!(pw.op() instanceof Op.Conv pc)) {
                continue;
            }
            String normed = pw.inputs().get(0);
            int p = indexOfProducer(nodes, normed);
            if (p < 0 || !(nodes.get(p).op() instanceof Op.BatchNorm bn) || !soleReader(g, nodes, normed)
                    || !NormalizedPointwise.fits(bn.activation(), pc.params(), pc.weightShape())) {
                continue;
            }
            String x = nodes.get(p).inputs().get(0);
            if (pw.inputs().size() > 1 && pw.inputs().get(1).equals(x)) {
                continue;       // (the kernel cannot read its input as its residual too)
            }
            List<String> inputs = new ArrayList<>(pw.inputs());
            inputs.set(0, x);
            i = absorbProducer(nodes, i, p, new Node(pw.name(), new Op.Normalized(bn, pc), inputs, pw.output()));
        }
        return rebuild(g, nodes);
    }

    /**
     * A multiply of activations {@code (N, H, W, C)} by a scale per image and channel {@code (N, 1, 1, C)}
     * (squeeze-and-excitation) whose product only a pointwise convolution reads becomes, with it, one
     * {@link Op.Scaled} node, named after the convolution and placed where it was. The scale must be
     * per image: shaped {@code (N, ...)} at every batch size, which a batch of 2 tells (or the graph
     * runs at batch 1 only). Left apart: a
     * multiply with an activation, a product that is a graph output, and a convolution whose residual is
     * the activations.
     */
    public static Graph fuseScales(Graph g) {
        java.util.Map<String, Shape> two;
        try {
            two = g.shapes(2);
        } catch (IllegalArgumentException e) {
            two = g.shapes(1);      // a graph that runs at batch 1 only (a fixed reshape): per image either way
        }
        List<Node> nodes = new ArrayList<>(g.nodes());
        for (int i = 0; i < nodes.size(); i++) {
            Node pw = nodes.get(i);
            if (!(pw.op() instanceof Op.Conv pc) || !ScaledPointwise.fits(pc.params(), pc.weightShape())) {
                continue;
            }
            String product = pw.inputs().get(0);
            int p = indexOfProducer(nodes, product);
            if (p < 0 || !isPlainBinary(nodes.get(p), ElementwiseParams.Op.MUL) || !soleReader(g, nodes, product)) {
                continue;
            }
            Node mul = nodes.get(p);
            Shape out = two.get(product);
            int side = perImageScale(two.get(mul.inputs().get(1)), out) ? 1
                    : perImageScale(two.get(mul.inputs().get(0)), out) ? 0 : -1;
            if (side < 0 || !two.get(mul.inputs().get(1 - side)).equals(out)) {
                continue;
            }
            String x = mul.inputs().get(1 - side);
            if (pw.inputs().size() > 1 && pw.inputs().get(1).equals(x)) {
                continue;       // (the kernel cannot read its input as its residual too)
            }
            List<String> inputs = new ArrayList<>(List.of(x, mul.inputs().get(side)));
            inputs.addAll(pw.inputs().subList(1, pw.inputs().size()));
            i = absorbProducer(nodes, i, p, new Node(pw.name(), new Op.Scaled(pc), inputs, pw.output()));
        }
        return rebuild(g, nodes);
    }

    /** {@code s} is {@code (N, 1, 1, C)} for the rank-4 {@code out (N, H, W, C)}. */
    private static boolean perImageScale(Shape s, Shape out) {
        return out.rank() == 4 && s.equals(Shape.of(out.dim(0), 1, 1, out.dim(3)));
    }

    /**
     * A depthwise convolution whose output only a pointwise convolution of at most {@code widest}
     * output channels reads becomes, with it, one {@link Op.Separable} node, named after the pointwise
     * one and placed where it was. Left apart: a depthwise convolution with a residual or an
     * activation other than none, ReLU or a clip, a pointwise one that is strided, padded, grouped or
     * wider, one whose residual is the depthwise input, and a depthwise output that is also a graph
     * output.
     */
    public static Graph fuseSeparable(Graph g, int widest) {
        List<Node> nodes = new ArrayList<>(g.nodes());
        for (int i = 0; i < nodes.size(); i++) {
            Node pw = nodes.get(i);
            if (!(pw.op() instanceof Op.Conv pc)) {
                continue;
            }
            String mid = pw.inputs().get(0);
            int p = indexOfProducer(nodes, mid);
            if (p < 0 || !(nodes.get(p).op() instanceof Op.Conv dc) || !soleReader(g, nodes, mid)
                    || pc.outChannels() > widest
                    || !SeparableConv.fits(dc.params(), dc.weightShape(), pc.params(), pc.weightShape())) {
                continue;
            }
            Node dw = nodes.get(p);
            if (pw.inputs().size() > 1 && pw.inputs().get(1).equals(dw.inputs().get(0))) {
                continue;       // (the kernel cannot read its input as its residual too)
            }
            List<String> inputs = new ArrayList<>(pw.inputs());
            inputs.set(0, dw.inputs().get(0));
            i = absorbProducer(nodes, i, p, new Node(pw.name(), new Op.Separable(dc, pc), inputs, pw.output()));
        }
        return rebuild(g, nodes);
    }

    /**
     * {@code Mul(x, Sigmoid(x))} becomes one SiLU activation of {@code x} (EfficientNet's and
     * MobileViT's swish), and an exact GELU an activation, so that {@link #fuseActivations} can move
     * either into the epilogue of the convolution or GEMM that computes {@code x}. A sigmoid that is
     * read elsewhere too stays as it is.
     */
    public static Graph formActivations(Graph g) {
        List<Node> nodes = new ArrayList<>(g.nodes());
        for (int i = 0; i < nodes.size(); i++) {
            Node m = nodes.get(i);
            if (m.op() instanceof Op.Unary u && u.params().kind() == dev.clnn.ops.UnaryParams.Kind.GELU) {
                nodes.set(i, new Node(m.name(), new Op.Act(Activation.GELU), m.inputs(), m.output()));
                continue;
            }
            if (!isPlainBinary(m, ElementwiseParams.Op.MUL)) {
                continue;
            }
            for (int side = 0; side < 2; side++) {
                String sig = m.inputs().get(side);
                String x = m.inputs().get(1 - side);
                int p = indexOfProducer(nodes, sig);
                if (p >= 0 && nodes.get(p).op() instanceof Op.Act a && a.activation().kind() == Activation.Kind.SIGMOID
                        && nodes.get(p).inputs().get(0).equals(x) && soleReader(g, nodes, sig)) {
                    i = absorbProducer(nodes, i, p, new Node(m.name(), new Op.Act(Activation.SILU), List.of(x),
                            m.output()));
                    break;
                }
            }
        }
        return rebuild(g, nodes);
    }

    /**
     * {@code Add(Dense(x), b)} with a constant {@code b} along the last axis (a MatMul and Add
     * exported for a linear layer on {@code (N, S, K)}) becomes the dense op's bias.
     */
    public static Graph foldDenseBiases(Graph g) {
        List<Node> nodes = new ArrayList<>(g.nodes());
        for (int i = 0; i < nodes.size(); i++) {
            Node add = nodes.get(i);
            if (!(add.op() instanceof Op.BinaryConst bc) || bc.params().op() != ElementwiseParams.Op.ADD
                    || bc.params().activation().kind() != Activation.Kind.NONE) {
                continue;
            }
            int p = indexOfProducer(nodes, add.inputs().get(0));
            if (p < 0 || !(nodes.get(p).op() instanceof Op.Dense d) || d.activation().kind() != Activation.Kind.NONE
                    || !soleReader(g, nodes, add.inputs().get(0)) || !isRow(bc.constantShape(), d.out())) {
                continue;
            }
            float[] bias = d.bias() == null ? new float[d.out()] : d.bias().clone();
            for (int j = 0; j < bias.length; j++) {
                bias[j] += bc.constant()[bc.constant().length == 1 ? 0 : j];
            }
            i = intoProducer(nodes, i, p, new Op.Dense(d.in(), d.out(), d.weights(), bias, d.activation()));
        }
        return rebuild(g, nodes);
    }

    /** A constant that adds the same row of {@code width} values (or one scalar) to every row. */
    private static boolean isRow(Shape s, int width) {
        for (int k = 0; k < s.rank() - 1; k++) {
            if (s.dim(k) != 1) {
                return false;
            }
        }
        return s.size() == 1 || s.dim(-1) == width;
    }

    /**
     * A MatMul operand that is a transpose of the last two dimensions (attention's {@code K^T}) is
     * read untransposed, with the GEMM's transpose flag for that operand: no transpose kernel runs.
     */
    public static Graph foldTransposesIntoProducts(Graph g) {
        List<Node> nodes = new ArrayList<>(g.nodes());
        for (int i = 0; i < nodes.size(); i++) {
            Node mm = nodes.get(i);
            if (!(mm.op() instanceof Op.MatMul m)) {
                continue;
            }
            boolean[] trans = {m.params().transA(), m.params().transB()};
            List<String> inputs = new ArrayList<>(mm.inputs());
            for (int k = 0; k < 2; k++) {
                int p = indexOfProducer(nodes, inputs.get(k));
                if (p >= 0 && nodes.get(p).op() instanceof Op.Transpose t && swapsLastTwo(t.params().perm())
                        && soleReader(g, nodes, inputs.get(k))) {
                    inputs.set(k, nodes.get(p).inputs().get(0));
                    trans[k] = !trans[k];
                    nodes.remove(p);
                    i--;
                }
            }
            Op.MatMul folded = new Op.MatMul(new dev.clnn.ops.MatMulParams(trans[0], trans[1]));
            nodes.set(i, new Node(mm.name(), folded, inputs, mm.output()));
        }
        return rebuild(g, nodes);
    }

    private static boolean swapsLastTwo(int[] perm) {
        int r = perm.length;
        for (int k = 0; k < r - 2; k++) {
            if (perm[k] != k) {
                return false;
            }
        }
        return r >= 3 && perm[r - 2] == r - 1 && perm[r - 1] == r - 2;
    }

    /**
     * Fewer layout passes over memory: two transposes in a row become one (none when they cancel,
     * as the NHWC-NCHW-NHWC pair at the edge of an exported NHWC model does), and a transpose that
     * only moves dimensions of size 1 (NHWC to NCHW of a one-channel image) becomes a reshape, a
     * view with no kernel.
     */
    public static Graph simplifyTransposes(Graph g) {
        List<Node> nodes = new ArrayList<>(g.nodes());
        for (int i = 0; i < nodes.size(); i++) {
            Node second = nodes.get(i);
            if (!(second.op() instanceof Op.Transpose t2)) {
                continue;
            }
            int p = indexOfProducer(nodes, second.inputs().get(0));
            if (p < 0 || !(nodes.get(p).op() instanceof Op.Transpose t1) || !soleReader(g, nodes, second.inputs().get(0))) {
                continue;
            }
            Node first = nodes.get(p);
            int[] p1 = t1.params().perm();
            int[] p2 = t2.params().perm();
            int[] q = new int[p2.length];
            for (int k = 0; k < q.length; k++) {
                q[k] = p1[p2[k]];
            }
            i = absorbProducer(nodes, i, p, new Node(second.name(), new Op.Transpose(TransposeParams.of(q)),
                    first.inputs(), second.output()));
        }
        Graph composed = rebuild(g, nodes);
        java.util.Map<String, Shape> shapes = composed.shapes(1);
        List<Node> out = new ArrayList<>();
        java.util.Map<String, String> renamed = new java.util.HashMap<>();
        for (Node n : composed.nodes()) {
            List<String> inputs = new ArrayList<>();
            for (String v : n.inputs()) {
                inputs.add(renamed.getOrDefault(v, v));
            }
            Node m = new Node(n.name(), n.op(), inputs, n.output());
            if (n.op() instanceof Op.Transpose t && keepsMemoryOrder(t.params().perm(), shapes.get(n.inputs().get(0)))) {
                if (isIdentity(t.params().perm()) && !g.outputs().contains(n.output())) {
                    renamed.put(n.output(), inputs.get(0));
                    continue;
                }
                Shape s = shapes.get(n.output());
                m = new Node(n.name(), new Op.Reshape(java.util.Arrays.copyOfRange(s.dims(), 1, s.rank())), inputs,
                        n.output());
            }
            out.add(m);
        }
        return rebuild(g, out);
    }

    private static boolean isIdentity(int[] perm) {
        for (int k = 0; k < perm.length; k++) {
            if (perm[k] != k) {
                return false;
            }
        }
        return true;
    }

    /** The dimensions larger than 1 (the batch always counts) stay in the same order. */
    private static boolean keepsMemoryOrder(int[] perm, Shape input) {
        int last = -1;
        for (int k = 0; k < perm.length; k++) {
            if (perm[k] != 0 && input.dim(perm[k]) == 1) {
                continue;
            }
            if (perm[k] < last) {
                return false;
            }
            last = perm[k];
        }
        return true;
    }

    /** {@code Conv -> BatchNorm} becomes one convolution with scaled weights and a shifted bias. */
    public static Graph foldBatchNorms(Graph g) {
        List<Node> nodes = new ArrayList<>(g.nodes());
        for (int i = 0; i < nodes.size(); i++) {
            Node bn = nodes.get(i);
            if (!(bn.op() instanceof Op.BatchNorm norm) || norm.activation().kind() != Activation.Kind.NONE) {
                continue;
            }
            int p = indexOfProducer(nodes, bn.inputs().get(0));
            if (p < 0 || !(nodes.get(p).op() instanceof Op.Conv conv) || !soleReader(g, nodes, bn.inputs().get(0))
                    || conv.params().activation().kind() != Activation.Kind.NONE
                    || conv.params().residual() != Residual.NONE) {
                continue;
            }
            BatchNormFolding.Folded f = BatchNormFolding.fold(conv.weights(), conv.bias(), conv.outChannels(),
                    norm.gamma(), norm.beta(), norm.mean(), norm.variance(), norm.epsilon());
            i = intoProducer(nodes, i, p, new Op.Conv(conv.params(), conv.weightShape(), f.weights(), f.bias()));
        }
        return rebuild(g, nodes);
    }

    /**
     * {@code Add(Conv(x), r)} becomes {@code Conv(x) + r} in the convolution's epilogue (MobileNet v2's
     * projection plus shortcut), placed where the add was so that {@code r} is defined before it.
     */
    public static Graph fuseResiduals(Graph g) {
        java.util.Map<String, dev.clnn.tensor.Shape> shapes = g.shapes(1);
        List<Node> nodes = new ArrayList<>(g.nodes());
        for (int i = 0; i < nodes.size(); i++) {
            Node add = nodes.get(i);
            if (!isPlainBinary(add, ElementwiseParams.Op.ADD)) {
                continue;
            }
            for (int side = 0; side < 2; side++) {
                String convOut = add.inputs().get(side);
                String other = add.inputs().get(1 - side);
                int p = indexOfProducer(nodes, convOut);
                if (p < 0 || !(nodes.get(p).op() instanceof Op.Conv conv) || conv.params().residual() != Residual.NONE
                        || !soleReader(g, nodes, convOut) || convOut.equals(other)
                        || other.equals(nodes.get(p).inputs().get(0))) {
                    // (the convolution kernel cannot read its input as its residual too)
                    continue;
                }
                Residual mode = conv.params().activation().kind() == Activation.Kind.NONE
                        ? Residual.ADD_THEN_ACTIVATE : Residual.ACTIVATE_THEN_ADD;
                Node producer = nodes.get(p);
                Op.Conv fused = new Op.Conv(conv.params().withResidual(mode), conv.weightShape(), conv.weights(),
                        conv.bias());
                Node merged = new Node(producer.name(), fused, List.of(producer.inputs().get(0), other), add.output());
                if (!shapes.get(other).equals(shapes.get(add.output()))) {
                    continue; // a broadcasting add is not a residual
                }
                i = absorbProducer(nodes, i, p, merged);
                break;
            }
        }
        return rebuild(g, nodes);
    }

    /** An activation after a convolution, dense, batch-norm or element-wise op joins that op's epilogue. */
    public static Graph fuseActivations(Graph g) {
        List<Node> nodes = new ArrayList<>(g.nodes());
        for (int i = 0; i < nodes.size(); i++) {
            Node act = nodes.get(i);
            if (!(act.op() instanceof Op.Act a)) {
                continue;
            }
            String in = act.inputs().get(0);
            int p = indexOfProducer(nodes, in);
            if (p < 0 || !soleReader(g, nodes, in)) {
                continue;
            }
            Node producer = nodes.get(p);
            Op fused = withActivation(producer.op(), a.activation());
            if (fused == null) {
                continue;
            }
            i = intoProducer(nodes, i, p, fused);
        }
        return rebuild(g, nodes);
    }

    private static Op withActivation(Op op, Activation act) {
        if (op instanceof Op.Conv c && c.params().activation().kind() == Activation.Kind.NONE
                && c.params().residual() != Residual.ACTIVATE_THEN_ADD) {
            return new Op.Conv(c.params().withActivation(act), c.weightShape(), c.weights(), c.bias());
        }
        if (op instanceof Op.BatchNorm n && n.activation().kind() == Activation.Kind.NONE) {
            return new Op.BatchNorm(n.gamma(), n.beta(), n.mean(), n.variance(), n.epsilon(), act);
        }
        if (op instanceof Op.Dense d && d.activation().kind() == Activation.Kind.NONE) {
            return new Op.Dense(d.in(), d.out(), d.weights(), d.bias(), act);
        }
        if (op instanceof Op.Binary b && b.params().activation().kind() == Activation.Kind.NONE) {
            return new Op.Binary(b.params().with(act));
        }
        if (op instanceof Op.BinaryConst b && b.params().activation().kind() == Activation.Kind.NONE) {
            return new Op.BinaryConst(b.params().with(act), b.constantShape(), b.constant());
        }
        return null;
    }

    /**
     * Node {@code i} joins its producer {@code p} (earlier in the list), which now computes {@code op}
     * into {@code i}'s output; {@code i} goes. Returns the index the caller's loop continues from.
     */
    private static int intoProducer(List<Node> nodes, int i, int p, Op op) {
        Node producer = nodes.get(p);
        nodes.set(p, new Node(producer.name(), op, producer.inputs(), nodes.get(i).output()));
        nodes.remove(i);
        return i - 1;
    }

    /**
     * Node {@code i} becomes {@code merged}, which does the work of its producer {@code p} (earlier in
     * the list) too; {@code p} goes. Returns the index the caller's loop continues from.
     */
    private static int absorbProducer(List<Node> nodes, int i, int p, Node merged) {
        nodes.set(i, merged);
        nodes.remove(p);
        return i - 1;
    }

    /** {@code n} is the two-input element-wise {@code op} with no activation in its epilogue. */
    private static boolean isPlainBinary(Node n, ElementwiseParams.Op op) {
        return n.op() instanceof Op.Binary b && b.params().op() == op
                && b.params().activation().kind() == Activation.Kind.NONE;
    }

    private static int indexOfProducer(List<Node> nodes, String value) {
        for (int i = 0; i < nodes.size(); i++) {
            if (nodes.get(i).output().equals(value)) {
                return i;
            }
        }
        return -1;
    }

    /** {@code value} has exactly one reader and is not a graph output. */
    private static boolean soleReader(Graph g, List<Node> nodes, String value) {
        if (g.outputs().contains(value)) {
            return false;
        }
        int readers = 0;
        for (Node n : nodes) {
            for (String v : n.inputs()) {
                if (v.equals(value)) {
                    readers++;
                }
            }
        }
        return readers == 1;
    }

    private static Graph rebuild(Graph g, List<Node> nodes) {
        return g.withNodes(nodes);
    }
}
