// General depthwise 2-D convolution, channel multiplier 1: any kernel size, stride, dilation
// and asymmetric padding (the shapes depthwise_blocked.cl does not cover: 7x7 kernels,
// stride 3, dilated kernels, strides that differ by direction).
//
//     y[n, oh, ow, c] = EPILOGUE( sum_{kh < KH, kw < KW} x[n, ih, iw, c] * w[kh, kw, c] )
//     ih = oh * SH - PT + kh * DH,  iw = ow * SW - PL + kw * DW
//
// Taps outside the input (the padding) contribute zero and are never read.
//
// Layouts (row-major):
//   x    (N, H, W, C)           NHWC
//   w    (KH, KW, C)            = HWIO (KH, KW, 1, C), as Conv2d takes it
//   bias (C), y and res (N, OH, OW, C) NHWC
//
// One work-item computes VW neighbouring channels of one output pixel with vector loads along
// the contiguous channels; a channel tail is loaded and stored lane by lane. The geometry is
// passed as arguments, so one build serves every shape.
//
// Work-items: ceil(C / VW) channel vectors x OW columns x ROWS = N * OH output rows, as a 3-D
// range or, with WG > 0, a 1-D range of work-groups of WG items (work_item() in conv_common.cl).
//
// Defines:
//   VW       channels per work-item (conv_common.cl): 4, 8 or 16
//   WG       0 for a 3-D range, else the work-group size of a 1-D range (conv_common.cl)
//   HAS_BIAS, RESIDUAL (conv_common.cl), ACT and its parameters (common/activation.cl)
//   STORE_HALF  x, y and res stored as half (common/vector.cl)

__kernel void depthwise_general(__global const ACT_T* restrict x, __global const float* restrict w,
                                __global ACT_T* y,
                                const int H, const int W, const int C, const int OH, const int OW,
                                const int KH, const int KW, const int SH, const int SW, const int DH, const int DW,
                                const int PT, const int PL, const int ROWS
                                BIAS_PARAM RES_PARAM)
{
    int cv, ow, row;                        // row = n * OH + oh
    if (!work_item((C + VW - 1) / VW, OW, ROWS, &cv, &ow, &row)) {
        return;
    }
    const int c0 = cv * VW;
    const int n = row / OH;
    const int oh = row - n * OH;
    const int nc = C - c0;                  // channels of this vector that exist

    floatv acc = (floatv)(0.0f);
    for (int kh = 0; kh < KH; ++kh) {
        const int ih = oh * SH - PT + kh * DH;
        if (ih < 0 || ih >= H) {
            continue;
        }
        __global const ACT_T* xrow = x + (size_t)(n * H + ih) * W * C + c0;
        for (int kw = 0; kw < KW; ++kw) {
            const int iw = ow * SW - PL + kw * DW;
            if (iw < 0 || iw >= W) {
                continue;
            }
            const floatv xv = act_vload_partial(xrow + (size_t)iw * C, nc);
            const floatv wv = vload_partial(w + (size_t)(kh * KW + kw) * C + c0, nc);
            acc = fma(xv, wv, acc);
        }
    }

    const size_t out = ((size_t)row * OW + ow) * C + c0;
    const floatv v = EPILOGUE(acc, BIAS_VEC(c0, nc), RES_VEC(res + out, nc));
    act_vstore_partial(v, y + out, nc);
}
