// Vector helpers for kernels that move VW floats per load or store, and the index arithmetic they
// share. The host prepends this file to the kernel's own source (KernelSource.withHeader), like
// common/activation.cl.
//
// Gives:
//   floatv              float when VW == 1, else floatVW
//   VLOAD(i, p)         the i-th vector at p, that is p[i*VW .. i*VW + VW-1] (vloadn: element alignment suffices)
//   VSTORE(v, i, p)     the matching store
//   hsum(v), hmax(v)    sum and maximum of the VW components, as a float
//   row_chunk(...)      which VW-float chunk of which row of a (rows x len) matrix a work-item takes
//   unravel(&rest, n)   the index along a dimension of extent n of a row-major flat index
//   vload_partial, vstore_partial   a vector at the end of a row, of which only the first floats exist
//   MAP_KERNELS(...)    the scalar and vector kernels of an element-wise map y[i] = f(x[i])
//   ACT_T               the element type activations are stored in: float, or half with STORE_HALF
//   ACT_LOAD(p, i), ACT_STORE(v, i, p)      element i of activations at p, as a float
//   ACT_VLOAD(i, p), ACT_VSTORE(v, i, p)    the i-th vector of activations at p, as a floatv
//   act_vload_partial, act_vstore_partial   the partial loads and stores of activations
//
// Defines:
//   VW          floats per vector: 1, 2, 4, 8 or 16 (1 makes every "vector" a plain float)
//   ACT_ALIGNED 1 (with STORE_HALF): every vector of activations the kernel loads or stores whole starts at a
//               multiple of VW halves, so it is accessed aligned (vloada_halfN, vstorea_halfN)
//   STORE_HALF  1: the kernel's activations (the buffers typed ACT_T) are stored as half-precision
//               floats, converted to float as they are loaded and rounded to nearest as they are
//               stored (vload_half, vstore_half: core OpenCL, no extension needed); arithmetic
//               stays fp32. 0: they are floats, and the ACT_ macros are plain accesses.

#ifndef VW
#define VW 4            // floats per vector
#endif

#if VW == 1
typedef float floatv;
#define VLOAD(i, p) ((p)[(i)])
#define VSTORE(v, i, p) ((p)[(i)] = (v))
#elif VW == 2
typedef float2 floatv;
#define VLOAD vload2
#define VSTORE vstore2
#elif VW == 4
typedef float4 floatv;
#define VLOAD vload4
#define VSTORE vstore4
#elif VW == 8
typedef float8 floatv;
#define VLOAD vload8
#define VSTORE vstore8
#elif VW == 16
typedef float16 floatv;
#define VLOAD vload16
#define VSTORE vstore16
#else
#error "VW must be 1, 2, 4, 8 or 16"
#endif

#ifndef STORE_HALF
#define STORE_HALF 0    // activations stored as half
#endif
#ifndef ACT_ALIGNED
#define ACT_ALIGNED 0   // every ACT_VLOAD / ACT_VSTORE address is a multiple of VW halves
#endif
#if STORE_HALF
#define CLNN_PASTE(a, b) CLNN_PASTE2(a, b)
#define CLNN_PASTE2(a, b) a##b
#define ACT_T half
#define ACT_LOAD(p, i) vload_half((i), (p))
#define ACT_STORE(v, i, p) vstore_half((v), (i), (p))
#if VW == 1
#define ACT_VLOAD(i, p) vload_half((i), (p))
#define ACT_VSTORE(v, i, p) vstore_half((v), (i), (p))
#elif ACT_ALIGNED
// NOTE: the vector of halves is moved in one access, as VW unsigned shorts, and converted in private
// memory: NVIDIA's compiler splits vload_halfN and even vloada_halfN into VW loads of two bytes.
#define USHORTV CLNN_PASTE(ushort, VW)
#define ACT_VLOAD(i, p) act_vloada((i), (p))
#define ACT_VSTORE(v, i, p) act_vstorea((v), (i), (p))
inline floatv act_vloada(const size_t i, __global const half* p)
{
    const USHORTV raw = ((__global const USHORTV*)p)[i];
    return CLNN_PASTE(vload_half, VW)(0, (const half*)&raw);
}

inline void act_vstorea(const floatv v, const size_t i, __global half* p)
{
    USHORTV raw;
    CLNN_PASTE(vstore_half, VW)(v, 0, (half*)&raw);
    ((__global USHORTV*)p)[i] = raw;
}
#else
#define ACT_VLOAD(i, p) CLNN_PASTE(vload_half, VW)((i), (p))
#define ACT_VSTORE(v, i, p) CLNN_PASTE(vstore_half, VW)((v), (i), (p))
#endif
#else
#define ACT_T float
#define ACT_LOAD(p, i) ((p)[i])
#define ACT_STORE(v, i, p) ((p)[i] = (v))
#define ACT_VLOAD VLOAD
#define ACT_VSTORE VSTORE
#endif

// NOTE: horizontal sums go through a private array, not .lo/.hi or .sN: Oclgrind 21.10's
// --uninitialized checker crashes the process on extracting components of a loaded vector.
float hsum(const floatv v)
{
    float tmp[VW];
    VSTORE(v, 0, tmp);
    float s = 0.0f;
    for (int e = 0; e < VW; ++e) {
        s += tmp[e];
    }
    return s;
}

