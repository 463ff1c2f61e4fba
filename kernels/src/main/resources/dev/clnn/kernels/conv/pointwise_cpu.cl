// Pointwise (1x1) convolution and dense layer for CPU devices (PoCL and the like): a blocked
// matrix product with the fused epilogue of conv_common.cl.
//
//     y[m, j] = EPILOGUE( sum_k a[m, k] * w[k, j] )        m < M, j < N, k < K
//
// In NHWC a pointwise convolution of x (Nb, H, W, CIN) is exactly this with M = Nb * H * W,
// K = CIN, N = COUT; a dense layer is it with M = batch.
//
// Layouts:
//   a    (M, K) row-major: the activations as they are, never copied or packed
//   bp   ceil(N / NR) panels of K x NR floats, k-major, zero-padded past N: the weights, packed
//        once at configure time by conv/pack_weights.cl (panel q holds columns q*NR .. q*NR+NR-1)
//   bias (N), y and res (M, N) row-major
//
// One work-item computes an MR x NR block of y in registers, MR rows of NV vectors of VW floats,
// as gemm/gemm_cpu.cl does. A is read straight from the activations: the MR rows are MR
// unit-stride streams, which a CPU's caches and prefetchers follow as well as a packed panel,
// and skipping the packing saves a full pass over the activations per call. Rows past M are
// clamped to row M - 1 (read, computed, never stored), so nothing outside a is read.
// No local memory and no barriers.
//
// Global size: (ceil(N / NR), ceil(M / MR)); any work-group size.
//
// Defines:
//   MR   rows of y per work-item (register block height)
//   VW   vector width in floats (conv_common.cl): 4, 8 or 16
//   NV   vectors per row of the block, so NR = NV * VW columns per work-item
//   HAS_BIAS, RESIDUAL (conv_common.cl), ACT and its parameters (common/activation.cl)

#ifndef MR
#define MR 8        // rows per work-item
#endif
#ifndef NV
#define NV 2        // vectors per block row
#endif
#define NR (NV * VW)

__kernel void pointwise_cpu(const int M, const int N, const int K,
                            __global const float* restrict a, __global const float* restrict bp,
                            __global float* y
                            BIAS_PARAM RES_PARAM)
{
    const int q = get_global_id(0);     // column panel
    const int p = get_global_id(1);     // row block
    const int i0 = p * MR;
    const int j0 = q * NR;
    if (i0 >= M || j0 >= N) {
        return;
    }
    __global const float* b = bp + (size_t)q * K * NR;
    __global const float* ar[MR];
    #pragma unroll
    for (int r = 0; r < MR; ++r) {
        ar[r] = a + (size_t)min(i0 + r, M - 1) * K;
    }

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
            const floatv av = (floatv)(ar[r][k]);
            #pragma unroll
            for (int v = 0; v < NV; ++v) {
                acc[r][v] = fma(av, bv[v], acc[r][v]);
            }
        }
        b += NR;
    }

    floatv bias_v[NV];
    #pragma unroll
    for (int v = 0; v < NV; ++v) {
        bias_v[v] = BIAS_VEC(j0 + v * VW, N - j0 - v * VW);
    }
    #pragma unroll
    for (int r = 0; r < MR; ++r) {
        if (i0 + r >= M) {
            break;
        }
        const size_t row = (size_t)(i0 + r) * N;
        #pragma unroll
        for (int v = 0; v < NV; ++v) {
            const int j = j0 + v * VW;
            if (j < N) {
                const floatv val = EPILOGUE(acc[r][v], bias_v[v], RES_VEC(res + row + j, N - j));
                store_vec(val, y + row + j, N - j);
            }
        }
    }
}
