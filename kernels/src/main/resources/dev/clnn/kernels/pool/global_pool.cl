// Global average pooling over NHWC tensors:
//     x (N, H, W, C)  ->  y (N, 1, 1, C),   y[n, c] = (1 / HW) * sum over the HW = H*W pixels of x[n, h, w, c].
// Input rows are addressed as (N, HW, C). The host prepends common/vector.cl.
//
// Kernels:
//   global_avg_pool        VW channels of one image per work-item, summing its HW pixels with vector
//                          loads (several elements per work-item, no local memory: CPU). VW = 1 is the
//                          general kernel: one (image, channel) per work-item, neighbouring work-items
//                          reading neighbouring channels. Global >= N * ceil(C / VW), bounds-checked.
//   global_avg_pool_local  one work-group of WG work-items per (image, block of TC channels): the
//                          work-items form WG / TC rows; row r sums pixels r, r + WG/TC, ... of its
//                          channel (coalesced along channels), then a tree in local memory adds the
//                          rows (GPU: many pixels, few images).
//                          Global (ceil(C / TC) * TC, WG / TC, N), local (TC, WG / TC, 1).
//
// Defines:
//   VW   channels per work-item of global_avg_pool (common/vector.cl)
//   WG   work-group size of global_avg_pool_local, a power of two
//   TC   channels per work-group of global_avg_pool_local, a power of two dividing WG

#ifndef WG
#define WG 256          // work-items per group (local variant)
#endif
#ifndef TC
#define TC 32           // channels per group (local variant)
#endif
#define RS (WG / TC)    // rows of partial sums per group

__kernel void global_avg_pool(const int N, const int HW, const int C, __global const float* x, __global float* y)
{
    int n, c0;
    if (!row_chunk(N, C, &n, &c0)) {
        return;
    }
    const int valid = C - c0;
    __global const float* xn = x + (size_t)n * HW * C + c0;
    floatv acc = (floatv)(0.0f);
    for (int p = 0; p < HW; ++p) {
        acc += vload_partial(xn + (size_t)p * C, valid);
    }
    vstore_partial(acc / (float)HW, y + (size_t)n * C + c0, valid);
}

__kernel __attribute__((reqd_work_group_size(TC, RS, 1)))
void global_avg_pool_local(const int HW, const int C, __global const float* x, __global float* y)
{
    __local float scratch[RS][TC];
    const int lc = get_local_id(0);         // channel within the block
    const int lr = get_local_id(1);         // row of partial sums
    const int n = get_group_id(2);
    const int c = get_global_id(0);
    float s = 0.0f;
    if (c < C) {
        __global const float* xn = x + (size_t)n * HW * C + c;
        for (int p = lr; p < HW; p += RS) {
            s += xn[(size_t)p * C];
        }
    }
    // every work-item, in range or not, reaches each barrier
    scratch[lr][lc] = s;
    barrier(CLK_LOCAL_MEM_FENCE);
    for (int h = RS / 2; h > 0; h >>= 1) {
        if (lr < h) {
            scratch[lr][lc] += scratch[lr + h][lc];
        }
        barrier(CLK_LOCAL_MEM_FENCE);
    }
    if (lr == 0 && c < C) {
        y[(size_t)n * C + c] = scratch[0][lc] / (float)HW;
    }
}
