// Conversion between fp32 and half-precision storage: y[i] = x[i] as the other type, over a flat
// array of n elements of any shape and layout. To half, each float is rounded to the nearest half
// (vstore_half; a value beyond the half range becomes infinity); to float, every half is exact.
// The host prepends common/vector.cl and builds with STORE_HALF == 1, so that ACT_T is half and the
// ACT_ loads and stores convert (core OpenCL, no extension needed), and ACT_ALIGNED == 1: the vector
// kernels' vectors start at multiples of VW elements.
//
// Kernels (arguments n, x, y; x and y distinct buffers):
//   cast_to_half_general, cast_to_float_general   one element per work-item; global size >= n
//   cast_to_half_vector, cast_to_float_vector     VW elements per work-item; global size >= ceil(n / VW);
//                                                 the work-item holding the end finishes the tail
//
// Defines:
//   VW          elements per work-item of the vector kernels (common/vector.cl)
//   STORE_HALF, ACT_ALIGNED  must be 1

#if !STORE_HALF || !ACT_ALIGNED
#error "cast.cl is built with STORE_HALF == 1 and ACT_ALIGNED == 1"
#endif

__kernel void cast_to_half_general(const int n, __global const float* restrict x, __global half* restrict y)
{
    const int i = get_global_id(0);
    if (i < n) {
        vstore_half(x[i], i, y);
    }
}

__kernel void cast_to_float_general(const int n, __global const half* restrict x, __global float* restrict y)
{
    const int i = get_global_id(0);
    if (i < n) {
        y[i] = vload_half(i, x);
    }
}

__kernel void cast_to_half_vector(const int n, __global const float* restrict x, __global half* restrict y)
{
    const int v = get_global_id(0);
    const int i0 = v * VW;
    if (i0 + VW <= n) {
        ACT_VSTORE(VLOAD(v, x), v, y);
    } else {
        for (int i = i0; i < n; ++i) {
            vstore_half(x[i], i, y);
        }
    }
}

__kernel void cast_to_float_vector(const int n, __global const half* restrict x, __global float* restrict y)
{
    const int v = get_global_id(0);
    const int i0 = v * VW;
    if (i0 + VW <= n) {
        VSTORE(ACT_VLOAD(v, x), v, y);
    } else {
        for (int i = i0; i < n; ++i) {
            y[i] = vload_half(i, x);
        }
    }
}
