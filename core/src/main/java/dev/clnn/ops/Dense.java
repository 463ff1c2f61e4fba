package dev.clnn.ops;

import dev.clnn.cl.ClContext;
import dev.clnn.cl.ClDevice;
import dev.clnn.tensor.Shape;
import dev.clnn.tensor.Tensor;

/**
 * A fully connected layer: {@code y = act(x * w + bias)}, a layer's product on the {@link Gemm}
 * engine: x read in place, the weights packed once at configure time, bias and activation fused
 * into its epilogue (as for pointwise convolutions).
 *
 * <p>Tensors: input {@code x (N, K)}, or of any rank from 2 with the features last ({@code (N, S, K)}:
 * a transformer's tokens), whose leading dimensions are the GEMM's rows; weights {@code w (K, M)} ({@code (in, out)}, Keras' layout;
 * {@link ConvWeights#outInToInOut} converts ONNX Gemm {@code transB = 1} and PyTorch Linear
 * weights); bias {@code (M)} or none; output {@code y (N, M)} (the input's shape with {@code M} last). The operator reads {@code weights}
 * and {@code bias} but does not own them; call {@link #reloadWeights()} after changing the weights.
 *
 * <pre>{@code
 * try (Dense fc = Dense.configure(cl, Shape.of(1, 1024), w, b, Activation.NONE)) {
 *     fc.run(x, logits);      // x (1, 1024) is read, logits (1, 1000) written
 * }
 * }</pre>
 */
public final class Dense extends LayerProduct {
    private static final String OP = "Dense";

    private Dense(ClContext cl, Shape input, Shape output, Tensor weights, Tensor bias, Gemm gemm) {
        super(OP, cl, input, output, weights, bias, gemm);
    }

    /**
     * Configures a dense layer with the GEMM form the tuning table gives this shape on the context's
     * device ({@link GemmConfig#select} with A read in place).
     *
     * @param input      {@code (N, K)}, or {@code (N, ..., K)}: the leading dimensions are rows
     * @param weights    {@code (K, M)}; read, not owned
     * @param bias       {@code (M)}, or null for none; read, not owned
     * @param activation applied in the epilogue
     * @throws IllegalArgumentException naming the operator and the shapes when they do not fit
     */
    public static Dense configure(ClContext cl, Shape input, Tensor weights, Tensor bias, Activation activation) {
        ClDevice device = cl.device();
        Shape w = weights == null ? null : weights.shape();
        GemmConfig config = input.rank() < 2 || w == null || w.rank() != 2 || rows(input) > Integer.MAX_VALUE
                ? GemmConfig.general() : GemmConfig.select(device, (int) rows(input), w.dim(1), input.dim(-1), true);
        return configure(cl, input, weights, bias, activation, config);
    }

    /** Configures a dense layer with an explicit matrix-product variant (tests, tuning). */
    public static Dense configure(ClContext cl, Shape input, Tensor weights, Tensor bias, Activation activation,
                                  GemmConfig config) {
        if (weights == null) {
            throw new IllegalArgumentException(OP + ": weights are missing for input " + input);
        }
        weights.ensureOpen();
        Shape w = weights.shape();
        String both = "input " + input + " (N, ..., K) and weights " + w + " (K, M)";
        if (input.rank() < 2 || w.rank() != 2 || input.size() == 0 || w.size() == 0) {
            throw new IllegalArgumentException(OP + ": " + both + " must have rank 2 or more and 2, and not be empty");
        }
        if (input.dim(-1) != w.dim(0)) {
            throw new IllegalArgumentException(OP + ": feature mismatch between " + both + ": " + input.dim(-1)
                    + " != " + w.dim(0));
        }
        int m = w.dim(1);
        if (bias != null) {
            bias.ensureOpen();
            if (!(bias.shape().rank() == 1 && bias.shape().dim(0) == m)) {
                throw new IllegalArgumentException(OP + ": bias " + bias.shape() + " must be (" + m + ",), one per"
                        + " output of " + both);
            }
            OpSupport.checkNhwc(OP, "bias", bias, cl, bias.shape());
        }
        OpSupport.checkNhwc(OP, "weights", weights, cl, w);
        Shape out = input.with(input.rank() - 1, m);
        ConvKernels.checkIndexable(OP, input, w, out);
        if (!Gemm.fits(config, cl.device())) {
            throw new IllegalArgumentException(OP + ": " + config + " needs more local memory or larger work-groups"
                    + " than " + cl.device().name() + " has");
        }
        OpLog.configured(OP, cl, input + " weights " + w, config);
        Gemm gemm = Gemm.configure(cl, GemmShape.of((int) rows(input), m, input.dim(-1)), config,
                new Gemm.Epilogue(activation, bias != null, Conv2dParams.Residual.NONE));
        return OpSupport.initialised(new Dense(cl, input, out, weights, bias, gemm), Dense::reloadWeights);
    }

    /** The GEMM's rows: every dimension of {@code input} but the last, multiplied. */
    private static long rows(Shape input) {
        return input.size() / Math.max(1, input.dim(-1));
    }

    /**
     * Enqueues {@code y = act(x * w + bias)}. Returns at once.
     *
     * @param x {@code (N, ..., K)} as configured, read
     * @param y {@code (N, ..., M)}, written; must not share a buffer with {@code x}
     * @throws IllegalArgumentException when a tensor's shape differs from the configured one
     * @throws IllegalStateException    when this operator or a tensor was closed
     */
    public void run(Tensor x, Tensor y) {
        ensureOpen();
        OpSupport.checkNhwc(OP, "input", x, cl, input);
        OpSupport.checkNhwc(OP, "output", y, cl, output);
        if (x.buffer() == y.buffer()) {
            throw new IllegalArgumentException(OP + ": the output " + output + " must not share a buffer with the"
                    + " input " + input);
        }
        gemm.run(x.buffer(), weights.buffer(), buffer(bias), null, y.buffer());
    }
}
