package dev.clnn.models;

import dev.clnn.graph.Graph;
import dev.clnn.graph.Op;
import dev.clnn.ops.Activation;
import dev.clnn.ops.Conv2dParams;
import dev.clnn.tensor.Shape;

/**
 * Keras-style building blocks shared by the model builders: each adds nodes to a graph builder,
 * draws its parameters from a {@link WeightSource} under Keras' layer names, and returns the new
 * value. Shapes are tracked by the caller (NHWC).
 */
final class Layers {
    /** Keras' BatchNormalization default. */
    static final float BN_EPSILON = 1e-3f;

    private final Graph.Builder g;
    private final WeightSource weights;

    Layers(Graph.Builder g, WeightSource weights) {
        this.g = g;
        this.weights = weights;
    }

    /**
     * The start of an ImageNet-style classifier of {@code resolution}² RGB (NHWC) images: checks the
     * builder's arguments and opens a graph named {@code name_alpha_resolution} with input "input".
     */
    static Layers classifier(String family, String name, WeightSource weights, float alpha, int resolution,
                             int classes) {
        if (!(alpha > 0) || resolution < 32 || classes < 1) {
            throw new IllegalArgumentException(family + " needs alpha > 0, resolution >= 32 and classes >= 1, got"
                    + " alpha=" + alpha + " resolution=" + resolution + " classes=" + classes);
        }
        Graph.Builder g = Graph.builder(name + "_" + alpha + "_" + resolution, "input",
                Shape.of(resolution, resolution, 3));
        return new Layers(g, weights);
    }

    /** The graph the blocks are added to. */
    Graph.Builder graph() {
        return g;
    }

    /**
     * A convolution without bias ({@code use_bias=False}) of {@code cin} to {@code cout} channels.
     * For {@code groups == cin == cout} it is depthwise. Padding: (top, left, bottom, right).
     */
    String conv(String name, String x, int cin, int cout, int k, int stride, int groups, int[] pad, boolean bias) {
        Shape w = Shape.of(k, k, cin / groups, cout);
        float[] kernel = weights.get(name + "/kernel", w, WeightSource.Kind.KERNEL, k * k * (cin / groups));
        float[] b = bias ? weights.get(name + "/bias", Shape.of(cout), WeightSource.Kind.BIAS, 0) : null;
        Conv2dParams p = Conv2dParams.defaults().withStride(stride).withGroups(groups)
                .withPadding(pad[0], pad[1], pad[2], pad[3]);
        return g.add(name, new Op.Conv(p, w, kernel, b), x);
    }

    String batchNorm(String name, String x, int channels) {
        Shape s = Shape.of(channels);
        return g.add(name, new Op.BatchNorm(
                weights.get(name + "/gamma", s, WeightSource.Kind.BN_GAMMA, 0),
                weights.get(name + "/beta", s, WeightSource.Kind.BN_BETA, 0),
                weights.get(name + "/moving_mean", s, WeightSource.Kind.BN_MEAN, 0),
                weights.get(name + "/moving_variance", s, WeightSource.Kind.BN_VARIANCE, 0),
                BN_EPSILON), x);
    }

    String act(String name, String x, Activation a) {
        return g.add(name, new Op.Act(a), x);
    }

    String dense(String name, String x, int in, int out, Activation a) {
        Shape w = Shape.of(in, out);
        return g.add(name, new Op.Dense(in, out, weights.get(name + "/kernel", w, WeightSource.Kind.KERNEL, in),
                weights.get(name + "/bias", Shape.of(out), WeightSource.Kind.BIAS, 0), a), x);
    }

    /** Keras 'same' padding for stride 1 and an odd kernel: symmetric. */
    static int[] same(int k) {
        int p = (k - 1) / 2;
        return new int[] {p, p, p, p};
    }

    /**
     * What Keras' MobileNets do before a stride-2 3x3 layer: {@code ZeroPadding2D} of
     * ((0, 1), (0, 1)) for an even input size and ((1, 1), (1, 1)) for an odd one, then 'valid'.
     */
    static int[] stride2(int h, int w) {
        return new int[] {1 - (1 - h % 2), 1 - (1 - w % 2), 1, 1};
    }

    static final int[] VALID = {0, 0, 0, 0};
}
