package dev.clnn.onnx;

import java.io.IOException;
import java.nio.file.Path;

import ai.onnx.proto.OnnxMl.ModelProto;

import dev.clnn.graph.Graph;
import dev.clnn.models.SequentialGraph;
import dev.clnn.nn.Sequential;
import dev.clnn.tensor.Shape;

/**
 * Exports a trained {@link Sequential} to ONNX, so other runtimes (ONNX Runtime, for one) can run
 * it: the model's layers become a clnn graph ({@link SequentialGraph}, the same graph
 * {@code Model.compile(sequential, batch)} runs), which {@link GraphExport} writes.
 *
 * <p>The exported graph keeps clnn's interface: one input named {@value #INPUT}, float32,
 * {@code (N, inputShape...)} with a symbolic batch {@code N} (NHWC {@code (N, H, W, C)} for
 * images, e.g. {@code (N, 28, 28, 1)}), and one output named {@value #OUTPUT},
 * {@code (N, outputShape...)} (the logits). Inside, convolutions run NCHW with OIHW kernels;
 * weights keep the layers' names ({@code conv2d/kernel}, {@code dense_1/bias}), so
 * {@link OnnxWeights} reads them back. Supported layers: {@link dev.clnn.nn.Conv2d},
 * {@link dev.clnn.nn.Dense}, {@link dev.clnn.nn.Flatten}, {@link dev.clnn.nn.Relu}.
 */
public final class OnnxExport {
    public static final String INPUT = "input";
    public static final String OUTPUT = "logits";
    public static final int OPSET = GraphExport.OPSET;

    private OnnxExport() {
    }

    /**
     * The ONNX model of {@code model}, with its current weights (read from the device).
     * Package-private: the public API hands out bytes ({@link #toBytes}), not another library's
     * protobuf classes.
     *
     * @throws IllegalArgumentException when the model holds a layer ONNX export does not support
     */
    static ModelProto toModel(Sequential model) {
        Graph g = SequentialGraph.of(model, "clnn_sequential");
        return GraphExport.model(g, OUTPUT, "Input '" + INPUT + "': float32 (N" + dims(model.inputShape()) + ")"
                + (model.inputShape().rank() == 3 ? ", NHWC" : "") + ". Output '" + OUTPUT + "': float32 (N"
                + dims(model.outputShape()) + ").");
    }

    /**
     * The serialized ONNX model of {@code model}, with its current weights (read from the device).
     *
     * @throws IllegalArgumentException when the model holds a layer ONNX export does not support
     */
    public static byte[] toBytes(Sequential model) {
        return toModel(model).toByteArray();
    }

    /** Writes {@link #toBytes} to {@code file} atomically (a temporary file renamed over it). */
    public static void write(Sequential model, Path file) throws IOException {
        dev.clnn.io.AtomicFiles.write(file, toBytes(model));
    }

    private static String dims(Shape s) {
        StringBuilder sb = new StringBuilder();
        for (int d : s.dims()) {
            sb.append(", ").append(d);
        }
        return sb.toString();
    }
}
