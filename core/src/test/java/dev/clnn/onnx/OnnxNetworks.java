package dev.clnn.onnx;

import ai.onnx.proto.OnnxMl.ModelProto;

/**
 * Whole networks as exporters write them, built directly as ONNX protos with seeded random
 * weights (the same structure {@code scripts/export_fixtures.py} exports from PyTorch): reduced
 * MobileNet v1 and v2 (Conv + BatchNorm + ReLU6 as Clip, depthwise, residual Add, global pooling,
 * the exporters' Shape -> Gather -> Unsqueeze -> Concat -> Reshape flatten, a Pad node) and the
 * MNIST quickstart CNN. Dynamic batch, opset 13.
 */
final class OnnxNetworks {
    private OnnxNetworks() {
    }

    static int width(float alpha, int channels) {
        int c = Math.max(8, (int) (channels * alpha + 4) / 8 * 8);
        return c < 0.9 * channels * alpha ? c + 8 : c;
    }

    private static String convBnRelu6(OnnxBuilder b, String x, int cin, int cout, int k, int stride, int pad, int group) {
        return b.relu6(b.batchNorm(b.conv(x, cin, cout, k, stride, pad, group, false), cout));
    }

    /** MobileNet v1, Keras style: a Pad before the first strided convolution. */
    static ModelProto mobileNetV1(float alpha, int size, int classes) {
        OnnxBuilder b = new OnnxBuilder("mobilenet_v1", 11);
        String x = b.input("input", -1, 3, size, size);
        int c = width(alpha, 32);
        String padded = b.node("Pad", new String[] {x, b.ints(0, 0, 0, 0, 0, 0, 1, 1)});
        x = convBnRelu6(b, padded, 3, c, 3, 2, 0, 1);
        int[][] blocks = {{64, 1}, {128, 2}, {128, 1}, {256, 2}, {256, 1}, {512, 2}, {512, 1}, {512, 1}, {1024, 2},
            {1024, 1}};
        for (int[] blk : blocks) {
            x = convBnRelu6(b, x, c, c, 3, blk[1], 1, c);
            int out = width(alpha, blk[0]);
            x = convBnRelu6(b, x, c, out, 1, 1, 0, 1);
            c = out;
        }
        x = b.exporterFlatten(b.node("GlobalAveragePool", x));
        x = b.node("Gemm", new String[] {x, b.random(classes, c), b.random(classes)}, "transB", 1);
        return b.build(b.node("Softmax", x, "axis", 1));
    }

    /** MobileNet v2 (torchvision structure, fewer repeats): inverted residuals with linear bottlenecks. */
    static ModelProto mobileNetV2(float alpha, int size, int classes) {
        OnnxBuilder b = new OnnxBuilder("mobilenet_v2", 12);
        String x = b.input("input", -1, 3, size, size);
        int c = width(alpha, 32);
        x = convBnRelu6(b, x, 3, c, 3, 2, 1, 1);
        int[][] settings = {{1, 16, 1, 1}, {6, 24, 2, 2}, {6, 32, 2, 2}, {6, 64, 2, 2}, {6, 96, 1, 1}};
        for (int[] s : settings) {
            int out = width(alpha, s[1]);
            for (int i = 0; i < s[2]; i++) {
                int stride = i == 0 ? s[3] : 1;
                int hidden = c * s[0];
                String y = x;
                if (s[0] != 1) {
                    y = convBnRelu6(b, y, c, hidden, 1, 1, 0, 1);
                }
                y = convBnRelu6(b, y, hidden, hidden, 3, stride, 1, hidden);
                y = b.batchNorm(b.conv(y, hidden, out, 1, 1, 0, 1, false), out);
                x = stride == 1 && c == out ? b.node("Add", new String[] {x, y}) : y;
                c = out;
            }
        }
        x = convBnRelu6(b, x, c, 128, 1, 1, 0, 1);
        x = b.node("ReduceMean", x, "axes", new int[] {2, 3}, "keepdims", 0);
        x = b.node("Gemm", new String[] {x, b.random(classes, 128), b.random(classes)}, "transB", 1);
        return b.build(x);
    }

    /** The MNIST quickstart CNN: Conv 32 3x3 + ReLU, Flatten (26x26x32), Dense 128 + ReLU, Dense 10. */
    static ModelProto mnistCnn() {
        OnnxBuilder b = new OnnxBuilder("mnist_cnn", 13);
        String x = b.input("input", -1, 1, 28, 28);
        x = b.node("Relu", b.conv(x, 1, 32, 3, 1, 0, 1, true));
        x = b.node("Flatten", x);
        x = b.node("Relu", b.node("Gemm", new String[] {x, b.random(-0.02f, 0.02f, 128, 26 * 26 * 32), b.random(128)},
                "transB", 1));
        x = b.node("Gemm", new String[] {x, b.random(10, 128), b.random(10)}, "transB", 1);
        return b.build(x);
    }
}
