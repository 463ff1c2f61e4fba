// Blocked GEMM for CPU devices (PoCL and the like):  C = alpha * op(A) * op(B) + beta * C.
//
// Inputs are packed by gemm_pack.cl into panels (row-major fp32 logic, see gemm_general.cl):
//   ap: ceil(M / MR) panels of K x MR floats, k-major  (panel p holds rows p*MR .. p*MR+MR-1)
//   bp: ceil(N / NR) panels of K x NR floats, k-major  (panel q holds columns q*NR .. q*NR+NR-1)
// Padding rows and columns are zero. C is row-major with element offset offc and leading
// dimension ldc; it is read only when beta != 0.
//
// One work-item computes an MR x NR block of C held in registers: MR rows of NV vectors of
// VW floats. Per k it loads NV vectors of B and broadcasts MR scalars of A, so every load feeds
// MR (or NV) fused multiply-adds. No local memory and no barriers: on a CPU those are emulated
// and only cost time; the explicit vector types map straight onto SIMD registers.
//
// Global size: (ceil(N / NR), ceil(M / MR)); any work-group size.
//
// Defines:
//   MR   rows of C per work-item (register block height)
//   VW   vector width in floats: 4, 8 or 16
//   NV   vectors per row of the block, so NR = NV * VW columns per work-item

#ifndef MR
#define MR 8        // rows per work-item
#endif
#ifndef VW
#define VW 16       // SIMD width in floats
#endif
#ifndef NV
#define NV 2        // vectors per block row
#endif
#define NR (NV * VW)

#if VW == 16
typedef float16 floatv;
#define VLOAD vload16
#define VSTORE vstore16
#elif VW == 8
typedef float8 floatv;
#define VLOAD vload8
#define VSTORE vstore8
#elif VW == 4
typedef float4 floatv;
#define VLOAD vload4
#define VSTORE vstore4
#else
#error "VW must be 4, 8 or 16"
#endif

__kernel void gemm_cpu(const int M, const int N, const int K, const float alpha,
                       __global const float* restrict ap, __global const float* restrict bp,
                       const float beta, __global float* restrict c, const int offc, const int ldc)
{
    const int q = get_global_id(0);     // column panel
    const int p = get_global_id(1);     // row panel
    const int i0 = p * MR;
    const int j0 = q * NR;
    if (i0 >= M || j0 >= N) {
        return;
    }
    __global const float* a = ap + (size_t)p * K * MR;
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
            const floatv av = (floatv)(a[r]);
            #pragma unroll
            for (int v = 0; v < NV; ++v) {
                acc[r][v] = fma(av, bv[v], acc[r][v]);
            }
        }
        a += MR;
        b += NR;
    }

    const bool full = i0 + MR <= M && j0 + NR <= N;
    #pragma unroll
    for (int r = 0; r < MR; ++r) {
        if (i0 + r >= M) {
            break;
        }
        __global float* row = c + offc + (size_t)(i0 + r) * ldc + j0;
        #pragma unroll
        for (int v = 0; v < NV; ++v) {
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
        }
    }
}
