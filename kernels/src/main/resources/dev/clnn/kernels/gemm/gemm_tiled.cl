// Two-level tiled matrix product for GPUs, the tiled form of the GEMM family:
//
//     C = epilogue(op(A) * B)        epilogue: alpha/beta, or bias + activation + residual (gemm_common.cl)
//
// Operands (row-major fp32 logic as in gemm_common.cl; Kpad is K rounded up to a multiple of TK):
//   A  A_PACKED == 1: Kpad x lda floats, m contiguous (op(A) transposed, zero-padded by gemm_pack.cl,
//                     lda a multiple of TM): float4 tile loads, no bounds checks; offa is not used
//      A_VEC4 == 1:   a plain fp32 matrix, not transposed, with lda, offa and K multiples of 4: read in place
//                     in float4s along k and stored into the local slice element by element (a layer's
//                     activations unless -Dclnn.gemm.vectorA=off: MobileNet v1 at batch 64 on the H200 ran
//                     18 % faster than with A read element by element; plain products pack A, faster still)
//      A_PACKED == 0: strided (offa, lda, TRANS_A), as pointwise convolutions and dense layers pass
//                     their activations: never packed; or, A_IM2COL, the implicit im2col matrix of a
//                     convolution's NHWC input; or, A_DEPTHWISE (KS == 0), the output of a depthwise
//                     convolution of that input, each element computed as it is loaded (depthwise_at,
//                     gemm_common.cl). Tile loads are bounds-checked, read zero past M and K,
//                     and run along k (along m when transposed) so that neighbouring work-items read
//                     neighbouring addresses.
//   B  B_PACKED == 1: Kpad x ldb floats (halves with STORE_HALF), n contiguous (op(B) as is, zero-padded by
//                     gemm_pack.cl, ldb a multiple of TN); offb is not used
//      B_PACKED == 0: B as the caller stores it, K x N from offb with leading dimension ldb (not transposed),
//                     read in place in float4s: the host takes this only where no tile reaches past B (N a
//                     multiple of TN, K of TK) and its rows start on 16-byte boundaries (ldb and offb
//                     multiples of 4), for products whose B changes on every run (a pass fewer)
//   C  row-major from element offset offc with leading dimension ldc (FUSED: dense from element 0);
//      only its M x N elements are written
//
// A work-group computes a TM x TN tile of C. Each step stages a TK-deep slice of A and B in local
// memory; each work-item then computes a WM x WN register tile from float4 reads of local memory.
// The next slice is fetched into registers while the current one is used, hiding global-memory
// latency behind arithmetic. A work-item's rows are m0 + g*4*TY + ty*4 + {0..3} for g < WM/4
// (columns likewise), so the float4 reads of a warp fall on neighbouring addresses and the C stores
// on neighbouring lines.
//
// An implicit im2col A (A_IM2COL) is read without a division per element: a work-item loads the
// same rows and the same depth within every slice (work-group size a multiple of TK), so it works out
// where its rows' output pixels lie once, and steps its (kh, kw, ci) position along K by TK per slice.
//
// Split K (KS > 0): the work-groups along the third dimension take slices of KS of K each and store
// their tile's sums, without the epilogue, in part (S, M, N), S = ceil(K / KS); gemm_splitk_reduce
// (gemm_common.cl) then adds the slices and applies the epilogue. For products whose result has too
// few tiles to keep every compute unit busy.
//
// K groups (KG > 1): the work-group is KG groups of TX x TY work-items (its third dimension), each
// computing the whole tile over every KG-th TK slice of K with local tiles of its own; at the end the
// groups' sums meet in local memory and group 0 adds them and runs the epilogue. One launch, KG times
// the work-items per tile and 1 / KG of the steps each: for products with too few tiles to fill the
// device (MobileNet's 14x14 and 7x7 pointwise layers at batch 1), where a work-group's time is its
// steps' latency, not its arithmetic.
//
// Double-buffered slices (DB): the work-group holds two pairs of local A and B slices and stores the next
// slice into the pair nobody reads while the current one is computed on: one barrier per step instead of
// two, for twice the local memory. Not with K groups.
//
// Batches (BATCHED): one launch computes COUNT products of the same shape, each with its own A, B and
// C: the work-groups along the third dimension take one product each, whose operands lie sa, sb and sc
// elements (of what a, bp and c hold) after the previous product's. For many small products that
// would each leave the device mostly idle (the (MT + 2)^2 products of a Winograd convolution). Not
// with KS.
//
// Work-group size: (TN / WN, TM / WM, KG). Global size: (ldb / WN, ceil(M / TM) * TM / WM, S * KG) (S = 1
// without KS; S = COUNT with BATCHED).
//
// Defines:
//   TM, TN   tile of C per work-group (multiples of 4 * work-group size in that dimension)
//   TK       depth of the slice staged in local memory per step
//   WM, WN   register tile per work-item (multiples of 4)
//   KS       0: all of K per work-group; else the slice of K per work-group (a multiple of TK)
//   KG       groups of work-items that share a tile, each taking every KG-th slice (default 1; not with KS)
//   DB       1: two pairs of local slices, one barrier per step (default 0; not with KG > 1)
//   BATCHED  1: the third dimension of work-groups runs over a batch of products (parameters sa, sb, sc)
//   B_PACKED 0: B read in place (above; default 1)
//   A_PAD    floats of padding per row of a local A slice of floats (below; default 4, GemmConfig passes it)
//   A_PACKED, TRANS_A, A_IM2COL, A_DEPTHWISE, FUSED, STORE_HALF and the epilogue's (gemm_common.cl)

