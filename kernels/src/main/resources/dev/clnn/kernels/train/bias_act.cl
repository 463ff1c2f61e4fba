// Bias and activation for layers whose linear part is a GEMM (dense, convolution), and the
// activation's gradient for their backward pass. Prepended with common/activation.cl, which
// defines ACTIVATE(x) from ACT and its parameters.
//
//   bias_act   y[r][j] = ACTIVATE(x[r][j] + bias[offb + j])     (HAS_BIAS = 0: ACTIVATE(x[r][j]))
//              x and y are (rows, cols) row-major and may be the same buffer (in place).
//   act_grad   dx[i] = dy[i] * f'(x_i), the derivative written in terms of the activation's
//              OUTPUT y[i] = f(x_i), so the forward pass keeps only y. Defined for the activations
//              whose derivative the output determines: none, ReLU, clip (ReLU6), leaky ReLU with a
//              positive slope, sigmoid and tanh. ReLU and clip pass dy through or write 0 exactly.
//              At a kink (y exactly at a clip bound) the derivative taken is 0.
//
// Global size: rows*cols work-items, one element each; any work-group size.
//
// Defines:
//   HAS_BIAS   1 adds the bias (bias_act), 0 applies the activation alone
//   ACT, ACT_LO, ACT_HI, ACT_ALPHA   the activation (see common/activation.cl)

#ifndef HAS_BIAS
#define HAS_BIAS 1      // bias_act adds a per-column bias
#endif

#if ACT == 0
#define ACT_GRAD(dy, y) (dy)
#elif ACT == 1
#define ACT_GRAD(dy, y) ((y) > 0.0f ? (dy) : 0.0f)
#elif ACT == 2
#define ACT_GRAD(dy, y) ((y) > ACT_LO && (y) < ACT_HI ? (dy) : 0.0f)
#elif ACT == 3
#define ACT_GRAD(dy, y) ((y) > 0.0f ? (dy) : ACT_ALPHA * (dy))
#elif ACT == 4
#define ACT_GRAD(dy, y) ((dy) * (y) * (1.0f - (y)))
#elif ACT == 5
#define ACT_GRAD(dy, y) ((dy) * (1.0f - (y) * (y)))
#else
#define ACT_GRAD(dy, y) (NAN)   // no gradient from the output; the host never builds act_grad for it
#endif

__kernel void bias_act(__global const float* x, __global const float* restrict bias, const int offb,
                       const int cols, __global float* y)
{
    const size_t i = get_global_id(0);
#if HAS_BIAS
    const float v = x[i] + bias[offb + (int)(i % cols)];
#else
    const float v = x[i];
#endif
    y[i] = ACTIVATE(v);
}

__kernel void act_grad(__global const float* restrict dy, __global const float* restrict y,
                       __global float* restrict dx)
{
    const size_t i = get_global_id(0);
    dx[i] = ACT_GRAD(dy[i], y[i]);
}
