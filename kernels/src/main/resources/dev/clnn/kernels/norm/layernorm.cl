// Layer normalisation over the last L elements of each row (ONNX LayerNormalization over trailing
// axes, which are contiguous: a tensor viewed as (ROWS, L), row-major):
//     mean_r = sum_j x[r, j] / L,   var_r = sum_j (x[r, j] - mean_r)^2 / L
//     y[r, j] = (x[r, j] - mean_r) / sqrt(var_r + eps) * gamma[j] + beta[j]
// gamma and beta are one buffer of 2L floats (gamma, then beta). The variance is taken around the
// mean (two passes over the row), which keeps its precision when the mean is large against the
// spread. The host prepends common/vector.cl.
//
// Kernel:
//   layernorm_rows   one row per work-item: VW floats per load over the whole vectors of the row,
//                    then the tail of L mod VW floats one by one. VW = 1 is the general kernel.
//                    Global >= ROWS, bounds-checked.
//
// Defines:
//   VW   floats per load (common/vector.cl)

__kernel void layernorm_rows(const int rows, const int len, const float eps, __global const float* x,
                             __global const float* gammaBeta, __global float* y)
{
    const int r = get_global_id(0);
    if (r >= rows) {
        return;
    }
    __global const float* xr = x + (size_t)r * len;
    __global float* yr = y + (size_t)r * len;
    __global const float* gamma = gammaBeta;
    __global const float* beta = gammaBeta + len;
    const int vecs = len / VW;
    const int tail = vecs * VW;

    floatv acc = (floatv)(0.0f);
    for (int v = 0; v < vecs; ++v) {
        acc += VLOAD(v, xr);
    }
    float sum = hsum(acc);
    for (int j = tail; j < len; ++j) {
        sum += xr[j];
    }
    const float mean = sum / (float)len;

    floatv acc2 = (floatv)(0.0f);
    for (int v = 0; v < vecs; ++v) {
        const floatv d = VLOAD(v, xr) - mean;
        acc2 += d * d;
    }
    float sq = hsum(acc2);
    for (int j = tail; j < len; ++j) {
        const float d = xr[j] - mean;
        sq += d * d;
    }
    const float rstd = 1.0f / sqrt(sq / (float)len + eps);

    for (int v = 0; v < vecs; ++v) {
        VSTORE((VLOAD(v, xr) - mean) * rstd * VLOAD(v, gamma) + VLOAD(v, beta), v, yr);
    }
    for (int j = tail; j < len; ++j) {
        yr[j] = (xr[j] - mean) * rstd * gamma[j] + beta[j];
    }
}
