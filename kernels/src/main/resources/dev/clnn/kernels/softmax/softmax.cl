// Softmax and log-softmax along one axis, numerically stable. With m = max_j x_j and
// s = sum_j exp(x_j - m):
//     softmax       y_j = exp(x_j - m) / s
//     log-softmax   y_j = (x_j - m) - log(s)
// Subtracting the max keeps every exp() in (0, 1], so large logits never overflow and s >= 1.
//
// Layout: the tensor viewed as (OUTER, N, INNER), row-major, reduced along N: element (o, j, i)
// sits at (o * N + j) * INNER + i. Every axis of every shape maps onto this view; the last axis
// is INNER == 1. y may alias x: each element is read by the work-item(s) that write it, before
// writing it. The host prepends common/vector.cl and common/workgroup.cl.
//
// Kernels:
//   softmax_general     one work-item per (o, i) pair, three passes over j with stride INNER. The
//                       flat index runs along i, so neighbouring work-items read neighbouring floats
//                       (coalesced). Any axis. Global >= OUTER * INNER, bounds-checked.
//   softmax_rows        INNER == 1: one work-item per row, VW floats per load, no local memory and
//                       no barriers (CPU). Global >= ROWS.
//   softmax_rows_local  INNER == 1: one work-group of WG work-items per row; strided, coalesced
//                       passes and two tree reductions in local memory (GPU). Global ROWS * WG, local WG.
//
// Defines:
//   LOG   1 for log-softmax, 0 for softmax
//   VW    floats per load in softmax_rows (common/vector.cl)
//   WG    work-group size of softmax_rows_local, a power of two

#ifndef LOG
#define LOG 0           // log-softmax instead of softmax
#endif
#ifndef WG
#define WG 64           // work-items per row in softmax_rows_local
#endif

// k is log(s) for log-softmax and 1 / s for softmax; d = x - m.
#if LOG
#define FACTOR(s) log(s)
#define FINISH(d, k) ((d) - (k))
#else
#define FACTOR(s) (1.0f / (s))
#define FINISH(d, k) (exp(d) * (k))
#endif

__kernel void softmax_general(const int outer, const int n, const int inner,
                              __global const float* x, __global float* y)
{
    const int g = get_global_id(0);
    if (g >= outer * inner) {
        return;
    }
    const int o = g / inner;
    const int i = g - o * inner;
    const size_t base = (size_t)o * n * inner + i;
    float m = -INFINITY;
    for (int j = 0; j < n; ++j) {
        m = fmax(m, x[base + (size_t)j * inner]);
    }
    float s = 0.0f;
    for (int j = 0; j < n; ++j) {
        s += exp(x[base + (size_t)j * inner] - m);
    }
    const float k = FACTOR(s);
    for (int j = 0; j < n; ++j) {
        const size_t at = base + (size_t)j * inner;
        y[at] = FINISH(x[at] - m, k);
    }
}

__kernel void softmax_rows(const int rows, const int n, __global const float* x, __global float* y)
{
    const int r = get_global_id(0);
    if (r >= rows) {
        return;
    }
    __global const float* xr = x + (size_t)r * n;
    __global float* yr = y + (size_t)r * n;
    const int nv = n / VW;              // whole vectors; the last n % VW floats are scalars
    floatv mv = (floatv)(-INFINITY);
    for (int v = 0; v < nv; ++v) {
        mv = fmax(mv, VLOAD(v, xr));
    }
    float m = hmax(mv);
    for (int j = nv * VW; j < n; ++j) {
        m = fmax(m, xr[j]);
    }
    floatv sv = (floatv)(0.0f);
    for (int v = 0; v < nv; ++v) {
        sv += exp(VLOAD(v, xr) - m);
    }
    float s = hsum(sv);
    for (int j = nv * VW; j < n; ++j) {
        s += exp(xr[j] - m);
    }
    const float k = FACTOR(s);
    for (int v = 0; v < nv; ++v) {
        VSTORE(FINISH(VLOAD(v, xr) - m, k), v, yr);
    }
    for (int j = nv * VW; j < n; ++j) {
        yr[j] = FINISH(xr[j] - m, k);
    }
}

__kernel __attribute__((reqd_work_group_size(WG, 1, 1)))
void softmax_rows_local(const int n, __global const float* x, __global float* y)
{
    __local float scratch[WG];
    const int t = get_local_id(0);
    __global const float* xr = x + (size_t)get_group_id(0) * n;
    __global float* yr = y + (size_t)get_group_id(0) * n;
    float m = -INFINITY;
    for (int j = t; j < n; j += WG) {
        m = fmax(m, xr[j]);
    }
    m = group_max(scratch, m, t, WG);
    float s = 0.0f;
    for (int j = t; j < n; j += WG) {
        s += exp(xr[j] - m);
    }
    s = group_sum(scratch, s, t, WG);
    const float k = FACTOR(s);
    for (int j = t; j < n; j += WG) {
        yr[j] = FINISH(xr[j] - m, k);
    }
}
