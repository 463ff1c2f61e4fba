// Split-K matrix multiply for products whose result is too small to fill a GPU with tiles but
// whose depth K is large, as the first dense layer of a CNN in training (32 x 21632 x 128):
//
//     C = alpha * op(A) * op(B) + beta * C        op(X) = X or X^T
//
// Addressing as in gemm_general.cl (row-major fp32, element offsets, leading dimensions). K is cut
// into S = ceil(K / KS) slices; gemm_splitk_partial gives every (element of C, slice) pair a
// work-item, which sums its slice into part (S, M, N); gemm_splitk_reduce adds the S partial sums
// of an element in order and applies alpha and beta (C is not read when beta == 0, so NaN or
// garbage in C does not survive). Dimension 0 runs along a row of C, so neighbouring work-items
// read neighbouring elements of a row of op(B) and share the element of op(A).
//
// Work-items: partial (N, M, S) and reduce (N, M), each rounded up to the work-group; items past
// the edges return.
//
// Defines:
//   TRANS_A, TRANS_B  (gemm_operands.cl, which the host prepends and which gives A_AT, B_AT)
//   KS                slice of K per work-item

#ifndef KS
#define KS 256      // slice of K per work-item
#endif

__kernel void gemm_splitk_partial(const int M, const int N, const int K,
                                  __global const float* restrict a, const int offa, const int lda,
                                  __global const float* restrict b, const int offb, const int ldb,
                                  __global float* restrict part)
{
    const int j = get_global_id(0);
    const int i = get_global_id(1);
    const int s = get_global_id(2);
    if (i >= M || j >= N) {
        return;
    }
    const int k1 = min(K, (s + 1) * KS);
    float sum = 0.0f;
    for (int k = s * KS; k < k1; ++k) {
        sum = fma(A_AT(i, k), B_AT(k, j), sum);
    }
    part[((size_t)s * M + i) * N + j] = sum;
}

__kernel void gemm_splitk_reduce(const int M, const int N, const int S, const float alpha,
                                 __global const float* restrict part, const float beta,
                                 __global float* restrict c, const int offc, const int ldc)
{
    const int j = get_global_id(0);
    const int i = get_global_id(1);
    if (i >= M || j >= N) {
        return;
    }
    float sum = 0.0f;
    for (int s = 0; s < S; ++s) {
        sum += part[((size_t)s * M + i) * N + j];
    }
    __global float* out = c + offc + (size_t)i * ldc + j;
    *out = beta == 0.0f ? alpha * sum : fma(alpha, sum, beta * *out);
}
