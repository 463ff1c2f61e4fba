// The two seams of the GEMM kernel family (gemm_general.cl, gemm_cpu.cl, gemm_tiled.cl, gemm_splitk.cl):
// how A and B are loaded, and what the epilogue does with each element of the product. The host
// prepends this file after common/activation.cl and conv/conv_common.cl, whose epilogue it reuses.
//
//     C = epilogue(op(A) * op(B))        op(A) is M x K, op(B) is K x N, C is M x N, row-major fp32
//
// Operands. A kernel reads an operand either where it lies (strided: an element offset offa / offb and
// a leading dimension lda / ldb, the distance between two rows as stored, optionally transposed; the
// kernel checks bounds), or from the zero-padded panels gemm_pack.cl writes (packed: unit-stride loads
// with no bounds checks, the panel layout given by each kernel). The general and split-K kernels read both
// operands strided; the CPU and tiled kernels read B packed and A either way (A_PACKED). Every kernel
// can also read A as the implicit im2col matrix of a convolution's input (A_IM2COL), never formed:
//
//     A(i, k) = x[n, oh * SH - PT + kh * DH, ow * SW - PL + kw * DW, ci]    (zero in the padding)
//     i = (n * OH + oh) * OW + ow,    k = (kh * KW + kw) * CIN + ci
//
// with x (N, H, W, CIN) NHWC, so that with B the HWIO weights viewed as (KH * KW * CIN, COUT) the
// product is the convolution (N, OH, OW, COUT). The geometry comes as kernel arguments right after
// C's, or the partial sums' (IM2COL_PARAMS); offa is the offset of x, lda and TRANS_A are not used.
// The CPU and tiled kernels can instead read A as the output of a depthwise convolution of x, computed
// as it is read and never stored (A_DEPTHWISE, a depthwise layer fused into the pointwise layer after it):
//
//     A(i, k) = DW_ACTIVATE(dwb[k] + sum over (kh, kw) < (DW_KH, DW_KW) of
//                           x[n, oh * SH - PT + kh * DH, ow * SW - PL + kw * DW, k] * dww[(kh * DW_KW + kw) * CIN + k])
//
// with the same geometry arguments (K == CIN; KW is not read) and then the depthwise weights dww
// (DW_KH, DW_KW, 1, CIN) and, with DW_BIAS, its bias dwb (CIN) (DEPTHWISE_PARAMS).
//
// Epilogue, applied as C is stored:
//   FUSED == 0:  C = alpha * acc + beta * C   (C is not read when beta == 0, so NaN or garbage in C
//                does not survive); the kernels take alpha and beta as their last arguments
//   FUSED == 1:  C = EPILOGUE(acc, bias[j], res) of conv_common.cl: a bias per column (HAS_BIAS), the
//                activation ACT (common/activation.cl) and a residual add (RESIDUAL) with res laid out
//                like C; bias and res are the last arguments. This is a layer's product, which reads
//                and writes whole tensors: A, B and C start at their first elements and C (and res) is
//                dense, N floats a row, so offa, offb, offc and ldc are not read (OFFSET, LDC), except
//                with C_SLICE: C is then columns of a wider matrix, from offc with rows ldc apart (a
//                convolution writing its channels of a concatenation in place; no residual).
//                NOTE: that also keeps the code the same as the layer kernels this family replaced
//                generated: on PoCL, reading the offsets and ldc there costs the CPU kernel 1-3 %.
//
// Defines:
//   TRANS_A    1 when op(A) = A^T (A is stored K x M), else 0; strided A only
//   TRANS_B    1 when op(B) = B^T (B is stored N x K), else 0; strided B only
//   A_PACKED   1: A comes packed (gemm_cpu.cl, gemm_tiled.cl); 0: A is strided
//   A_IM2COL   1: A is the implicit im2col matrix of an NHWC input (A_PACKED == 0 only)
//   A_SCALE    1: A (strided, not transposed; gemm_cpu.cl only) is read scaled per image and column:
//              A(i, k) * scale[(i / HW) * K + k], the squeeze-and-excitation scale of an NHWC input of
//              HW pixels per image, folded into the pointwise convolution that reads it (SCALE_PARAMS:
//              the scale buffer and HW, after C's arguments)
//   A_NORM     1: A (strided, not transposed) is read normalised per column:
//              NORM_ACTIVATE(A(i, k) * norm[k] + norm[K + k]), a batch normalisation (as a scale and a
//              shift per column) and its activation that precede the pointwise convolution reading them
//              (DenseNet's pre-activation), folded into it (NORM_PARAMS: the K scales then the K shifts,
//              after C's arguments); NORM_CLIP 1: the activation clamps to [NORM_LO, NORM_HI] (ReLU,
//              ReLU6), 0: none; NORM_FULL 1: K and TK are multiples of VW (whole vectors only)
//   A_DEPTHWISE  1: A is a depthwise convolution of an NHWC input (gemm_cpu.cl; gemm_tiled.cl
//              without KS, element by element through depthwise_at), with the
//              defines DW_KH, DW_KW (its kernel), DW_BIAS (1: it adds dwb), DW_CLIP (1: its
//              activation clamps to [DW_LO, DW_HI], as ReLU and ReLU6 do; 0: none) and DW_FULL (1: CIN
//              and TK are multiples of VW, so every run of channels is a whole vector)
//   FUSED      0: alpha/beta epilogue; 1: bias + activation + residual
//   STORE_HALF 1 (FUSED, A not packed): A's activations (strided, im2col or the depthwise input), C and
//              the residual are stored as half (common/vector.cl: ACT_T), and so are the packed panels of
//              B the CPU and tiled forms read (PANEL_T; gemm_pack.cl with PACK_HALF); the general and
//              split-K forms read B as given, fp32; the bias, the other operands and every sum stay fp32
//   HAS_BIAS, RESIDUAL (conv_common.cl), ACT and its parameters (common/activation.cl): FUSED == 1 only
//
// Gives: A_AT(i, k), B_AT(k, j) (strided elements, from the arguments a, lda, b, ldb once a and b
// point at the operands' first elements); A_ROW(i) and A_K(k) (row i of op(A) as a pointer, element k
// of it at A_ROW(i)[A_K(k)]); A_ELEMENT(i, k) (A_AT, or the im2col element, zero in the padding);
// IM2COL_PARAMS and IM2COL_ARGS (the geometry as parameters and as arguments, empty without A_IM2COL);
// im2col_row(i, ...) and im2col_depth(k, ...) (where row i reads, and the tap and channel of depth k;
// A_IM2COL only);
// OFFSET(off) (the offset argument off of A or B, or 0 when FUSED), C_OFFSET(off) and LDC (offc and ldc,
// or 0 and N when FUSED without C_SLICE);
// EPILOGUE_PARAMS (the epilogue's kernel parameters), C_RESTRICT, SCALE(v) (alpha * v, or v when
// FUSED) and STORE_C(at, j, v) (stores element at of C, in column j, given v = SCALE(sum)).
//
// Split K. The forms that cut K into S slices (gemm_splitk.cl, and gemm_tiled.cl with KS > 0) write
// each slice's sums, without the epilogue, into part (S, M, N); with SPLIT_REDUCE == 1 this file also
// gives the kernel gemm_splitk_reduce, which adds the S sums of each element in order and stores it
// through the epilogue. Work-items: (N, M), rounded up to the work-group; items past the edges return.

