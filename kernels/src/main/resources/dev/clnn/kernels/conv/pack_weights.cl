// Packs a weight matrix once, at configure time, into the zero-padded panels the fast
// convolution and dense kernels read with unit stride and no bounds checks.
//
// The source is row-major (DEPTH, COLS): a convolution's HWIO weights viewed as
// (KH * KW * CIN, COUT), or a dense layer's (in, out) matrix. The destination holds
// ceil(COLS / PANEL) panels of DEPTH_PAD x PANEL floats, each k-major:
//
//     dst[(q * DEPTH_PAD + k) * PANEL + lane] = src[k * COLS + q * PANEL + lane],  or 0 outside src
//
// With a single panel (PANEL >= COLS) this is the (DEPTH_PAD, PANEL) matrix with zero columns
// and rows appended. The panel index and the lane are separate work-item dimensions, so no
// work-item divides by a run-time value.
//
// Global size: (PANEL, ceil(COLS / PANEL), DEPTH_PAD). No defines.

__kernel void pack_weights(__global const float* restrict src, const int DEPTH, const int COLS,
                           __global float* restrict dst, const int PANEL, const int DEPTH_PAD)
{
    const int lane = get_global_id(0);
    const int q = get_global_id(1);
    const int k = get_global_id(2);
    const int col = q * PANEL + lane;
    dst[((size_t)q * DEPTH_PAD + k) * PANEL + lane] = col < COLS && k < DEPTH ? src[(size_t)k * COLS + col] : 0.0f;
}
