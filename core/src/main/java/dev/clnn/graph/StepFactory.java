package dev.clnn.graph;

import java.util.Arrays;
import java.util.List;

import dev.clnn.cl.ClContext;
import dev.clnn.ops.Activations;
import dev.clnn.ops.BatchNorm;
import dev.clnn.ops.BatchNormParams;
import dev.clnn.ops.Cast;
import dev.clnn.ops.Concat;
import dev.clnn.ops.Conv2d;
import dev.clnn.ops.Dense;
import dev.clnn.ops.Elementwise;
import dev.clnn.ops.GroupNorm;
import dev.clnn.ops.LayerNorm;
import dev.clnn.ops.MatMul;
import dev.clnn.ops.NormalizedPointwise;
import dev.clnn.ops.Pad;
import dev.clnn.ops.Pool2d;
import dev.clnn.ops.Reduce;
import dev.clnn.ops.Resize;
import dev.clnn.ops.ScaledPointwise;
import dev.clnn.ops.SeparableConv;
import dev.clnn.ops.Slice;
import dev.clnn.ops.Softmax;
import dev.clnn.ops.Tile;
import dev.clnn.ops.Transpose;
import dev.clnn.ops.Unary;
import dev.clnn.ops.Where;
import dev.clnn.ops.Workspace;
import dev.clnn.tensor.Shape;
import dev.clnn.tensor.Tensor;

/**
 * The device side of every kind of {@link Op}: configures the {@code ops} operator for one node's
 * input shapes, with the node's constants from the executable's shared {@link Constants}.
 */
final class StepFactory implements Op.Visitor<Step> {
    private final ClContext cl;
    private final Constants constants;
    private final Workspace workspace;
    private final List<Shape> inputs;

    private StepFactory(ClContext cl, Constants constants, Workspace workspace, List<Shape> inputs) {
        this.cl = cl;
        this.constants = constants;
        this.workspace = workspace;
        this.inputs = inputs;
    }

    /**
     * Configures the operator of {@code op} for inputs of {@code inputs} shapes, keeping its scratch (if
     * it needs any) in {@code workspace}, which the operators of one lane share.
     */
    static Step configure(ClContext cl, Constants constants, Workspace workspace, Op op, List<Shape> inputs) {
        return op.accept(new StepFactory(cl, constants, workspace, inputs));
    }

    private Shape input() {
        return inputs.get(0);
    }

    /** The weights of {@code c}, on the device. */
    private Tensor weights(Op.Conv c) {
        return constants.of(c.weightShape(), c.weights());
    }

    /** The bias of {@code c} on the device, or null when it adds none. */
    private Tensor bias(Op.Conv c) {
        return c.bias() == null ? null : constants.of(Shape.of(c.bias().length), c.bias());
    }

    @Override
    public Step conv(Op.Conv c) {
        Tensor w = weights(c);
        Tensor b = bias(c);
        Conv2d conv = Conv2d.configure(cl, c.params(), input(), w, b, workspace);
        return Step.of((in, out) -> {
            if (in.length > 1) {
                conv.run(in[0], in[1], out);
            } else {
                conv.run(in[0], out);
            }
        }, conv);
    }

    @Override
    public Step separable(Op.Separable s) {
        Op.Conv d = s.depthwise();
        Op.Conv p = s.pointwise();
        Tensor dw = weights(d);
        Tensor db = bias(d);
        Tensor pw = weights(p);
        Tensor pb = bias(p);
        SeparableConv op = SeparableConv.configure(cl, d.params(), p.params(), input(), dw, db, pw, pb);
        return Step.of((in, out) -> op.run(in[0], in.length > 1 ? in[1] : null, out), op);
    }

    @Override
    public Step scaled(Op.Scaled s) {
        Op.Conv p = s.pointwise();
        Tensor w = weights(p);
        Tensor b = bias(p);
        ScaledPointwise op = ScaledPointwise.configure(cl, p.params(), input(), w, b);
        return Step.of((in, out) -> op.run(in[0], in[1], in.length > 2 ? in[2] : null, out), op);
    }