#ifndef TRANS_A
#define TRANS_A 0       // A stored transposed
#endif
#ifndef TRANS_B
#define TRANS_B 0       // B stored transposed
#endif
#ifndef A_PACKED
#define A_PACKED 0      // A packed by gemm_pack.cl instead of strided
#endif
#ifndef A_IM2COL
#define A_IM2COL 0      // A is the implicit im2col matrix of a convolution's input
#endif
#ifndef FUSED
#define FUSED 0         // bias + activation + residual instead of alpha/beta
#endif
#ifndef SPLIT_REDUCE
#define SPLIT_REDUCE 0  // give gemm_splitk_reduce, the sum of a split-K product's slices
#endif

#ifndef A_DEPTHWISE
#define A_DEPTHWISE 0   // A is a depthwise convolution of a convolution's input
#endif

#if (A_IM2COL || A_DEPTHWISE) && A_PACKED
#error "A_IM2COL and A_DEPTHWISE need A_PACKED == 0"
#endif
#if A_IM2COL && A_DEPTHWISE
#error "A is either the im2col matrix or a depthwise convolution"
#endif
#ifndef A_SCALE
#define A_SCALE 0       // A read scaled per image and column
#endif
#if A_SCALE && (A_PACKED || A_IM2COL || A_DEPTHWISE || TRANS_A)
#error "A_SCALE scales a strided, untransposed A"
#endif
#if STORE_HALF && (!FUSED || A_PACKED)
#error "STORE_HALF is for a layer's product, with A read in place"
#endif
#if STORE_HALF
#define PANEL_T half    // an element of the packed B panels
#else
#define PANEL_T float
#endif
#if A_SCALE
#define SCALE_PARAMS , __global const float* restrict scale, const int HW
#else
#define SCALE_PARAMS
#endif
#ifndef A_NORM
#define A_NORM 0        // A read normalised per column, then activated
#endif
#if A_NORM && (A_PACKED || A_IM2COL || A_DEPTHWISE || A_SCALE || TRANS_A)
#error "A_NORM normalises a strided, untransposed A"
#endif
#ifndef NORM_CLIP
#define NORM_CLIP 0     // the normalisation's activation clamps to [NORM_LO, NORM_HI]
#endif
#if A_NORM
#define NORM_PARAMS , __global const float* restrict norm
#define NORM_ARGS , norm
#else
#define NORM_PARAMS
#define NORM_ARGS
#endif
#ifndef NORM_TK
#define NORM_TK 64      // columns of A normalised ahead of the broadcasts, a multiple of VW
#endif
#if NORM_TK % VW
#error "NORM_TK must be a multiple of VW"
#endif
#ifndef NORM_FULL
#define NORM_FULL 0     // K and the slice depth are multiples of VW: every run of columns is a whole vector
#endif
#if NORM_FULL
#define NORM_LOAD(p, n) VLOAD(0, (p))
#define NORM_LOAD_A(p, n) ACT_VLOAD(0, (p))
#else
#define NORM_LOAD(p, n) vload_partial((p), (n))
#define NORM_LOAD_A(p, n) act_vload_partial((p), (n))
#endif
#if NORM_CLIP
#define NORM_ACTIVATE(v) CLNN_CLIP((v), NORM_LO, NORM_HI)
#else
#define NORM_ACTIVATE(v) (v)
#endif

