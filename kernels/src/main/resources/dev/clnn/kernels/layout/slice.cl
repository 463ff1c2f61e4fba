// A strided window of a tensor of rank <= 6 (ONNX Slice; Split is several slices): the host views
// input and output as 6-D, unit dimensions in front, and passes per dimension k the output size
// ok and the input stride sk already multiplied by that dimension's step (negative for a negative
// step), with base the input offset of the first element taken:
//     y[i0, ..., i5] = x[base + i0*s0 + i1*s1 + ... + i5*s5],   y row-major (o0, ..., o5)
// The host prepends common/vector.cl.
//
// Kernel:
//   slice_copy   VW outputs along the last dimension per work-item. With CONTIG (the last dimension's
//                step is 1, s5 = 1) they are read with one vector load, partial at the end of a row;
//                otherwise element by element. VW = 1 is the general kernel: neighbouring work-items
//                copy neighbouring floats (coalesced on a GPU). Global >= rows * ceil(o5 / VW), rows =
//                o0 * o1 * o2 * o3 * o4, bounds-checked.
//
// Defines:
//   VW       outputs per work-item (common/vector.cl)
//   CONTIG   1 when the last dimension is read with step 1 (s5 = 1)

#ifndef CONTIG
#define CONTIG 1        // the last dimension is contiguous in the input
#endif

__kernel void slice_copy(const int rows, const int o1, const int o2, const int o3, const int o4, const int o5,
                         const int s0, const int s1, const int s2, const int s3, const int s4, const int s5,
                         const int base, __global const float* x, __global float* y)
{
    int row, j0;
    if (!row_chunk(rows, o5, &row, &j0)) {
        return;
    }
    int r = row;
    const int i4 = unravel(&r, o4);
    const int i3 = unravel(&r, o3);
    const int i2 = unravel(&r, o2);
    const int i1 = unravel(&r, o1);
    const int i0 = r;
    const long src = (long)base + (long)i0 * s0 + (long)i1 * s1 + (long)i2 * s2 + (long)i3 * s3 + (long)i4 * s4
            + (long)j0 * s5;
    const int valid = o5 - j0;
    __global float* dst = y + (size_t)row * o5 + j0;
#if CONTIG
    vstore_partial(vload_partial(x + src, valid), dst, valid);
#else
    const int n = min(valid, VW);
    for (int j = 0; j < n; ++j) {
        dst[j] = x[src + (long)j * s5];
    }
#endif
}
