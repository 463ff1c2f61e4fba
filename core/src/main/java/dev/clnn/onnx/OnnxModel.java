package dev.clnn.onnx;

import java.util.Arrays;

import dev.clnn.cl.ClDevice;
import dev.clnn.graph.Graph;
import dev.clnn.models.Model;
import dev.clnn.tensor.Shape;

/**
 * An imported ONNX model: a clnn {@link Graph} that takes the model's input as the model declares
 * it (e.g. NCHW float32 {@code (N, 3, 224, 224)}) and returns its first output in ONNX's layout and
 * shape (e.g. {@code (N, 1000)}). Inside, activations are NHWC. Immutable; compile it with
 * {@link #compile} (which applies {@link dev.clnn.graph.Passes#optimize}) for one batch size.
 */
public final class OnnxModel {
    private final Graph graph;
    private final String inputName;
    private final String outputName;
    private final int fixedBatch;
    private final int opset;

    OnnxModel(Graph graph, String inputName, String outputName, int fixedBatch, int opset) {
        this.graph = graph;
        this.inputName = inputName;
        this.outputName = outputName;
        this.fixedBatch = fixedBatch;
        this.opset = opset;
    }

    /** The graph, not yet optimised: input {@link #inputShape}, output {@link #outputShape}. */
    public Graph graph() { return graph; }

    /** The ONNX name of the model's input. */
    public String inputName() { return inputName; }

    /** The ONNX name of the model's (first) output. */
    public String outputName() { return outputName; }

    /** The batch size the model declares, or 0 when its batch dimension is symbolic (dynamic). */
    public int fixedBatch() { return fixedBatch; }

    /** The default-domain opset the model was exported with. */
    public int opset() { return opset; }

    /** One example's input dimensions as the model declares them, without the batch: {@code (C, H, W)}. */
    public Shape exampleShape() { return graph.exampleShape(); }

    /** The input shape for {@code batch} examples. */
    public Shape inputShape(int batch) { return graph.inputShape(batch); }

    /** The output shape for {@code batch} examples, in ONNX's layout. */
    public Shape outputShape(int batch) { return graph.shapes(batch).get(graph.output()); }

    /**
     * Compiles for {@code batch} examples per call on {@code device}.
     *
     * @throws IllegalArgumentException when the model declares a fixed batch size other than {@code batch}
     */
    public Model compile(ClDevice device, int batch) {
        checkBatch(batch);
        return Model.compile(graph, device, batch);
    }

    /** Throws when the model declares a fixed batch size other than {@code batch}. */
    public void checkBatch(int batch) {
        if (fixedBatch > 0 && batch != fixedBatch) {
            throw new IllegalArgumentException("Model " + graph.name() + " declares batch size " + fixedBatch
                    + " for input '" + inputName + "'; got " + batch);
        }
    }

    @Override
    public String toString() {
        String dims = Arrays.toString(graph.exampleShape().dims());
        return graph.name() + " (opset " + opset + ", input '" + inputName + "' (" + (fixedBatch > 0 ? fixedBatch : "N")
                + ", " + dims.substring(1, dims.length() - 1) + "), " + graph.nodes().size() + " nodes)";
    }
}
