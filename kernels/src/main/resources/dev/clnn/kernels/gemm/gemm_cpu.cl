// Blocked matrix product for CPU devices (PoCL and the like), the CPU form of the GEMM family:
//
//     C = epilogue(op(A) * B)        epilogue: alpha/beta, or bias + activation + residual (gemm_common.cl)
//
// Operands (row-major fp32 logic as in gemm_common.cl):
//   A  A_PACKED == 1: ceil(M / MR) panels of K x MR floats, k-major (gemm_pack.cl; panel p holds rows
//                     p*MR .. p*MR+MR-1, zero past M); offa and lda are not used
//      A_PACKED == 0: strided (offa, lda, TRANS_A), as pointwise convolutions and dense layers pass
//                     their activations: never copied. The MR rows are MR unit-stride streams (MR
//                     neighbouring floats per k when transposed), which a CPU's caches and prefetchers
//                     follow as well as a packed panel, and skipping the packing saves a pass over A.
//                     Rows past M are clamped to row M - 1 (read, computed, never stored). Or,
//                     A_IM2COL, the implicit im2col matrix of a convolution's NHWC input.
//   B  ceil(N / NR) panels of K x NR floats, k-major, zero past N (gemm_pack.cl; panel q holds columns
//      q*NR .. q*NR+NR-1); offb and ldb are not used
//   C  row-major from element offset offc with leading dimension ldc (FUSED: dense from element 0);
//      only its M x N elements are written
//
// One work-item computes an MR x NR block of C held in registers: MR rows of NV vectors of VW
// floats. Per k it loads NV vectors of B and broadcasts MR scalars of A, so every load feeds MR (or
// NV) fused multiply-adds. No local memory and no barriers: on a CPU those are emulated and only
// cost time; the explicit vector types map straight onto SIMD registers.
//
// Global size: (ceil(N / NR), ceil(M / MR)); any work-group size.
//
// Defines:
//   MR   rows of C per work-item (register block height)
//   VW   vector width in floats (conv_common.cl): 4, 8 or 16
//   NV   vectors per row of the block, so NR = NV * VW columns per work-item
//   A_PACKED, TRANS_A, A_IM2COL, FUSED and the epilogue's (gemm_common.cl)

#ifndef MR
#define MR 8        // rows per work-item
#endif
#ifndef NV
#define NV 2        // vectors per block row
#endif
#define NR (NV * VW)

#if A_PACKED
#define A_VALUE(r, k) ap[r]             // the current k-row of the panel; ap advances by MR per k
#elif A_IM2COL
#define A_VALUE(r, k) A_ELEMENT(ir[r], k)
#else
#define A_VALUE(r, k) ar[r][A_K(k)]
#endif

__kernel void gemm_cpu(const int M, const int N, const int K,
                       __global const float* restrict a, const int offa, const int lda,
                       __global const float* restrict bp, const int offb, const int ldb,
                       __global float* C_RESTRICT c, const int offc, const int ldc
                       IM2COL_PARAMS EPILOGUE_PARAMS)
{
    const int q = get_global_id(0);     // column panel
    const int p = get_global_id(1);     // row panel
    const int i0 = p * MR;
    const int j0 = q * NR;
    if (i0 >= M || j0 >= N) {
        return;
    }
#if A_PACKED
    __global const float* ap = a + (size_t)p * K * MR;
#elif A_IM2COL
    a += OFFSET(offa);
    int ir[MR];         // the rows, clamped
    #pragma unroll
    for (int r = 0; r < MR; ++r) {
        ir[r] = min(i0 + r, M - 1);
    }
#else
    a += OFFSET(offa);
    __global const float* ar[MR];
    #pragma unroll
    for (int r = 0; r < MR; ++r) {
        ar[r] = A_ROW(min(i0 + r, M - 1));
    }
#endif
    __global const float* b = bp + (size_t)q * K * NR;

    floatv acc[MR][NV];
    #pragma unroll
    for (int r = 0; r < MR; ++r) {
        #pragma unroll
        for (int v = 0; v < NV; ++v) {
            acc[r][v] = (floatv)(0.0f);
        }
    }

    for (int k = 0; k < K; ++k) {
        floatv bv[NV];
        #pragma unroll
        for (int v = 0; v < NV; ++v) {
            bv[v] = VLOAD(v, b);
        }
        #pragma unroll
        for (int r = 0; r < MR; ++r) {
            const floatv av = (floatv)(A_VALUE(r, k));
            #pragma unroll
            for (int v = 0; v < NV; ++v) {
                acc[r][v] = fma(av, bv[v], acc[r][v]);
            }
        }
#if A_PACKED
        ap += MR;
#endif
        b += NR;
    }

#if FUSED
    floatv bias_v[NV];
    #pragma unroll
    for (int v = 0; v < NV; ++v) {
        bias_v[v] = BIAS_VEC(j0 + v * VW, N - j0 - v * VW);
    }
#else
    const bool full = i0 + MR <= M && j0 + NR <= N;
#endif
    #pragma unroll
    for (int r = 0; r < MR; ++r) {
        if (i0 + r >= M) {
            break;
        }
        const size_t at = OFFSET(offc) + (size_t)(i0 + r) * LDC;      // C's row i0 + r
#if !FUSED
        __global float* row = c + at + j0;
#endif
        #pragma unroll
        for (int v = 0; v < NV; ++v) {
#if FUSED
            const int j = j0 + v * VW;
            if (j < N) {
                const floatv val = EPILOGUE(acc[r][v], bias_v[v], RES_VEC(res + at + j, N - j));
                store_vec(val, c + at + j, N - j);
            }
#else
            floatv val = alpha * acc[r][v];
            if (full) {
                if (beta != 0.0f) {
                    val = fma((floatv)(beta), VLOAD(v, row), val);
                }
                VSTORE(val, v, row);
            } else {
                // NOTE: an edge block; element-wise stores so nothing outside C is touched.
                float tmp[VW];
                VSTORE(val, 0, tmp);
                for (int e = 0; e < VW; ++e) {
                    const int j = v * VW + e;
                    if (j0 + j < N) {
                        row[j] = beta == 0.0f ? tmp[e] : fma(beta, row[j], tmp[e]);
                    }
                }
            }
#endif
        }
    }
}
