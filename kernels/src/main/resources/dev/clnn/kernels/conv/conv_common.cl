// Shared by the convolution and dense kernels (kernels/conv): the fused epilogue and the
// channel-vector helpers. The host prepends this file (after common/activation.cl, which gives
// ACTIVATE) to each kernel's own source, so every kernel finishes an output the same way:
//
//     RESIDUAL == 0:  y = ACTIVATE(acc + bias)
//     RESIDUAL == 1:  y = ACTIVATE(acc + bias + res)      (ResNet: add, then activate)
//     RESIDUAL == 2:  y = ACTIVATE(acc + bias) + res      (add after the activation)
//
// bias is per output channel (0 when HAS_BIAS == 0); res has the layout of y. Optional buffers
// are the last kernel parameters, in the order bias, res, and only present when used
// (BIAS_PARAM, RES_PARAM), so the host never binds a dummy buffer.
//
// Defines:
//   HAS_BIAS   1: the kernel takes a bias vector of one float per output channel
//   RESIDUAL   0, 1 or 2 as above
//   VW         channel vector width in floats for the vectorised kernels: 4, 8 or 16
//   WG         work-item numbering of the kernels that use work_item() below: 0 for a 3-D range,
//              > 0 for a 1-D range of work-groups of WG items

#ifndef HAS_BIAS
#define HAS_BIAS 0      // add a bias per output channel
#endif
#ifndef RESIDUAL
#define RESIDUAL 0      // residual add: 0 none, 1 before the activation, 2 after it
#endif
#ifndef VW
#define VW 8            // floats per channel vector
#endif

#if HAS_BIAS
#define BIAS_PARAM , __global const float* restrict bias
#else
#define BIAS_PARAM
#endif
#if RESIDUAL
// NOTE: not restrict: res may be the output buffer itself (y = conv(x) + y), which is safe
// because every output element is read and then written by the same work-item.
#define RES_PARAM , __global const float* res
#else
#define RES_PARAM
#endif

#if RESIDUAL == 0
#define EPILOGUE(acc, b, r) ACTIVATE((acc) + (b))
#elif RESIDUAL == 1
#define EPILOGUE(acc, b, r) ACTIVATE((acc) + (b) + (r))
#elif RESIDUAL == 2
#define EPILOGUE(acc, b, r) (ACTIVATE((acc) + (b)) + (r))
#else
#error "RESIDUAL must be 0, 1 or 2"
#endif

#ifndef WG
#define WG 0            // 0: 3-D range; > 0: 1-D range in work-groups of WG items
#endif

#if VW == 16
typedef float16 floatv;
#define VLOAD vload16
#define VSTORE vstore16
#elif VW == 8
typedef float8 floatv;
#define VLOAD vload8
#define VSTORE vstore8
#elif VW == 4
typedef float4 floatv;
#define VLOAD vload4
#define VSTORE vstore4
#else
#error "VW must be 4, 8 or 16"
#endif

// The VW floats at p, of which only the first n exist when n < VW (a channel tail): missing
// lanes read as zero and nothing past p[n - 1] is touched.
inline floatv load_vec(__global const float* p, const int n)
{
    if (n >= VW) {
        return VLOAD(0, p);
    }
    float t[VW];
    for (int e = 0; e < VW; ++e) {
        t[e] = e < n ? p[e] : 0.0f;
    }
    return VLOAD(0, t);
}

// Stores the first min(n, VW) lanes of v at p.
inline void store_vec(const floatv v, __global float* p, const int n)
{
    if (n >= VW) {
        VSTORE(v, 0, p);
        return;
    }
    float t[VW];
    VSTORE(v, 0, t);
    for (int e = 0; e < n; ++e) {
        p[e] = t[e];
    }
}

// The residual load as the epilogue sees it: zero when the kernel takes none.
#if RESIDUAL
#define RES_VEC(p, n) load_vec((p), (n))
#define RES_AT(i) res[i]
#else
#define RES_VEC(p, n) ((floatv)(0.0f))
#define RES_AT(i) 0.0f
#endif
#if HAS_BIAS
#define BIAS_VEC(c, n) load_vec(bias + (c), (n))
#define BIAS_AT(c) bias[c]
#else
#define BIAS_VEC(c, n) ((floatv)(0.0f))
#define BIAS_AT(c) 0.0f
#endif

// Which output a work-item of a channel-vectorised kernel computes: channel vector *cv (of
// ncv), column block *cb (of ncb) and output row *row = n * OH + oh (of rows). False for the
// padding items of a 1-D range, which must return without touching memory.
//
// WG == 0: a 3-D range (ncv, ncb, rows); the driver picks the work-group shape (PoCL runs a
//          work-group as loops, so the shape barely matters there).
// WG > 0:  a 1-D range rounded up to whole work-groups of WG items, channel vectors fastest:
//          neighbouring work-items read neighbouring vectors of one pixel and then the next
//          pixels, so a GPU's memory transactions are fully used whatever C is, and every
//          work-group is full-sized (a GPU driver left to choose a 3-D work-group shape may pick
//          narrow ones that leave the device half idle).
inline bool work_item(const int ncv, const int ncb, const int rows, int* cv, int* cb, int* row)
{
#if WG
    const int id = get_global_id(0);
    if (id >= ncv * ncb * rows) {
        return false;
    }
    *cv = id % ncv;
    const int rest = id / ncv;
    *cb = rest % ncb;
    *row = rest / ncb;
#else
    *cv = get_global_id(0);
    *cb = get_global_id(1);
    *row = get_global_id(2);
#endif
    return true;
}