#ifndef TM
#define TM 64       // tile rows per work-group
#endif
#ifndef TN
#define TN 64       // tile columns per work-group
#endif
#ifndef TK
#define TK 16       // slice depth per step
#endif
#ifndef WM
#define WM 4        // rows per work-item
#endif
#ifndef WN
#define WN 4        // columns per work-item
#endif
#ifndef KS
#define KS 0        // slice of K per work-group (0: all of K)
#endif
#ifndef KG
#define KG 1        // groups of work-items sharing a tile along K
#endif
#ifndef DB
#define DB 0        // 1: two pairs of local slices, one barrier per step
#endif

#define TY (TM / WM)            // work-items along m
#define TX (TN / WN)            // work-items along n
#define THREADS (TX * TY)
#define GM (WM / 4)             // float4 groups per work-item along m
#define GN (WN / 4)             // float4 groups per work-item along n
#define LB (TK * TN / 4 / THREADS)  // float4 loads of B per work-item per step

#if A_DEPTHWISE && KS
#error "a depthwise A is read by the tiled form without K slices"
#endif
#ifndef BATCHED
#define BATCHED 0
#endif
#if BATCHED && KS
#error "a batch of products takes the third dimension of work-groups that K slices take"
#endif
#if BATCHED
#define BATCH_PARAMS , const int sa, const int sb, const int sc
#else
#define BATCH_PARAMS
#endif
#if DB && KG > 1
#error "double-buffered slices (DB) are for work-groups of one K group"
#endif
#if KG < 1 || (KG > 1 && KS)
#error "K groups (KG > 1) do not combine with K slices (KS)"
#endif
#define KSTEP (TK * KG)         // depth between one group's slices
#if (TK * TM / 4) % THREADS != 0 || (TK * TN / 4) % THREADS != 0 || WM % 4 != 0 || WN % 4 != 0 || KS % TK != 0
#error "tile parameters do not divide evenly"
#endif

#define FMA4(acc, s, b) acc = fma((float4)(s), b, acc)

#ifndef A_VEC4
#define A_VEC4 0
#endif
#if A_VEC4 && (A_PACKED || TRANS_A || A_IM2COL || A_DEPTHWISE || A_NORM || A_SCALE || STORE_HALF || TK % 4)
#error "A_VEC4 reads a plain fp32 A, not transposed, in float4s along k (TK a multiple of 4)"
#endif

