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
// Global size: (rows_pad, depth_pad). No defines.

__kernel void gemm_pack(__global const float* restrict src, const int off, const int ld, const int row_major,
                        const int rows, const int depth,
                        __global float* restrict dst, const int panel, const int depth_pad)
{
    const int r = get_global_id(0);
    const int k = get_global_id(1);
    float v = 0.0f;
    if (r < rows && k < depth) {
        v = row_major ? src[off + (size_t)r * ld + k] : src[off + (size_t)k * ld + r];
    }
    dst[(size_t)(r / panel) * depth_pad * panel + (size_t)k * panel + (r % panel)] = v;
}
