// Blocked matrix product for CPU devices (PoCL and the like), the CPU form of the GEMM family:
//
//     C = epilogue(op(A) * B)        epilogue: alpha/beta, or bias + activation + residual (gemm_common.cl)
//
// Operands (row-major fp32 logic as in gemm_common.cl):
//   A  A_PACKED == 1: ceil(M / MR) panels of K x MR floats, k-major (gemm_pack.cl; panel p holds rows
//                     p*MR .. p*MR+MR-1, zero past M); offa and lda are not used
//      A_PACKED == 0: strided (offa, lda, TRANS_A), as pointwise convolutions and dense layers pass
//                     their activations: never copied. The MR rows are MR unit-stride streams (MR
//                     neighbouring floats per k when transposed), which a CPU's caches and prefetchers
//                     follow as well as a packed panel, and skipping the packing saves a pass over A.
//                     Rows past M are clamped to row M - 1 (read, computed, never stored). Or,
//                     A_IM2COL, the implicit im2col matrix of a convolution's NHWC input; or,
//                     A_DEPTHWISE, the output of a depthwise convolution of that input, computed VW
//                     channels at a time for the MR rows of a block as the k loop reaches them
//                     (a private MR x VW array then feeds the broadcasts), so a depthwise layer and
//                     the pointwise layer after it are one kernel and the depthwise output is
//                     never written. With A_SCALE a strided A is read times a scale per image
//                     and column (a squeeze-and-excitation scale, folded in); with A_NORM it is read
//                     normalised and activated per column (a batch normalisation before it, folded in).
//   B  ceil(N / NR) panels of K x NR floats (halves with STORE_HALF), k-major, zero past N (gemm_pack.cl;
//      panel q holds columns q*NR .. q*NR+NR-1); offb and ldb are not used
//   C  row-major from element offset offc with leading dimension ldc (FUSED: dense from element 0);
//      only its M x N elements are written
//
// One work-item computes a TM x NR strip of C: TM / MR register blocks of MR rows by NV vectors of VW
// floats, all against the same panel of B. Per k a block loads NV vectors of B and broadcasts MR
// scalars of A, so every load feeds MR (or NV) fused multiply-adds. K is walked in slices of TK:
// for each slice, every block of the strip runs over the same TK x NR slice of the B panel, which
// therefore stays in L1 after the first block, while the strip's rows of A (TM x K) stay in L2 for
// the next work-item of the work-group (the next panel of B). Between slices the blocks park their
// sums in a private array (TM x NR floats, on the stack, in L1); the epilogue runs once, after the
// last slice, so C is written once and never used as scratch (a residual may alias C).
// NOTE: PoCL runs the work-items of a group one after another on one core, x fastest, and does not
// vectorise across work-items here (the explicit vectors already fill the SIMD registers), so the
// strip is the unit of cache reuse. No local memory and no barriers: on a CPU those are emulated.
//
// Global size: (ceil(N / NR), ceil(M / TM)); any work-group size (whole rows of x keep a strip of A
// in one core's L2).
//
// Defines:
//   MR   rows of C per register block
//   VW   vector width in floats (conv_common.cl, common/vector.cl): 4, 8 or 16
//   NV   vectors per row of the block, so NR = NV * VW columns per work-item
//   TM   rows of C per work-item, a multiple of MR
//   TK   depth of a K slice (0: the whole of K in one slice)
//   A_PACKED, TRANS_A, A_IM2COL, FUSED, STORE_HALF and the epilogue's (gemm_common.cl)

#ifndef MR
#define MR 8        // rows per register block
#endif
#ifndef NV
#define NV 2        // vectors per block row
#endif
#ifndef TM
#define TM MR       // rows per work-item
#endif
#ifndef TK
#define TK 0        // depth of a K slice, 0 for all of K
#endif
#define NR (NV * VW)
#define MS (TM / MR)
#if MS * MR != TM
#error "TM must be a multiple of MR"
#endif

