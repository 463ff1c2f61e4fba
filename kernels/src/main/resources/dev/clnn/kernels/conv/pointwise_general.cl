// Pointwise (1x1, stride 1, unpadded, ungrouped) convolution and dense layer, always correct:
// a matrix product with the fused epilogue of conv_common.cl.
//
//     y[m, j] = EPILOGUE( sum_k a[m, k] * w[k, j] )        m < M, j < N, k < K
//
// In NHWC a pointwise convolution of x (Nb, H, W, CIN) is exactly this with M = Nb * H * W,
// K = CIN, N = COUT; a dense layer is it with M = batch.
//
// Layouts (row-major):
//   a    (M, K)     activations (NHWC viewed as rows of channels)
//   w    (K, N)     weights: HWIO (1, 1, CIN, COUT), or the dense (in, out) matrix
//   bias (N), y and res (M, N)
//
// One work-item per output element, dimension 0 along j (unit stride in w and y).
// Global size: (N, M), possibly rounded up.
//
// Defines: HAS_BIAS, RESIDUAL (conv_common.cl), ACT and its parameters (common/activation.cl).

__kernel void pointwise_general(const int M, const int N, const int K,
                                __global const float* restrict a, __global const float* restrict w,
                                __global float* y
                                BIAS_PARAM RES_PARAM)
{
    const int j = get_global_id(0);
    const int m = get_global_id(1);
    if (j >= N || m >= M) {
        return;     // the host may round the global size up
    }
    __global const float* ar = a + (size_t)m * K;
    float acc = 0.0f;
    for (int k = 0; k < K; ++k) {
        acc = fma(ar[k], w[(size_t)k * N + j], acc);
    }
    const size_t out = (size_t)m * N + j;
    y[out] = EPILOGUE(acc, BIAS_AT(j), RES_AT(out));
}
