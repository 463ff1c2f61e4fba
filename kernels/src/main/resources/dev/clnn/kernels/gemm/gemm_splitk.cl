// Split-K matrix product, for products whose result is too small to fill a GPU with tiles but whose
// depth K is large: a dense layer at a small batch (1 x 21632 x 128), or the first dense layer of a
// CNN in training (32 x 21632 x 128).
//
//     C = epilogue(op(A) * op(B))        op(X) = X or X^T; epilogue: alpha/beta, or bias + activation + residual
//
// A and B are read where they lie (gemm_common.cl: element offsets, leading dimensions; A may be the
// implicit im2col matrix of a convolution's input). K is cut
// into S = ceil(K / KS) slices. gemm_splitk_partial gives every (column j, block of MT rows, slice)
// a work-item, which sums its slice for MT rows of column j into part (S, M, N): each element of
// op(B) it loads feeds MT multiply-adds, and neighbouring work-items read neighbouring elements of a
// row of op(B) (coalesced when B is not transposed). Rows past M are clamped to row M - 1 (read,
// computed, never stored), so nothing outside A is read. gemm_splitk_reduce (gemm_common.cl, SPLIT_REDUCE)
// adds the S partial sums of an element in order and applies the epilogue.
//
// Work-items: partial (N, ceil(M / MT), S) and reduce (N, M), each rounded up to the work-group;
// items past the edges return.
//
// Defines:
//   KS     slice of K per work-item
//   MT     rows of C per work-item of gemm_splitk_partial
//   TRANS_A, TRANS_B, A_IM2COL, A_NORM, FUSED, STORE_HALF and the epilogue's (gemm_common.cl)

#ifndef KS
#define KS 256      // slice of K per work-item
#endif
#ifndef MT
#define MT 1        // rows per work-item
#endif

#if A_IM2COL
#define A_VALUE(r, k) A_ELEMENT(ir[r], k)       // ir: a work-item's rows, clamped to M - 1
#elif A_NORM
#define A_VALUE(r, k) NORM_ACTIVATE(fma(ACT_LOAD(ar[r], k), norm[k], norm[K + (k)]))
#else
#define A_VALUE(r, k) ACT_LOAD(ar[r], A_K(k))     // ar: a work-item's rows, clamped, as pointers
#endif

__kernel void gemm_splitk_partial(const int M, const int N, const int K,
                                  __global const ACT_T* restrict a, const int offa, const int lda,
                                  __global const float* restrict b, const int offb, const int ldb,
                                  __global float* restrict part
                                  IM2COL_PARAMS NORM_PARAMS)
{
    const int j = get_global_id(0);
    const int i0 = get_global_id(1) * MT;
    const int s = get_global_id(2);
    if (i0 >= M || j >= N) {
        return;
    }
    a += OFFSET(offa);
    b += OFFSET(offb);
#if A_IM2COL
    int ir[MT];
#else
    __global const ACT_T* ar[MT];
#endif
    float acc[MT];
    #pragma unroll
    for (int r = 0; r < MT; ++r) {
#if A_IM2COL
        ir[r] = min(i0 + r, M - 1);
#else
        ar[r] = A_ROW(min(i0 + r, M - 1));
#endif
        acc[r] = 0.0f;
    }
    const int k1 = min(K, (s + 1) * KS);
    for (int k = s * KS; k < k1; ++k) {
        const float bv = B_AT(k, j);
        #pragma unroll
        for (int r = 0; r < MT; ++r) {
            acc[r] = fma(A_VALUE(r, k), bv, acc[r]);
        }
    }
    #pragma unroll
    for (int r = 0; r < MT; ++r) {
        if (i0 + r < M) {
            part[((size_t)s * M + i0 + r) * N + j] = acc[r];
        }
    }
}
