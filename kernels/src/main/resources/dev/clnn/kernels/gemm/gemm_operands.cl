// Shared by the GEMM kernels that read A and B where they lie, unpacked (gemm_general.cl,
// gemm_splitk.cl); the host prepends it. op(A) is M x K and op(B) is K x N; each operand is
// addressed through an element offset (offa, offb) and a leading dimension (lda, ldb: the
// distance between two rows as stored), which the kernels take as arguments of those names.
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
