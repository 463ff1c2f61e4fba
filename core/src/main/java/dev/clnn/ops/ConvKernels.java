package dev.clnn.ops;

import dev.clnn.cl.BuildOptions;
import dev.clnn.cl.ClContext;
import dev.clnn.cl.ClKernel;
import dev.clnn.cl.ClProgram;
import dev.clnn.cl.KernelSource;
import dev.clnn.tensor.DType;
import dev.clnn.tensor.Shape;
import dev.clnn.tensor.Tensor;

/** What the convolution-family operators share: building {@code kernels/conv} programs and checking tensors. */
final class ConvKernels {
    private ConvKernels() {
    }

    /**
     * The checks of a convolution's run: {@code x} and {@code y} as configured (shape, and elements of
     * {@code storage}), the residual present
     * exactly when {@code mode} adds one and then shaped like {@code y}, and neither {@code y} nor the
     * residual in {@code x}'s buffer (the kernels read their input as restrict).
     */
    static void checkRun(String op, ClContext cl, Shape input, Shape output, Conv2dParams.Residual mode,
                         DType storage, Tensor x, Tensor residual, Tensor y) {
        OpSupport.checkNhwc(op, "input", x, cl, input, storage);
        OpSupport.checkNhwc(op, "output", y, cl, output, storage);
        if (mode != Conv2dParams.Residual.NONE) {
            OpSupport.checkNhwc(op, "residual", residual, cl, output, storage);
        } else if (residual != null) {
            throw new IllegalArgumentException(op + ": a residual " + residual.shape() + " was passed but the"
                    + " parameters add none (" + mode + "); input " + input + ", output " + output);
        }
        if (x.buffer() == y.buffer() || (residual != null && residual.buffer() == x.buffer())) {
            throw new IllegalArgumentException(op + ": the output " + output + " and residual must not share a buffer"
                    + " with the input " + input);
        }
    }

    /** Each of {@code weights} that is given (a bias may be null) is open, lives in {@code cl} and is NHWC. */
    static void checkWeights(String op, ClContext cl, Tensor... weights) {
        for (Tensor t : weights) {
            if (t != null) {
                t.ensureOpen();
                OpSupport.checkNhwc(op, "weights", t, cl, t.shape());
            }
        }
    }

    /**
     * A kernel from {@code kernels/conv/<file>}, built with {@code common/activation.cl},
     * {@code conv/conv_common.cl} and {@code common/vector.cl} in front and the epilogue's defines
     * added to {@code options}.
     */
    static ClKernel build(ClContext cl, String file, String name, BuildOptions options, Activation activation,
                          boolean hasBias, Conv2dParams.Residual residual) {
        return program(cl, KernelSource.load(file), options, activation, hasBias, residual).kernel(name);
    }

    /**
     * {@code source} built with {@code common/activation.cl}, {@code conv/conv_common.cl} (the fused
     * epilogue: bias, activation, residual) and {@code common/vector.cl} (the channel vectors) in
     * front, in that order, and the epilogue's defines added to {@code options}.
     */
    static ClProgram program(ClContext cl, KernelSource source, BuildOptions options, Activation activation,
                             boolean hasBias, Conv2dParams.Residual residual) {
        KernelSource all = source.withHeader("common/vector.cl").withHeader("conv/conv_common.cl")
                .withHeader("common/activation.cl");
        BuildOptions defines = activation.defines(options).define("HAS_BIAS", hasBias ? 1 : 0)
                .define("RESIDUAL", residual.code());
        return cl.program(all, defines);
    }

    /** {@code options} with {@code STORE_HALF} set when the activations are stored as {@code storage} halves. */
    static BuildOptions storage(BuildOptions options, DType storage) {
        return storage == DType.FLOAT16 ? options.define("STORE_HALF", 1) : options;
    }

    /** Rejects shapes whose tensors would not fit the kernels' 32-bit indexing. */
    static void checkIndexable(String op, Shape... shapes) {
        for (Shape s : shapes) {
            if (s != null && s.size() >= Integer.MAX_VALUE) {
                throw new IllegalArgumentException(op + ": tensor " + s + " has 2^31 elements or more");
            }
        }
    }

    static int ceilDiv(int value, int divisor) {
        return (value + divisor - 1) / divisor;
    }
}
