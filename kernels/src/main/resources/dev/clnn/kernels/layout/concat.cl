// Concatenation along one axis, one input at a time: the host enqueues concat_copy once per input.
// With the tensors viewed as (OUTER, ...) around the axis, input i is (OUTER, LEN) with LEN its axis
// size times the product of the dimensions after the axis, and the output is (OUTER, DST_LEN):
//     y[o * DST_LEN + offset + j] = x[o * LEN + j],   0 <= j < LEN
// where offset sums the LEN of the inputs before this one. The host prepends common/vector.cl.
//
// Kernel:
//   concat_copy   VW floats of one row per work-item through one vector load and store (partial at the
//                 end of a row). VW = 1 is the general kernel: one element per work-item, neighbouring
//                 work-items copying neighbouring floats. Global >= OUTER * ceil(LEN / VW).
//
// Defines:
//   VW   floats per work-item (common/vector.cl)

__kernel void concat_copy(const int outer, const int len, const int dst_len, const int offset,
                          __global const float* x, __global float* y)
{
    int o, j0;
    if (!row_chunk(outer, len, &o, &j0)) {
        return;
    }
    const int valid = len - j0;
    vstore_partial(vload_partial(x + (size_t)o * len + j0, valid), y + (size_t)o * dst_len + offset + j0, valid);
}
