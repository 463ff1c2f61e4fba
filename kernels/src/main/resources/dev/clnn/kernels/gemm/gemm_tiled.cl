// Two-level tiled GEMM for GPUs:  C = alpha * op(A) * op(B) + beta * C.
//
// Inputs are packed by gemm_pack.cl into one zero-padded panel each (see gemm_general.cl for
// the row-major conventions):
//   ap: Kpad x Mpad floats, m contiguous   (op(A) transposed)
//   bp: Kpad x Npad floats, n contiguous   (op(B) as is)
// with Mpad % TM == 0, Npad % TN == 0 and Kpad % TK == 0, so tile loads need no bounds checks.
// C is row-major with element offset offc and leading dimension ldc; it is read only when
// beta != 0, and only its M x N elements are written.
//
// A work-group computes a TM x TN tile of C. Each step stages a TK-deep slice of A and B in
// local memory (float4 loads, coalesced along m and n); each work-item then computes a WM x WN
// register tile from float4 reads of local memory. The next slice is fetched into registers
// while the current one is used, hiding global-memory latency behind arithmetic.
// A work-item's rows are m0 + g*4*TY + ty*4 + {0..3} for g < WM/4 (columns likewise), so the
// float4 reads of a warp fall on neighbouring addresses and the C stores on neighbouring lines.
//
// Work-group size: (TN / WN, TM / WM). Global size: (Npad / WN, Mpad / WM).
//
// Defines:
//   TM, TN   tile of C per work-group (multiples of 4 * work-group size in that dimension)
//   TK       depth of the slice staged in local memory per step
//   WM, WN   register tile per work-item (multiples of 4)

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
#define LA (TK * TM / 4 / THREADS)  // float4 loads of A per work-item per step
#define LB (TK * TN / 4 / THREADS)  // float4 loads of B per work-item per step

#if (TK * TM / 4) % THREADS != 0 || (TK * TN / 4) % THREADS != 0 || WM % 4 != 0 || WN % 4 != 0
#error "tile parameters do not divide evenly"
#endif

#define FMA4(acc, s, b) acc = fma((float4)(s), b, acc)

__kernel __attribute__((reqd_work_group_size(TX, TY, 1)))
void gemm_tiled(const int M, const int N, const int Kpad, const int Mpad, const int Npad, const float alpha,
                __global const float4* restrict ap, __global const float4* restrict bp,
                const float beta, __global float* restrict c, const int offc, const int ldc)
{
    __local float4 as[TK][TM / 4];
    __local float4 bs[TK][TN / 4];

    const int tx = get_local_id(0);
    const int ty = get_local_id(1);
    const int tid = ty * TX + tx;
    const int m0 = get_group_id(1) * TM;
    const int n0 = get_group_id(0) * TN;
    const int mrow = Mpad / 4;      // float4s per row of ap
    const int nrow = Npad / 4;

    float4 acc[WM][GN];
    #pragma unroll
    for (int i = 0; i < WM; ++i) {
        #pragma unroll
        for (int h = 0; h < GN; ++h) {
            acc[i][h] = (float4)(0.0f);
        }
    }

    float4 ra[LA];
    float4 rb[LB];
    #pragma unroll
    for (int l = 0; l < LA; ++l) {
        const int f = tid + l * THREADS;
        ra[l] = ap[(f / (TM / 4)) * mrow + m0 / 4 + f % (TM / 4)];
    }
    #pragma unroll
    for (int l = 0; l < LB; ++l) {
        const int f = tid + l * THREADS;
        rb[l] = bp[(f / (TN / 4)) * nrow + n0 / 4 + f % (TN / 4)];
    }

    for (int k0 = 0; k0 < Kpad; k0 += TK) {
        barrier(CLK_LOCAL_MEM_FENCE);       // everyone is done reading the previous slice
        #pragma unroll
        for (int l = 0; l < LA; ++l) {
            const int f = tid + l * THREADS;
            as[f / (TM / 4)][f % (TM / 4)] = ra[l];
        }
        #pragma unroll
        for (int l = 0; l < LB; ++l) {
            const int f = tid + l * THREADS;
            bs[f / (TN / 4)][f % (TN / 4)] = rb[l];
        }
        barrier(CLK_LOCAL_MEM_FENCE);

        if (k0 + TK < Kpad) {
            const size_t next = (size_t)(k0 + TK);
            #pragma unroll
            for (int l = 0; l < LA; ++l) {
                const int f = tid + l * THREADS;
                ra[l] = ap[(next + f / (TM / 4)) * mrow + m0 / 4 + f % (TM / 4)];
            }
            #pragma unroll
            for (int l = 0; l < LB; ++l) {
                const int f = tid + l * THREADS;
                rb[l] = bp[(next + f / (TN / 4)) * nrow + n0 / 4 + f % (TN / 4)];
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
                const float4 a = as[kk][g * TY + ty];
                #pragma unroll
                for (int h = 0; h < GN; ++h) {
                    FMA4(acc[g * 4 + 0][h], a.x, b[h]);
                    FMA4(acc[g * 4 + 1][h], a.y, b[h]);
                    FMA4(acc[g * 4 + 2][h], a.z, b[h]);
                    FMA4(acc[g * 4 + 3][h], a.w, b[h]);
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
                __global float* row = c + offc + (size_t)m * ldc;
                #pragma unroll
                for (int h = 0; h < GN; ++h) {
                    const int n = n0 + h * 4 * TX + tx * 4;
                    const float4 v = alpha * acc[g * 4 + e][h];
                    const float vs[4] = {v.x, v.y, v.z, v.w};
                    #pragma unroll
                    for (int t = 0; t < 4; ++t) {
                        if (n + t < N) {
                            row[n + t] = beta == 0.0f ? vs[t] : fma(beta, row[n + t], vs[t]);
                        }
                    }
                }
            }
        }
    }
}
