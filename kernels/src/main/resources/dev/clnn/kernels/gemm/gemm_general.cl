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
// Defines:
//   TRANS_A   1 when op(A) = A^T (A is stored K x M), else 0
//   TRANS_B   1 when op(B) = B^T (B is stored N x K), else 0

#ifndef TRANS_A
#define TRANS_A 0   // A stored transposed
#endif
#ifndef TRANS_B
#define TRANS_B 0   // B stored transposed
#endif

#if TRANS_A
#define A_AT(i, k) a[offa + (size_t)(k) * lda + (i)]
#else
#define A_AT(i, k) a[offa + (size_t)(i) * lda + (k)]
#endif
#if TRANS_B
#define B_AT(k, j) b[offb + (size_t)(j) * ldb + (k)]
#else
#define B_AT(k, j) b[offb + (size_t)(k) * ldb + (j)]
#endif

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
