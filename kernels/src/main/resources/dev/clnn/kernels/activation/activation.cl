// Standalone activation, element-wise over a flat array of N floats:  y[i] = ACTIVATE(x[i]).
//
// Layout-agnostic: any shape and layout, every element treated alike. The host prepends
// common/vector.cl and common/activation.cl (ACTIVATE from ACT and its parameters; NaN propagates).
// y may alias x (in place): each element is read and then written by the same work-item.
//
// Kernels (common/vector.cl's MAP_KERNELS):
//   activation_general  one element per work-item; global size >= N, bounds-checked. On a GPU
//                       neighbouring work-items touch neighbouring floats (coalesced).
//   activation_vector   VW consecutive elements per work-item through one vector load and store;
//                       global size >= ceil(N / VW); the work-item holding the end of the array
//                       finishes the tail with scalars. On a CPU a vector maps onto a SIMD register
//                       (several elements per work-item); on a GPU VW = 4 gives 16-byte accesses.
//
// Defines (besides those of the two headers):
//   VW   floats per work-item in activation_vector (common/vector.cl)

MAP_KERNELS(activation, ACTIVATE, ACTIVATE)
