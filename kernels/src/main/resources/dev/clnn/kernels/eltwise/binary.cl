// Binary element-wise operation with a fused activation:  y = ACTIVATE(a OP b),  OP one of + - * / ==
// (a comparison gives 1.0f or 0.0f: clnn holds booleans as floats),
// with NumPy / ONNX multidirectional broadcasting. The host works out the output shape, folds
// dimensions and picks the kernel; the kernels only see the flat views below. It prepends
// common/vector.cl and common/activation.cl.
//
// Kernels:
//   binary_same       a, b and y hold N elements in the same order (no broadcasting): VW elements
//                     per work-item through vector loads, the tail with scalars. Global >= ceil(N / VW).
//   binary_broadcast  y viewed as (OUTER, MID, INNER), row-major. The full operand f has y's shape;
//                     the other, r, is (OUTER, 1, INNER), repeated along MID: a scalar, a per-channel
//                     vector in NHWC (OUTER = 1, INNER = C) or a per-image one (N, 1, 1, C). When
//                     swap != 0, r is the left operand: y = r OP f. One element per work-item, flat
//                     index along INNER (coalesced). Global >= OUTER * MID * INNER.
//   binary_broadcast_vector  binary_broadcast with INNER a multiple of VW (NHWC channels, most often):
//                     VW elements per work-item through vector loads. Global >= OUTER * MID * INNER / VW.
//   binary_general    any broadcast of rank <= 8: y's dimensions d0..d7 (leading ones padded with 1)
//                     and each operand's element strides along them, 0 where it is broadcast. One
//                     element per work-item; the flat index is decomposed from the innermost
//                     dimension. Global >= N.
// y may alias an operand that has y's shape: each such element is read by the work-item writing it.
//
// Defines (besides those of the two headers):
//   OP   0 add, 1 subtract, 2 multiply, 3 divide, 4 equal (needs VW 1: the result is chosen per float)
//   VW   floats per work-item of binary_same (common/vector.cl)

#ifndef OP
#define OP 0            // operation, see above
#endif

#if OP == 0
#define BINOP(a, b) ((a) + (b))
#elif OP == 1
#define BINOP(a, b) ((a) - (b))
#elif OP == 2
#define BINOP(a, b) ((a) * (b))
#elif OP == 3
#define BINOP(a, b) ((a) / (b))
#elif OP == 4
#if VW != 1
#error "OP 4 (equal) runs with VW 1"
#endif
#define BINOP(a, b) ((a) == (b) ? 1.0f : 0.0f)
#else
#error "unknown OP"
#endif

__kernel void binary_same(const int n, __global const float* a, __global const float* b, __global float* y)
{
    const int v = get_global_id(0);
    const int i0 = v * VW;
    if (i0 + VW <= n) {
        const floatv r = BINOP(VLOAD(v, a), VLOAD(v, b));
        VSTORE(ACTIVATE(r), v, y);
    } else {
        for (int i = i0; i < n; ++i) {
            const float r = BINOP(a[i], b[i]);
            y[i] = ACTIVATE(r);
        }
    }
}

__kernel void binary_broadcast(const int outer, const int mid, const int inner, const int swap,
                               __global const float* f, __global const float* r, __global float* y)
{
    const int g = get_global_id(0);
    if (g >= outer * mid * inner) {
        return;
    }
    const int q = g / inner;                // o * MID + m
    const int i = g - q * inner;
    const int o = q / mid;
    const float fv = f[g];
    const float rv = r[o * inner + i];
    const float v = swap ? BINOP(rv, fv) : BINOP(fv, rv);
    y[g] = ACTIVATE(v);
}

__kernel void binary_broadcast_vector(const int outer, const int mid, const int inner, const int swap,
                                      __global const float* f, __global const float* r, __global float* y)
{
    const int v = get_global_id(0);         // vector of y
    const int row = inner / VW;             // vectors per INNER row
    if (v >= outer * mid * row) {
        return;
    }
    const int q = v / row;                  // o * MID + m
    const int i = v - q * row;
    const int o = q / mid;
    const floatv fv = VLOAD(v, f);
    const floatv rv = VLOAD(o * row + i, r);
    const floatv x = swap ? BINOP(rv, fv) : BINOP(fv, rv);
    VSTORE(ACTIVATE(x), v, y);
}

#define GENERAL_DIM(k) { const int q = rest / d##k; const int c = rest - q * d##k; rest = q; \
                         ia += c * sa##k; ib += c * sb##k; }

__kernel void binary_general(const int n,
                             const int d0, const int d1, const int d2, const int d3,
                             const int d4, const int d5, const int d6, const int d7,
                             const int sa0, const int sa1, const int sa2, const int sa3,
                             const int sa4, const int sa5, const int sa6, const int sa7,
                             const int sb0, const int sb1, const int sb2, const int sb3,
                             const int sb4, const int sb5, const int sb6, const int sb7,
                             __global const float* a, __global const float* b, __global float* y)
{
    const int g = get_global_id(0);
    if (g >= n) {
        return;
    }
    int rest = g;
    int ia = 0;
    int ib = 0;
    GENERAL_DIM(7) GENERAL_DIM(6) GENERAL_DIM(5) GENERAL_DIM(4)
    GENERAL_DIM(3) GENERAL_DIM(2) GENERAL_DIM(1) GENERAL_DIM(0)
    const float v = BINOP(a[ia], b[ib]);
    y[g] = ACTIVATE(v);
}