    @Override
    public Step normalized(Op.Normalized n) {
        Op.BatchNorm bn = n.norm();
        Op.Conv p = n.pointwise();
        Tensor w = weights(p);
        Tensor b = bias(p);
        NormalizedPointwise op = NormalizedPointwise.configure(cl, BatchNormParams.nhwc(bn.epsilon())
                .with(bn.activation()), bn.gamma(), bn.beta(), bn.mean(), bn.variance(), p.params(), input(), w, b);
        return Step.of((in, out) -> op.run(in[0], in.length > 1 ? in[1] : null, out), op);
    }

    /**
     * The input copied, or its convolution written, into the first channels of the wider output; the
     * others are left for their writers.
     */
    @Override
    public Step widen(Op.Widen w) {
        if (w.conv() != null) {
            Op.Conv p = w.conv();
            Tensor wt = weights(p);
            Tensor b = bias(p);
            Conv2d conv = Conv2d.configureInto(cl, p.params(), input(), wt, b, w.channels(), 0);
            return Step.of((in, out) -> conv.run(in[0], out), conv);
        }
        Shape x = input();
        boolean rest = w.channels() > x.dim(3);         // channels for later writers, left as they are
        Concat copy = Concat.configure(cl, dev.clnn.ops.ConcatParams.axis(3), rest
                ? List.of(x, Shape.of(x.dim(0), x.dim(1), x.dim(2), w.channels() - x.dim(3))) : List.of(x));
        return Step.of((in, out) -> copy.run(rest ? Arrays.asList(in[0], null) : List.of(in[0]), out), copy);
    }

    /** The convolution writes its channels of the tensor in place (in[1] and out are one buffer). */
    @Override
    public Step convInto(Op.ConvInto c) {
        Op.Conv p = c.conv();
        Tensor w = weights(p);
        Tensor b = bias(p);
        Conv2d conv = Conv2d.configureInto(cl, p.params(), input(), w, b, inputs.get(1).dim(3), c.offset());
        return Step.of((in, out) -> conv.run(in[0], out), conv);
    }

    @Override
    public Step cast(Op.Cast c) {
        Cast cast = Cast.configure(cl, c.to(), input());
        return Step.of((in, out) -> cast.run(in[0], out), cast);
    }

    @Override
    public Step dense(Op.Dense d) {
        Tensor w = constants.of(Shape.of(d.in(), d.out()), d.weights());
        Tensor b = d.bias() == null ? null : constants.of(Shape.of(d.out()), d.bias());
        Dense dense = Dense.configure(cl, input(), w, b, d.activation());
        return Step.of((in, out) -> dense.run(in[0], out), dense);
    }

    @Override
    public Step act(Op.Act a) {
        Activations act = Activations.configure(cl, a.activation(), input());
        return Step.of((in, out) -> act.run(in[0], out), act);
    }

    @Override
    public Step binary(Op.Binary b) {
        Elementwise e = Elementwise.configure(cl, b.params(), input(), inputs.get(1));
        return Step.of((in, out) -> e.run(in[0], in[1], out), e);
    }

    @Override
    public Step binaryConst(Op.BinaryConst b) {
        Tensor c = constants.of(b.constantShape(), b.constant());
        Elementwise e = Elementwise.configure(cl, b.params(), input(), b.constantShape());
        return Step.of((in, out) -> e.run(in[0], c, out), e);
    }

    /** Inference BatchNorm not folded into a convolution (after an add, say): its own kernel, activation fused. */
    @Override
    public Step batchNorm(Op.BatchNorm bn) {
        BatchNorm op = BatchNorm.configure(cl, BatchNormParams.nhwc(bn.epsilon()).with(bn.activation()), input(), bn.gamma(), bn.beta(),
                bn.mean(), bn.variance());
        return Step.of((in, out) -> op.run(in[0], out), op);
    }

