package dev.clnn.onnx;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import dev.clnn.cl.ClDevice;
import dev.clnn.graph.Graph;
import dev.clnn.models.Model;
import dev.clnn.tensor.DType;
import dev.clnn.tensor.Shape;

/**
 * An imported ONNX model: a clnn {@link Graph} that takes the model's inputs as the model declares
 * them (e.g. NCHW float32 {@code (N, 3, 224, 224)}) and returns its outputs in ONNX's layout and
 * shape (e.g. {@code (N, 1000)}), both in the model's order; every input shares the batch size
 * {@code N}. Inside, activations are NHWC. Immutable; compile it with {@link #compile} (which
 * applies {@link dev.clnn.graph.Passes#optimize}) for one batch size.
 *
 * <p>The single-value accessors ({@link #inputName()}, {@link #exampleShape()},
 * {@link #inputShape(int)}, {@link #outputName()}, {@link #outputShape(int)}) are those of the first
 * input and the first output; the list accessors cover all of them.
 */
public final class OnnxModel {
    private final Graph graph;
    private final List<String> inputNames;
    private final List<String> outputNames;
    private final int fixedBatch;
    private final int opset;

    OnnxModel(Graph graph, List<String> inputNames, List<String> outputNames, int fixedBatch, int opset) {
        this.graph = graph;
        this.inputNames = List.copyOf(inputNames);
        this.outputNames = List.copyOf(outputNames);
        this.fixedBatch = fixedBatch;
        this.opset = opset;
    }

    /** The graph, not yet optimised: inputs {@link #inputShapes}, outputs {@link #outputShapes}. */
    public Graph graph() { return graph; }

    /** The ONNX name of the model's (first) input. */
    public String inputName() { return inputNames.get(0); }

    /** The ONNX names of the model's inputs (initializers excluded), in the model's order. */
    public List<String> inputNames() { return inputNames; }

    /** The ONNX name of the model's (first) output. */
    public String outputName() { return outputNames.get(0); }

    /** The ONNX names of the model's outputs, in the model's order. */
    public List<String> outputNames() { return outputNames; }

    /** The batch size the model declares, or 0 when its batch dimension is symbolic (dynamic). */
    public int fixedBatch() { return fixedBatch; }

    /** The default-domain opset the model was exported with. */
    public int opset() { return opset; }

    /** One example's (first) input dimensions as the model declares them, without the batch: {@code (C, H, W)}. */
    public Shape exampleShape() { return graph.exampleShape(); }

    /** Every input's example dimensions, without the batch, in {@link #inputNames()} order. */
    public List<Shape> exampleShapes() {
        return graph.inputs().stream().map(Graph.Input::exampleShape).toList();
    }

    /** The (first) input shape for {@code batch} examples. */
    public Shape inputShape(int batch) { return graph.inputShape(batch); }

    /** Every input's shape for {@code batch} examples, in {@link #inputNames()} order. */
    public List<Shape> inputShapes(int batch) {
        return graph.inputs().stream().map(in -> in.shape(batch)).toList();
    }

    /** The (first) output shape for {@code batch} examples, in ONNX's layout. */
    public Shape outputShape(int batch) { return graph.shapes(batch).get(graph.output()); }

    /** Every output's shape for {@code batch} examples, in ONNX's layout and {@link #outputNames()} order. */
    public List<Shape> outputShapes(int batch) {
        Map<String, Shape> shapes = graph.shapes(batch);
        return graph.outputs().stream().map(shapes::get).toList();
    }

    /**
     * Compiles for {@code batch} examples per call on {@code device}. The model's
     * {@link Model#inputNames()} and {@link Model#outputNames()} are the ONNX names, so
     * {@link Model#predict(Map)} takes and returns arrays by the names the ONNX file uses.
     *
     * @throws IllegalArgumentException when the model declares a fixed batch size other than {@code batch}
     */
    public Model compile(ClDevice device, int batch) {
        return compile(device, batch, DType.FLOAT32);
    }

    /**
     * As {@link #compile(ClDevice, int)}, with the activations stored as {@code storage}
     * ({@link Model#compile(Graph, ClDevice, int, DType)}).
     */
    public Model compile(ClDevice device, int batch, DType storage) {
        checkBatch(batch);
        Model m = Model.compile(graph, device, batch, storage);
        try {
            return m.names(inputNames, outputNames);
        } catch (RuntimeException e) {
            m.close();
            throw e;
        }
    }

    /** Throws when the model declares a fixed batch size other than {@code batch}. */
    public void checkBatch(int batch) {
        if (fixedBatch > 0 && batch != fixedBatch) {
            throw new IllegalArgumentException("Model " + graph.name() + " declares batch size " + fixedBatch
                    + " for input '" + inputName() + "'; got " + batch);
        }
    }

    @Override
    public String toString() {
        List<String> ins = new ArrayList<>();
        for (int k = 0; k < inputNames.size(); k++) {
            String dims = Arrays.toString(graph.inputs().get(k).exampleShape().dims());
            ins.add("'" + inputNames.get(k) + "' (" + (fixedBatch > 0 ? fixedBatch : "N") + ", "
                    + dims.substring(1, dims.length() - 1) + ")");
        }
        String outs = outputNames.size() == 1 ? "" : ", outputs " + outputNames.stream().map(o -> "'" + o + "'").toList()
                .toString().replaceAll("[\\[\\]]", "");
        return graph.name() + " (opset " + opset + ", input" + (ins.size() == 1 ? " " : "s ") + String.join(", ", ins)
                + outs + ", " + graph.nodes().size() + " nodes)";
    }
}
