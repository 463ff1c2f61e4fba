// General matrix product, the GEMM family's fallback: always correct, any sizes, strides and offsets.
//
//     C = epilogue(op(A) * op(B))        op(X) = X or X^T; epilogue: alpha/beta, or bias + activation + residual
//
// Row-major fp32. op(A) is M x K, op(B) is K x N, C is M x N; all three are read where they lie,
// through an element offset and a leading dimension (gemm_common.cl); A may be the implicit im2col
// matrix of a convolution's input.
//
// One work-item computes one element of C: dimension 0 runs along a row of C (unit stride, so
// neighbouring work-items touch neighbouring addresses), dimension 1 along a column. Used for
// small problems and on devices no faster form is tuned for.
//
// Global size: (N, M), possibly rounded up; items past the edges return.
//
// Defines: TRANS_A, TRANS_B, A_IM2COL, FUSED, STORE_HALF and the epilogue's (gemm_common.cl). A_PACKED does not apply.

__kernel void gemm_general(const int M, const int N, const int K,
                           __global const ACT_T* restrict a, const int offa, const int lda,
                           __global const float* restrict b, const int offb, const int ldb,
                           __global ACT_T* C_RESTRICT c, const int offc, const int ldc
                           IM2COL_PARAMS NORM_PARAMS EPILOGUE_PARAMS)
{
    const int j = get_global_id(0);
    const int i = get_global_id(1);
    if (i >= M || j >= N) {
        return;     // the global size is rounded up to the work-group size
    }
    a += OFFSET(offa);
    b += OFFSET(offb);
    float sum = 0.0f;
    for (int k = 0; k < K; ++k) {
        sum = fma(A_ELEMENT(i, k), B_AT(k, j), sum);
    }
    STORE_C(C_OFFSET(offc) + (size_t)i * LDC + j, j, SCALE(sum));
}
