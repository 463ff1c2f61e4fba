// Transpose (permutation of dimensions) of a tensor of any layout:
//     y[i_p0, i_p1, ...] = x[i_0, i_1, ...]   that is, output dimension k is input dimension perm[k].
// The host first folds the permutation: drops dimensions of size 1 and merges dimensions that stay
// neighbours in the same order. NCHW -> NHWC folds to the batched 2-D transpose (N, C, HW) -> (N, HW, C).
// The host prepends common/vector.cl.
//
// Kernels:
//   transpose          general: y as rows of INNER contiguous floats (INNER > 1 only when the last
//                      input dimension stays last; else 1), the row index over up to eight output
//                      dimensions od0..od7 with the matching input strides s0..s7 (in floats; unused
//                      leading ones 1 and 0). VW floats of one row per work-item (VW = 1: one element,
//                      coalesced writes). Global >= rows * ceil(INNER / VW).
//   transpose2d_local  batched 2-D: x (B, R, C) -> y (B, C, R). A TS x TS tile is read along x's rows
//                      and written along y's rows through local memory, so both sides are coalesced
//                      (GPU). Global (ceil(C / TS) * TS, ceil(R / TS) * TS, B), local (TS, TS, 1).
//   transpose2d_block  batched 2-D without local memory: one TB x TB block per work-item, read row by
//                      row, written column by column from registers (CPU). Global (ceil(C / TB), ceil(R / TB), B).
//
// Defines:
//   VW   floats per work-item of transpose (common/vector.cl)
//   TS   tile side of transpose2d_local
//   TB   block side of transpose2d_block

#ifndef TS
#define TS 16           // tile side, local variant
#endif
#ifndef TB
#define TB 8            // block side, register variant
#endif

#define T_DIM(k) { const int q = rest / od##k; const int c = rest - q * od##k; rest = q; src += c * s##k; }

__kernel void transpose(const int rows, const int inner,
                        const int od0, const int od1, const int od2, const int od3,
                        const int od4, const int od5, const int od6, const int od7,
                        const int s0, const int s1, const int s2, const int s3,
                        const int s4, const int s5, const int s6, const int s7,
                        __global const float* x, __global float* y)
{
    int row, j0;
    if (!row_chunk(rows, inner, &row, &j0)) {
        return;
    }
    int rest = row;
    int src = 0;                // input offset of the row's first float
    T_DIM(7) T_DIM(6) T_DIM(5) T_DIM(4) T_DIM(3) T_DIM(2) T_DIM(1) T_DIM(0)
    vstore_partial(vload_partial(x + (size_t)src + j0, inner - j0), y + (size_t)row * inner + j0, inner - j0);
}

__kernel __attribute__((reqd_work_group_size(TS, TS, 1)))
void transpose2d_local(const int R, const int C, __global const float* x, __global float* y)
{
    __local float tile[TS][TS + 1];         // + 1: a column of the tile spreads over all banks
    const int tx = get_local_id(0);
    const int ty = get_local_id(1);
    const int c0 = get_group_id(0) * TS;
    const int r0 = get_group_id(1) * TS;
    const size_t base = (size_t)get_global_id(2) * R * C;
    if (r0 + ty < R && c0 + tx < C) {
        tile[ty][tx] = x[base + (size_t)(r0 + ty) * C + c0 + tx];
    }
    barrier(CLK_LOCAL_MEM_FENCE);
    // y row c0 + ty, column r0 + tx; its tile entry was written above under the same bounds
    if (c0 + ty < C && r0 + tx < R) {
        y[base + (size_t)(c0 + ty) * R + r0 + tx] = tile[tx][ty];
    }
}

__kernel void transpose2d_block(const int R, const int C, __global const float* x, __global float* y)
{
    const int c0 = get_global_id(0) * TB;
    const int r0 = get_global_id(1) * TB;
    if (c0 >= C || r0 >= R) {
        return;
    }
    const size_t base = (size_t)get_global_id(2) * R * C;
    const int rn = min(TB, R - r0);
    const int cn = min(TB, C - c0);
    float block[TB][TB];
    for (int r = 0; r < rn; ++r) {
        for (int c = 0; c < cn; ++c) {
            block[r][c] = x[base + (size_t)(r0 + r) * C + c0 + c];
        }
    }
    for (int c = 0; c < cn; ++c) {
        for (int r = 0; r < rn; ++r) {
            y[base + (size_t)(c0 + c) * R + r0 + r] = block[r][c];
        }
    }
}
