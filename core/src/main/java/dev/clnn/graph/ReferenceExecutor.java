package dev.clnn.graph;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.DoubleBinaryOperator;
import java.util.function.DoubleUnaryOperator;

import dev.clnn.ops.Activation;
import dev.clnn.ops.Conv2dParams;
import dev.clnn.ops.ElementwiseParams;
import dev.clnn.ops.Pool2dParams;
import dev.clnn.ops.ResizeParams;
import dev.clnn.ops.UnaryParams;
import dev.clnn.reference.ReferenceConv;
import dev.clnn.reference.ReferenceElementwise;
import dev.clnn.reference.ReferenceGroupNorm;
import dev.clnn.reference.ReferenceLayerNorm;
import dev.clnn.reference.ReferenceLayout;
import dev.clnn.reference.ReferenceMatMul;
import dev.clnn.reference.ReferencePool;
import dev.clnn.reference.ReferenceReduce;
import dev.clnn.reference.ReferenceResize;
import dev.clnn.reference.ReferenceSoftmax;
import dev.clnn.reference.ReferenceUnary;
import dev.clnn.tensor.Shape;

/**
 * Runs a {@link Graph} with the plain-Java reference implementations (package {@code reference}):
 * slow and obviously right, the oracle for whole-model tests and for {@code clnn bench}'s
 * correctness check.
 */
public final class ReferenceExecutor {
    private ReferenceExecutor() {
    }

    /**
     * The output of a graph of one input and one output for {@code input}, a flattened batch of
     * {@code batch} examples.
     *
     * @throws IllegalArgumentException when the graph has several inputs or outputs (use
     *                                  {@link #runAll}), or the length differs
     */
    public static float[] run(Graph graph, float[] input, int batch) {
        requireOneInOneOut(graph);
        return runAll(graph, new float[][] {input}, batch)[0];
    }

    /**
     * The outputs (in {@link Graph#outputs()} order) for {@code inputs}, flattened batches of
     * {@code batch} examples in {@link Graph#inputs()} order.
     *
     * @throws IllegalArgumentException when the number of inputs or a length differs
     */
    public static float[][] runAll(Graph graph, float[][] inputs, int batch) {
        Map<String, Shape> shapes = graph.shapes(batch);
        List<String> names = graph.inputNames();
        if (inputs == null || inputs.length != names.size()) {
            throw new IllegalArgumentException(graph.name() + " takes " + names.size() + " input"
                    + (names.size() == 1 ? "" : "s") + " " + names + ", got " + (inputs == null ? 0 : inputs.length));
        }
        Map<String, float[]> values = new HashMap<>();
        for (int k = 0; k < inputs.length; k++) {
            Shape s = shapes.get(names.get(k));
            if (inputs[k] == null || inputs[k].length != s.size()) {
                throw new IllegalArgumentException(graph.name() + " takes " + (names.size() == 1 ? ""
                        : "input " + names.get(k) + " of ") + s + ", got "
                        + (inputs[k] == null ? "none" : inputs[k].length + " floats"));
            }
            values.put(names.get(k), inputs[k]);
        }
        for (Node n : graph.nodes()) {
            List<float[]> xs = new ArrayList<>();
            List<Shape> ss = new ArrayList<>();
            for (String v : n.inputs()) {
                xs.add(values.get(v));
                ss.add(shapes.get(v));
            }
            values.put(n.output(), n.op().accept(new Eval(xs, ss)));
        }
        float[][] out = new float[graph.outputs().size()][];
        for (int k = 0; k < out.length; k++) {
            out[k] = values.get(graph.outputs().get(k));
        }
        return out;
    }

    /**
     * {@link #runAll} by name: every graph input's value name mapped to its flattened batch in,
     * every output's value name mapped to its flattened batch out (in {@link Graph#outputs()} order).
     */
    public static Map<String, float[]> run(Graph graph, Map<String, float[]> inputs, int batch) {
        float[][] out = runAll(graph, Executable.byName(graph, inputs), batch);
        Map<String, float[]> named = new LinkedHashMap<>();
        for (int k = 0; k < out.length; k++) {
            named.put(graph.outputs().get(k), out[k]);
        }
        return named;
    }

    /**
     * Like {@link #run} but one example per thread, on every core: the output of a batch is the
     * outputs of its examples, concatenated.
     */
    public static float[] runParallel(Graph graph, float[] input, int batch) {
        requireOneInOneOut(graph);
        return runAllParallel(graph, new float[][] {input}, batch)[0];
    }

