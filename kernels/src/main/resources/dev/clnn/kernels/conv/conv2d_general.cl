// General 2-D convolution, always correct: any kernel size, stride, dilation, asymmetric
// padding and group count, with the fused epilogue of conv_common.cl:
//
//     y[n, oh, ow, oc] = EPILOGUE( sum_{kh, kw, ci} x[n, ih, iw, g * CING + ci] * w[kh, kw, ci, oc] )
//     ih = oh * SH - PT + kh * DH,  iw = ow * SW - PL + kw * DW,  g = oc / COUTG
//
// Taps that fall outside the input (the padding) contribute zero and are never read.
//
// Layouts (row-major):
//   x    (N, H, W, CIN)                      NHWC
//   w    (KH, KW, CING, COUT)                HWIO, CING = CIN / groups, COUTG = COUT / groups
//   bias (COUT), y and res (N, OH, OW, COUT) NHWC
//
// One work-item per output element; dimension 0 runs along oc, so neighbouring work-items read
// neighbouring weights and write neighbouring outputs. Global size: (COUT, OW, N * OH).
// The geometry is passed as arguments, so one build serves every shape.
//
// Defines: HAS_BIAS, RESIDUAL (conv_common.cl), ACT and its parameters (common/activation.cl), STORE_HALF
// (x, y and res stored as half; common/vector.cl).

__kernel void conv2d_general(__global const ACT_T* restrict x, __global const float* restrict w,
                             __global ACT_T* y,
                             const int H, const int W, const int CIN, const int OH, const int OW, const int COUT,
                             const int KH, const int KW, const int SH, const int SW, const int DH, const int DW,
                             const int PT, const int PL, const int CING, const int COUTG
                             BIAS_PARAM RES_PARAM)
{
    const int oc = get_global_id(0);
    const int ow = get_global_id(1);
    const int row = get_global_id(2);       // n * OH + oh
    if (oc >= COUT || ow >= OW) {
        return;     // the host may round the global size up
    }
    const int n = row / OH;
    const int oh = row - n * OH;
    const int ci0 = (oc / COUTG) * CING;

    float acc = 0.0f;
    for (int kh = 0; kh < KH; ++kh) {
        const int ih = oh * SH - PT + kh * DH;
        if (ih < 0 || ih >= H) {
            continue;
        }
        for (int kw = 0; kw < KW; ++kw) {
            const int iw = ow * SW - PL + kw * DW;
            if (iw < 0 || iw >= W) {
                continue;
            }
            __global const ACT_T* xp = x + ((size_t)(n * H + ih) * W + iw) * CIN + ci0;
            __global const float* wp = w + (size_t)(kh * KW + kw) * CING * COUT + oc;
            for (int ci = 0; ci < CING; ++ci) {
                acc = fma(ACT_LOAD(xp, ci), wp[(size_t)ci * COUT], acc);
            }
        }
    }
    const size_t out = (size_t)row * OW * COUT + (size_t)ow * COUT + oc;
    ACT_STORE(EPILOGUE(acc, BIAS_AT(oc), RES_AT(out)), out, y);
}
