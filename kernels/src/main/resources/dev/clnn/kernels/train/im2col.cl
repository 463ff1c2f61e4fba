// im2col and col2im over NHWC activations: the two data movements that turn a 2-D convolution,
// and the gradient of its input, into GEMMs (ops.Gemm).
//
//   im2col   x (N, H, W, C) -> cols (M, K), M = N*OH*OW rows (one per output pixel, NHWC order),
//            K = KH*KW*C columns ordered (kh, kw, c), which is the row order of a convolution
//            weight stored HWIO (KH, KW, C, OC) as a (K, OC) matrix:
//                cols[(n*OH + oh)*OW + ow][(kh*KW + kw)*C + c]
//                    = x[n][oh*SH - PT + kh][ow*SW - PL + kw][c], or 0 inside the padding.
//            The forward pass is then  y (M, OC) = cols * w (K, OC), already NHWC.
//   col2im   the adjoint of im2col: dcols (M, K) -> dx (N, H, W, C),
//                dx[n][h][w][c] = sum of dcols over every (oh, ow, kh, kw) whose window read x[n][h][w][c].
//            Gathered per input element rather than scattered per column, so no atomics are needed
//            and the sum order, hence the result, is the same on every run.
//
// Row-major fp32. The geometry travels as arguments, so one program serves every layer shape.
// Global size: M*K work-items for im2col, N*H*W*C for col2im (one element each, unit stride along
// the fastest axis of what it writes: neighbouring work-items of a GPU write neighbouring floats);
// M for im2col_rows, the CPU form (one row of cols each: a CPU runs work-items one after another,
// so a work-item per float costs more than the copy). Any work-group size. No defines.

__kernel void im2col(__global const float* restrict x, const int H, const int W, const int C,
                     const int OH, const int OW, const int KH, const int KW,
                     const int SH, const int SW, const int PT, const int PL,
                     __global float* restrict cols)
{
    const int K = KH * KW * C;
    const size_t i = get_global_id(0);
    const int col = (int)(i % K);
    const size_t row = i / K;
    const int c = col % C;
    const int kw = (col / C) % KW;
    const int kh = col / (C * KW);
    const int ow = (int)(row % OW);
    const int oh = (int)((row / OW) % OH);
    const size_t n = row / ((size_t)OW * OH);
    const int h = oh * SH - PT + kh;
    const int w = ow * SW - PL + kw;
    float v = 0.0f;
    if (h >= 0 && h < H && w >= 0 && w < W) {
        v = x[((n * H + h) * W + w) * C + c];
    }
    cols[i] = v;
}

__kernel void im2col_rows(__global const float* restrict x, const int H, const int W, const int C,
                          const int OH, const int OW, const int KH, const int KW,
                          const int SH, const int SW, const int PT, const int PL,
                          __global float* restrict cols)
{
    const size_t row = get_global_id(0);
    const int ow = (int)(row % OW);
    const int oh = (int)((row / OW) % OH);
    const size_t n = row / ((size_t)OW * OH);
    __global float* out = cols + row * (size_t)(KH * KW * C);
    for (int kh = 0; kh < KH; ++kh) {
        const int h = oh * SH - PT + kh;
        for (int kw = 0; kw < KW; ++kw) {
            const int w = ow * SW - PL + kw;
            if (h >= 0 && h < H && w >= 0 && w < W) {
                __global const float* src = x + ((n * H + h) * W + w) * C;
                for (int c = 0; c < C; ++c) {
                    out[c] = src[c];
                }
            } else {
                for (int c = 0; c < C; ++c) {
                    out[c] = 0.0f;
                }
            }
            out += C;
        }
    }
}

__kernel void col2im(__global const float* restrict dcols, const int H, const int W, const int C,
                     const int OH, const int OW, const int KH, const int KW,
                     const int SH, const int SW, const int PT, const int PL,
                     __global float* restrict dx)
{
    const int K = KH * KW * C;
    const size_t i = get_global_id(0);
    const int c = (int)(i % C);
    const int w = (int)((i / C) % W);
    const int h = (int)((i / ((size_t)C * W)) % H);
    const size_t n = i / ((size_t)C * W * H);
    float sum = 0.0f;
    for (int kh = 0; kh < KH; ++kh) {
        const int ys = h + PT - kh;         // oh * SH when this tap of output row oh reads row h
        if (ys < 0 || ys % SH != 0 || ys / SH >= OH) {
            continue;
        }
        const int oh = ys / SH;
        for (int kw = 0; kw < KW; ++kw) {
            const int xs = w + PL - kw;
            if (xs < 0 || xs % SW != 0 || xs / SW >= OW) {
                continue;
            }
            const int ow = xs / SW;
            sum += dcols[((n * OH + oh) * OW + ow) * K + (kh * KW + kw) * C + c];
        }
    }
    dx[i] = sum;
}
