// Repetition of a tensor of rank <= 6 along its dimensions (ONNX Tile, and Expand, which repeats
// the dimensions of size 1): the host views input and output as 6-D, unit dimensions in front, with
// the input's dimensions ik and strides sk; the output dimensions are ok = ik * repeats_k:
//     y[c0, ..., c5] = x[sum_k (ck mod ik) * sk],   y row-major (o0, ..., o5)
//
// Kernel:
//   tile_copy   one output element per work-item; neighbouring work-items write neighbouring floats
//               and, within a repeat, read neighbouring floats. Global >= N, bounds-checked.
//
// Defines: none.

// NOTE: remainders as a - (a / b) * b, which Oclgrind's --uninitialized checker can run.
#define TILE_DIM(k) { const int q = rest / o##k; const int e = rest - q * o##k; rest = q; \
                      at += (e - (e / i##k) * i##k) * s##k; }

__kernel void tile_copy(const int n,
                        const int o0, const int o1, const int o2, const int o3, const int o4, const int o5,
                        const int i0, const int i1, const int i2, const int i3, const int i4, const int i5,
                        const int s0, const int s1, const int s2, const int s3, const int s4, const int s5,
                        __global const float* x, __global float* y)
{
    const int g = get_global_id(0);
    if (g >= n) {
        return;
    }
    int rest = g;
    int at = 0;
    TILE_DIM(5) TILE_DIM(4) TILE_DIM(3) TILE_DIM(2) TILE_DIM(1) TILE_DIM(0)
    y[g] = x[at];
}
