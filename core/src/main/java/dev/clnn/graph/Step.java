package dev.clnn.graph;

import java.util.ArrayList;
import java.util.List;

import dev.clnn.cl.ClContext;
import dev.clnn.ops.Activations;
import dev.clnn.ops.BatchNorm;
import dev.clnn.ops.BatchNormParams;
import dev.clnn.ops.Concat;
import dev.clnn.ops.Conv2d;
import dev.clnn.ops.Dense;
import dev.clnn.ops.Elementwise;
import dev.clnn.ops.Pad;
import dev.clnn.ops.Pool2d;
import dev.clnn.ops.Softmax;
import dev.clnn.ops.Transpose;
import dev.clnn.tensor.Shape;
import dev.clnn.tensor.Tensor;

/**
 * One configured node of a {@link Lane}: the operator built for its shapes and device (its kernel
 * objects and any packed copy of its weights); the weights themselves come from the executable's
 * shared {@link Constants}. Runs without allocating or compiling. Used by one thread at a time.
 */
abstract class Step implements AutoCloseable {
    private final List<AutoCloseable> owned = new ArrayList<>();

    /** Reads {@code in}, writes {@code out}. */
    abstract void run(Tensor[] in, Tensor out);

    <T extends AutoCloseable> T own(T resource) {
        owned.add(resource);
        return resource;
    }

    @Override
    public void close() {
        for (int i = owned.size() - 1; i >= 0; i--) {
            try {
                owned.get(i).close();
            } catch (Exception ignored) {
                // close() of clnn resources never throws; nothing to add
            }
        }
        owned.clear();
    }

    /** Configures the operator of {@code op} for inputs of {@code inputs} shapes. */
    static Step of(ClContext cl, Constants constants, Op op, List<Shape> inputs) {
        if (op instanceof Op.Conv c) {
            return conv(cl, constants, c, inputs.get(0));
        }
        if (op instanceof Op.Dense d) {
            return dense(cl, constants, d, inputs.get(0));
        }
        if (op instanceof Op.Act a) {
            Activations act = Activations.configure(cl, a.activation(), inputs.get(0));
            return simple((in, out) -> act.run(in[0], out), act);
        }
        if (op instanceof Op.Binary b) {
            Elementwise e = Elementwise.configure(cl, b.params(), inputs.get(0), inputs.get(1));
            return simple((in, out) -> e.run(in[0], in[1], out), e);
        }
        if (op instanceof Op.BinaryConst b) {
            Tensor c = constants.of(b.constantShape(), b.constant());
            Elementwise e = Elementwise.configure(cl, b.params(), inputs.get(0), b.constantShape());
            return simple((in, out) -> e.run(in[0], c, out), e);
        }
        if (op instanceof Op.BatchNorm bn) {
            return batchNorm(cl, bn, inputs.get(0));
        }
        if (op instanceof Op.Pool p) {
            Pool2d pool = Pool2d.configure(cl, p.params(), inputs.get(0));
            return simple((in, out) -> pool.run(in[0], out), pool);
        }
        if (op instanceof Op.Softmax s) {
            Softmax softmax = Softmax.configure(cl, s.params(), inputs.get(0));
            return simple((in, out) -> softmax.run(in[0], out), softmax);
        }
        if (op instanceof Op.Reshape) {
            return simple((in, out) -> { });
        }
        if (op instanceof Op.Transpose t) {
            Transpose transpose = Transpose.configure(cl, t.params(), inputs.get(0));
            return simple((in, out) -> transpose.run(in[0], out), transpose);
        }
        if (op instanceof Op.Pad p) {
            Pad pad = Pad.configure(cl, p.params(), inputs.get(0));
            return simple((in, out) -> pad.run(in[0], out), pad);
        }
        if (op instanceof Op.Concat c) {
            Concat concat = Concat.configure(cl, c.params(), inputs);
            return simple((in, out) -> concat.run(java.util.Arrays.asList(in), out), concat);
        }
        throw new IllegalArgumentException("No executor for " + op.describe());
    }

    private static Step conv(ClContext cl, Constants constants, Op.Conv c, Shape input) {
        Holder<Conv2d> h = new Holder<>();
        Step step = simple((in, out) -> {
            if (in.length > 1) {
                h.value.run(in[0], in[1], out);
            } else {
                h.value.run(in[0], out);
            }
        });
        try {
            Tensor w = constants.of(c.weightShape(), c.weights());
            Tensor b = c.bias() == null ? null : constants.of(Shape.of(c.bias().length), c.bias());
            h.value = step.own(Conv2d.configure(cl, c.params(), input, w, b));
            return step;
        } catch (RuntimeException e) {
            step.close();
            throw e;
        }
    }

    private static Step dense(ClContext cl, Constants constants, Op.Dense d, Shape input) {
        Holder<Dense> h = new Holder<>();
        Step step = simple((in, out) -> h.value.run(in[0], out));
        try {
            Tensor w = constants.of(Shape.of(d.in(), d.out()), d.weights());
            Tensor b = d.bias() == null ? null : constants.of(Shape.of(d.out()), d.bias());
            h.value = step.own(Dense.configure(cl, input, w, b, d.activation()));
            return step;
        } catch (RuntimeException e) {
            step.close();
            throw e;
        }
    }

    /** Inference BatchNorm not folded into a convolution (after an add, say): its own kernel. */
    private static Step batchNorm(ClContext cl, Op.BatchNorm bn, Shape input) {
        Holder<BatchNorm> h = new Holder<>();
        Step step = simple((in, out) -> h.value.run(in[0], out));
        h.value = step.own(BatchNorm.configure(cl, BatchNormParams.nhwc(bn.epsilon()), input, bn.gamma(), bn.beta(),
                bn.mean(), bn.variance()));
        return step;
    }

    interface Body {
        void run(Tensor[] in, Tensor out);
    }

    /** A step running {@code body}, owning (and closing) {@code operators}. */
    static Step simple(Body body, AutoCloseable... operators) {
        Step step = new Step() {
            @Override
            void run(Tensor[] in, Tensor out) {
                body.run(in, out);
            }
        };
        for (AutoCloseable op : operators) {
            step.own(op);
        }
        return step;
    }

    private static final class Holder<T> {
        T value;
    }

}