// A slice stored as floats (A not packed): rows of A_LD floats on 16-byte boundaries, read as float4s
// through a float4 pointer. vload4 promises only a float's alignment, and NVIDIA's compiler then reads
// local memory one float at a time: four loads instead of one for every float4 of A a work-item takes.
// Such a slice is stored transposed (neighbouring work-items write neighbouring depths of one row of C's
// tile): with rows of TM floats, a multiple of 32, every depth of a row falls in the same bank, so A_PAD
// floats more per row (a multiple of 4, keeping rows on 16-byte boundaries) spread the depths over the banks.
#ifndef A_PAD
#define A_PAD 4
#endif
#if A_PAD % 4 != 0
#error "A_PAD keeps the rows of the A slice on 16-byte boundaries: a multiple of 4"
#endif
#define A_LD (TM + A_PAD)
#if !A_PACKED
#define A_TILE __local float as[TK][A_LD] __attribute__((aligned(16)))
#define A_TILES __local float as2[2][TK][A_LD] __attribute__((aligned(16)))
#define A_SLICE_F4 (TK * A_LD / 4)      // float4s of local memory per A slice
#define A_ROWS __local float (*as)[A_LD]        // a group's A slice in the shared local memory
#define A_ROWS_T __local float (*)[A_LD]
#define GET_A(kk, i) (((__local const float4*)as[kk])[i])       // the i-th float4 of row kk of the slice
#endif

#if A_PACKED
typedef float4 a_elem;                  // what one load of A fetches
#define A_STORED float4                 // what a holds
#define LA (TK * TM / 4 / THREADS)      // float4 loads of A per work-item per step
#define A_TILE __local float4 as[TK][TM / 4]
#define A_TILES __local float4 as2[2][TK][TM / 4]
#define A_SLICE_F4 (TK * TM / 4)        // float4s of local memory per A slice
#define A_ROWS __local float4 (*as)[TM / 4]     // a group's A slice in the shared local memory
#define A_ROWS_T __local float4 (*)[TM / 4]
#define PUT_A(f, v) as[(f) / (TM / 4)][(f) % (TM / 4)] = (v)
#define GET_A(kk, i) as[kk][i]          // the i-th float4 of row kk of the slice

// The f-th float4 of the A slice at depth k: row k + f / (TM / 4) of the panel.
inline float4 load_a(__global const float4* restrict a, const int lda, const int M, const int K,
                     const int m0, const int k, const int f IM2COL_PARAMS DEPTHWISE_PARAMS NORM_PARAMS)
{
    return a[(size_t)(k + f / (TM / 4)) * (lda / 4) + m0 / 4 + f % (TM / 4)];
}
#elif A_VEC4
typedef float4 a_elem;
#define A_STORED float4                 // a plain matrix, read as float4s along k
#define LA (TK * TM / 4 / THREADS)      // float4 loads of A per work-item per step
// float4 f of a slice holds row f / (TK / 4), depths 4 * (f % (TK / 4)) to that + 3: stored as four
// elements of four rows of the slice
#define PUT_A(f, v)                                                                     \
    do {                                                                                \
        const int pm_ = (f) / (TK / 4);                                                 \
        const int pk_ = (f) % (TK / 4) * 4;                                             \
        as[pk_][pm_] = (v).x;                                                           \
        as[pk_ + 1][pm_] = (v).y;                                                       \
        as[pk_ + 2][pm_] = (v).z;                                                       \
        as[pk_ + 3][pm_] = (v).w;                                                       \
    } while (0)

// The f-th float4 of the A slice at depth k0, zero past M and K (K a multiple of 4).
inline float4 load_a(__global const float4* restrict a, const int lda, const int M, const int K,
                     const int m0, const int k0, const int f IM2COL_PARAMS DEPTHWISE_PARAMS NORM_PARAMS)
{
    const int m = m0 + f / (TK / 4);
    const int k = k0 + f % (TK / 4) * 4;
    return m < M && k < K ? a[(size_t)m * (lda / 4) + k / 4] : (float4)(0.0f);
}
#else
typedef float a_elem;
#define A_STORED ACT_T
#define LA (TK * TM / THREADS)          // scalar loads of A per work-item per step
#if TRANS_A
#define SLICE_M(f) ((f) % TM)           // element f of a slice: along m first (A^T has m contiguous)
#define SLICE_K(f) ((f) / TM)
#else
#define SLICE_M(f) ((f) / TK)           // element f of a slice: along k first (A has k contiguous)
#define SLICE_K(f) ((f) % TK)
#endif
#define PUT_A(f, v) as[SLICE_K(f)][SLICE_M(f)] = (v)

// Element f of the A slice starting at depth k0, zero outside op(A).
inline float load_a(__global const ACT_T* restrict a, const int lda, const int M, const int K,
                    const int m0, const int k0, const int f IM2COL_PARAMS DEPTHWISE_PARAMS NORM_PARAMS)
{
    const int m = m0 + SLICE_M(f);
    const int k = k0 + SLICE_K(f);
    return m < M && k < K ? A_ELEMENT(m, k) : 0.0f;
}
#endif