    /** Like {@link #runAll} but one example per thread, on every core. */
    public static float[][] runAllParallel(Graph graph, float[][] inputs, int batch) {
        if (inputs == null || inputs.length != graph.inputs().size()) {
            return runAll(graph, inputs, batch);        // which names the mistake
        }
        for (int k = 0; k < inputs.length; k++) {
            if (inputs[k] == null || inputs[k].length != graph.inputs().get(k).shape(batch).size()) {
                return runAll(graph, inputs, batch);
            }
        }
        float[][][] parts = new float[batch][][];
        java.util.stream.IntStream.range(0, batch).parallel().forEach(b -> {
            float[][] one = new float[inputs.length][];
            for (int k = 0; k < one.length; k++) {
                int in = inputs[k].length / batch;
                one[k] = java.util.Arrays.copyOfRange(inputs[k], b * in, (b + 1) * in);
            }
            parts[b] = runAll(graph, one, 1);
        });
        float[][] all = new float[parts[0].length][];
        for (int k = 0; k < all.length; k++) {
            int out = parts[0][k].length;
            all[k] = new float[out * batch];
            for (int b = 0; b < batch; b++) {
                System.arraycopy(parts[b][k], 0, all[k], b * out, out);
            }
        }
        return all;
    }

    private static void requireOneInOneOut(Graph graph) {
        if (graph.inputs().size() != 1 || graph.outputs().size() != 1) {
            throw new IllegalArgumentException(graph.name() + " has inputs " + graph.inputNames() + " and outputs "
                    + graph.outputs() + "; use runAll for a graph of several");
        }
    }

    /** The reference of every kind of op, on one node's inputs. */
    private static final class Eval implements Op.Visitor<float[]> {
        private final List<float[]> in;
        private final List<Shape> shapes;

        Eval(List<float[]> in, List<Shape> shapes) {
            this.in = in;
            this.shapes = shapes;
        }

        private float[] x() { return in.get(0); }

        private Shape xs() { return shapes.get(0); }

        @Override
        public float[] conv(Op.Conv c) {
            Conv2dParams p = c.params();
            Shape w = c.weightShape();
            Shape xs = xs();
            ReferenceConv.Geometry g = new ReferenceConv.Geometry(xs.dim(0), xs.dim(1), xs.dim(2), xs.dim(3), w.dim(0),
                    w.dim(1), w.dim(3), p.strideH(), p.strideW(), p.dilationH(), p.dilationW(), p.padTop(),
                    p.padLeft(), p.padBottom(), p.padRight(), p.groups());
            boolean before = p.residual() != Conv2dParams.Residual.ACTIVATE_THEN_ADD;
            return ReferenceConv.conv2d(g, x(), c.weights(), c.bias(), ReferenceExecutor.act(p.activation()),
                    in.size() > 1 ? in.get(1) : null, before);
        }

        /** The two convolutions in turn, as the graph held them before the pass joined them. */
        @Override
        public float[] separable(Op.Separable s) {
            float[] mid = new Eval(List.of(x()), List.of(xs())).conv(s.depthwise());
            Shape ms = s.middle(xs());
            List<float[]> pin = in.size() > 1 ? List.of(mid, in.get(1)) : List.of(mid);
            List<Shape> pshapes = in.size() > 1 ? List.of(ms, shapes.get(1)) : List.of(ms);
            return new Eval(pin, pshapes).conv(s.pointwise());
        }

        /** The multiply, then the convolution, as the graph held them before the pass joined them. */
        @Override
        public float[] scaled(Op.Scaled s) {
            float[] x = x();
            float[] scale = in.get(1);
            int c = xs().dim(3);
            int pixels = xs().dim(1) * xs().dim(2);
            float[] product = new float[x.length];
            for (int i = 0; i < x.length; i++) {
                product[i] = x[i] * scale[i / (pixels * c) * c + i % c];
            }
            List<float[]> pin = in.size() > 2 ? List.of(product, in.get(2)) : List.of(product);
            List<Shape> pshapes = in.size() > 2 ? List.of(xs(), shapes.get(2)) : List.of(xs());
            return new Eval(pin, pshapes).conv(s.pointwise());
        }

