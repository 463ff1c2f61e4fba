// Max and average 2-D pooling over NHWC tensors:
//     x (N, H, W, C)  ->  y (N, OH, OW, C),   OH = (H + PT + PB - KH) / SH + 1 (floor), OW likewise,
// or rounded up for ONNX ceil_mode = 1 (the host computes OH and OW).
// The window of output pixel (oh, ow) covers input rows oh*SH - PT .. oh*SH - PT + KH - 1 and
// columns ow*SW - PL .. ow*SW - PL + KW - 1. Positions in the padding are skipped by the maximum;
// the average divides, when COUNT_PAD (ONNX count_include_pad = 1), by the window clipped to the
// padded input (KH*KW but for the windows of ceil_mode that run past the bottom or right padding),
// else by the number of input positions in the window (count_include_pad = 0). The host
// guarantees every window holds at least one input position (each pad is smaller than the window,
// and every window starts inside the input or its top / left padding), so no maximum stays -inf.
// The maximum propagates NaN; of +0 and -0 it keeps the one it met first. The host prepends
// common/vector.cl.
//
// Kernel:
//   pool2d   VW channels of one output pixel per work-item, channel fastest; the block at the end
//            of a pixel's channels is loaded and stored partially when C is not a multiple of VW.
//            VW = 1 is the general kernel: one output element per work-item, neighbouring work-items
//            reading neighbouring channels (coalesced on a GPU). Wider vectors suit CPUs.
//            Global >= N * OH * OW * ceil(C / VW), bounds-checked.
//
// Defines:
//   MAX        1 for max pooling, 0 for average pooling
//   KH, KW     window height and width
//   SH, SW     strides
//   PT, PL     top and left padding
//   PB, PR     bottom and right padding (beyond OH and OW, they clip the COUNT_PAD divisor)
//   COUNT_PAD  average pooling: 1 divides by KH*KW, 0 by the input positions in the window
//   VW         channels per work-item (common/vector.cl)

#ifndef MAX
#define MAX 1           // max (1) or average (0)
#endif
#ifndef KH
#define KH 2            // window height
#endif
#ifndef KW
#define KW 2            // window width
#endif
#ifndef SH
#define SH 2            // vertical stride
#endif
#ifndef SW
#define SW 2            // horizontal stride
#endif
#ifndef PT
#define PT 0            // top padding
#endif
#ifndef PL
#define PL 0            // left padding
#endif
#ifndef PB
#define PB 0            // bottom padding
#endif
#ifndef PR
#define PR 0            // right padding
#endif
#ifndef COUNT_PAD
#define COUNT_PAD 0     // average divides by the whole window, padding included
#endif

__kernel void pool2d(const int N, const int H, const int W, const int C, const int OH, const int OW,
                     __global const float* x, __global float* y)
{
    int pixel, c0;                          // pixel: (n * OH + oh) * OW + ow
    if (!row_chunk(N * OH * OW, C, &pixel, &c0)) {
        return;
    }
    // NOTE: remainders as a - (a / b) * b: LLVM turns a % b next to a / b into a "freeze"
    // instruction that Oclgrind's --uninitialized checker cannot run.
    const int row = pixel / OW;             // n * OH + oh
    const int ow = pixel - row * OW;
    const int n = row / OH;
    const int oh = row - n * OH;
    const int valid = C - c0;               // channels of this block inside the tensor (>= 1)

    const int h0 = oh * SH - PT;
    const int w0 = ow * SW - PL;
    const int hs = max(h0, 0);
    const int he = min(h0 + KH, H);
    const int ws = max(w0, 0);
    const int we = min(w0 + KW, W);
    __global const float* xn = x + (size_t)n * H * W * C + c0;

#if MAX
    floatv acc = (floatv)(-INFINITY);
#else
    floatv acc = (floatv)(0.0f);
#endif
    for (int h = hs; h < he; ++h) {
        for (int w = ws; w < we; ++w) {
            const floatv v = vload_partial(xn + ((size_t)h * W + w) * C, valid);
#if MAX
            acc = select(acc, v, isgreater(v, acc) | isnan(v));
#else
            acc += v;
#endif
        }
    }
#if !MAX
#if COUNT_PAD
    acc /= (float)((min(h0 + KH, H + PB) - h0) * (min(w0 + KW, W + PR) - w0));
#else
    acc /= (float)((he - hs) * (we - ws));
#endif
#endif
    vstore_partial(acc, y + (size_t)pixel * C + c0, valid);
}