// The kernels add OFFSET(offa) and OFFSET(offb) to a and b once, on entry, so that no load adds them again.
#if TRANS_A
#define A_AT(i, k) ACT_LOAD(a, (size_t)(k) * lda + (i))
#define A_ROW(i) (a + (i))
#define A_K(k) ((size_t)(k) * lda)
#else
#define A_AT(i, k) ACT_LOAD(a, (size_t)(i) * lda + (k))
#define A_ROW(i) (a + (size_t)(i) * lda)
#define A_K(k) (k)
#endif
#if TRANS_B
#define B_AT(k, j) b[(size_t)(j) * ldb + (k)]
#else
#define B_AT(k, j) b[(size_t)(k) * ldb + (j)]
#endif

#if A_IM2COL || A_DEPTHWISE
#define IM2COL_PARAMS , const int H, const int W, const int CIN, const int OH, const int OW, const int KW, \
                      const int SH, const int SW, const int DH, const int DW, const int PT, const int PL
#define IM2COL_ARGS , H, W, CIN, OH, OW, KW, SH, SW, DH, DW, PT, PL
#if A_IM2COL
#define A_ELEMENT(i, k) im2col_at(a, (i), (k) IM2COL_ARGS)
#endif

// Where row i of the im2col matrix reads: *img, the first row of its image in x (n * H), and its output
// pixel's top-left input tap, (*ih0, *iw0) = (oh * SH - PT, ow * SW - PL). The kernels that walk K work
// this out once per row.
inline void im2col_row(const int i, int* img, int* ih0, int* iw0 IM2COL_PARAMS)
{
    const int ow = i % OW;
    const int t = i / OW;
    *img = (t / OH) * H;
    *ih0 = (t % OH) * SH - PT;
    *iw0 = ow * SW - PL;
}

// The tap (*kh, *kw) and input channel *ci of depth k: k = (kh * KW + kw) * CIN + ci.
inline void im2col_depth(const int k, int* kh, int* kw, int* ci IM2COL_PARAMS)
{
    const int tap = k / CIN;
    *ci = k - tap * CIN;
    *kh = tap / KW;
    *kw = tap - *kh * KW;
}

// Element (i, k) of the im2col matrix of x (i < M and k < K): a padding tap reads nothing and is zero.
inline float im2col_at(__global const ACT_T* restrict x, const int i, const int k IM2COL_PARAMS)
{
    int img, ih0, iw0, kh, kw, ci;
    im2col_row(i, &img, &ih0, &iw0 IM2COL_ARGS);
    im2col_depth(k, &kh, &kw, &ci IM2COL_ARGS);
    const int ih = ih0 + kh * DH;
    const int iw = iw0 + kw * DW;
    return ih >= 0 && ih < H && iw >= 0 && iw < W ? ACT_LOAD(x, ((size_t)(img + ih) * W + iw) * CIN + ci) : 0.0f;
}
#else
#define IM2COL_PARAMS
#define IM2COL_ARGS
#if A_NORM
#define A_ELEMENT(i, k) NORM_ACTIVATE(fma(A_AT(i, k), norm[k], norm[K + (k)]))
#else
#define A_ELEMENT(i, k) A_AT(i, k)
#endif
#endif

