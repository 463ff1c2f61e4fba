// Packing for the GEMM family: copies one operand into the zero-padded panel layout the CPU and tiled
// kernels read with unit stride and no bounds checks. Gemm packs A and B on every run, or B once
// (constant weights: pointwise convolutions, dense layers) and again on repack; Conv2d's direct
// kernel takes its weights zero-padded the same way.
//
// The operand is viewed as a logical rows x depth matrix X (rows = M for A, N for B; depth = K):
//     row_major != 0:  X(r, k) = src[off + r * ld + k]     (A as stored, or B stored transposed)
//     row_major == 0:  X(r, k) = src[off + k * ld + r]     (A stored transposed, or B as stored)
//
// The destination holds ceil(rows / panel) panels of depth_pad x panel floats, each k-major:
//     dst[(r / panel) * depth_pad * panel + k * panel + r % panel] = X(r, k), or 0 outside X.
// With panel = rows_pad there is a single panel: the K x M (or K x N) layout of the tiled kernel.
//
// Three kernels write that layout:
//   gemm_pack       one element per work-item; global size (rows_pad, depth_pad). For GPUs: neighbouring
//                   work-items write neighbouring floats.
//   gemm_pack_rows  one k-row of count panels (count * panel floats) per work-item, one more argument
//                   count; global size (depth_pad, ceil(rows_pad / panel / count)). For CPUs, which run a
//                   work-group's items one after another: a work-item is a unit-stride copy the compiler turns into vector loads and stores
//                   (row_major == 0), and neighbouring work-items read neighbouring columns of the same
//                   cache lines (row_major != 0), where one float per work-item spent a division and a
//                   modulo on every element and, for a row-major X, walked the source column-wise.
//   gemm_pack_transpose  for GPUs and a row-major X (row_major == 1, not an argument): a work-group of
//                   PT x PT_ROWS work-items moves a PT x PT block of X through local memory, reading along
//                   k and writing along r, so both sides are whole lines; global size (ceil(depth_pad / PT)
//                   * PT, ceil(rows_pad / PT) * PT_ROWS), work-groups (PT, PT_ROWS). gemm_pack on such an X
//                   reads with a stride of ld between neighbouring work-items (SGEMM n=2048 on the H200:
//                   0.040 ms to pack A, 16 MiB).
// Defines:
//   PACK_HALF  1: the panels are written as half-precision floats (vstore_half, rounded to nearest): the
//              weights of a layer whose activations are stored as half (STORE_HALF, gemm_common.cl)

#ifndef PACK_HALF
#define PACK_HALF 0     // write half-precision panels
#endif
#if PACK_HALF
#define PANEL_T half
#define PUT(v, i, p) vstore_half((v), (i), (p))
#else
#define PANEL_T float
#define PUT(v, i, p) ((p)[i] = (v))
#endif

__kernel void gemm_pack(__global const float* restrict src, const int off, const int ld, const int row_major,
                        const int rows, const int depth,
                        __global PANEL_T* restrict dst, const int panel, const int depth_pad)
{
    const int r = get_global_id(0);
    const int k = get_global_id(1);
    float v = 0.0f;
    if (r < rows && k < depth) {
        v = row_major ? src[off + (size_t)r * ld + k] : src[off + (size_t)k * ld + r];
    }
    PUT(v, (size_t)(r / panel) * depth_pad * panel + (size_t)k * panel + (r % panel), dst);
}

__kernel void gemm_pack_rows(__global const float* restrict src, const int off, const int ld, const int row_major,
                             const int rows, const int depth,
                             __global PANEL_T* restrict dst, const int panel, const int depth_pad, const int count)
{
    const int k = get_global_id(0);
    const int p0 = get_global_id(1) * count;
    const int panels = (rows + panel - 1) / panel;
    for (int p = p0; p < min(p0 + count, panels); ++p) {
        const int r0 = p * panel;
        __global PANEL_T* out = dst + ((size_t)p * depth_pad + k) * panel;
        const int n = k < depth ? min(rows - r0, panel) : 0;     // elements of X in this run
        if (row_major) {
            __global const float* in = src + off + (size_t)r0 * ld + k;
            for (int e = 0; e < n; ++e) {
                PUT(in[(size_t)e * ld], e, out);
            }
        } else {
            __global const float* in = src + off + (size_t)k * ld + r0;
            for (int e = 0; e < n; ++e) {
                PUT(in[e], e, out);
            }
        }
        for (int e = n; e < panel; ++e) {
            PUT(0.0f, e, out);
        }
    }
}

#define PT 32           // block side of gemm_pack_transpose
#define PT_ROWS 8       // work-items along the block's rows (each moves PT / PT_ROWS of them)

__kernel __attribute__((reqd_work_group_size(PT, PT_ROWS, 1)))
void gemm_pack_transpose(__global const float* restrict src, const int off, const int ld,
                         const int rows, const int depth,
                         __global PANEL_T* restrict dst, const int panel, const int depth_pad)
{
    __local float block[PT][PT + 1];        // X(r0 + i, k0 + j) at [i][j]; a column of padding against bank conflicts
    const int k0 = get_group_id(0) * PT;
    const int r0 = get_group_id(1) * PT;
    const int tx = get_local_id(0);
    const int ty = get_local_id(1);
    const int rows_pad = (rows + panel - 1) / panel * panel;
    for (int i = ty; i < PT; i += PT_ROWS) {
        const int r = r0 + i;
        const int k = k0 + tx;
        block[i][tx] = r < rows && k < depth ? src[off + (size_t)r * ld + k] : 0.0f;
    }
    barrier(CLK_LOCAL_MEM_FENCE);
    // the tiled form's single panel (panel == rows_pad) needs no division per element
    const bool single = panel >= rows_pad;
    for (int i = ty; i < PT; i += PT_ROWS) {
        const int r = r0 + tx;
        const int k = k0 + i;
        if (r < rows_pad && k < depth_pad) {
            const size_t at = single ? (size_t)k * panel + r
                                     : (size_t)(r / panel) * depth_pad * panel + (size_t)k * panel + (r % panel);
            PUT(block[tx][i], at, dst);
        }
    }
}