        /**
         * The normalisation, then the convolution, as the graph held them before the pass joined them,
         * of the first channels of the input.
         */
        @Override
        public float[] normalized(Op.Normalized n) {
            Shape read = n.read(xs());
            float[] first = channels(x(), xs().dim(3), 0, read.dim(3));
            float[] normed = new Eval(List.of(first), List.of(read)).batchNorm(n.norm());
            List<float[]> pin = in.size() > 1 ? List.of(normed, in.get(1)) : List.of(normed);
            List<Shape> pshapes = in.size() > 1 ? List.of(read, shapes.get(1)) : List.of(read);
            return new Eval(pin, pshapes).conv(n.pointwise());
        }

        /** The input, or its convolution, in the first channels, zero in the others. */
        @Override
        public float[] widen(Op.Widen w) {
            int c = w.first(xs()).dim(3);
            float[] x = w.conv() == null ? x() : new Eval(List.of(x()), List.of(xs())).conv(w.conv());
            float[] y = new float[x.length / c * w.channels()];
            for (int p = 0; p < x.length / c; p++) {
                System.arraycopy(x, p * c, y, p * w.channels(), c);
            }
            return y;
        }

        /** The identity: the reference computes in fp32 throughout. */
        @Override
        public float[] cast(Op.Cast c) {
            return x();
        }

        /** The second input with the convolution's output in its channels from the offset. */
        @Override
        public float[] convInto(Op.ConvInto c) {
            float[] y = new Eval(List.of(x()), List.of(xs())).conv(c.conv());
            float[] into = in.get(1).clone();
            int cout = c.conv().outChannels();
            int width = shapes.get(1).dim(3);
            for (int p = 0; p < y.length / cout; p++) {
                System.arraycopy(y, p * cout, into, p * width + c.offset(), cout);
            }
            return into;
        }

        /** Channels {@code [from, from + count)} of NHWC values of {@code width} channels. */
        private static float[] channels(float[] x, int width, int from, int count) {
            if (from == 0 && count == width) {
                return x;
            }
            float[] y = new float[x.length / width * count];
            for (int p = 0; p < x.length / width; p++) {
                System.arraycopy(x, p * width + from, y, p * count, count);
            }
            return y;
        }

        @Override
        public float[] dense(Op.Dense d) {
            return ReferenceConv.dense(x(), (int) (xs().size() / d.in()), d.in(), d.weights(), d.out(), d.bias(),
                    ReferenceExecutor.act(d.activation()));
        }

        @Override
        public float[] act(Op.Act a) {
            return map(x(), ReferenceExecutor.act(a.activation()));
        }

        @Override
        public float[] binary(Op.Binary b) {
            return ReferenceElementwise.binary(x(), xs(), in.get(1), shapes.get(1), ReferenceExecutor.binary(b.params()),
                    ReferenceExecutor.act(b.params().activation()));
        }

        @Override
        public float[] binaryConst(Op.BinaryConst b) {
            return ReferenceElementwise.binary(x(), xs(), b.constant(), b.constantShape(),
                    ReferenceExecutor.binary(b.params()), ReferenceExecutor.act(b.params().activation()));
        }

        @Override
        public float[] batchNorm(Op.BatchNorm bn) {
            float[] x = x();
            int c = bn.gamma().length;
            float[] r = new float[x.length];
            for (int i = 0; i < x.length; i++) {
                int ch = i % c;
                double v = (x[i] - (double) bn.mean()[ch]) / Math.sqrt((double) bn.variance()[ch] + bn.epsilon());
                r[i] = (float) (v * bn.gamma()[ch] + bn.beta()[ch]);
            }
            return map(r, ReferenceExecutor.act(bn.activation()));
        }

        @Override
        public float[] pool(Op.Pool pool) {
            Pool2dParams p = pool.params();
            switch (p.mode()) {
                case MAX:
                    return ReferencePool.maxPool(x(), xs(), p.kernelH(), p.kernelW(), p.strideH(), p.strideW(),
                            p.padTop(), p.padLeft(), p.padBottom(), p.padRight(), p.ceilMode());
                case AVERAGE:
                    return ReferencePool.averagePool(x(), xs(), p.kernelH(), p.kernelW(), p.strideH(), p.strideW(),
                            p.padTop(), p.padLeft(), p.padBottom(), p.padRight(), p.countIncludePad(), p.ceilMode());
                default:
                    return ReferencePool.globalAveragePool(x(), xs());
            }
        }

        @Override
        public float[] softmax(Op.Softmax s) {
            return ReferenceSoftmax.softmax(x(), xs(), s.params().axis(), s.params().log());
        }