#if A_DEPTHWISE
#ifndef DW_BIAS
#define DW_BIAS 0       // the depthwise convolution adds a bias
#endif
#ifndef DW_CLIP
#define DW_CLIP 0       // its activation clamps to [DW_LO, DW_HI]
#endif
#if DW_BIAS
#define DEPTHWISE_PARAMS , __global const float* restrict dww, __global const float* restrict dwb
#define DEPTHWISE_ARGS , dww, dwb
#define DW_BIAS_AT(k) dwb[k]
#else
#define DEPTHWISE_PARAMS , __global const float* restrict dww
#define DEPTHWISE_ARGS , dww
#define DW_BIAS_AT(k) 0.0f
#endif
#ifndef DW_TK
#define DW_TK 64        // channels of depthwise output computed ahead of the broadcasts, a multiple of VW
#endif
#if DW_TK % VW
#error "DW_TK must be a multiple of VW"
#endif
#ifndef DW_FULL
#define DW_FULL 0       // CIN and the slice depth are multiples of VW: every channel run is a whole vector
#endif
#if DW_FULL
#define DW_LOAD(p, n) VLOAD(0, (p))
#define DW_LOAD_X(p, n) ACT_VLOAD(0, (p))
#else
#define DW_LOAD(p, n) vload_partial((p), (n))
#define DW_LOAD_X(p, n) act_vload_partial((p), (n))
#endif
#if DW_BIAS
#define DW_BIAS_VEC(k, n) DW_LOAD(dwb + (k), (n))
#else
#define DW_BIAS_VEC(k, n) ((floatv)(0.0f))
#endif
#if DW_CLIP
#define DW_ACTIVATE(v) CLNN_CLIP((v), DW_LO, DW_HI)
#else
#define DW_ACTIVATE(v) (v)
#endif

// Element (i, k) of the depthwise output (i < M and k < K == CIN): its taps in the padding add nothing.
inline float depthwise_at(__global const ACT_T* restrict x, const int i, const int k IM2COL_PARAMS DEPTHWISE_PARAMS)
{
    int img, ih0, iw0;
    im2col_row(i, &img, &ih0, &iw0 IM2COL_ARGS);
    float d = DW_BIAS_AT(k);
    #pragma unroll
    for (int kh = 0; kh < DW_KH; ++kh) {
        const int ih = ih0 + kh * DH;
        #pragma unroll
        for (int kw = 0; kw < DW_KW; ++kw) {
            const int iw = iw0 + kw * DW;
            if (ih >= 0 && ih < H && iw >= 0 && iw < W) {
                d = fma(ACT_LOAD(x, ((size_t)(img + ih) * W + iw) * CIN + k), dww[(kh * DW_KW + kw) * CIN + k], d);
            }
        }
    }
    return DW_ACTIVATE(d);
}
#define A_ELEMENT(i, k) depthwise_at(a, (i), (k) IM2COL_ARGS DEPTHWISE_ARGS)
#else
#define DEPTHWISE_PARAMS
#define DEPTHWISE_ARGS
#endif

#ifndef C_SLICE
#define C_SLICE 0       // FUSED: C is a slice of columns of a wider matrix (offc, ldc), not dense
#endif
#if C_SLICE && (!FUSED || RESIDUAL)
#error "C_SLICE is for a layer's product without a residual"
#endif
#if FUSED
#define OFFSET(off) 0
#if C_SLICE
#define C_OFFSET(off) (off)
#define LDC ldc
#else
#define C_OFFSET(off) 0
#define LDC N
#endif
#define EPILOGUE_PARAMS BIAS_PARAM RES_PARAM
// NOTE: C is not restrict here: res may be C itself (y = conv(x) + y), which is safe because every
// element is read and then written by the same work-item.
#define C_RESTRICT
#define SCALE(v) (v)
// Stores element at of C, in column j; v is SCALE(the sum).
#define STORE_C(at, j, v) ACT_STORE(EPILOGUE((v), BIAS_AT(j), RES_AT(at)), (at), c)
#else
#if HAS_BIAS || RESIDUAL || ACT
#error "HAS_BIAS, RESIDUAL and ACT need FUSED == 1"
#endif
#define OFFSET(off) (off)
#define C_OFFSET(off) (off)
#define LDC ldc
#define EPILOGUE_PARAMS , const float alpha, const float beta
#define C_RESTRICT restrict
#define SCALE(v) (alpha * (v))
#define STORE_C(at, j, v) c[at] = beta == 0.0f ? (v) : fma(beta, c[at], (v))
#endif

#if SPLIT_REDUCE
__kernel void gemm_splitk_reduce(const int M, const int N, const int S, __global const float* restrict part,
                                 __global ACT_T* C_RESTRICT c, const int offc, const int ldc
                                 EPILOGUE_PARAMS)
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
    STORE_C(C_OFFSET(offc) + (size_t)i * LDC + j, j, SCALE(sum));
}
#endif
