// Winograd convolution F(MT x MT, 3 x 3): a 3x3, stride-1, undilated, ungrouped convolution computed as
// ALPHA x ALPHA independent matrix products (ALPHA = MT + 2) in the transformed domain, which takes
// (MT + 2)^2 / MT^2 multiplies per output and input channel instead of 9 (4 for MT = 2, 2.25 for MT = 4):
//
//     U[xi][ci][oc] = (G g G^T)[xi]         g = w[., ., ci, oc], the 3x3 filter   (winograd_weights, once)
//     V[xi][p][ci]  = (B^T d B)[xi]         d = the ALPHA x ALPHA input patch of tile p   (winograd_input)
//     M[xi]         = V[xi] U[xi]           (P x CIN) by (CIN x COUT): the GEMM family, one product per xi
//     y             = EPILOGUE(A^T M A)     the MT x MT outputs of tile p   (winograd_output)
//
// xi = i * ALPHA + j runs over the ALPHA x ALPHA transformed positions. Tile p = (n * TH + th) * TW + tw
// covers outputs oh = th * MT + {0..MT-1}, ow = tw * MT + {0..MT-1} and reads input rows
// th * MT - PT + {0..ALPHA-1} (columns likewise); taps outside the input read zero. P = N * TH * TW.
//
// Layouts (row-major):
//   x    (N, H, W, CIN)          NHWC activations (ACT_T: floats, or halves with STORE_HALF)
//   w    (3, 3, CIN, COUT)       HWIO weights, floats
//   u    (ALPHA^2, CIN, COUT)    the transformed weights: B of each product, floats
//   v    (ALPHA^2, P, CIN)       the transformed input: A of each product, floats
//   m    (ALPHA^2, P, COUT)      the products, floats, from element OFFM of their buffer
//   y, res (N, OH, OW, COUT)     NHWC activations; bias (COUT)
//
// One work-item per (channel, tile), channels fastest, so that neighbouring work-items read and write
// neighbouring addresses. The transform matrices are compile-time constants; WMAC drops the products by
// 0 and +-1 once the loops are unrolled, so a transform costs about its non-zero entries.
//
// Geometry is passed as arguments, so one build serves every shape. Global size: the item count rounded
// up to whole work-groups (items past the end return at once).
//
// Defines:
//   MT       output tile: 2 (F(2x2, 3x3)) or 4 (F(4x4, 3x3))
//   HAS_BIAS, RESIDUAL (conv_common.cl), ACT and its parameters (common/activation.cl)
//   STORE_HALF  x, y and res stored as half (common/vector.cl)

#ifndef MT
#define MT 4        // outputs per tile along each side
#endif

#define ALPHA (MT + 2)          // transformed tile side
#define TAPS 3                  // filter side

// acc + k * x for a compile-time constant k, without the multiply where k is 0 or +-1
#define WMAC(acc, k, x) ((k) == 0.0f ? (acc) : (k) == 1.0f ? (acc) + (x) : (k) == -1.0f ? (acc) - (x) : fma((k), (x), (acc)))

#if MT == 2
#define BT_ROWS { {1, 0, -1, 0}, {0, 1, 1, 0}, {0, -1, 1, 0}, {0, 1, 0, -1} }
#define G_ROWS { {1, 0, 0}, {0.5f, 0.5f, 0.5f}, {0.5f, -0.5f, 0.5f}, {0, 0, 1} }
#define AT_ROWS { {1, 1, 1, 0}, {0, 1, -1, -1} }
#elif MT == 4
#define BT_ROWS { {4, 0, -5, 0, 1, 0}, {0, -4, -4, 1, 1, 0}, {0, 4, -4, -1, 1, 0}, \
                  {0, -2, -1, 2, 1, 0}, {0, 2, -1, -2, 1, 0}, {0, 4, 0, -5, 0, 1} }
#define G_ROWS { {0.25f, 0, 0}, {-1.0f / 6, -1.0f / 6, -1.0f / 6}, {-1.0f / 6, 1.0f / 6, -1.0f / 6}, \
                 {1.0f / 24, 1.0f / 12, 1.0f / 6}, {1.0f / 24, -1.0f / 12, 1.0f / 6}, {0, 0, 1} }
#define AT_ROWS { {1, 1, 1, 1, 1, 0}, {0, 1, -1, 2, -2, 0}, {0, 1, 1, 4, 4, 0}, {0, 1, -1, 8, -8, 1} }
#else
#error "MT must be 2 or 4"
#endif

