// Column sums of a row-major (rows, cols) matrix, in two deterministic passes (no atomics): the
// bias gradient of dense and convolution layers (the sum of dY over every row: batch, or batch and
// pixels) and the per-epoch sums of per-example loss and correctness.
//
//   col_sums_partial  global (cols, chunks): work-item (j, g) sums rows g*chunk_rows ..
//                     min(rows, (g+1)*chunk_rows) - 1 of column j of src (starting at float offs)
//                     into partial[g*cols + j]. Neighbouring work-items read neighbouring columns.
//   col_sums_final    global (cols): dst[offd + j] = alpha * sum_g partial[g*cols + j]
//                     (+ beta * dst[offd + j] when beta != 0; when beta == 0 dst is not read).
//
// Splitting the rows into chunks gives a GPU cols*chunks work-items instead of cols, and keeps
// each float sum short (better rounding than one running sum over every row).
// Any work-group size. No defines.

__kernel void col_sums_partial(__global const float* restrict src, const int offs, const int rows,
                               const int cols, const int chunk_rows, __global float* restrict partial)
{
    const int j = get_global_id(0);
    const int g = get_global_id(1);
    const int start = g * chunk_rows;
    const int end = min(rows, start + chunk_rows);
    float sum = 0.0f;
    for (int r = start; r < end; ++r) {
        sum += src[offs + (size_t)r * cols + j];
    }
    partial[(size_t)g * cols + j] = sum;
}

__kernel void col_sums_final(__global const float* restrict partial, const int chunks, const int cols,
                             const float alpha, const float beta, __global float* restrict dst, const int offd)
{
    const int j = get_global_id(0);
    float sum = 0.0f;
    for (int g = 0; g < chunks; ++g) {
        sum += partial[(size_t)g * cols + j];
    }
    __global float* out = dst + offd + j;
    *out = beta == 0.0f ? alpha * sum : fma(alpha, sum, beta * *out);
}