#if A_IM2COL && THREADS % TK == 0
// The im2col walk: element l of a work-item's share of a slice is row m0 + tid / TK + l * (THREADS / TK)
// at depth k0 + tid % TK, for every slice.
#define IM2COL_WALK 1
#define WALK_STATE int wrow[LA], wih[LA], wiw[LA], wci, wkw, wkh
// Where each of the work-item's rows starts in x (its image row n * H) and in the image (the top-left
// tap, oh * SH - PT and ow * SW - PL); a row past M gets a position no tap reaches. Then the (kh, kw, ci)
// of its depth tid % TK + k0.
#define WALK_START(k0)                                                                  \
    _Pragma("unroll")                                                                   \
    for (int l = 0; l < LA; ++l) {                                                      \
        const int m = m0 + tid / TK + l * (THREADS / TK);                               \
        im2col_row(m, &wrow[l], &wih[l], &wiw[l] IM2COL_ARGS);                          \
        if (m >= M) {                                                                   \
            wih[l] = INT_MIN / 2;                                                       \
        }                                                                               \
    }                                                                                   \
    im2col_depth((k0) + tid % TK, &wkh, &wkw, &wci IM2COL_ARGS);
// Loads the work-item's elements of the slice at depth k0 into ra, then moves its position TK deeper.
#define WALK_LOAD(k0)                                                                   \
    {                                                                                   \
        const bool kin = (k0) + tid % TK < K;                                           \
        _Pragma("unroll")                                                               \
        for (int l = 0; l < LA; ++l) {                                                  \
            const int ih = wih[l] + wkh * DH;                                           \
            const int iw = wiw[l] + wkw * DW;                                           \
            ra[l] = kin && ih >= 0 && ih < H && iw >= 0 && iw < W                       \
                    ? ACT_LOAD(a, ((size_t)(wrow[l] + ih) * W + iw) * CIN + wci) : 0.0f; \
        }                                                                               \
        wci += KSTEP;                                                                   \
        while (wci >= CIN) {                                                            \
            wci -= CIN;                                                                 \
            if (++wkw == KW) {                                                          \
                wkw = 0;                                                                \
                ++wkh;                                                                  \
            }                                                                           \
        }                                                                               \
    }
#else
#define IM2COL_WALK 0
#endif

#ifndef B_PACKED
#define B_PACKED 1
#endif
#if !B_PACKED && (STORE_HALF || BATCHED)
#error "B is read in place only as fp32 floats of a single product"
#endif
#if !B_PACKED
// read as the packed panels are, float4s from row k * ldb / 4: vload4 of floats took four loads and a
// float4 pointer cast from floats lost the read-only path, each 10-15 % slower on the H200
#define B_STORED float4
#define B_FETCH(i) bp[i]
#elif STORE_HALF
#define B_STORED half                   // what bp holds: halves, fetched four at a time in one access
#define B_FETCH(i) fetch_half4((i), bp)
inline float4 fetch_half4(const size_t i, __global const half* restrict bp)
{
    const ushort4 raw = ((__global const ushort4*)bp)[i];
    return vload_half4(0, (const half*)&raw);
}
#else
#define B_STORED float4
#define B_FETCH(i) bp[i]
#endif
#define B_F4(k, j) B_FETCH((size_t)(k) * nrow + (j))

// The fused epilogue (a layer's bias, activation and residual) of fp32 activations stores a work-item's
// four neighbouring columns as one float4 where C's rows allow it: 16-byte stores (and residual loads)
// instead of four 4-byte ones a warp's lanes leave 12 bytes apart.
#define VECTOR_C (FUSED && !STORE_HALF && !KS)
#if VECTOR_C
#if HAS_BIAS
#define BIAS4(j) vload4(0, bias + (j))
#else
#define BIAS4(j) ((float4)(0.0f))
#endif
#if RESIDUAL
#define RES4(i) (*(__global const float4*)(res + (i)))
#else
#define RES4(i) ((float4)(0.0f))
#endif
#endif

