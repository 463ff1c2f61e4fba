// Standalone activation, element-wise over a flat array of N floats:  y[i] = ACTIVATE(x[i]).
//
// Layout-agnostic: any shape and layout, every element treated alike. The host prepends
// common/vector.cl and common/activation.cl (ACTIVATE from ACT and its parameters; NaN propagates).
// y may alias x (in place): each element is read and then written by the same work-item.
//
// Kernels:
//   activation_general  one element per work-item; global size >= N, bounds-checked. On a GPU
//                       neighbouring work-items touch neighbouring floats (coalesced).
//   activation_vector   VW consecutive elements per work-item through one vector load and store;
//                       global size >= ceil(N / VW); the work-item holding the end of the array
//                       finishes the tail with scalars. On a CPU a vector maps onto a SIMD register
//                       (several elements per work-item); on a GPU VW = 4 gives 16-byte accesses.
//
// Defines (besides those of the two headers):
//   VW   floats per work-item in activation_vector (common/vector.cl)

__kernel void activation_general(const int n, __global const float* x, __global float* y)
{
    const int i = get_global_id(0);
    if (i < n) {
        y[i] = ACTIVATE(x[i]);
    }
}

__kernel void activation_vector(const int n, __global const float* x, __global float* y)
{
    const int v = get_global_id(0);
    const int i0 = v * VW;
    if (i0 + VW <= n) {
        const floatv a = VLOAD(v, x);
        VSTORE(ACTIVATE(a), v, y);
    } else {
        for (int i = i0; i < n; ++i) {
            y[i] = ACTIVATE(x[i]);
        }
    }
}
