// Sum, mean or L2 norm over any set of axes of a tensor of rank <= 6 (ONNX ReduceSum, ReduceMean,
// ReduceL2). The host
// views the input as 6-D row-major, unit dimensions in front, and splits each dimension k into its
// kept extent ok (the input size, or 1 when the axis is reduced) and its reduced extent rk (the
// input size when reduced, else 1); sk is the input stride of dimension k. Output element
// (c0, ..., c5), c in the kept extents, row-major:
//     y[c] = SCALE * sum over (i0 < r0, ..., i5 < r5) of x[sum_k (ck + ik) * sk]
// where at most one of ck, ik is non-zero per dimension. SCALE is 1 for a sum, 1 / (r0*...*r5) for
// a mean, passed as an argument. With L2 the terms are squared and y is sqrt of the sum instead.
// The sum runs in float, in row-major order of the reduced indices.
// The host prepends common/vector.cl (unravel).
//
// Kernel:
//   reduce_axes   one work-item per output element; its reduced elements are read with the loops
//                 innermost along the input's last dimension, so a reduction over the last axis reads
//                 a contiguous row (CPU). Global >= outputs, bounds-checked. Any work-group size.
//
// Defines:
//   L2   1: y = sqrt(sum of x^2) (SCALE unused); 0 (default): y = SCALE * sum of x

#ifndef L2
#define L2 0
#endif

__kernel void reduce_axes(const int outputs, const int o1, const int o2, const int o3, const int o4,
                          const int o5, const int r0, const int r1, const int r2, const int r3, const int r4,
                          const int r5, const int s0, const int s1, const int s2, const int s3, const int s4,
                          const int s5, const float scale, __global const float* x, __global float* y)
{
    const int g = get_global_id(0);
    if (g >= outputs) {
        return;
    }
    int r = g;
    const int c5 = unravel(&r, o5);
    const int c4 = unravel(&r, o4);
    const int c3 = unravel(&r, o3);
    const int c2 = unravel(&r, o2);
    const int c1 = unravel(&r, o1);
    const int c0 = r;
    __global const float* base = x + (size_t)c0 * s0 + (size_t)c1 * s1 + (size_t)c2 * s2 + (size_t)c3 * s3
            + (size_t)c4 * s4 + (size_t)c5 * s5;
    float sum = 0.0f;
    for (int i0 = 0; i0 < r0; ++i0) {
        for (int i1 = 0; i1 < r1; ++i1) {
            for (int i2 = 0; i2 < r2; ++i2) {
                for (int i3 = 0; i3 < r3; ++i3) {
                    __global const float* row = base + (size_t)i0 * s0 + (size_t)i1 * s1 + (size_t)i2 * s2
                            + (size_t)i3 * s3;
                    for (int i4 = 0; i4 < r4; ++i4) {
                        for (int i5 = 0; i5 < r5; ++i5) {
                            const float v = row[(size_t)i4 * s4 + (size_t)i5 * s5];
#if L2
                            sum = fma(v, v, sum);
#else
                            sum += v;
#endif
                        }
                    }
                }
            }
        }
    }
#if L2
    y[g] = sqrt(sum);
#else
    y[g] = sum * scale;
#endif
}
