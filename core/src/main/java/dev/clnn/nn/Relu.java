package dev.clnn.nn;

import dev.clnn.cl.ClContext;
import dev.clnn.ops.Activation;
import dev.clnn.tensor.Shape;
import dev.clnn.tensor.Tensor;

/**
 * A standalone ReLU, {@code y = max(x, 0)}, element-wise over any shape; backward
 * {@code dx = dy} where {@code y > 0}, else 0 (exactly). Conv2d and Dense fuse their activation
 * instead; this layer is for models that apply it separately.
 */
public final class Relu extends LayerBase {
    private final Activation activation = Activation.RELU;
    private BiasActivation kernels;
    private BatchCache<Step> steps;

    @Override
    public String kind() { return "relu"; }

    @Override
    Shape configure(ClContext cl, Shape input) {
        kernels = new BiasActivation(cl, activation, false);
        steps = new BatchCache<>(Step::new);
        return input;
    }

    @Override
    public Tensor forward(Tensor input, boolean training) {
        int n = checkInput(input);
        Step s = steps.get(n);
        long count = input.shape().size();
        kernels.forward(input.buffer(), input.buffer(), 0, 1, Math.toIntExact(count), s.out(input).buffer());
        s.forwarded = training;
        return s.out;
    }

    @Override
    public Tensor backward(Tensor gradOutput, boolean inputGradient) {
        int n = checkGradient(gradOutput);
        Step s = steps.peek(n);
        if (s == null || !s.forwarded) {
            throw noForward(this, n);
        }
        if (!inputGradient) {
            return null;
        }
        kernels.backward(gradOutput.buffer(), s.out.buffer(), gradOutput.shape().size(), s.dx().buffer());
        return s.dx;
    }

    @Override
    void release() {
        if (steps != null) {
            steps.close();
        }
    }

    @Override
    public String toString() {
        return "Relu()";
    }

    private final class Step implements AutoCloseable {
        final int n;
        Tensor out;
        Tensor dx;
        boolean forwarded;

        Step(int n) {
            this.n = n;
        }

        Tensor out(Tensor like) {
            if (out == null) {
                out = Tensor.allocate(cl(), batched(n, outputShape()), like.layout());
            }
            return out;
        }

        Tensor dx() {
            if (dx == null) {
                dx = Tensor.allocate(cl(), batched(n, inputShape()), out.layout());
            }
            return dx;
        }

        @Override
        public void close() {
            closeAll(out, dx);
        }
    }
}
