// Pointwise (1x1) convolution and dense layer for GPUs: a two-level tiled matrix product (as
// gemm/gemm_tiled.cl) with the fused epilogue of conv_common.cl.
//
//     y[m, j] = EPILOGUE( sum_k a[m, k] * w[k, j] )        m < M, j < N, k < K
//
// In NHWC a pointwise convolution of x (Nb, H, W, CIN) is exactly this with M = Nb * H * W,
// K = CIN, N = COUT; a dense layer is it with M = batch.
//
// Layouts:
//   a    (M, K) row-major: the activations as they are, never packed; tile loads are
//        bounds-checked and read zero past M and K
//   bp   KPAD x NPAD floats, n contiguous, zero-padded (KPAD % TK == 0, NPAD % TN == 0): the
//        weights, packed once at configure time by conv/pack_weights.cl
//   bias (N), y and res (M, N) row-major
//
// A work-group computes a TM x TN tile of y. Each step stages a TK-deep slice of A (loaded
// along k, so neighbouring work-items read neighbouring addresses of a row) and of B (float4
// loads along n) in local memory; each work-item then computes a WM x WN register tile from
// float4 reads of local memory. The next slice is fetched into registers while the current one
// is used. Work-item (tx, ty) owns rows m0 + g*4*TY + ty*4 + {0..3} (columns likewise).
//
// Work-group size: (TN / WN, TM / WM). Global size: (NPAD / WN, ceil(M / TM) * TM / WM).
//
// Defines:
//   TM, TN   tile of y per work-group
//   TK       depth of the slice staged in local memory per step
//   WM, WN   register tile per work-item (multiples of 4)
//   HAS_BIAS, RESIDUAL (conv_common.cl), ACT and its parameters (common/activation.cl)

#ifndef TM
#define TM 64       // tile rows per work-group
#endif
#ifndef TN
#define TN 64       // tile columns per work-group
#endif
#ifndef TK
#define TK 16       // slice depth per step
#endif
#ifndef WM
#define WM 4        // rows per work-item
#endif
#ifndef WN
#define WN 4        // columns per work-item
#endif

#define TY (TM / WM)            // work-items along m
#define TX (TN / WN)            // work-items along n
#define THREADS (TX * TY)
#define GM (WM / 4)             // float4 groups per work-item along m
#define GN (WN / 4)             // float4 groups per work-item along n
#define LA (TK * TM / THREADS)      // scalar loads of A per work-item per step
#define LB (TK * TN / 4 / THREADS)  // float4 loads of B per work-item per step

#if (TK * TM) % THREADS != 0 || (TK * TN / 4) % THREADS != 0 || WM % 4 != 0 || WN % 4 != 0
#error "tile parameters do not divide evenly"
#endif

#define FMA4(acc, s, b) acc = fma((float4)(s), b, acc)

// Element f of the A slice starting at depth k0: row f / TK, depth f % TK of the tile.
inline float load_a(__global const float* restrict a, const int M, const int K, const int m0, const int k0,
                    const int f)
{
    const int m = m0 + f / TK;
    const int k = k0 + f % TK;
    return m < M && k < K ? a[(size_t)m * K + k] : 0.0f;
}

__kernel __attribute__((reqd_work_group_size(TX, TY, 1)))
void pointwise_tiled(const int M, const int N, const int K, const int KPAD, const int NPAD,
                     __global const float* restrict a, __global const float4* restrict bp,
                     __global float* y
                     BIAS_PARAM RES_PARAM)
{
    __local float as[TK][TM];
    __local float4 bs[TK][TN / 4];

    const int tx = get_local_id(0);
    const int ty = get_local_id(1);
    const int tid = ty * TX + tx;
    const int m0 = get_group_id(1) * TM;
    const int n0 = get_group_id(0) * TN;
    const int nrow = NPAD / 4;      // float4s per row of bp

    float4 acc[WM][GN];
    #pragma unroll
    for (int i = 0; i < WM; ++i) {
        #pragma unroll
        for (int h = 0; h < GN; ++h) {
            acc[i][h] = (float4)(0.0f);
        }
    }

    float ra[LA];
    float4 rb[LB];
    #pragma unroll
    for (int l = 0; l < LA; ++l) {
        ra[l] = load_a(a, M, K, m0, 0, tid + l * THREADS);
    }
    #pragma unroll
    for (int l = 0; l < LB; ++l) {
        const int f = tid + l * THREADS;
        rb[l] = bp[(f / (TN / 4)) * nrow + n0 / 4 + f % (TN / 4)];
    }

    for (int k0 = 0; k0 < KPAD; k0 += TK) {
        barrier(CLK_LOCAL_MEM_FENCE);       // everyone is done reading the previous slice
        #pragma unroll
        for (int l = 0; l < LA; ++l) {
            const int f = tid + l * THREADS;
            as[f % TK][f / TK] = ra[l];
        }
        #pragma unroll
        for (int l = 0; l < LB; ++l) {
            const int f = tid + l * THREADS;
            bs[f / (TN / 4)][f % (TN / 4)] = rb[l];
        }
        barrier(CLK_LOCAL_MEM_FENCE);

        if (k0 + TK < KPAD) {
            const int next = k0 + TK;
            #pragma unroll
            for (int l = 0; l < LA; ++l) {
                ra[l] = load_a(a, M, K, m0, next, tid + l * THREADS);
            }
            #pragma unroll
            for (int l = 0; l < LB; ++l) {
                const int f = tid + l * THREADS;
                rb[l] = bp[(size_t)(next + f / (TN / 4)) * nrow + n0 / 4 + f % (TN / 4)];
            }
        }

        #pragma unroll
        for (int kk = 0; kk < TK; ++kk) {
            float4 b[GN];
            #pragma unroll
            for (int h = 0; h < GN; ++h) {
                b[h] = bs[kk][h * TX + tx];
            }
            #pragma unroll
            for (int g = 0; g < GM; ++g) {
                const float4 av = vload4(g * TY + ty, as[kk]);
                #pragma unroll
                for (int h = 0; h < GN; ++h) {
                    FMA4(acc[g * 4 + 0][h], av.x, b[h]);
                    FMA4(acc[g * 4 + 1][h], av.y, b[h]);
                    FMA4(acc[g * 4 + 2][h], av.z, b[h]);
                    FMA4(acc[g * 4 + 3][h], av.w, b[h]);
                }
            }
        }
    }

    #pragma unroll
    for (int g = 0; g < GM; ++g) {
        #pragma unroll
        for (int e = 0; e < 4; ++e) {
            const int m = m0 + g * 4 * TY + ty * 4 + e;
            if (m < M) {
                const size_t row = (size_t)m * N;
                #pragma unroll
                for (int h = 0; h < GN; ++h) {
                    const int n = n0 + h * 4 * TX + tx * 4;
                    const float vs[4] = {acc[g * 4 + e][h].x, acc[g * 4 + e][h].y,
                                         acc[g * 4 + e][h].z, acc[g * 4 + e][h].w};
                    #pragma unroll
                    for (int t = 0; t < 4; ++t) {
                        if (n + t < N) {
                            y[row + n + t] = EPILOGUE(vs[t], BIAS_AT(n + t), RES_AT(row + n + t));
                        }
                    }
                }
            }
        }
    }
}
