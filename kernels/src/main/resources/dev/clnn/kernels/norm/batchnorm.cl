// Batch normalisation for inference along one channel axis, with a fused activation:
//     y = ACTIVATE(x * scale[c] + shift[c]),   scale = gamma / sqrt(var + eps),  shift = beta - mean * scale
// The host folds gamma, beta, mean, var and eps into scale and shift once, at configure time, and
// passes them as one buffer ss: scale[0..C-1] then shift[0..C-1].
//
// Layout: x and y viewed as (OUTER, C, INNER), row-major; c is the channel of an element. NHWC's
// channel axis is the last (INNER = 1), NCHW's is axis 1 (INNER = H*W). y may alias x. The host
// prepends common/vector.cl and common/activation.cl.
//
// Kernels:
//   batchnorm_general        one element per work-item, c = (i / INNER) % C; any axis. Global >= N.
//   batchnorm_channels_last  INNER == 1: VW channels of one row per work-item, scale and shift loaded
//                            as vectors too; partial block at the end of a row. Global >= rows * ceil(C / VW).
//
// Defines (besides those of the two headers):
//   VW   channels per work-item of batchnorm_channels_last (common/vector.cl)

__kernel void batchnorm_general(const int n, const int channels, const int inner,
                                __global const float* x, __global const float* ss, __global float* y)
{
    const int g = get_global_id(0);
    if (g >= n) {
        return;
    }
    const int c = (g / inner) % channels;
    const float v = fma(x[g], ss[c], ss[channels + c]);
    y[g] = ACTIVATE(v);
}

__kernel void batchnorm_channels_last(const int rows, const int channels,
                                      __global const float* x, __global const float* ss, __global float* y)
{
    int row, c0;
    if (!row_chunk(rows, channels, &row, &c0)) {
        return;
    }
    const int valid = channels - c0;
    const size_t at = (size_t)row * channels + c0;
    const floatv v = fma(vload_partial(x + at, valid), vload_partial(ss + c0, valid),
                         vload_partial(ss + channels + c0, valid));
    vstore_partial(ACTIVATE(v), y + at, valid);
}