float hmax(const floatv v)
{
    float tmp[VW];
    VSTORE(v, 0, tmp);
    float m = tmp[0];
    for (int e = 1; e < VW; ++e) {
        m = fmax(m, tmp[e]);
    }
    return m;
}

// The chunk of VW floats this work-item takes when each row of a (rows x len) matrix is cut into
// chunks of VW (the last one partial) and one work-item per chunk runs over a 1-D range, rows
// outermost: its row and first column. False for the work-items past the last chunk.
bool row_chunk(const int rows, const int len, int* row, int* j0)
{
    const int chunks = (len + VW - 1) / VW;
    const int g = get_global_id(0);
    if (g >= rows * chunks) {
        return false;
    }
    *row = g / chunks;
    *j0 = (g - *row * chunks) * VW;
    return true;
}

// The index along a dimension of extent `extent` of the row-major flat index *rest, which moves on
// to the dimensions before it (*rest becomes the quotient): called innermost dimension first.
// NOTE: the remainder as a - (a / b) * b: LLVM turns a % b next to a / b into a "freeze"
// instruction that Oclgrind's --uninitialized checker cannot run.
int unravel(int* rest, const int extent)
{
    const int q = *rest / extent;
    const int i = *rest - q * extent;
    *rest = q;
    return i;
}

// PARTIAL_ACCESS(load, store, T, GET, PUT, VGET, VPUT) defines the two functions below for elements of
// type T at p, read and written through GET(p, i) / PUT(v, i, p) and whole vectors through VGET(i, p) /
// VPUT(v, i, p):
//   load(p, valid)      the first `valid` elements at p as a vector, the rest zero: the partial block
//                       at the end of a row (or a channel tail), read without touching memory past it
//   store(v, p, valid)  stores the first `valid` components of v at p (all of them when valid >= VW)
#define PARTIAL_ACCESS(load, store, T, GET, PUT, VGET, VPUT)                                    \
inline floatv load(__global const T* p, const int valid)                                       \
{                                                                                               \
    if (valid >= VW) {                                                                          \
        return VGET(0, p);                                                                      \
    }                                                                                           \
    float tmp[VW];                                                                              \
    for (int e = 0; e < VW; ++e) {                                                              \
        tmp[e] = e < valid ? GET(p, e) : 0.0f;                                                  \
    }                                                                                           \
    return VLOAD(0, tmp);                                                                       \
}                                                                                               \
                                                                                                \
inline void store(const floatv v, __global T* p, const int valid)                              \
{                                                                                               \
    if (valid >= VW) {                                                                          \
        VPUT(v, 0, p);                                                                          \
        return;                                                                                 \
    }                                                                                           \
    float tmp[VW];                                                                              \
    VSTORE(v, 0, tmp);                                                                          \
    for (int e = 0; e < valid; ++e) {                                                           \
        PUT(tmp[e], e, p);                                                                      \
    }                                                                                           \
}

#define FLOAT_GET(p, i) ((p)[i])
#define FLOAT_PUT(v, i, p) ((p)[i] = (v))
PARTIAL_ACCESS(vload_partial, vstore_partial, float, FLOAT_GET, FLOAT_PUT, VLOAD, VSTORE)
#if STORE_HALF
// the same for activations stored as half
PARTIAL_ACCESS(act_vload_partial, act_vstore_partial, half, ACT_LOAD, ACT_STORE, ACT_VLOAD, ACT_VSTORE)
#else
#define act_vload_partial vload_partial
#define act_vstore_partial vstore_partial
#endif

// MAP_KERNELS(name, F, F_SCALAR) defines the two kernels of an element-wise map y[i] = f(x[i]) over
// a flat array of n floats, F computing f of a floatv and F_SCALAR of a float (functions or
// function-like macros). y may alias x (in place): each element is read and then written by the
// same work-item.
//   name_general  one element per work-item; global size >= n, bounds-checked. On a GPU
//                 neighbouring work-items touch neighbouring floats (coalesced).
//   name_vector   VW consecutive elements per work-item through one vector load and store; global
//                 size >= ceil(n / VW); the work-item holding the end of the array finishes the tail
//                 with scalars. On a CPU a vector maps onto a SIMD register; on a GPU VW = 4 gives
//                 16-byte accesses.
#define MAP_KERNELS(name, F, F_SCALAR)                                                          \
__kernel void name##_general(const int n, __global const float* x, __global float* y)          \
{                                                                                              \
    const int i = get_global_id(0);                                                            \
    if (i < n) {                                                                               \
        y[i] = F_SCALAR(x[i]);                                                                 \
    }                                                                                          \
}                                                                                              \
                                                                                               \
__kernel void name##_vector(const int n, __global const float* x, __global float* y)           \
{                                                                                              \
    const int v = get_global_id(0);                                                            \
    const int i0 = v * VW;                                                                     \
    if (i0 + VW <= n) {                                                                        \
        const floatv a = VLOAD(v, x);                                                          \
        VSTORE(F(a), v, y);                                                                    \
    } else {                                                                                   \
        for (int i = i0; i < n; ++i) {                                                         \
            y[i] = F_SCALAR(x[i]);                                                             \
        }                                                                                      \
    }                                                                                          \
}
