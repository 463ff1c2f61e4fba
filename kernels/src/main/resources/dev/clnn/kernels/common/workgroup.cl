// Reductions across a work-group through __local memory, for kernels that give a row or a block to
// a work-group. The host prepends this file to the kernel's own source (KernelSource.withHeader).
//
// Gives:
//   group_sum(scratch, v, t, size)   the sum of every work-item's v, returned to every work-item
//   group_max(scratch, v, t, size)   the maximum likewise
// with t = get_local_id(0), size the work-group size (a power of two) and scratch __local memory of
// size floats. Every work-item of the group must call them (they hold barriers).
//
// Defines: none.

// A tree over scratch: in each step the lower half reads the upper half, which nobody writes in that
// step. The closing barrier lets the caller reuse scratch at once.
float group_reduce(__local float* scratch, const float v, const int t, const int size, const bool take_max)
{
    scratch[t] = v;
    barrier(CLK_LOCAL_MEM_FENCE);
    for (int h = size / 2; h > 0; h >>= 1) {
        if (t < h) {
            scratch[t] = take_max ? fmax(scratch[t], scratch[t + h]) : scratch[t] + scratch[t + h];
        }
        barrier(CLK_LOCAL_MEM_FENCE);
    }
    const float r = scratch[0];
    barrier(CLK_LOCAL_MEM_FENCE);
    return r;
}

float group_sum(__local float* scratch, const float v, const int t, const int size)
{
    return group_reduce(scratch, v, t, size, false);
}

float group_max(__local float* scratch, const float v, const int t, const int size)
{
    return group_reduce(scratch, v, t, size, true);
}
