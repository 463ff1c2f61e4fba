// Depthwise KS x KS convolution (3x3 or 5x5), stride 1 or 2, dilation 1, any (asymmetric) padding,
// channel multiplier 1: the depthwise layers of MobileNet v1 and v2 (3x3), EfficientNet and
// MobileNet v3 (3x3 and 5x5).
//
//     y[n, oh, ow, c] = EPILOGUE( sum_{kh, kw < KS} x[n, oh * STRIDE - PT + kh, ow * STRIDE - PL + kw, c] * w[kh, kw, c] )
//
// Taps outside the input (the padding) contribute zero and are never read.
//
// Layouts (row-major):
//   x    (N, H, W, C)           NHWC
//   w    (KS, KS, C)            = HWIO (KS, KS, 1, C), as Conv2d takes it
//   bias (C), y and res (N, OH, OW, C) NHWC
//
// Vectorised along the channels, which are contiguous in NHWC: one work-item computes VW
// channels of an HB x WB block of outputs (HB rows, WB neighbouring columns). It keeps the KS * KS
// weight vectors in registers (as many as fit) and walks the (HB - 1) * STRIDE + KS input rows the
// block needs once, top to bottom: each row's (WB - 1) * STRIDE + KS input vectors are loaded once
// and feed every output row that tap row belongs to. A larger block means fewer loads per output
// (3x3, stride 1: (HB + 2)(WB + 2) / (HB * WB)); on a GPU that count, not DRAM, limits this kernel
// (measured on the H200: GB/s rose in step as WB went 1 -> 2 -> 4), so GPUs take 2-4 rows.
// A channel tail (C not a multiple of VW) is loaded and stored lane by lane, never past the end
// of a row.
//
// Work-items: ceil(C / VW) channel vectors x ceil(OW / WB) column blocks x ROWS = N * ceil(OH / HB)
// row blocks, as a 3-D range or, with WG > 0, a 1-D range of work-groups of WG items (work_item()
// in conv_common.cl; the GPU form).
//
// Defines:
//   KS       3 or 5, the kernel size (both directions)
//   STRIDE   1 or 2 (both directions)
//   VW       channels per work-item (conv_common.cl): 4, 8 or 16
//   WB       output columns per work-item
//   HB       output rows per work-item
//   WG       0 for a 3-D range, else the work-group size of a 1-D range (conv_common.cl)
//   HAS_BIAS, RESIDUAL (conv_common.cl), ACT and its parameters (common/activation.cl)
//   STORE_HALF  x, y and res stored as half (common/vector.cl)

#ifndef KS
#define KS 3        // kernel size in both directions
#endif
#ifndef STRIDE
#define STRIDE 1    // stride in both directions
#endif
#ifndef WB
#define WB 4        // output columns per work-item
#endif
#ifndef HB
#define HB 1        // output rows per work-item
#endif

#define IWB ((WB - 1) * STRIDE + KS)    // input columns a work-item reads per row
#define IHB ((HB - 1) * STRIDE + KS)    // input rows a work-item reads

__kernel void depthwise_blocked(__global const ACT_T* restrict x, __global const float* restrict w,
                           __global ACT_T* y,
                           const int H, const int W, const int C, const int OH, const int OW,
                           const int PT, const int PL, const int ROWS
                           BIAS_PARAM RES_PARAM)
{
    const int OHB = (OH + HB - 1) / HB;     // row blocks per image
    int cv, cb, rb;                         // rb = n * OHB + row block
    if (!work_item((C + VW - 1) / VW, (OW + WB - 1) / WB, ROWS, &cv, &cb, &rb)) {
        return;
    }
    const int c0 = cv * VW;
    const int ow0 = cb * WB;
    const int n = rb / OHB;
    const int oh0 = (rb - n * OHB) * HB;
    const int nc = C - c0;                  // channels of this vector that exist

    floatv wk[KS * KS];
    #pragma unroll
    for (int t = 0; t < KS * KS; ++t) {
        wk[t] = vload_partial(w + (size_t)t * C + c0, nc);
    }

    floatv acc[HB][WB];
    #pragma unroll
    for (int a = 0; a < HB; ++a) {
        #pragma unroll
        for (int b = 0; b < WB; ++b) {
            acc[a][b] = (floatv)(0.0f);
        }
    }

    const int ih0 = oh0 * STRIDE - PT;
    const int iw0 = ow0 * STRIDE - PL;
    #pragma unroll
    for (int r = 0; r < IHB; ++r) {
        const int ih = ih0 + r;
        if (ih < 0 || ih >= H) {
            continue;
        }
        __global const ACT_T* xrow = x + ((size_t)n * H + ih) * W * C + c0;
        floatv xin[IWB];
        #pragma unroll
        for (int j = 0; j < IWB; ++j) {
            const int iw = iw0 + j;
            xin[j] = iw >= 0 && iw < W ? act_vload_partial(xrow + (size_t)iw * C, nc) : (floatv)(0.0f);
        }
        // input row r is tap row kh = r - a * STRIDE of output row a (constant once unrolled)
        #pragma unroll
        for (int a = 0; a < HB; ++a) {
            const int kh = r - a * STRIDE;
            if (kh >= 0 && kh < KS) {
                #pragma unroll
                for (int b = 0; b < WB; ++b) {
                    #pragma unroll
                    for (int kw = 0; kw < KS; ++kw) {
                        acc[a][b] = fma(xin[b * STRIDE + kw], wk[kh * KS + kw], acc[a][b]);
                    }
                }
            }
        }
    }

    const floatv bv = BIAS_VEC(c0, nc);
    #pragma unroll
    for (int a = 0; a < HB; ++a) {
        const int oh = oh0 + a;
        if (oh < OH) {
            #pragma unroll
            for (int b = 0; b < WB; ++b) {
                const int ow = ow0 + b;
                if (ow < OW) {
                    const size_t out = (((size_t)n * OH + oh) * OW + ow) * C + c0;
                    const floatv v = EPILOGUE(acc[a][b], bv, RES_VEC(res + out, nc));
                    act_vstore_partial(v, y + out, nc);
                }
            }
        }
    }
}