#if A_PACKED
#define A_VALUE(r, k) ap[r]             // the current k-row of the panel; ap advances by MR per k
#elif A_IM2COL || A_DEPTHWISE
// (the k loop reads the implicit im2col matrix itself, tap by tap, or computes the depthwise output)
#else
#define A_VALUE(r, k) ACT_LOAD(ar[r], A_K(k))
#endif

// One k of a register block: acc[r][v] += a[r] * (vector v of the B row at b), for every r < MR, v < NV.
// Per k a block loads NV vectors of B and broadcasts MR scalars of A: every load feeds MR (or NV) FMAs.
inline void fma_block(floatv acc[MR][NV], const float a[MR], __global const PANEL_T* restrict b)
{
    floatv bv[NV];
    #pragma unroll
    for (int v = 0; v < NV; ++v) {
#if STORE_HALF
        bv[v] = ACT_VLOAD(v, b);
#else
        bv[v] = VLOAD(v, b);
#endif
    }
    #pragma unroll
    for (int r = 0; r < MR; ++r) {
        const floatv av = (floatv)(a[r]);
        #pragma unroll
        for (int v = 0; v < NV; ++v) {
            acc[r][v] = fma(av, bv[v], acc[r][v]);
        }
    }
}

__kernel void gemm_cpu(const int M, const int N, const int K,
                       __global const ACT_T* restrict a, const int offa, const int lda,
                       __global const PANEL_T* restrict bp, const int offb, const int ldb,
                       __global ACT_T* C_RESTRICT c, const int offc, const int ldc
                       IM2COL_PARAMS DEPTHWISE_PARAMS SCALE_PARAMS NORM_PARAMS EPILOGUE_PARAMS)
{
    const int q = get_global_id(0);     // column panel
    const int s = get_global_id(1);     // row strip
    const int is = s * TM;
    const int j0 = q * NR;
    if (is >= M || j0 >= N) {
        return;
    }
#if !A_PACKED
    a += OFFSET(offa);
#endif
    __global const PANEL_T* bq = bp + (size_t)q * K * NR;
#if TK > 0 && MS > 1
    const int tk = TK;
#else
    const int tk = K;       // one block alone gains nothing from slicing
#endif
#if MS > 1
    floatv part[MS][MR][NV];            // the strip's sums between K slices
#endif

    for (int k0 = 0; k0 < K; k0 += tk) {
        const int k1 = min(K, k0 + tk);
        for (int t = 0; t < MS; ++t) {
            const int i0 = is + t * MR;
            if (i0 >= M) {
                break;
            }
#if A_PACKED
            __global const float* ap = a + (size_t)(i0 / MR) * K * MR + (size_t)k0 * MR;
#elif A_IM2COL || A_DEPTHWISE
            // each row's output pixel, as the top-left input tap and the image's first row
            int ih0[MR], iw0[MR], img[MR];
            #pragma unroll
            for (int r = 0; r < MR; ++r) {
                // rows past M clamped
                im2col_row(min(i0 + r, M - 1), &img[r], &ih0[r], &iw0[r] IM2COL_ARGS);
            }
#else
            __global const ACT_T* ar[MR];
            #pragma unroll
            for (int r = 0; r < MR; ++r) {
                ar[r] = A_ROW(min(i0 + r, M - 1));
            }
#if A_SCALE
            __global const float* sr[MR];       // each row's image's scale
            #pragma unroll
            for (int r = 0; r < MR; ++r) {
                sr[r] = scale + (size_t)(min(i0 + r, M - 1) / HW) * K;
            }
#endif
#endif
            floatv acc[MR][NV];
            #pragma unroll
            for (int r = 0; r < MR; ++r) {
                #pragma unroll
                for (int v = 0; v < NV; ++v) {
#if MS > 1
                    acc[r][v] = k0 == 0 ? (floatv)(0.0f) : part[t][r][v];
#else
                    acc[r][v] = (floatv)(0.0f);
#endif
                }
            }
            __global const PANEL_T* b = bq + (size_t)k0 * NR;
#if A_IM2COL
            // k = (kh * KW + kw) * CIN + ci: the slice is walked tap by tap, a run of input channels at
            // a time, so each row's tap address and padding test are worked out once per run, not per
            // element. A padding tap reads a clamped, in-bounds address and selects zero.
            int kh, kw, ci;
            im2col_depth(k0, &kh, &kw, &ci IM2COL_ARGS);
            for (int k = k0; k < k1; ) {
                const int run = min(CIN - ci, k1 - k);
                __global const ACT_T* xr[MR];
                bool in[MR];
                bool inside = true;         // no row of the block is in the padding for this tap
                #pragma unroll
                for (int r = 0; r < MR; ++r) {
                    const int ih = ih0[r] + kh * DH;
                    const int iw = iw0[r] + kw * DW;
                    in[r] = ih >= 0 && ih < H && iw >= 0 && iw < W;
                    inside = inside && in[r];
                    xr[r] = a + (in[r] ? ((size_t)(img[r] + ih) * W + iw) * CIN : 0) + ci;
                }
                if (inside) {
                    // plain loads, which the broadcasts can take straight from memory
                    for (int e = 0; e < run; ++e) {
                        float av[MR];
                        #pragma unroll
                        for (int r = 0; r < MR; ++r) {
                            av[r] = ACT_LOAD(xr[r], e);
                        }
                        fma_block(acc, av, b);
                        b += NR;
                    }
                } else {
                    for (int e = 0; e < run; ++e) {
                        float av[MR];
                        #pragma unroll
                        for (int r = 0; r < MR; ++r) {
                            const float x = ACT_LOAD(xr[r], e);
                            av[r] = in[r] ? x : 0.0f;
                        }
                        fma_block(acc, av, b);
                        b += NR;
                    }
                }
                k += run;
                ci = 0;
                if (++kw == KW) {
                    kw = 0;
                    ++kh;
                }
            }
#elif A_DEPTHWISE
            // K == CIN: the slice is walked in runs of DW_TK channels. For each run the block's MR rows of
            // the depthwise output are computed first, VW channels at a time, activated and parked in a
            // private MR x DW_TK array; the broadcasts then read it. (Computing them between the
            // broadcasts, VW channels at a time, left too few registers for the accumulators.) A row
            // whose taps all lie inside the image (most rows) loads without tests; in a row at the edge,
            // a tap in the padding reads the image's first pixel instead and adds nothing.
            bool whole[MR];
            #pragma unroll
            for (int r = 0; r < MR; ++r) {
                whole[r] = ih0[r] >= 0 && ih0[r] + (DW_KH - 1) * DH < H && iw0[r] >= 0 && iw0[r] + (DW_KW - 1) * DW < W;
            }
            for (int kc = k0; kc < k1; kc += DW_TK) {
                const int kn = min(DW_TK, k1 - kc);
                float dv[MR][DW_TK];
                for (int r = 0; r < MR; ++r) {
                    for (int e = 0; e < kn; e += VW) {
                        const int k = kc + e;
                        const int run = min(VW, kn - e);
                        floatv d = DW_BIAS_VEC(k, run);
                        if (whole[r]) {
                            __global const ACT_T* x = a + ((size_t)(img[r] + ih0[r]) * W + iw0[r]) * CIN + k;
                            #pragma unroll
                            for (int kh = 0; kh < DW_KH; ++kh) {
                                #pragma unroll
                                for (int kw = 0; kw < DW_KW; ++kw) {
                                    d = fma(DW_LOAD_X(x + (kh * DH * W + kw * DW) * CIN, run),
                                            DW_LOAD(dww + (kh * DW_KW + kw) * CIN + k, run), d);
                                }
                            }
                        } else {
                            #pragma unroll
                            for (int kh = 0; kh < DW_KH; ++kh) {
                                #pragma unroll
                                for (int kw = 0; kw < DW_KW; ++kw) {
                                    const int ih = ih0[r] + kh * DH;
                                    const int iw = iw0[r] + kw * DW;
                                    const bool in = ih >= 0 && ih < H && iw >= 0 && iw < W;
                                    const size_t at = ((size_t)(img[r] + (in ? ih : 0)) * W + (in ? iw : 0)) * CIN + k;
                                    const floatv t = fma(DW_LOAD_X(a + at, run),
                                                         DW_LOAD(dww + (kh * DW_KW + kw) * CIN + k, run), d);
                                    d = in ? t : d;
                                }
                            }
                        }
                        VSTORE(DW_ACTIVATE(d), 0, dv[r] + e);
                    }
                }
                for (int e = 0; e < kn; ++e) {
                    float av[MR];
                    #pragma unroll
                    for (int r = 0; r < MR; ++r) {
                        av[r] = dv[r][e];
                    }
                    fma_block(acc, av, b);
                    b += NR;
                }
            }
#elif A_NORM
            // the slice is walked in runs of NORM_TK columns: for each run the block's MR rows are read a
            // vector at a time, normalised and activated, and parked in a private MR x NORM_TK array that
            // the broadcasts then read. (Normalising each scalar between the broadcasts took a quarter
            // longer than a separate normalisation pass.)
            for (int kc = k0; kc < k1; kc += NORM_TK) {
                const int kn = min(NORM_TK, k1 - kc);
                float nv[MR][NORM_TK];
                #pragma unroll
                for (int r = 0; r < MR; ++r) {
                    for (int e = 0; e < kn; e += VW) {
                        const int k = kc + e;
                        const int run = min(VW, kn - e);
                        const floatv v = fma(NORM_LOAD_A(ar[r] + k, run), NORM_LOAD(norm + k, run),
                                             NORM_LOAD(norm + K + k, run));
                        VSTORE(NORM_ACTIVATE(v), 0, nv[r] + e);
                    }
                }
                for (int e = 0; e < kn; ++e) {
                    float av[MR];
                    #pragma unroll
                    for (int r = 0; r < MR; ++r) {
                        av[r] = nv[r][e];
                    }
                    fma_block(acc, av, b);
                    b += NR;
                }
            }
#else
            for (int k = k0; k < k1; ++k) {
                float av[MR];
                #pragma unroll
                for (int r = 0; r < MR; ++r) {
#if A_SCALE
                    av[r] = A_VALUE(r, k) * sr[r][k];
#else
                    av[r] = A_VALUE(r, k);
#endif
                }
                fma_block(acc, av, b);
#if A_PACKED
                ap += MR;
#endif
                b += NR;
            }
#endif
#if MS > 1
            if (k1 < K) {
                #pragma unroll
                for (int r = 0; r < MR; ++r) {
                    #pragma unroll
                    for (int v = 0; v < NV; ++v) {
                        part[t][r][v] = acc[r][v];
                    }
                }
                continue;
            }
#endif
#if FUSED
            floatv bias_v[NV];
            #pragma unroll
            for (int v = 0; v < NV; ++v) {
                bias_v[v] = BIAS_VEC(j0 + v * VW, N - j0 - v * VW);
            }
#else
            const bool full = i0 + MR <= M && j0 + NR <= N;
#endif
            #pragma unroll
            for (int r = 0; r < MR; ++r) {
                if (i0 + r >= M) {
                    break;
                }
                const size_t at = C_OFFSET(offc) + (size_t)(i0 + r) * LDC;      // C's row i0 + r
#if !FUSED
                __global float* row = c + at + j0;
#endif
                #pragma unroll
                for (int v = 0; v < NV; ++v) {
#if FUSED
                    const int j = j0 + v * VW;
                    if (j < N) {
                        const floatv val = EPILOGUE(acc[r][v], bias_v[v], RES_VEC(res + at + j, N - j));
                        act_vstore_partial(val, c + at + j, N - j);
                    }
#else
                    floatv val = alpha * acc[r][v];
                    if (full) {
                        if (beta != 0.0f) {
                            val = fma((floatv)(beta), VLOAD(v, row), val);
                        }
                        VSTORE(val, v, row);
                    } else {
                        // NOTE: an edge block; element-wise stores so nothing outside C is touched.
                        float tmp[VW];
                        VSTORE(val, 0, tmp);
                        for (int e = 0; e < VW; ++e) {
                            const int j = v * VW + e;
                            if (j0 + j < N) {
                                row[j] = beta == 0.0f ? tmp[e] : fma(beta, row[j], tmp[e]);
                            }
                        }
                    }
#endif
                }
            }
        }
    }
}
