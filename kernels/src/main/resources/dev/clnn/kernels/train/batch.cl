// Assembles a mini-batch on the device from a dataset that lives there, so a training step moves
// no data between host and device: row r of the batch is row index[offi + r] of the dataset.
//
//   gather_rows   dst[r][e] = src[(size_t)index[offi + r] * row_len + e]
//
// The dataset is row-major (examples, row_len) fp32; features and labels (row_len = 1) go through
// the same kernel. Indices are stored as floats (exact below 2^24 = 16,777,216 examples), so the
// shuffled order of an epoch is one upload of one float buffer.
// Global size: (row_len, n) work-items, one element each; any work-group size. No defines.

__kernel void gather_rows(__global const float* restrict src, const int row_len,
                          __global const float* restrict index, const int offi,
                          __global float* restrict dst)
{
    const int e = get_global_id(0);
    const int r = get_global_id(1);
    const size_t row = (size_t)index[offi + r];
    dst[(size_t)r * row_len + e] = src[row * row_len + e];
}
