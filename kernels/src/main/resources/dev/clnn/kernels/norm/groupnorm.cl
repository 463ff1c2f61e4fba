// Group normalisation (ONNX GroupNormalization; InstanceNormalization is one group per channel):
// the C channels of each example fall into G groups of CG = C / G consecutive channels, and each
// (example, group) block of HW * CG elements is normalised on its own:
//     mean = sum x / (HW * CG),   var = sum (x - mean)^2 / (HW * CG)
//     y[.., c] = (x[.., c] - mean) / sqrt(var + eps) * gamma[c] + beta[c]
// with gamma and beta per channel, one buffer of 2C floats (gamma, then beta). The variance is taken
// around the mean (a second pass), which keeps its precision when the mean is large.
//
// Layouts (CHANNELS_LAST):
//   1  x and y (N, HW, C) row-major, NHWC: a block is CG contiguous channels at each of HW pixels
//   0  x and y (N, C, HW) row-major, channels first (ONNX's order): a block is CG contiguous rows
// Either way the elements of a block are walked with the unit stride innermost.
//
// Kernel:
//   groupnorm   one work-group of GROUP work-items per block (get_group_id(0) = n * G + g): each
//               work-item sums every GROUP-th element, the partial sums are added in __local memory
//               (common/workgroup.cl's group_sum; GROUP a power of two). GROUP = 1 (CPUs) has no
//               __local memory and no barriers. Global = N * G * GROUP, local = GROUP. The host
//               prepends common/workgroup.cl.
//
// Defines:
//   GROUP           work-items per block, a power of two
//   CHANNELS_LAST   1 NHWC, 0 channels first

#ifndef GROUP
#define GROUP 64            // work-items per (example, group) block
#endif
#ifndef CHANNELS_LAST
#define CHANNELS_LAST 1     // 1: (N, HW, C); 0: (N, C, HW)
#endif

#if CHANNELS_LAST
#define INNER cg            // channels of the group, stride 1
#define OUTER_STRIDE c      // pixels, stride C
#else
#define INNER hw            // pixels, stride 1
#define OUTER_STRIDE hw     // channels of the group, stride HW
#endif

__kernel void groupnorm(const int groups, const int cg, const int hw, const int c, const float eps,
                        __global const float* restrict x, __global const float* restrict gammaBeta,
                        __global float* restrict y)
{
#if GROUP > 1
    __local float part[GROUP];
    const int lid = get_local_id(0);
#else
    const int lid = 0;
#endif
    const int row = get_group_id(0);
    const int n = row / groups;
    const int g = row - n * groups;
#if CHANNELS_LAST
    const size_t base = (size_t)n * hw * c + (size_t)g * cg;
#else
    const size_t base = ((size_t)n * c + (size_t)g * cg) * hw;
#endif
    const int len = hw * cg;

    float s = 0.0f;
    for (int i = lid; i < len; i += GROUP) {
        const int o = i / INNER;
        s += x[base + (size_t)o * OUTER_STRIDE + (i - o * INNER)];
    }
#if GROUP > 1
    s = group_sum(part, s, lid, GROUP);
#endif
    const float mean = s / (float)len;

    float v = 0.0f;
    for (int i = lid; i < len; i += GROUP) {
        const int o = i / INNER;
        const float d = x[base + (size_t)o * OUTER_STRIDE + (i - o * INNER)] - mean;
        v += d * d;
    }
#if GROUP > 1
    v = group_sum(part, v, lid, GROUP);
#endif
    const float inv = 1.0f / sqrt(v / (float)len + eps);

    for (int i = lid; i < len; i += GROUP) {
        const int o = i / INNER;
        const int k = i - o * INNER;
#if CHANNELS_LAST
        const int ch = g * cg + k;
#else
        const int ch = g * cg + o;
#endif
        const size_t at = base + (size_t)o * OUTER_STRIDE + k;
        y[at] = (x[at] - mean) * inv * gammaBeta[ch] + gammaBeta[c + ch];
    }
}