        @Override
        public float[] reshape(Op.Reshape r) {
            return x();
        }

        @Override
        public float[] transpose(Op.Transpose t) {
            return ReferenceLayout.transpose(x(), xs(), t.params().perm());
        }

        @Override
        public float[] pad(Op.Pad p) {
            return ReferenceLayout.pad(x(), xs(), p.params().begin(), p.params().end(), p.params().value());
        }

        @Override
        public float[] concat(Op.Concat c) {
            return ReferenceLayout.concat(in, shapes, shapes.get(0).axis(c.params().axis()));
        }

        @Override
        public float[] layerNorm(Op.LayerNorm l) {
            return ReferenceLayerNorm.layerNorm(x(), l.scale().length, l.scale(), l.bias(), l.epsilon());
        }

        @Override
        public float[] unary(Op.Unary u) {
            return map(x(), ReferenceExecutor.unary(u.params()));
        }

        @Override
        public float[] slice(Op.Slice s) {
            return ReferenceLayout.slice(x(), xs(), s.params().first(xs()), s.params().steps(),
                    s.params().outputShape(xs()));
        }

        @Override
        public float[] matMul(Op.MatMul m) {
            return ReferenceMatMul.matMul(x(), xs(), in.get(1), shapes.get(1), m.params().transA(),
                    m.params().transB());
        }

        @Override
        public float[] where(Op.Where w) {
            Shape[] s = w.operands(shapes);
            int next = 1;
            float[] a = w.aConst() == null ? in.get(next++) : w.aConst();
            float[] b = w.bConst() == null ? in.get(next) : w.bConst();
            return ReferenceElementwise.where(x(), s[0], a, s[1], b, s[2]);
        }

        @Override
        public float[] resize(Op.Resize r) {
            Shape out = r.params().outputShape(xs());
            return ReferenceResize.resize(x(), xs(), r.params().table(xs().dim(1), out.dim(1), true),
                    r.params().table(xs().dim(2), out.dim(2), false), r.params().mode() == ResizeParams.Mode.LINEAR);
        }

        @Override
        public float[] groupNorm(Op.GroupNorm g) {
            return ReferenceGroupNorm.groupNorm(x(), xs(), g.channelsLast(), g.groups(), g.scale(), g.bias(),
                    g.epsilon());
        }

        @Override
        public float[] tile(Op.Tile t) {
            return ReferenceLayout.tile(x(), xs(), t.repeats());
        }

        @Override
        public float[] reduce(Op.Reduce r) {
            boolean[] reduced = r.params().reduced(xs().rank());
            return r.params().mode() == dev.clnn.ops.ReduceParams.Mode.L2 ? ReferenceReduce.l2(x(), xs(), reduced)
                    : ReferenceReduce.reduce(x(), xs(), reduced, r.params().mode() == dev.clnn.ops.ReduceParams.Mode.MEAN);
        }
    }

    private static float[] map(float[] x, DoubleUnaryOperator f) {
        float[] r = new float[x.length];
        for (int i = 0; i < x.length; i++) {
            r[i] = (float) f.applyAsDouble(x[i]);
        }
        return r;
    }

    private static DoubleUnaryOperator act(Activation a) {
        return a.kind() == Activation.Kind.NONE ? DoubleUnaryOperator.identity() : v -> a.apply((float) v);
    }

    /** The plain-Java function of {@code p}, in double. */
    public static DoubleUnaryOperator unary(UnaryParams p) {
        switch (p.kind()) {
            case ERF: return ReferenceUnary::erf;
            case GELU: return ReferenceUnary::gelu;
            case GELU_TANH: return ReferenceUnary::geluTanh;
            case SQRT: return Math::sqrt;
            case RECIPROCAL: return v -> 1 / v;
            case EXP: return Math::exp;
            case LOG: return Math::log;
            case NEG: return v -> -v;
            case ABS: return Math::abs;
            default: return v -> Math.pow(v, p.exponent());
        }
    }

    private static DoubleBinaryOperator binary(ElementwiseParams p) {
        switch (p.op()) {
            case ADD: return (a, b) -> a + b;
            case SUB: return (a, b) -> a - b;
            case MUL: return (a, b) -> a * b;
            case EQUAL: return (a, b) -> a == b ? 1 : 0;
            default: return (a, b) -> a / b;
        }
    }
}
