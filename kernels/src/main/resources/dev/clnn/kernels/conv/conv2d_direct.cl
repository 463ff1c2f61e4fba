// Direct 2-D convolution without groups, register-blocked: the fast path for convolutions that
// are neither pointwise nor depthwise (MobileNet's first 3x3 stride-2 layer on RGB, the MNIST
// CNN's 3x3 layers, any kernel size, stride, dilation and asymmetric padding):
//
//     y[n, oh, ow, oc] = EPILOGUE( sum_{kh, kw, ci} x[n, ih, iw, ci] * w[kh, kw, ci, oc] )
//     ih = oh * SH - PT + kh * DH,  iw = ow * SW - PL + kw * DW
//
// Layouts (row-major):
//   x    (N, H, W, CIN)                NHWC
//   wp   (KH, KW, CIN, COUTP)          HWIO with the output channels zero-padded to COUTP, a
//                                      multiple of VW (packed once by the host at configure time)
//   bias (COUT), y and res (N, OH, OW, COUT) NHWC
//
// One work-item computes VW output channels (one vector) for WB neighbouring output columns of
// one output row: each weight vector loaded feeds WB fused multiply-adds, each input value is
// broadcast across VW channels. Padding taps are read from a clamped, in-bounds address and
// replaced by zero, so nothing outside x is read and NaN in x never leaks into the padding.
// No local memory and no barriers: suits CPUs, and GPUs through their vector units.
//
// Global size: (COUTP / VW, ceil(OW / WB), N * OH).
//
// The geometry (kernel size KH x KW, stride SH x SW, dilation DH x DW, padding PT, PL) is passed
// as arguments, so one build serves every shape; the blocking is what the compiler needs to know.
//
// Defines:
//   VW       output channels per work-item (conv_common.cl): 4, 8 or 16
//   WB       output columns per work-item
//   HAS_BIAS, RESIDUAL (conv_common.cl), ACT and its parameters (common/activation.cl)
//   STORE_HALF  x, y and res stored as half (common/vector.cl)

#ifndef WB
#define WB 4        // output columns per work-item
#endif

__kernel void conv2d_direct(__global const ACT_T* restrict x, __global const float* restrict wp,
                            __global ACT_T* y,
                            const int H, const int W, const int CIN, const int OH, const int OW, const int COUT,
                            const int COUTP, const int KH, const int KW, const int SH, const int SW,
                            const int DH, const int DW, const int PT, const int PL
                            BIAS_PARAM RES_PARAM)
{
    const int oc0 = get_global_id(0) * VW;
    const int ow0 = get_global_id(1) * WB;
    const int row = get_global_id(2);       // n * OH + oh
    const int n = row / OH;
    const int oh = row - n * OH;

    floatv acc[WB];
    #pragma unroll
    for (int b = 0; b < WB; ++b) {
        acc[b] = (floatv)(0.0f);
    }

    for (int kh = 0; kh < KH; ++kh) {
        const int ih = oh * SH - PT + kh * DH;
        if (ih < 0 || ih >= H) {
            continue;
        }
        __global const ACT_T* xrow = x + (size_t)(n * H + ih) * W * CIN;
        for (int kw = 0; kw < KW; ++kw) {
            int col[WB];            // clamped input column offsets (in floats)
            bool inside[WB];
            #pragma unroll
            for (int b = 0; b < WB; ++b) {
                const int iw = (ow0 + b) * SW - PL + kw * DW;
                inside[b] = iw >= 0 && iw < W;
                col[b] = clamp(iw, 0, W - 1) * CIN;
            }
            __global const float* wk = wp + (size_t)(kh * KW + kw) * CIN * COUTP + oc0;
            for (int ci = 0; ci < CIN; ++ci) {
                const floatv wv = VLOAD(0, wk + (size_t)ci * COUTP);
                #pragma unroll
                for (int b = 0; b < WB; ++b) {
                    const float xv = ACT_LOAD(xrow, col[b] + ci);
                    acc[b] = fma((floatv)(inside[b] ? xv : 0.0f), wv, acc[b]);
                }
            }
        }
    }

    const int nc = COUT - oc0;              // channels of this vector that exist
    const floatv bv = BIAS_VEC(oc0, nc);
    #pragma unroll
    for (int b = 0; b < WB; ++b) {
        const int ow = ow0 + b;
        if (ow < OW) {
            const size_t out = ((size_t)row * OW + ow) * COUT + oc0;
            const floatv v = EPILOGUE(acc[b], bv, RES_VEC(res + out, nc));
            act_vstore_partial(v, y + out, nc);
        }
    }
}