// U = G g G^T for one (ci, oc): the filter's nine taps in, ALPHA^2 transformed values out.
// Work-items: CIN * COUT, output channels fastest.
__kernel void winograd_weights(__global const float* restrict w, __global float* restrict u,
                               const int CIN, const int COUT)
{
    const int id = get_global_id(0);
    if (id >= CIN * COUT) {
        return;
    }
    const float g_[ALPHA][TAPS] = G_ROWS;
    float g[TAPS][TAPS];
    #pragma unroll
    for (int kh = 0; kh < TAPS; ++kh) {
        #pragma unroll
        for (int kw = 0; kw < TAPS; ++kw) {
            g[kh][kw] = w[(size_t)(kh * TAPS + kw) * CIN * COUT + id];      // id = ci * COUT + oc
        }
    }
    float t[ALPHA][TAPS];       // G g
    #pragma unroll
    for (int i = 0; i < ALPHA; ++i) {
        #pragma unroll
        for (int j = 0; j < TAPS; ++j) {
            float s = 0.0f;
            #pragma unroll
            for (int k = 0; k < TAPS; ++k) {
                s = WMAC(s, g_[i][k], g[k][j]);
            }
            t[i][j] = s;
        }
    }
    #pragma unroll
    for (int i = 0; i < ALPHA; ++i) {
        #pragma unroll
        for (int j = 0; j < ALPHA; ++j) {
            float s = 0.0f;
            #pragma unroll
            for (int k = 0; k < TAPS; ++k) {
                s = WMAC(s, g_[j][k], t[i][k]);
            }
            u[(size_t)(i * ALPHA + j) * CIN * COUT + id] = s;
        }
    }
}

// V = B^T d B for one (ci, tile). Work-items: P * CIN, channels fastest.
__kernel void winograd_input(__global const ACT_T* restrict x, __global float* restrict v,
                             const int H, const int W, const int CIN, const int TH, const int TW, const int P,
                             const int PT, const int PL)
{
    const int id = get_global_id(0);
    if (id >= P * CIN) {
        return;
    }
    const float bt[ALPHA][ALPHA] = BT_ROWS;
    const int ci = id % CIN;
    const int p = id / CIN;
    const int tw = p % TW;
    const int th = (p / TW) % TH;
    const int n = p / (TW * TH);
    const int ih0 = th * MT - PT;
    const int iw0 = tw * MT - PL;
    float d[ALPHA][ALPHA];
    #pragma unroll
    for (int i = 0; i < ALPHA; ++i) {
        const int ih = ih0 + i;
        #pragma unroll
        for (int j = 0; j < ALPHA; ++j) {
            const int iw = iw0 + j;
            d[i][j] = ih >= 0 && ih < H && iw >= 0 && iw < W
                    ? ACT_LOAD(x, ((size_t)(n * H + ih) * W + iw) * CIN + ci) : 0.0f;
        }
    }
    float t[ALPHA][ALPHA];      // B^T d
    #pragma unroll
    for (int i = 0; i < ALPHA; ++i) {
        #pragma unroll
        for (int j = 0; j < ALPHA; ++j) {
            float s = 0.0f;
            #pragma unroll
            for (int k = 0; k < ALPHA; ++k) {
                s = WMAC(s, bt[i][k], d[k][j]);
            }
            t[i][j] = s;
        }
    }
    #pragma unroll
    for (int i = 0; i < ALPHA; ++i) {
        #pragma unroll
        for (int j = 0; j < ALPHA; ++j) {
            float s = 0.0f;
            #pragma unroll
            for (int k = 0; k < ALPHA; ++k) {
                s = WMAC(s, bt[j][k], t[i][k]);
            }
            v[((size_t)(i * ALPHA + j) * P + p) * CIN + ci] = s;
        }
    }
}

// y = EPILOGUE(A^T M A) for one (oc, tile): the tile's outputs that lie within (OH, OW).
// Work-items: P * COUT, channels fastest.
__kernel void winograd_output(__global const float* restrict m, __global ACT_T* y, const long OFFM,
                              const int OH, const int OW, const int COUT, const int TH, const int TW, const int P
                              BIAS_PARAM RES_PARAM)
{
    const int id = get_global_id(0);
    if (id >= P * COUT) {
        return;
    }
    const float at[MT][ALPHA] = AT_ROWS;
    m += OFFM;
    const int oc = id % COUT;
    const int p = id / COUT;
    const int tw = p % TW;
    const int th = (p / TW) % TH;
    const int n = p / (TW * TH);
    float s[ALPHA][ALPHA];
    #pragma unroll
    for (int xi = 0; xi < ALPHA * ALPHA; ++xi) {
        s[xi / ALPHA][xi % ALPHA] = m[((size_t)xi * P + p) * COUT + oc];
    }
    float t[MT][ALPHA];         // A^T M
    #pragma unroll
    for (int i = 0; i < MT; ++i) {
        #pragma unroll
        for (int j = 0; j < ALPHA; ++j) {
            float a = 0.0f;
            #pragma unroll
            for (int k = 0; k < ALPHA; ++k) {
                a = WMAC(a, at[i][k], s[k][j]);
            }
            t[i][j] = a;
        }
    }
    #pragma unroll
    for (int i = 0; i < MT; ++i) {
        const int oh = th * MT + i;
        #pragma unroll
        for (int j = 0; j < MT; ++j) {
            const int ow = tw * MT + j;
            if (oh < OH && ow < OW) {
                float a = 0.0f;
                #pragma unroll
                for (int k = 0; k < ALPHA; ++k) {
                    a = WMAC(a, at[j][k], t[i][k]);
                }
                const size_t out = ((size_t)(n * OH + oh) * OW + ow) * COUT + oc;
                ACT_STORE(EPILOGUE(a, BIAS_AT(oc), RES_AT(out)), out, y);
            }
        }
    }
}
