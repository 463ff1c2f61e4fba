package dev.clnn.ops;

import dev.clnn.cl.BuildOptions;
import dev.clnn.cl.ClBuffer;
import dev.clnn.cl.ClContext;
import dev.clnn.cl.ClDevice;
import dev.clnn.cl.ClKernel;
import dev.clnn.cl.ClProgram;
import dev.clnn.cl.KernelSource;

/**
 * Single-precision general matrix multiply on an OpenCL device:
 * {@code C = alpha * op(A) * op(B) + beta * C}, row-major, with transposes, leading dimensions
 * and offsets (see {@link GemmShape}).
 *
 * <p>Validate, configure once, run many times: {@link #configure} checks the shape, picks the
 * kernel variant and its parameters for the device (from the tuning table), builds the kernels
 * and allocates the packing scratch; {@link #run} only enqueues work. When {@code beta == 0}, C is
 * written without being read.
 *
 * <pre>{@code
 * try (Gemm gemm = Gemm.configure(cl, GemmShape.of(m, n, k))) {
 *     gemm.run(1f, a, 0, b, 0, 0f, c, 0);   // a: (m, k), b: (k, n), c: (m, n); c is written
 *     cl.finish();
 * }
 * }</pre>
 */
public final class Gemm implements AutoCloseable {
    /** Below this many multiply-adds the general kernel wins: packing would cost more than it saves. */
    static final long SMALL = 48L * 48 * 48;

    private final ClContext cl;
    private final GemmShape shape;
    private final GemmConfig config;
    private final ClKernel main;
    private final ClKernel packA;
    private final ClKernel packB;
    private final ClBuffer packedA;
    private final ClBuffer packedB;
    // SPLITK only (null otherwise): the kernel that sums the K-slices, and the partial sums
    private final ClKernel reduce;
    private final ClBuffer partial;
    private final int mPad;
    private final int nPad;
    private final int kPad;
    private boolean closed;

    /** K at least this many times the larger side of C makes a product with few tiles "thin" (split-K). */
    static final int THIN_DEPTH = 4;

    private Gemm(ClContext cl, GemmShape shape, GemmConfig config) {
        this.cl = cl;
        this.shape = shape;
        this.config = config;
        OpLog.configured("GEMM", cl, shape, config);
        BuildOptions options = config.defines();
        switch (config.variant()) {
            case GENERAL:
            case SPLITK: {
                // A and B are read where they lie: no packing
                mPad = shape.m();
                nPad = shape.n();
                kPad = shape.k();
                packA = null;
                packB = null;
                packedA = null;
                packedB = null;
                boolean split = config.variant() == GemmConfig.Variant.SPLITK;
                ClProgram program = cl.program(KernelSource.load(split ? "gemm/gemm_splitk.cl" : "gemm/gemm_general.cl")
                        .withHeader("gemm/gemm_operands.cl"), options.define("TRANS_A", shape.transA() ? 1 : 0)
                        .define("TRANS_B", shape.transB() ? 1 : 0));
                main = program.kernel(split ? "gemm_splitk_partial" : "gemm_general");
                reduce = split ? program.kernel("gemm_splitk_reduce") : null;
                partial = split ? cl.buffer((long) slices() * shape.m() * shape.n()) : null;
                return;
            }
            case CPU:
                mPad = roundUp(shape.m(), config.blockM());
                nPad = roundUp(shape.n(), config.blockN());
                kPad = shape.k();
                main = cl.kernel("gemm/gemm_cpu.cl", options, "gemm_cpu");
                break;
            default:
                mPad = roundUp(shape.m(), config.tm());
                nPad = roundUp(shape.n(), config.tn());
                kPad = roundUp(shape.k(), config.tk());
                main = cl.kernel("gemm/gemm_tiled.cl", options, "gemm_tiled");
                break;
        }
        reduce = null;
        partial = null;
        // NOTE: one kernel object per operand. Reusing one with new arguments between two enqueues is
        // legal OpenCL, but some runtimes (Oclgrind) read the arguments when the command executes.
        packA = cl.kernel("gemm/gemm_pack.cl", BuildOptions.none(), "gemm_pack");
        packB = cl.kernel("gemm/gemm_pack.cl", BuildOptions.none(), "gemm_pack");
        ClBuffer a = cl.buffer((long) mPad * kPad);
        try {
            packedB = cl.buffer((long) nPad * kPad);
        } catch (RuntimeException e) {
            a.close();
            throw e;
        }
        packedA = a;
    }

    /** Configures a GEMM with the variant and parameters the tuning table gives the context's device. */
    public static Gemm configure(ClContext cl, GemmShape shape) {
        GemmConfig tuned = GemmConfig.tuned("gemm", cl.device(), shape.m(), shape.n());
        if (tuned.variant() == GemmConfig.Variant.TILED
                && (long) shape.k() >= THIN_DEPTH * Math.max(shape.m(), shape.n())) {
            // a deep product whose result gives fewer tiles than compute units: split K instead
            java.util.Map<String, String> thin = Tuning.find("gemm_thin", cl.device());
            if (thin != null && tuned.tiles(shape.m(), shape.n()) < cl.device().computeUnits()) {
                tuned = GemmConfig.fromMap(thin);
            }
        }
        long work = (long) shape.m() * shape.n() * shape.k();
        if (work < SMALL) {
            tuned = GemmConfig.general();
        }
        return new Gemm(cl, shape, tuned);
    }

