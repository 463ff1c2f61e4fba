// Optimizer steps over a flat parameter buffer: every parameter of a model lives in one buffer
// and its gradient at the same index of another, so one launch updates the whole model.
// One work-item per float of the flat buffers; global size = their length, which includes the zero
// padding that aligns each parameter (zero value, gradient and state stay zero); any work-group size.
//
//   sgd            w -= lr * g
//   sgd_momentum   v = momentum * v - lr * g;  w += v                       (Keras' SGD)
//   adam           m += (1 - beta1) * (g - m);  v += (1 - beta2) * (g*g - v);
//                  w -= alpha_t * m / (sqrt(v) + epsilon)
//                  with the bias correction folded into the step size by the host,
//                  alpha_t = lr * sqrt(1 - beta2^t) / (1 - beta1^t) for step t = 1, 2, ...
//                  (Keras' and TensorFlow's Adam; epsilon is added to sqrt(v) before correcting v).
//
// The state buffers (v, m) have one float per parameter and start at zero. No defines.

__kernel void sgd(__global float* restrict w, __global const float* restrict g, const float lr)
{
    const size_t i = get_global_id(0);
    w[i] -= lr * g[i];
}

__kernel void sgd_momentum(__global float* restrict w, __global const float* restrict g,
                           __global float* restrict v, const float lr, const float momentum)
{
    const size_t i = get_global_id(0);
    const float vi = momentum * v[i] - lr * g[i];
    v[i] = vi;
    w[i] += vi;
}

__kernel void adam(__global float* restrict w, __global const float* restrict g,
                   __global float* restrict m, __global float* restrict v,
                   const float alpha_t, const float beta1, const float beta2, const float epsilon)
{
    const size_t i = get_global_id(0);
    const float gi = g[i];
    const float mi = m[i] + (1.0f - beta1) * (gi - m[i]);
    const float vi = v[i] + (1.0f - beta2) * (gi * gi - v[i]);
    m[i] = mi;
    v[i] = vi;
    w[i] -= alpha_t * mi / (sqrt(vi) + epsilon);
}
