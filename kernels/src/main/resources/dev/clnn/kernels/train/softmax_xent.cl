// Softmax cross-entropy with integer labels, fused with its gradient and the per-example metrics
// a training loop reports. For each row r of the logits z (n, classes), label y = labels[r]:
//
//     m       = max_j z[r][j]                      (subtracted first: exp never overflows)
//     lse     = m + log(sum_j exp(z[r][j] - m))
//     loss_r  = lse - z[r][y]                      (= -log softmax(z)[y], never -log(0))
//     grad[r][j] = scale * (exp(z[r][j] - lse) - (j == y))
//     stats[(stats_row + r)*2 + 0] = loss_r
//     stats[(stats_row + r)*2 + 1] = 1 if argmax_j z[r][j] == y (the first maximum wins), else 0
//
// With scale = 1/n, grad is the gradient of the mean loss over the batch. Labels are class
// indices stored as floats (exact below 2^24); a label outside [0, classes) gives a NaN loss and
// a zero gradient row, so a bad label shows up in the reported loss instead of passing silently.
//
// Row-major fp32. Global size: n work-items, one row each; any work-group size. No defines.

__kernel void softmax_xent(__global const float* restrict logits, const int classes,
                           __global const float* restrict labels, const float scale,
                           __global float* restrict grad, __global float* restrict stats, const int stats_row)
{
    const int r = get_global_id(0);
    __global const float* z = logits + (size_t)r * classes;
    __global float* g = grad + (size_t)r * classes;
    const float yf = labels[r];
    const int y = (int)yf;
    float m = z[0];
    int best = 0;
    for (int j = 1; j < classes; ++j) {
        if (z[j] > m) {
            m = z[j];
            best = j;
        }
    }
    float s = 0.0f;
    for (int j = 0; j < classes; ++j) {
        s += exp(z[j] - m);
    }
    const float lse = m + log(s);
    __global float* st = stats + (size_t)(stats_row + r) * 2;
    if (!(yf >= 0.0f && y < classes && (float)y == yf)) {
        for (int j = 0; j < classes; ++j) {
            g[j] = 0.0f;
        }
        st[0] = NAN;
        st[1] = 0.0f;
        return;
    }
    for (int j = 0; j < classes; ++j) {
        g[j] = scale * (exp(z[j] - lse) - (j == y ? 1.0f : 0.0f));
    }
    st[0] = lse - z[y];
    st[1] = best == y ? 1.0f : 0.0f;
}
