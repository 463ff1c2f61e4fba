// Activation epilogue shared by the kernels that fuse one (convolution, dense, elementwise).
// The host prepends this file to the kernel's own source (KernelSource.withHeader), so every
// kernel applies an activation the same way:  y = ACTIVATE(x).
//
// Defines:
//   ACT        0 none, 1 ReLU, 2 clip(ACT_LO, ACT_HI) (ReLU6 is clip(0, 6)), 3 leaky ReLU (slope ACT_ALPHA),
//              4 sigmoid, 5 tanh, 6 hard-swish x * relu6(x + 3) / 6, 7 hard-sigmoid clip(ACT_ALPHA*x + ACT_BETA, 0, 1),
//              8 SiLU (swish) x * sigmoid(x), 9 GELU x/2 * (1 + erf(x / sqrt 2))
//   ACT_LO, ACT_HI, ACT_ALPHA, ACT_BETA   parameters of the above (floats)
// NaN propagates through every activation (fmin/fmax would drop it, so they are not used for clip).

#ifndef ACT
#define ACT 0           // activation kind, see above
#endif
#ifndef ACT_LO
#define ACT_LO 0.0f     // clip lower bound
#endif
#ifndef ACT_HI
#define ACT_HI 6.0f     // clip upper bound
#endif
#ifndef ACT_ALPHA
#define ACT_ALPHA 0.01f // leaky ReLU slope, hard-sigmoid slope
#endif
#ifndef ACT_BETA
#define ACT_BETA 0.5f   // hard-sigmoid offset
#endif

#define CLNN_CLIP(x, lo, hi) ((x) < (lo) ? (lo) : (x) > (hi) ? (hi) : (x))

#if ACT == 0
#define ACTIVATE(x) (x)
#elif ACT == 1
#define ACTIVATE(x) ((x) < 0.0f ? 0.0f : (x))
#elif ACT == 2
#define ACTIVATE(x) CLNN_CLIP((x), ACT_LO, ACT_HI)
#elif ACT == 3
#define ACTIVATE(x) ((x) < 0.0f ? ACT_ALPHA * (x) : (x))
#elif ACT == 4
#define ACTIVATE(x) (1.0f / (1.0f + exp(-(x))))
#elif ACT == 5
#define ACTIVATE(x) tanh(x)
#elif ACT == 6
// relu6(x + 3) / 6 first: x * relu6(x + 3) would overflow for |x| > FLT_MAX / 6
#define ACTIVATE(x) ((x) * (CLNN_CLIP((x) + 3.0f, 0.0f, 6.0f) * (1.0f / 6.0f)))
#elif ACT == 7
#define ACTIVATE(x) CLNN_CLIP(ACT_ALPHA * (x) + ACT_BETA, 0.0f, 1.0f)
#elif ACT == 8
// x / (1 + exp(-x)): for x << 0 exp overflows to inf and the quotient is -0, the limit
#define ACTIVATE(x) ((x) / (1.0f + exp(-(x))))
#elif ACT == 9
// as erfc(-x / sqrt 2) / 2, which keeps its precision for large negative x where 1 + erf cancels
#define ACTIVATE(x) (0.5f * (x) * erfc((x) * -M_SQRT1_2_F))
#else
#error "unknown ACT"
#endif