#if KS
// a slice's sums go to part (S, M, N) as they are; gemm_splitk_reduce applies the epilogue
#define C_PARAMS __global float* restrict part
#define TAIL_PARAMS
#else
#define C_PARAMS __global ACT_T* C_RESTRICT c, const int offc, const int ldc
#define TAIL_PARAMS EPILOGUE_PARAMS
#endif

// Fetches the work-item's share of the A and B slices at depth k into registers (ra, rb).
#if IM2COL_WALK
#define LOAD_A_SLICE(k) WALK_LOAD(k)
#else
#define LOAD_A_SLICE(k)                                                                 \
    _Pragma("unroll")                                                                   \
    for (int l = 0; l < LA; ++l) {                                                      \
        ra[l] = load_a(a, lda, M, K, m0, (k), tid + l * THREADS IM2COL_ARGS DEPTHWISE_ARGS NORM_ARGS); \
    }
#endif
#define load_slice(k)                                                                   \
    do {                                                                                \
        LOAD_A_SLICE(k)                                                                 \
        _Pragma("unroll")                                                               \
        for (int l = 0; l < LB; ++l) {                                                  \
            const int f = tid + l * THREADS;                                            \
            rb[l] = B_F4((k) + f / (TN / 4), n0 / 4 + f % (TN / 4));                  \
        }                                                                               \
    } while (0)

// Stores the work-item's share of a slice (ra, rb) into the local tiles as and bs.
#define STORE_SLICE()                                                                   \
    do {                                                                                \
        _Pragma("unroll")                                                               \
        for (int l = 0; l < LA; ++l) {                                                  \
            PUT_A(tid + l * THREADS, ra[l]);                                            \
        }                                                                               \
        _Pragma("unroll")                                                               \
        for (int l = 0; l < LB; ++l) {                                                  \
            const int f = tid + l * THREADS;                                            \
            bs[f / (TN / 4)][f % (TN / 4)] = rb[l];                                     \
        }                                                                               \
    } while (0)

// Adds the product of the slice in as and bs to the work-item's register tile.
#define COMPUTE_SLICE()                                                                 \
    do {                                                                                \
        _Pragma("unroll")                                                               \
        for (int kk = 0; kk < TK; ++kk) {                                               \
            float4 b[GN];                                                               \
            _Pragma("unroll")                                                           \
            for (int h = 0; h < GN; ++h) {                                              \
                b[h] = bs[kk][h * TX + tx];                                             \
            }                                                                           \
            _Pragma("unroll")                                                           \
            for (int g = 0; g < GM; ++g) {                                              \
                const float4 av = GET_A(kk, g * TY + ty);                               \
                _Pragma("unroll")                                                       \
                for (int h = 0; h < GN; ++h) {                                          \
                    FMA4(acc[g * 4 + 0][h], av.x, b[h]);                                \
                    FMA4(acc[g * 4 + 1][h], av.y, b[h]);                                \
                    FMA4(acc[g * 4 + 2][h], av.z, b[h]);                                \
                    FMA4(acc[g * 4 + 3][h], av.w, b[h]);                                \
                }                                                                       \
            }                                                                           \
        }                                                                               \
    } while (0)

// Where a work-item's register tile lies in C: row e of its g-th group of four rows, column 0 of its
// h-th float4 of columns.
#define ROW_OF(g, e) (m0 + (g) * 4 * TY + ty * 4 + (e))
#define COL_OF(h) (n0 + (h) * 4 * TX + tx * 4)

// With K groups, the float4s of local memory a work-group needs: its groups' A and B slices, or the
// sums of groups 1..KG-1 as they meet at the end, whichever is larger.
#define TILES_F4 (KG * (A_SLICE_F4 + TK * TN / 4))
#define SUMS_F4 ((KG - 1) * THREADS * WM * GN)
#define LOCAL_F4 (TILES_F4 > SUMS_F4 ? TILES_F4 : SUMS_F4)
// Group z's (1..KG-1) sum for acc[i][h] of work-item tid as the groups' sums meet in lmem.
#define GROUP_SUM(z, i, h) lmem[(((z) - 1) * WM * GN + (i) * GN + (h)) * THREADS + tid]

