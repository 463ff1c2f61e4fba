// Resize of the two spatial axes of an NHWC tensor (ONNX Resize, modes nearest and linear):
//     y[b, oy, ox, c] = sum over the taps (iy, wy) of row oy and (ix, wx) of column ox of
//                       wy * wx * x[b, iy, ix, c]
// x is (N, H, W, C), y is (N, OH, OW, C), both row-major. Where each output row and column reads
// from comes from the host as a table, so every device rounds coordinates alike (ONNX Runtime's
// float arithmetic, computed once in Java; no division on the device):
//     t[4 * oy]          first input row  (a whole number stored as a float)
//     t[4 * oy + 1]      second input row
//     t[4 * oy + 2..3]   their weights
// followed by the same for each output column, from t[4 * OH]. Nearest reads the first tap only.
//
// Kernel:
//   resize_nhwc   one output element per work-item, channels fastest: neighbouring work-items write
//                 neighbouring floats and read neighbouring channels of the same pixels (coalesced
//                 on a GPU). Global >= n = N * OH * OW * C, bounds-checked.
//
// Defines:
//   MODE   0 nearest (one tap), 1 bilinear (2 x 2 taps)

#ifndef MODE
#define MODE 0          // 0 nearest, 1 bilinear
#endif

// NOTE: remainders as a - (a / b) * b, which Oclgrind's --uninitialized checker can run.
__kernel void resize_nhwc(const int n, const int h, const int w, const int c, const int oh, const int ow,
                          __global const float* restrict x, __global const float* restrict t,
                          __global float* restrict y)
{
    const int g = get_global_id(0);
    if (g >= n) {
        return;
    }
    int q = g / c;
    const int ch = g - q * c;
    const int ox = q - (q / ow) * ow;
    q /= ow;
    const int oy = q - (q / oh) * oh;
    const int b = q / oh;
    __global const float* img = x + (size_t)b * h * w * c + ch;
    __global const float* ty = t + 4 * oy;
    __global const float* tx = t + 4 * oh + 4 * ox;
    const int y0 = (int)ty[0];
    const int x0 = (int)tx[0];
#if MODE == 0
    y[g] = img[(size_t)(y0 * w + x0) * c];
#else
    const int y1 = (int)ty[1];
    const int x1 = (int)tx[1];
    const float top = tx[2] * img[(size_t)(y0 * w + x0) * c] + tx[3] * img[(size_t)(y0 * w + x1) * c];
    const float bottom = tx[2] * img[(size_t)(y1 * w + x0) * c] + tx[3] * img[(size_t)(y1 * w + x1) * c];
    y[g] = ty[2] * top + ty[3] * bottom;
#endif
}
