package dev.clnn.models;

import dev.clnn.graph.Graph;
import dev.clnn.graph.Op;
import dev.clnn.ops.Activation;
import dev.clnn.ops.ElementwiseParams;
import dev.clnn.ops.Pool2dParams;
import dev.clnn.ops.SoftmaxParams;

/**
 * MobileNet v2 as Keras builds it ({@code keras.applications.MobileNetV2}): a 3x3 stride-2
 * convolution, 17 inverted residual blocks (1x1 expansion with ReLU6, 3x3 depthwise with ReLU6,
 * linear 1x1 projection, and a shortcut add where shapes allow), a 1x1 convolution to 1280
 * channels, global average pooling and a dense softmax classifier. Channel counts are rounded to
 * multiples of 8 as Keras' {@code _make_divisible} does; stride-2 layers pad as Keras'
 * {@code correct_pad}.
 *
 * <p>Input {@code (N, resolution, resolution, 3)} NHWC; output {@code (N, classes)} probabilities.
 */
public final class MobileNetV2 {
    /** Expansion, output filters, repeats and first stride of each stage. */
    private static final int[][] STAGES = {
        {1, 16, 1, 1}, {6, 24, 2, 2}, {6, 32, 3, 2}, {6, 64, 4, 2}, {6, 96, 3, 1}, {6, 160, 3, 2}, {6, 320, 1, 1},
    };

    private MobileNetV2() {
    }

    /** The standard network: alpha 1.0, 224 x 224 input, 1000 classes. */
    public static Graph build(WeightSource weights) {
        return build(weights, 1.0f, 224, 1000);
    }

    public static Graph build(WeightSource weights, float alpha, int resolution, int classes) {
        Layers l = Layers.classifier("MobileNetV2", "mobilenet_v2", weights, alpha, resolution, classes);
        Graph.Builder g = l.graph();
        int size = resolution;
        int channels = makeDivisible(32 * alpha);
        String x = l.conv("Conv1", "input", 3, channels, 3, 2, 1, Layers.stride2(size, size), false);
        size = (size + 1) / 2;
        x = l.act("Conv1_relu", l.batchNorm("bn_Conv1", x, channels), Activation.RELU6);
        int block = 0;
        for (int[] stage : STAGES) {
            for (int r = 0; r < stage[2]; r++) {
                int stride = r == 0 ? stage[3] : 1;
                int filters = makeDivisible(stage[1] * alpha);
                x = invertedResidual(g, l, x, channels, filters, stride, stage[0], block, size);
                size = stride == 1 ? size : (size + 1) / 2;
                channels = filters;
                block++;
            }
        }
        int last = alpha > 1.0f ? makeDivisible(1280 * alpha) : 1280;
        x = l.conv("Conv_1", x, channels, last, 1, 1, 1, Layers.VALID, false);
        x = l.act("out_relu", l.batchNorm("Conv_1_bn", x, last), Activation.RELU6);
        x = g.add("global_average_pooling2d", new Op.Pool(Pool2dParams.globalAverage()), x);
        x = g.add("flatten", new Op.Reshape(new int[] {last}), x);
        x = l.dense("predictions_dense", x, last, classes, Activation.NONE);
        x = g.add("predictions", new Op.Softmax(SoftmaxParams.softmax(-1)), x);
        return g.build(x);
    }

    private static String invertedResidual(Graph.Builder g, Layers l, String in, int cin, int filters, int stride,
                                           int expansion, int block, int size) {
        String prefix = block == 0 ? "expanded_conv_" : "block_" + block + "_";
        String x = in;
        int c = cin;
        if (block > 0) {
            c = expansion * cin;
            x = l.conv(prefix + "expand", x, cin, c, 1, 1, 1, Layers.VALID, false);
            x = l.act(prefix + "expand_relu", l.batchNorm(prefix + "expand_BN", x, c), Activation.RELU6);
        }
        int[] pad = stride == 1 ? Layers.same(3) : Layers.stride2(size, size);
        x = l.conv(prefix + "depthwise", x, c, c, 3, stride, c, pad, false);
        x = l.act(prefix + "depthwise_relu", l.batchNorm(prefix + "depthwise_BN", x, c), Activation.RELU6);
        x = l.conv(prefix + "project", x, c, filters, 1, 1, 1, Layers.VALID, false);
        x = l.batchNorm(prefix + "project_BN", x, filters);
        if (cin == filters && stride == 1) {
            x = g.add(prefix + "add", new Op.Binary(ElementwiseParams.add()), in, x);
        }
        return x;
    }

    /** Keras' {@code _make_divisible(v, 8)}: the nearest multiple of 8, never more than 10 % below v. */
    static int makeDivisible(float v) {
        int divisor = 8;
        int rounded = Math.max(divisor, (int) (v + divisor / 2f) / divisor * divisor);
        return rounded < 0.9f * v ? rounded + divisor : rounded;
    }
}
