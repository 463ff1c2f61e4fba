package dev.clnn.ops;

import dev.clnn.cl.BuildOptions;
import dev.clnn.cl.ClBuffer;
import dev.clnn.cl.ClContext;
import dev.clnn.cl.ClKernel;

/**
 * The matrix product behind pointwise convolutions and {@link Dense}:
 * {@code y (M, N) = epilogue(a (M, K) * w (K, N))}, row-major, with the weights packed once at
 * configure time ({@code conv/pack_weights.cl}; again on {@link #repack}) and bias, activation and
 * residual fused into the kernel's epilogue. {@code a} is read as it is, never packed. The sizes
 * are kernel arguments set once; a run sets only the buffers. Package-private: the operators
 * validate tensors, this class only enqueues.
 */
final class PointwiseGemm implements AutoCloseable {
    private final GemmConfig config;
    private final int n;
    private final int k;
    private final int nPad;
    private final int kPad;
    private final boolean hasBias;
    private final boolean hasResidual;
    private final ClKernel main;
    private final ClKernel pack;
    private final ClBuffer packed;
    /** Index of the first buffer argument; the sizes before it are set once, here. */
    private final int firstBuffer;
    private final long[] global;
    private final long[] local;
    // SPLITK only (null otherwise): the kernel that sums the slices, its range, the partial sums
    private final ClKernel reduce;
    private final long[] reduceGlobal;
    private final ClBuffer partial;

    /** Work-group width of the split-K kernels: columns of a row of the weights read together. */
    private static final int SPLITK_GROUP = 64;

    private PointwiseGemm(ClContext cl, int m, int n, int k, GemmConfig config, Activation activation,
                          boolean hasBias, Conv2dParams.Residual residual) {
        this.config = config;
        this.n = n;
        this.k = k;
        this.hasBias = hasBias;
        this.hasResidual = residual != Conv2dParams.Residual.NONE;
        ClKernel sum = null;
        long[] sumGlobal = null;
        ClBuffer sums = null;
        switch (config.variant()) {
            case SPLITK: {
                if (m > GemmConfig.SPLITK_MAX_ROWS) {
                    throw new IllegalArgumentException("Pointwise product: " + config + " computes at most "
                            + GemmConfig.SPLITK_MAX_ROWS + " rows, got (" + m + " x " + k + ") * (" + k + " x " + n
                            + ")");
                }
                nPad = n;
                kPad = k;
                int slices = ConvKernels.ceilDiv(k, config.ks());
                BuildOptions options = config.defines().define("MT", m);
                main = ConvKernels.build(cl, "conv/pointwise_splitk.cl", "splitk_partial", options, activation,
                        hasBias, residual);
                sum = ConvKernels.build(cl, "conv/pointwise_splitk.cl", "splitk_reduce", options, activation,
                        hasBias, residual);
                long columns = Gemm.roundUp(n, SPLITK_GROUP);
                global = new long[] {columns, slices};
                local = new long[] {SPLITK_GROUP, 1};
                sumGlobal = new long[] {columns, m};
                sums = cl.buffer((long) slices * m * n);
                main.args(n, k);
                main.arg(4, sums);
                sum.args(n, slices, sums);
                break;
            }
            case CPU:
                nPad = Gemm.roundUp(n, config.blockN());
                kPad = k;
                main = ConvKernels.build(cl, "conv/pointwise_cpu.cl", "pointwise_cpu", config.defines(), activation,
                        hasBias, residual);
                main.args(m, n, k);
                global = new long[] {nPad / config.blockN(), ConvKernels.ceilDiv(m, config.blockM())};
                local = null;
                break;
            case TILED:
                nPad = Gemm.roundUp(n, config.tn());
                kPad = Gemm.roundUp(k, config.tk());
                main = ConvKernels.build(cl, "conv/pointwise_tiled.cl", "pointwise_tiled", config.defines(),
                        activation, hasBias, residual);
                main.args(m, n, k, kPad, nPad);
                global = new long[] {nPad / config.wn(), (long) Gemm.roundUp(m, config.tm()) / config.wm()};
                local = new long[] {config.tn() / config.wn(), config.tm() / config.wm()};
                break;
            default:
                nPad = n;
                kPad = k;
                main = ConvKernels.build(cl, "conv/pointwise_general.cl", "pointwise_general", BuildOptions.none(),
                        activation, hasBias, residual);
                main.args(m, n, k);
                global = new long[] {n, m};
                local = null;
                break;
        }
        reduce = sum;
        reduceGlobal = sumGlobal;
        partial = sums;
        firstBuffer = config.variant() == GemmConfig.Variant.TILED ? 5
                : config.variant() == GemmConfig.Variant.SPLITK ? 2 : 3;
        if (config.variant() == GemmConfig.Variant.GENERAL || config.variant() == GemmConfig.Variant.SPLITK) {
            pack = null;
            packed = null;
        } else {
            pack = cl.kernel("conv/pack_weights.cl", BuildOptions.none(), "pack_weights");
            packed = cl.buffer((long) nPad * kPad);
            main.arg(firstBuffer + 1, packed);
        }
    }

    /**
     * Builds the kernels for {@code y (m, n) = a (m, k) * w (k, n)} and allocates the packed copy
     * of the weights; {@link #repack} fills it.
     */
    static PointwiseGemm create(ClContext cl, int m, int n, int k, GemmConfig config, Activation activation,
                                boolean hasBias, Conv2dParams.Residual residual) {
        OpLog.configured("Pointwise product", cl, "(" + m + " x " + k + ") * (" + k + " x " + n + ")", config);
        return new PointwiseGemm(cl, m, n, k, config, activation, hasBias, residual);
    }

    GemmConfig config() { return config; }

    /** Copies {@code weights} (row-major {@code (k, n)}) into the packed panels; enqueued. */
    void repack(ClBuffer weights) {
        if (packed == null) {
            return;
        }
        int panel = config.variant() == GemmConfig.Variant.CPU ? config.blockN() : nPad;
        pack.args(weights, k, n, packed, panel, kPad);
        pack.launch(new long[] {panel, nPad / panel, kPad}, null);
    }

    /**
     * Enqueues {@code y = epilogue(a * w)}; {@code a} (m, k), {@code weights} (k, n) (read only by
     * the general variant, the others use the packed copy), {@code bias} (n) and {@code res} (m, n)
     * are read, {@code y} (m, n) is written.
     */
    void run(ClBuffer a, ClBuffer weights, ClBuffer bias, ClBuffer res, ClBuffer y) {
        if (reduce != null) {
            main.arg(2, a).arg(3, weights);
            main.launch(global, local);
            reduce.arg(3, y);
            if (hasBias) {
                reduce.arg(4, bias);
            }
            if (hasResidual) {
                reduce.arg(hasBias ? 5 : 4, res);
            }
            reduce.launch(reduceGlobal, local);
            return;
        }
        int next = firstBuffer;
        main.arg(next++, a);
        if (packed == null) {
            main.arg(next, weights);
        }
        next++;
        main.arg(next++, y);
        if (hasBias) {
            main.arg(next++, bias);
        }
        if (hasResidual) {
            main.arg(next, res);
        }
        main.launch(global, local);
    }

    @Override
    public void close() {
        // Kernel objects first: they may still hold the packed buffer as an argument.
        main.close();
        if (reduce != null) {
            reduce.close();
            partial.close();
        }
        if (pack != null) {
            pack.close();
            packed.close();
        }
    }
}
