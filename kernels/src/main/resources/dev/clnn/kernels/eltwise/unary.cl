// Unary element-wise math over a flat array of N floats:  y[i] = f(x[i]), f picked by UNARY.
//
// Layout-agnostic: any shape and layout, every element treated alike. y may alias x (in place):
// each element is read and then written by the same work-item. NaN propagates; infinities follow
// the OpenCL built-ins (erf, erfc, sqrt, exp, log, pow, pown: IEEE special values).
// The host prepends common/vector.cl.
//
// UNARY codes (explicit: UnaryParams.Kind carries the same numbers):
//   1 ERF          erf(x)
//   2 GELU         x/2 * (1 + erf(x / sqrt 2)), computed as x/2 * erfc(-x / sqrt 2), which keeps its
//                  precision for large negative x where 1 + erf(...) cancels
//   3 GELU_TANH    x/2 * (1 + tanh(z)), z = sqrt(2/pi) * (x + 0.044715 x^3)  (ONNX Gelu approximate="tanh"),
//                  computed as x / (1 + exp(-2z)), the same without the cancellation of 1 + tanh(z)
//   4 SQRT         sqrt(x)
//   5 RECIPROCAL   1 / x
//   6 EXP          exp(x)
//   7 LOG          log(x)
//   8 NEG          -x
//   9 ABS          fabs(x)
//  10 POW          x ^ EXPONENT; with POWN (an integer exponent) pown(x, POWN), exact signs for
//                  negative x, and x * x for POWN = 2
//
// Kernels (common/vector.cl's MAP_KERNELS):
//   unary_general  one element per work-item; global size >= N, bounds-checked (coalesced on a GPU).
//   unary_vector   VW consecutive elements per work-item through one vector load and store; global
//                  size >= ceil(N / VW); the work-item holding the end of the array finishes the tail
//                  with scalars.
//
// Defines:
//   UNARY      the function, a code above
//   EXPONENT   POW: the constant exponent, a float literal
//   POWN       POW: the exponent as an int when it is one (0 otherwise, then EXPONENT is used)
//   VW         floats per work-item in unary_vector (common/vector.cl)

#ifndef UNARY
#define UNARY 1         // erf
#endif
#ifndef EXPONENT
#define EXPONENT 2.0f   // POW's exponent
#endif
#ifndef POWN
#define POWN 0          // POW's exponent as an int, 0 when it is not one
#endif

#define CAT2(a, b) a##b
#define CAT(a, b) CAT2(a, b)
#if VW == 1
typedef int intv;
#else
typedef CAT(int, VW) intv;
#endif

#if UNARY == 1
#define UNARY_F(v) erf(v)
#elif UNARY == 2
#define UNARY_F(v) (0.5f * (v) * erfc((v) * -M_SQRT1_2_F))
#elif UNARY == 3
#define UNARY_F(v) ((v) / (1.0f + exp(-1.5957691216f * ((v) + 0.044715f * (v) * (v) * (v)))))
#elif UNARY == 4
#define UNARY_F(v) sqrt(v)
#elif UNARY == 5
#define UNARY_F(v) (1.0f / (v))
#elif UNARY == 6
#define UNARY_F(v) exp(v)
#elif UNARY == 7
#define UNARY_F(v) log(v)
#elif UNARY == 8
#define UNARY_F(v) (-(v))
#elif UNARY == 9
#define UNARY_F(v) fabs(v)
#elif UNARY == 10 && POWN == 2
#define UNARY_F(v) ((v) * (v))
#elif UNARY == 10 && POWN != 0
#define UNARY_F(v) pown(v, (intv)(POWN))
#elif UNARY == 10
#define UNARY_F(v) pow(v, (floatv)(EXPONENT))
#else
#error "UNARY must be one of the codes 1 to 10"
#endif

// The scalar form, for the general kernel and the vector kernel's tail (pown and pow need scalar
// exponents with scalar bases).
float unary_scalar(const float v)
{
#if UNARY == 10 && POWN != 0 && POWN != 2
    return pown(v, POWN);
#elif UNARY == 10 && POWN == 0
    return pow(v, EXPONENT);
#else
    return UNARY_F(v);
#endif
}

MAP_KERNELS(unary, UNARY_F, unary_scalar)
