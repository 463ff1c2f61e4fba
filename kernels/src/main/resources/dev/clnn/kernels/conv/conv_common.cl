// Shared by the convolution and dense kernels (kernels/conv) and the GEMMs: the fused epilogue and
// the work-item numbering. The host prepends this file (after common/activation.cl, which gives
// ACTIVATE, and before common/vector.cl, which gives floatv, VLOAD, VSTORE and the partial loads
// and stores of a channel tail, vload_partial and vstore_partial) to each kernel's own source, so
// every kernel finishes an output the same way:
//
//     RESIDUAL == 0:  y = ACTIVATE(acc + bias)
//     RESIDUAL == 1:  y = ACTIVATE(acc + bias + res)      (ResNet: add, then activate)
//     RESIDUAL == 2:  y = ACTIVATE(acc + bias) + res      (add after the activation)
//
// bias is per output channel (0 when HAS_BIAS == 0); res has the layout of y. x, y and res are
// activations: floats, or halves with STORE_HALF (common/vector.cl: ACT_T and its loads and stores);
// weights and bias are floats either way. Optional buffers
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
#define RES_PARAM , __global const ACT_T* res
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

#if VW != 4 && VW != 8 && VW != 16
#error "VW must be 4, 8 or 16"
#endif

// The residual load as the epilogue sees it: zero when the kernel takes none.
#if RESIDUAL
#define RES_VEC(p, n) act_vload_partial((p), (n))
#define RES_AT(i) ACT_LOAD(res, (i))
#else
#define RES_VEC(p, n) ((floatv)(0.0f))
#define RES_AT(i) 0.0f
#endif
#if HAS_BIAS
#define BIAS_VEC(c, n) vload_partial(bias + (c), (n))
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
