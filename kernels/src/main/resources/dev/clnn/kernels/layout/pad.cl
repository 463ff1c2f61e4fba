// Constant padding of a tensor of any layout:
//     y[o0, ..., oK] = x[o0 - b0, ..., oK - bK] when every index falls inside x, else `value`,
// with b the padding before each dimension (the padding after it only sizes y).
//
// View (built by the host): y and x as rows of INNER contiguous floats, INNER being the product of
// the trailing dimensions that are not padded (1 when the last dimension is padded). The row index
// runs over up to eight row dimensions: y's od0..od7, x's id0..id7 and the pads before, b0..b7,
// outermost first, unused leading ones set to 1, 1 and 0. The host prepends common/vector.cl.
//
// Kernel:
//   pad   VW floats of one output row per work-item: the row index is decomposed once, then the
//         chunk is copied with one vector load and store (partial at the end of a row) or filled.
//         VW = 1 with INNER = 1 is the general kernel, one element per work-item, neighbouring
//         work-items writing neighbouring floats. Global >= rows * ceil(INNER / VW).
//
// Defines:
//   VW   floats per work-item (common/vector.cl)

#define PAD_DIM(k) { const int q = rest / od##k; const int c = rest - q * od##k - b##k; rest = q; \
                     inside = inside && c >= 0 && c < id##k; src += c * mult; mult *= id##k; }

__kernel void pad(const int rows, const int inner, const float value,
                  const int od0, const int od1, const int od2, const int od3,
                  const int od4, const int od5, const int od6, const int od7,
                  const int id0, const int id1, const int id2, const int id3,
                  const int id4, const int id5, const int id6, const int id7,
                  const int b0, const int b1, const int b2, const int b3,
                  const int b4, const int b5, const int b6, const int b7,
                  __global const float* x, __global float* y)
{
    int row, j0;
    if (!row_chunk(rows, inner, &row, &j0)) {
        return;
    }
    const int valid = inner - j0;
    int rest = row;
    int src = 0;                // input row index
    int mult = 1;
    bool inside = true;
    PAD_DIM(7) PAD_DIM(6) PAD_DIM(5) PAD_DIM(4) PAD_DIM(3) PAD_DIM(2) PAD_DIM(1) PAD_DIM(0)
    __global float* out = y + (size_t)row * inner + j0;
    if (inside) {
        vstore_partial(vload_partial(x + (size_t)src * inner + j0, valid), out, valid);
    } else {
        vstore_partial((floatv)(value), out, valid);
    }
}