    @Override
    public Step pool(Op.Pool p) {
        Pool2d pool = Pool2d.configure(cl, p.params(), input());
        return Step.of((in, out) -> pool.run(in[0], out), pool);
    }

    @Override
    public Step softmax(Op.Softmax s) {
        Softmax softmax = Softmax.configure(cl, s.params(), input());
        return Step.of((in, out) -> softmax.run(in[0], out), softmax);
    }

    /** A reshape is a view of its input's buffer (the memory plan gives both one slot): nothing to run. */
    @Override
    public Step reshape(Op.Reshape r) {
        return Step.of((in, out) -> { });
    }

    @Override
    public Step transpose(Op.Transpose t) {
        Transpose transpose = Transpose.configure(cl, t.params(), input());
        return Step.of((in, out) -> transpose.run(in[0], out), transpose);
    }

    @Override
    public Step pad(Op.Pad p) {
        Pad pad = Pad.configure(cl, p.params(), input());
        return Step.of((in, out) -> pad.run(in[0], out), pad);
    }

    @Override
    public Step concat(Op.Concat c) {
        Concat concat = Concat.configure(cl, c.params(), inputs);
        return Step.of((in, out) -> concat.run(Arrays.asList(in), out), concat);
    }

    @Override
    public Step slice(Op.Slice s) {
        Slice slice = Slice.configure(cl, s.params(), input());
        return Step.of((in, out) -> slice.run(in[0], out), slice);
    }

    @Override
    public Step unary(Op.Unary u) {
        Unary unary = Unary.configure(cl, u.params(), input());
        return Step.of((in, out) -> unary.run(in[0], out), unary);
    }

    @Override
    public Step layerNorm(Op.LayerNorm l) {
        LayerNorm ln = LayerNorm.configure(cl, l.axis(), l.epsilon(), input(), l.scale(), l.bias());
        return Step.of((in, out) -> ln.run(in[0], out), ln);
    }

    @Override
    public Step matMul(Op.MatMul m) {
        MatMul mm = MatMul.configure(cl, m.params(), input(), inputs.get(1));
        return Step.of((in, out) -> mm.run(in[0], in[1], out), mm);
    }

    @Override
    public Step reduce(Op.Reduce r) {
        Reduce reduce = Reduce.configure(cl, r.params(), input());
        return Step.of((in, out) -> reduce.run(in[0], out), reduce);
    }

    /** Where with its constant operands uploaded once; computed ones follow the condition, in order. */
    @Override
    public Step where(Op.Where w) {
        Shape[] s = w.operands(inputs);
        Tensor a = w.aConst() == null ? null : constants.of(w.aShape(), w.aConst());
        Tensor b = w.bConst() == null ? null : constants.of(w.bShape(), w.bConst());
        Where where = Where.configure(cl, s[0], s[1], s[2]);
        return Step.of((in, out) -> {
            int next = 1;
            Tensor x = a == null ? in[next++] : a;
            Tensor y = b == null ? in[next] : b;
            where.run(in[0], x, y, out);
        }, where);
    }

    @Override
    public Step resize(Op.Resize r) {
        Resize resize = Resize.configure(cl, r.params(), input());
        return Step.of((in, out) -> resize.run(in[0], out), resize);
    }

    @Override
    public Step groupNorm(Op.GroupNorm g) {
        GroupNorm gn = GroupNorm.configure(cl, g.groups(), g.channelsLast(), g.epsilon(), input(), g.scale(), g.bias());
        return Step.of((in, out) -> gn.run(in[0], out), gn);
    }

    @Override
    public Step tile(Op.Tile t) {
        Tile tile = Tile.configure(cl, t.repeats(), input());
        return Step.of((in, out) -> tile.run(in[0], out), tile);
    }
}
