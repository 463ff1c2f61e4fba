// Selection with NumPy / ONNX broadcasting of three operands (ONNX Where): clnn holds booleans as
// floats, so a condition element is true when it is not 0.0f (NaN counts as true, as a cast to bool
// does):
//     y = c != 0 ? a : b
// Kernel:
//   where_general   y's dimensions d0..d5 (leading ones padded with 1), row-major, and each operand's
//                   element strides along them, 0 where it is broadcast. One element per work-item;
//                   the flat index is decomposed from the innermost dimension, so neighbouring
//                   work-items write neighbouring floats. Global >= N, bounds-checked.
// y may alias an operand of y's shape: each such element is read by the work-item writing it.
//
// Defines: none.

// NOTE: remainders as a - (a / b) * b, which Oclgrind's --uninitialized checker can run.
#define WHERE_DIM(k) { const int q = rest / d##k; const int e = rest - q * d##k; rest = q; \
                       ic += e * sc##k; ia += e * sa##k; ib += e * sb##k; }

__kernel void where_general(const int n,
                            const int d0, const int d1, const int d2, const int d3, const int d4, const int d5,
                            const int sc0, const int sc1, const int sc2, const int sc3, const int sc4, const int sc5,
                            const int sa0, const int sa1, const int sa2, const int sa3, const int sa4, const int sa5,
                            const int sb0, const int sb1, const int sb2, const int sb3, const int sb4, const int sb5,
                            __global const float* c, __global const float* a, __global const float* b,
                            __global float* y)
{
    const int g = get_global_id(0);
    if (g >= n) {
        return;
    }
    int rest = g;
    int ic = 0;
    int ia = 0;
    int ib = 0;
    WHERE_DIM(5) WHERE_DIM(4) WHERE_DIM(3) WHERE_DIM(2) WHERE_DIM(1) WHERE_DIM(0)
    y[g] = c[ic] != 0.0f ? a[ia] : b[ib];
}
