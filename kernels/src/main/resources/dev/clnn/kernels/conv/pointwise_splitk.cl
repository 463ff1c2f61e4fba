// Split-K matrix product for thin results: a dense layer (or a pointwise convolution) at a small
// batch, with the fused epilogue of conv_common.cl.
//
//     y[m, j] = EPILOGUE( sum_k a[m, k] * w[k, j] )        m < MT, j < N, k < K
//
// With only MT <= 8 rows a tiled kernel has N / TN work-groups, each walking all of K alone: a
// 1 x 21632 x 128 dense layer keeps four work-groups of a 132-unit GPU busy. Here K is cut into
// S = ceil(K / KS) slices and every (column, slice) pair is a work-item, so the weights, which
// dominate the traffic, are read once by thousands of work-items in parallel; neighbouring
// work-items read neighbouring columns of a row of w (coalesced). splitk_partial writes one partial
// sum per slice, row and column; splitk_reduce adds the slices in order and applies the epilogue.
//
// Layouts (row-major): a (MT, K), w (K, N) as given (not packed), part (S, MT, N),
// bias (N), y and res (MT, N).
//
// Work-items: splitk_partial (N rounded up to the work-group, S); splitk_reduce (N rounded up, MT).
// Items past N return.
//
// Defines:
//   MT   rows of the result (1..8)
//   KS   slice of K per work-item
//   HAS_BIAS, RESIDUAL (conv_common.cl), ACT and its parameters (common/activation.cl)

#ifndef MT
#define MT 1        // rows of the result
#endif
#ifndef KS
#define KS 64       // slice of K per work-item
#endif

__kernel void splitk_partial(const int N, const int K,
                             __global const float* restrict a, __global const float* restrict w,
                             __global float* restrict part)
{
    const int j = get_global_id(0);
    const int s = get_global_id(1);
    if (j >= N) {
        return;
    }
    const int k0 = s * KS;
    const int k1 = min(K, k0 + KS);
    float acc[MT];
    #pragma unroll
    for (int m = 0; m < MT; ++m) {
        acc[m] = 0.0f;
    }
    for (int k = k0; k < k1; ++k) {
        const float wv = w[(size_t)k * N + j];
        #pragma unroll
        for (int m = 0; m < MT; ++m) {
            acc[m] = fma(a[(size_t)m * K + k], wv, acc[m]);
        }
    }
    #pragma unroll
    for (int m = 0; m < MT; ++m) {
        part[((size_t)s * MT + m) * N + j] = acc[m];
    }
}

__kernel void splitk_reduce(const int N, const int S, __global const float* restrict part,
                            __global float* y
                            BIAS_PARAM RES_PARAM)
{
    const int j = get_global_id(0);
    const int m = get_global_id(1);
    if (j >= N) {
        return;
    }
    float sum = 0.0f;
    for (int s = 0; s < S; ++s) {
        sum += part[((size_t)s * MT + m) * N + j];
    }
    const size_t out = (size_t)m * N + j;
    y[out] = EPILOGUE(sum, BIAS_AT(j), RES_AT(out));
}
