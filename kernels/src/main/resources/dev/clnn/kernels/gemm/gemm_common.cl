// The two seams of the GEMM kernel family (gemm_general.cl, gemm_cpu.cl, gemm_tiled.cl, gemm_splitk.cl):
// how A and B are loaded, and what the epilogue does with each element of the product. The host
// prepends this file after common/activation.cl and conv/conv_common.cl, whose epilogue it reuses.
//
//     C = epilogue(op(A) * op(B))        op(A) is M x K, op(B) is K x N, C is M x N, row-major fp32
//
// Operands. A kernel reads an operand either where it lies (strided: an element offset offa / offb and
// a leading dimension lda / ldb, the distance between two rows as stored, optionally transposed; the
// kernel checks bounds), or from the zero-padded panels gemm_pack.cl writes (packed: float loads with
// no bounds checks, the panel layout given by each kernel). The general and split-K kernels read both
// operands strided; the CPU and tiled kernels read B packed and A either way (A_PACKED).
//
// Epilogue, applied as C is stored:
//   FUSED == 0:  C = alpha * acc + beta * C   (C is not read when beta == 0, so NaN or garbage in C
//                does not survive); the kernels take alpha and beta as their last arguments
//   FUSED == 1:  C = EPILOGUE(acc, bias[j], res) of conv_common.cl: a bias per column (HAS_BIAS), the
//                activation ACT (common/activation.cl) and a residual add (RESIDUAL) with res laid out
//                like C (offset offc, leading dimension ldc); bias and res are the last arguments
//
// Defines:
//   TRANS_A    1 when op(A) = A^T (A is stored K x M), else 0; strided A only
//   TRANS_B    1 when op(B) = B^T (B is stored N x K), else 0; strided B only
//   A_PACKED   1: A comes packed (gemm_cpu.cl, gemm_tiled.cl); 0: A is strided
//   FUSED      0: alpha/beta epilogue; 1: bias + activation + residual
//   HAS_BIAS, RESIDUAL (conv_common.cl), ACT and its parameters (common/activation.cl): FUSED == 1 only
//
// Gives: A_AT(i, k), B_AT(k, j) (strided elements, from the arguments a, lda, b, ldb once a and b
// point at the operands' first elements); A_ROW(i) and A_K(k) (row i of op(A) as a pointer, element k
// of it at A_ROW(i)[A_K(k)]);
// EPILOGUE_PARAMS (the epilogue's kernel parameters), C_RESTRICT, SCALE(v) (alpha * v, or v when
// FUSED) and STORE_C(at, j, v) (stores element at of C, in column j, given v = SCALE(sum)).

#ifndef TRANS_A
#define TRANS_A 0       // A stored transposed
#endif
#ifndef TRANS_B
#define TRANS_B 0       // B stored transposed
#endif
#ifndef A_PACKED
#define A_PACKED 0      // A packed by gemm_pack.cl instead of strided
#endif
#ifndef FUSED
#define FUSED 0         // bias + activation + residual instead of alpha/beta
#endif

// The kernels add offa and offb to a and b once, on entry, so that no load adds them again.
#if TRANS_A
#define A_AT(i, k) a[(size_t)(k) * lda + (i)]
#define A_ROW(i) (a + (i))
#define A_K(k) ((size_t)(k) * lda)
#else
#define A_AT(i, k) a[(size_t)(i) * lda + (k)]
#define A_ROW(i) (a + (size_t)(i) * lda)
#define A_K(k) (k)
#endif
#if TRANS_B
#define B_AT(k, j) b[(size_t)(j) * ldb + (k)]
#else
#define B_AT(k, j) b[(size_t)(k) * ldb + (j)]
#endif

#if FUSED
#define EPILOGUE_PARAMS BIAS_PARAM RES_PARAM
// NOTE: C is not restrict here: res may be C itself (y = conv(x) + y), which is safe because every
// element is read and then written by the same work-item.
#define C_RESTRICT
#define SCALE(v) (v)
// Stores element at of C, in column j; v is SCALE(the sum).
#define STORE_C(at, j, v) c[at] = EPILOGUE((v), BIAS_AT(j), RES_AT(at))
#else
#if HAS_BIAS || RESIDUAL || ACT
#error "HAS_BIAS, RESIDUAL and ACT need FUSED == 1"
#endif
#define EPILOGUE_PARAMS , const float alpha, const float beta
#define C_RESTRICT restrict
#define SCALE(v) (alpha * (v))
#define STORE_C(at, j, v) c[at] = beta == 0.0f ? (v) : fma(beta, c[at], (v))
#endif