__kernel __attribute__((reqd_work_group_size(TX, TY, KG)))
void gemm_tiled(const int M, const int N, const int K,
                __global const A_STORED* restrict a, const int offa, const int lda,
                __global const B_STORED* restrict bp, const int offb, const int ldb,
                C_PARAMS IM2COL_PARAMS DEPTHWISE_PARAMS NORM_PARAMS TAIL_PARAMS BATCH_PARAMS)
{
#if KG > 1
    __local float4 lmem[LOCAL_F4];
    const int kz = get_local_id(2);         // this work-item's K group
    // this group's A and B slices, carved out of lmem
    A_ROWS = (A_ROWS_T)(lmem + kz * A_SLICE_F4);
    __local float4 (*bs)[TN / 4] = (__local float4 (*)[TN / 4])(lmem + KG * A_SLICE_F4 + kz * (TK * TN / 4));
#elif DB
    const int kz = 0;
    // two A and B slices: the next is stored while the current one is read
    A_TILES;
    __local float4 bs2[2][TK][TN / 4];
    A_ROWS = as2[0];
    __local float4 (*bs)[TN / 4] = bs2[0];
#else
    const int kz = 0;
    A_TILE;
    __local float4 bs[TK][TN / 4];
#endif

    const int tx = get_local_id(0);
    const int ty = get_local_id(1);
    const int tid = ty * TX + tx;
    const int m0 = get_group_id(1) * TM;
    const int n0 = get_group_id(0) * TN;
#if KS
    const int kbegin = get_group_id(2) * KS;                    // this work-group's slice of K
    const int kend = min((K + TK - 1) / TK * TK, kbegin + KS);
#else
    const int kbegin = 0;
    const int kend = (K + TK - 1) / TK * TK;
#endif
    const int nrow = ldb / 4;       // float4s per row of bp
#if A_VEC4
    a += OFFSET(offa) / 4;          // a multiple of 4 floats
#elif !A_PACKED
    a += OFFSET(offa);
#endif
#if !B_PACKED
    bp += offb / 4;                 // a multiple of 4 floats
#endif
#if BATCHED
    // this work-group's product of the batch
    a += (size_t)get_group_id(2) * sa;
    bp += (size_t)get_group_id(2) * sb;
    c += (size_t)get_group_id(2) * sc;
#endif
#if IM2COL_WALK
    WALK_STATE;
    WALK_START(kbegin + kz * TK);
#endif

    float4 acc[WM][GN];
    #pragma unroll
    for (int i = 0; i < WM; ++i) {
        #pragma unroll
        for (int h = 0; h < GN; ++h) {
            acc[i][h] = (float4)(0.0f);
        }
    }

    a_elem ra[LA];
    float4 rb[LB];
#if KG > 1
    // every group takes the same number of steps (the barriers are the work-group's); a group's step
    // past the end of K computes on zeros
#define LOAD_OR_ZERO(k)                                                                 \
    if ((k) < kend) {                                                                   \
        load_slice(k);                                                                  \
    } else {                                                                            \
        _Pragma("unroll")                                                               \
        for (int l = 0; l < LA; ++l) {                                                  \
            ra[l] = (a_elem)(0.0f);                                                     \
        }                                                                               \
        _Pragma("unroll")                                                               \
        for (int l = 0; l < LB; ++l) {                                                  \
            rb[l] = (float4)(0.0f);                                                     \
        }                                                                               \
    }
    const int steps = (kend - kbegin + KSTEP - 1) / KSTEP;
    LOAD_OR_ZERO(kbegin + kz * TK);
    for (int s = 0, k0 = kbegin + kz * TK; s < steps; ++s, k0 += KSTEP) {
#elif DB
    // one barrier per step: the next slice goes into the other pair of local tiles, which nobody reads
    // until the barrier that ends this step
    load_slice(kbegin);
    STORE_SLICE();
    barrier(CLK_LOCAL_MEM_FENCE);
    int cur = 0;
    for (int k0 = kbegin; k0 < kend; k0 += TK) {
        const bool more = k0 + TK < kend;
        if (more) {
            load_slice(k0 + TK);
        }
        COMPUTE_SLICE();
        if (more) {
            cur ^= 1;
            as = as2[cur];
            bs = bs2[cur];
            STORE_SLICE();
        }
        barrier(CLK_LOCAL_MEM_FENCE);
    }
#else
    load_slice(kbegin);

    for (int k0 = kbegin; k0 < kend; k0 += TK) {
#endif
#if !DB
        barrier(CLK_LOCAL_MEM_FENCE);       // everyone is done reading the previous slice
        STORE_SLICE();
        barrier(CLK_LOCAL_MEM_FENCE);

#if KG > 1
        if (s + 1 < steps) {
            LOAD_OR_ZERO(k0 + KSTEP);
        }
#else
        if (k0 + TK < kend) {
            load_slice(k0 + TK);
        }
#endif
        COMPUTE_SLICE();
    }
#endif

#if KG > 1
    // the groups' sums meet: groups 1..KG-1 leave theirs in lmem, group 0 adds them and stores the tile
    barrier(CLK_LOCAL_MEM_FENCE);           // every group is done reading its slices
    if (kz > 0) {
        #pragma unroll
        for (int i = 0; i < WM; ++i) {
            #pragma unroll
            for (int h = 0; h < GN; ++h) {
                GROUP_SUM(kz, i, h) = acc[i][h];
            }
        }
    }
    barrier(CLK_LOCAL_MEM_FENCE);
    if (kz > 0) {
        return;
    }
    for (int z = 1; z < KG; ++z) {
        #pragma unroll
        for (int i = 0; i < WM; ++i) {
            #pragma unroll
            for (int h = 0; h < GN; ++h) {
                acc[i][h] += GROUP_SUM(z, i, h);
            }
        }
    }
#endif
#if KS
    __global float* const slice = part + (size_t)get_group_id(2) * M * N;      // this work-group's K slice
#endif
#if VECTOR_C
    // C's rows (and the residual's) start on 16-byte boundaries: whole float4s of columns are stored at once
    const bool whole = ((C_OFFSET(offc) | LDC) & 3) == 0;
#if RESIDUAL
    // The work-item's residual vectors are all loaded before any of its stores: res may be C itself, so
    // the compiler would otherwise wait for each store before the next load (a residual layer of ResNet-50
    // at batch 64, 56x56x256, took 510 us against 329 for the same product without its residual).
    float4 rr[WM][GN];
    #pragma unroll
    for (int g = 0; g < GM; ++g) {
        #pragma unroll
        for (int e = 0; e < 4; ++e) {
            const int m = ROW_OF(g, e);
            const size_t at = C_OFFSET(offc) + (size_t)m * LDC;
            #pragma unroll
            for (int h = 0; h < GN; ++h) {
                const int n = COL_OF(h);
                rr[g * 4 + e][h] = whole && m < M && n + 3 < N ? RES4(at + n) : (float4)(0.0f);
            }
        }
    }
#define RES4_OF(i, h, at) rr[i][h]           // loaded above
#else
#define RES4_OF(i, h, at) RES4(at)
#endif
#endif
    #pragma unroll
    for (int g = 0; g < GM; ++g) {
        #pragma unroll
        for (int e = 0; e < 4; ++e) {
            const int m = ROW_OF(g, e);
            if (m < M) {
#if KS
                __global float* row = slice + (size_t)m * N;
#else
                const size_t at = C_OFFSET(offc) + (size_t)m * LDC;       // C's row m
#if !FUSED
                __global float* row = c + at;
#endif
#endif
                #pragma unroll
                for (int h = 0; h < GN; ++h) {
                    const int n = COL_OF(h);
#if KS
                    const float4 v = acc[g * 4 + e][h];     // a slice's sums, scaled by the reduction
#else
                    const float4 v = SCALE(acc[g * 4 + e][h]);
#endif
#if VECTOR_C
                    if (whole && n + 3 < N) {
                        // four neighbouring columns in one 16-byte access (and the residual's likewise)
                        *(__global float4*)(c + at + n) = EPILOGUE(v, BIAS4(n), RES4_OF(g * 4 + e, h, at + n));
                        continue;
                    }
#endif
                    const float vs[4] = {v.x, v.y, v.z, v.w};
                    #pragma unroll
                    for (int t = 0; t < 4; ++t) {
                        if (n + t < N) {
#if KS
                            row[n + t] = vs[t];
#elif FUSED
                            STORE_C(at + n + t, n + t, vs[t]);
#else
                            // STORE_C, through the row pointer: the address arithmetic this kernel was tuned with
                            row[n + t] = beta == 0.0f ? vs[t] : fma(beta, row[n + t], vs[t]);
#endif
                        }
                    }
                }
            }
        }
    }
}