    /**
     * Configures a GEMM with an explicit variant and parameters (tests, tuning).
     *
     * @throws IllegalArgumentException when the variant needs more local memory or a larger
     *                                  work-group than the device has
     */
    public static Gemm configure(ClContext cl, GemmShape shape, GemmConfig config) {
        if (!fits(config, cl.device())) {
            throw new IllegalArgumentException("GEMM " + config + " needs " + config.localBytes()
                    + " bytes of local memory and work-groups of " + config.workGroupSize() + "; "
                    + cl.device().name() + " has " + cl.device().localMemBytes() + " bytes and at most "
                    + cl.device().maxWorkGroupSize());
        }
        return new Gemm(cl, shape, config);
    }

    static boolean fits(GemmConfig config, ClDevice device) {
        return config.localBytes() <= device.localMemBytes() && config.workGroupSize() <= device.maxWorkGroupSize();
    }

    public GemmShape shape() { return shape; }

    public GemmConfig config() { return config; }

    /**
     * Enqueues {@code C = alpha * op(A) * op(B) + beta * C}; A and B are read, C is written (and
     * read only when {@code beta != 0}). Offsets are in floats. Returns at once; the result is
     * visible to later commands on the same context and to {@link ClBuffer#read()}.
     *
     * @throws IllegalArgumentException when a buffer is too small for the shape and offset
     */
    public void run(float alpha, ClBuffer a, long offA, ClBuffer b, long offB, float beta, ClBuffer c, long offC) {
        if (closed) {
            throw new IllegalStateException("This Gemm was closed");
        }
        checkExtent("A", a, offA, shape.extentA());
        checkExtent("B", b, offB, shape.extentB());
        checkExtent("C", c, offC, shape.extentC());
        int m = shape.m();
        int n = shape.n();
        int k = shape.k();
        switch (config.variant()) {
            case SPLITK: {
                long[] local = generalLocal();
                long columns = roundUp(n, (int) local[0]);
                long rows = roundUp(m, (int) local[1]);
                main.args(m, n, k, a, (int) offA, shape.lda(), b, (int) offB, shape.ldb(), partial);
                main.launch(new long[] {columns, rows, slices()}, new long[] {local[0], local[1], 1});
                reduce.args(m, n, slices(), alpha, partial, beta, c, (int) offC, shape.ldc());
                reduce.launch(new long[] {columns, rows}, local);
                return;
            }
            case GENERAL: {
                long[] local = generalLocal();
                main.args(m, n, k, alpha, a, (int) offA, shape.lda(), b, (int) offB, shape.ldb(), beta, c, (int) offC,
                        shape.ldc());
                main.launch(new long[] {roundUp(n, (int) local[0]), roundUp(m, (int) local[1])}, local);
                return;
            }
            case CPU: {
                packOperands(a, offA, b, offB, config.blockM(), config.blockN());
                main.args(m, n, k, alpha, packedA, packedB, beta, c, (int) offC, shape.ldc());
                main.launch(new long[] {nPad / config.blockN(), mPad / config.blockM()}, null);
                return;
            }
            default: {
                packOperands(a, offA, b, offB, mPad, nPad);
                main.args(m, n, kPad, mPad, nPad, alpha, packedA, packedB, beta, c, (int) offC, shape.ldc());
                main.launch(new long[] {nPad / config.wn(), mPad / config.wm()},
                        new long[] {config.tn() / config.wn(), config.tm() / config.wm()});
            }
        }
    }

    private void packOperands(ClBuffer a, long offA, ClBuffer b, long offB, int panelA, int panelB) {
        // op(A) viewed as rows m x depth k is row-major unless A is stored transposed; op(B)^T viewed
        // as rows n x depth k is row-major only when B is stored transposed.
        packA.args(a, (int) offA, shape.lda(), shape.transA() ? 0 : 1, shape.m(), shape.k(), packedA, panelA, kPad);
        packA.launch(new long[] {mPad, kPad}, null);
        packB.args(b, (int) offB, shape.ldb(), shape.transB() ? 1 : 0, shape.n(), shape.k(), packedB, panelB, kPad);
        packB.launch(new long[] {nPad, kPad}, null);
    }

    /** K-slices of the split-K variant. */
    private int slices() {
        return (shape.k() + config.ks() - 1) / config.ks();
    }

    private long[] generalLocal() {
        long side = cl.device().maxWorkGroupSize() >= 256 ? 16 : 8;
        return new long[] {side, side};
    }

    private static void checkExtent(String name, ClBuffer buf, long offset, long extent) {
        if (offset < 0 || offset + extent > buf.floats()) {
            throw new IllegalArgumentException("Gemm: buffer " + name + " holds " + buf.floats()
                    + " floats but offset " + offset + " plus the " + extent + " floats the shape needs exceeds it");
        }
        if (offset + extent > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("Gemm: operand " + name + " is larger than 2^31 floats");
        }
    }

    static int roundUp(int value, int multiple) {
        return (value + multiple - 1) / multiple * multiple;
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            // kernel objects first, as they may hold the buffers as arguments; each was made for this
            // Gemm (ClProgram.kernel makes a new one)
            main.close();
            if (packA != null) {
                packA.close();
                packB.close();
            }
            if (reduce != null) {
                reduce.close();
            }
            for (ClBuffer b : new ClBuffer[] {packedA, packedB, partial}) {
                if (b != null) {
                    b.close();
                }
            }
        }
    }
}
