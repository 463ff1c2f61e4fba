package dev.clnn.nn;

import dev.clnn.cl.BuildOptions;
import dev.clnn.cl.ClBuffer;
import dev.clnn.cl.ClContext;
import dev.clnn.cl.ClKernel;

/**
 * im2col and its adjoint col2im over NHWC ({@code kernels/train/im2col.cl}), for one convolution
 * geometry. im2col takes a float per work-item on GPUs and a row of the columns per work-item on
 * CPUs ({@code im2col_rows}), where a work-item per float costs more than the copy.
 */
final class Im2col {
    private final ConvGeometry g;
    private final ClKernel im2col;
    private final boolean rows;
    private final ClKernel col2im;

    Im2col(ClContext cl, ConvGeometry g) {
        this.g = g;
        this.rows = cl.device().isCpu();
        this.im2col = cl.kernel("train/im2col.cl", BuildOptions.none(), rows ? "im2col_rows" : "im2col");
        this.col2im = cl.kernel("train/im2col.cl", BuildOptions.none(), "col2im");
    }

    /** Enqueues {@code cols (n*OH*OW, KH*KW*C) = im2col(x (n, H, W, C))}. */
    void im2col(ClBuffer x, int n, ClBuffer cols) {
        im2col.args(x, g.h(), g.w(), g.c(), g.oh(), g.ow(), g.kh(), g.kw(), g.sh(), g.sw(), g.pt(), g.pl(), cols);
        long m = (long) n * g.oh() * g.ow();
        im2col.launch(new long[] {rows ? m : m * g.k()}, null);
    }

    /** Enqueues {@code dx (n, H, W, C) = col2im(dcols (n*OH*OW, KH*KW*C))}; dx is overwritten. */
    void col2im(ClBuffer dcols, int n, ClBuffer dx) {
        col2im.args(dcols, g.h(), g.w(), g.c(), g.oh(), g.ow(), g.kh(), g.kw(), g.sh(), g.sw(), g.pt(), g.pl(), dx);
        col2im.launch(new long[] {(long) n * g.h() * g.w() * g.c()}, null);
    }
}
