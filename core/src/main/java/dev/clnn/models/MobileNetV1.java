package dev.clnn.models;

import dev.clnn.graph.Graph;
import dev.clnn.graph.Op;
import dev.clnn.ops.Activation;
import dev.clnn.ops.Pool2dParams;
import dev.clnn.ops.SoftmaxParams;

/**
 * MobileNet v1 exactly as Keras builds it ({@code keras.applications.MobileNet}): a 3x3 stride-2
 * convolution, 13 depthwise-separable blocks (3x3 depthwise then 1x1 pointwise, each followed by
 * BatchNorm and ReLU6), global average pooling, a 1x1 convolution to the classes and softmax.
 * Stride-2 layers pad only bottom and right ({@code ZeroPadding2D(((0, 1), (0, 1)))}), as Keras
 * does. Layer and parameter names follow Keras ({@code conv1}, {@code conv_dw_1}, {@code conv_pw_1_bn},
 * {@code conv_preds}, ...).
 *
 * <p>Input {@code (N, resolution, resolution, 3)} NHWC; output {@code (N, classes)} probabilities.
 */
public final class MobileNetV1 {
    /** Pointwise filters and depthwise stride of the 13 blocks. */
    private static final int[][] BLOCKS = {
        {64, 1}, {128, 2}, {128, 1}, {256, 2}, {256, 1}, {512, 2},
        {512, 1}, {512, 1}, {512, 1}, {512, 1}, {512, 1}, {1024, 2}, {1024, 1},
    };

    private MobileNetV1() {
    }

    /** The standard network: alpha 1.0, 224 x 224 input, 1000 classes. */
    public static Graph build(WeightSource weights) {
        return build(weights, 1.0f, 224, 1000);
    }

    /**
     * @param alpha      width multiplier (Keras: 0.25, 0.5, 0.75 or 1.0; any positive value works here)
     * @param resolution input height and width, at least 32
     * @param classes    outputs of the classifier
     */
    public static Graph build(WeightSource weights, float alpha, int resolution, int classes) {
        Layers l = Layers.classifier("MobileNetV1", "mobilenet_v1", weights, alpha, resolution, classes);
        Graph.Builder g = l.graph();
        int channels = (int) (32 * alpha);
        String x = l.conv("conv1", "input", 3, channels, 3, 2, 1, new int[] {0, 0, 1, 1}, false);
        x = l.act("conv1_relu", l.batchNorm("conv1_bn", x, channels), Activation.RELU6);
        for (int b = 0; b < BLOCKS.length; b++) {
            int id = b + 1;
            int stride = BLOCKS[b][1];
            int filters = (int) (BLOCKS[b][0] * alpha);
            int[] pad = stride == 1 ? Layers.same(3) : new int[] {0, 0, 1, 1};
            x = l.conv("conv_dw_" + id, x, channels, channels, 3, stride, channels, pad, false);
            x = l.act("conv_dw_" + id + "_relu", l.batchNorm("conv_dw_" + id + "_bn", x, channels), Activation.RELU6);
            x = l.conv("conv_pw_" + id, x, channels, filters, 1, 1, 1, Layers.VALID, false);
            x = l.act("conv_pw_" + id + "_relu", l.batchNorm("conv_pw_" + id + "_bn", x, filters), Activation.RELU6);
            channels = filters;
        }
        x = g.add("global_average_pooling2d", new Op.Pool(Pool2dParams.globalAverage()), x);
        x = l.conv("conv_preds", x, channels, classes, 1, 1, 1, Layers.VALID, true);
        x = g.add("reshape_2", new Op.Reshape(new int[] {classes}), x);
        x = g.add("predictions", new Op.Softmax(SoftmaxParams.softmax(-1)), x);
        return g.build(x);
    }
}
