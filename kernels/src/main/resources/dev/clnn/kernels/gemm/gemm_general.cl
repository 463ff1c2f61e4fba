// General matrix multiply, always correct, any sizes, strides and offsets:
//
//     C = alpha * op(A) * op(B) + beta * C        op(X) = X or X^T
//
// Row-major fp32. op(A) is M x K, op(B) is K x N, C is M x N. A, B and C are addressed through
// an element offset and a leading dimension (the distance between two rows as stored). When
// beta == 0, C is written without being read, so NaN or garbage in C does not survive.
//
// One work-item computes one element of C: dimension 0 runs along a row of C (unit stride, so
// neighbouring work-items touch neighbouring addresses), dimension 1 along a column. Used for
// small problems and as the fallback on devices no faster variant is tuned for.
//
// Defines: TRANS_A, TRANS_B (gemm_operands.cl, which the host prepends and which gives A_AT, B_AT)

__kernel void gemm_general(const int M, const int N, const int K, const float alpha,
                           __global const float* restrict a, const int offa, const int lda,
                           __global const float* restrict b, const int offb, const int ldb,
                           const float beta,
                           __global float* restrict c, const int offc, const int ldc)
{
    const int j = get_global_id(0);
    const int i = get_global_id(1);
    if (i >= M || j >= N) {
        return;     // the global size is rounded up to the work-group size
    }
    float sum = 0.0f;
    for (int k = 0; k < K; ++k) {
        sum = fma(A_AT(i, k), B_AT(k, j), sum);
    }
    __global float* out = c + offc + (size_t)i * ldc + j;
    *out = beta == 0.0f ? alpha * sum : fma(alpha, sum, beta * *out);
}
