package dev.clnn.onnx;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.OperatorSetIdProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.TensorShapeProto;
import ai.onnx.proto.OnnxMl.TypeProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;

import dev.clnn.graph.Graph;
import dev.clnn.graph.Op;

/**
 * Imports an ONNX model (opsets 11 to 20) as a clnn {@link Graph}.
 *
 * <p>Every graph input that is not an initializer becomes an input of the clnn graph (float32,
 * batch first, one batch size for all), and every graph output an output, in the model's order.
 *
 * <p>Layout: ONNX activations are NCHW, clnn's NHWC. The graph takes each input as the model
 * declares it and transposes a 4-D one to NHWC once; the importer tracks, for every 4-D value,
 * whether it holds NHWC data or ONNX's own order, converts convolution weights OIHW to HWIO, maps
 * channel axes (Concat, Softmax, Pad, per-channel constants), and transposes back to NCHW only where
 * element order matters (a Flatten or Reshape of a value with H or W above 1, and the outputs).
 *
 * <p>Subgraphs that only depend on constants and static shapes (the {@code Shape -> Gather ->
 * Unsqueeze -> Concat -> Reshape} arithmetic exporters emit) are folded at load time.
 *
 * <p>This class reads and checks the model (opset, inputs, outputs, initializers) and walks its
 * nodes; {@code Layout} tracks which values are NHWC and adds the conversions; each operator is
 * translated by the {@code Translator} registered for it in {@code Translators}, whose keys (with
 * the folded operators of {@code ConstEval}) are the operators clnn supports.
 *
 * <pre>{@code
 * OnnxModel m = OnnxImport.load(Path.of("mobilenet.onnx"));     // (N, 3, 224, 224) -> (N, 1000)
 * try (Model model = m.compile(device, 1)) {
 *     float[] logits = model.predict(nchwImage);
 * }
 * }</pre>
 */
public final class OnnxImport {
    public static final int MIN_OPSET = 11;
    public static final int MAX_OPSET = 20;
    /** The most read from a stream, a pipe or a device, whose size is not known before reading. */
    public static final long MAX_STREAM_BYTES = 1L << 30;

    /** Folded operators whose result shares its input's elements. */
    private static final Set<String> VIEWS = Set.of("Identity", "Dropout", "Reshape", "Flatten", "Squeeze",
            "Unsqueeze");

    private final TensorSource tensors;
    private final int opset;
    private final Map<String, Const> consts = new HashMap<>();
    /** Extra outputs clnn does not compute (Dropout's mask, MaxPool's indices, BN's running stats). */
    private final Set<String> uncomputed = new HashSet<>();
    private Layout layout;
    private int fixedBatch;

    private OnnxImport(TensorSource tensors, int opset) {
        this.tensors = tensors;
        this.opset = opset;
    }

    /**
     * Loads {@code file}; external data is read from files in its directory. A pipe or device
     * (which has no size to check first) is parsed as a stream, up to {@link #MAX_STREAM_BYTES}.
     *
     * @throws OnnxFormatException when the file is not a model clnn can run, naming why
     * @throws IOException         when the file cannot be read
     */
    public static OnnxModel load(Path file) throws IOException {
        String name = file.getFileName() == null ? file.toString() : file.getFileName().toString();
        return load(ModelFile.read(file), file.toAbsolutePath().getParent(), name);
    }

    /**
     * Loads a model from a stream, parsed as it arrives, to its end but no further than
     * {@link #MAX_STREAM_BYTES}; {@code dir} is where external data files are looked up (null:
     * external data is rejected), {@code name} names the model in messages.
     *
     * @throws OnnxFormatException when the bytes are not a model clnn can run, or there are too many
     * @throws IOException         when the stream cannot be read
     */
    public static OnnxModel load(InputStream in, Path dir, String name) throws IOException {
        return load(ModelFile.parse(in, name), dir, name);
    }

    /**
     * Loads a model from its bytes; {@code dir} is where external data files are looked up (null:
     * external data is rejected), {@code name} names the model in messages.
     *
     * @throws OnnxFormatException when the bytes are not a model clnn can run, naming why
     */
    public static OnnxModel load(byte[] bytes, Path dir, String name) {
        return load(ModelFile.parse(bytes, name), dir, name);
    }

    /**
     * Imports a parsed model; see {@link #load(byte[], Path, String)}. Package-private: the public
     * API takes bytes, files and streams, not the protobuf classes of another library.
     */
    static OnnxModel load(ModelProto model, Path dir, String name) {
        return load(model, dir, name, TensorSource.defaultBudget());
    }

    /** As {@link #load(ModelProto, Path, String)}, with at most {@code budget} bytes of constants. */
    static OnnxModel load(ModelProto model, Path dir, String name, long budget) {
        if (!model.hasGraph() || model.getGraph().getNodeCount() == 0) {
            throw new OnnxFormatException(name + " is not an ONNX model: it has no graph nodes");
        }
        int opset = opset(model, name);
        try {
            return new OnnxImport(new TensorSource(dir, budget), opset).run(model.getGraph(), name);
        } catch (OnnxFormatException e) {
            throw e;
        } catch (IllegalArgumentException | ArithmeticException | IndexOutOfBoundsException
                 | NegativeArraySizeException | NullPointerException e) {
            throw new OnnxFormatException(name + ": " + e.getMessage(), e);
        }
    }

    /** The version of the default operator set the model imports, checked. */
    private static int opset(ModelProto model, String name) {
        int opset = -1;
        for (OperatorSetIdProto o : model.getOpsetImportList()) {
            if (o.getDomain().isEmpty() || o.getDomain().equals("ai.onnx")) {
                opset = (int) Math.min(Integer.MAX_VALUE, Math.max(-1, o.getVersion()));
            }
        }
        if (opset < 0) {
            throw new OnnxFormatException(name + " imports no version of the default ONNX operator set");
        }
        if (opset < MIN_OPSET || opset > MAX_OPSET) {
            throw new OnnxFormatException(name + " uses opset " + opset + "; clnn imports opsets " + MIN_OPSET
                    + " to " + MAX_OPSET + " (re-export it, or convert it with onnx.version_converter)");
        }
        return opset;
    }

    private OnnxModel run(GraphProto g, String fileName) {
        checkSupported(g);
        Set<String> initNames = readInitializers(g);
        List<ValueInfoProto> inputs = new ArrayList<>();
        for (ValueInfoProto v : g.getInputList()) {
            if (!initNames.contains(v.getName())) {
                inputs.add(v);
            }
        }
        if (inputs.isEmpty()) {
            throw new OnnxFormatException("the model has 0 inputs besides its initializers; clnn imports models with"
                    + " at least one");
        }
        if (g.getOutputCount() == 0) {
            throw new OnnxFormatException("the model declares no output");
        }
        String graphName = g.getName().isEmpty() ? fileName.replaceFirst("\\.onnx$", "") : g.getName();
        List<String> inNames = declareInputs(inputs, graphName);
        for (NodeProto n : g.getNodeList()) {
            translate(n);
        }
        List<String> outNames = new ArrayList<>();
        List<String> results = new ArrayList<>();
        for (ValueInfoProto o : g.getOutputList()) {
            results.add(output(g, o.getName(), results));
            if (outNames.contains(o.getName())) {
                throw new OnnxFormatException("the output '" + o.getName() + "' is listed twice");
            }
            outNames.add(o.getName());
        }
        Graph graph = layout.build(results);
        graph.shapes(1);
        return new OnnxModel(graph, inNames, outNames, fixedBatch, opset);
    }

    /**
     * Declares every input of the graph (float32, batch first): a 4-D one as NCHW data converted
     * to NHWC once, others as they are. Returns their ONNX names, in order.
     */
    private List<String> declareInputs(List<ValueInfoProto> inputs, String graphName) {
        List<String> names = new ArrayList<>();
        for (ValueInfoProto in : inputs) {
            if (names.contains(in.getName())) {
                throw new OnnxFormatException("input '" + in.getName() + "' is declared twice");
            }
            int[] inDims = inputDims(in);
            String name;
            if (layout == null) {
                layout = new Layout(graphName, in.getName(), inDims);
                name = layout.input();
            } else {
                name = layout.addInput(in.getName(), inDims);
            }
            Val input = new Val(name, false);
            // the first input's conversion keeps the name it had when models had one input
            String base = names.isEmpty() ? "input" : name;
            layout.put(in.getName(), inDims.length == 4 ? new Val(layout.nhwc(input, base), true) : input);
            names.add(in.getName());
        }
        return names;
    }

    /**
     * The clnn value of the ONNX output {@code onnxName}, in ONNX's order and shape: a conversion back
     * from NHWC is named after the node that computes it (the first output's after the last node),
     * and an output that is a graph input or an earlier output gets a view of its own.
     */
    private String output(GraphProto g, String onnxName, List<String> earlier) {
        Val out = layout.val(onnxName);
        if (out == null) {
            throw new OnnxFormatException(consts.containsKey(onnxName) ? "the output '" + onnxName
                    + "' is a constant; clnn imports models whose outputs depend on the input"
                    : "no node computes the output '" + onnxName + "'");
        }
        if (out.pending() || layout.dims(out)[0] != 1) {
            throw new OnnxFormatException("the output '" + onnxName + "' does not have the batch as its first axis"
                    + " (a Reshape or Transpose before it moves the batch); clnn returns outputs batch first");
        }
        NodeProto producer = g.getNode(g.getNodeCount() - 1);
        for (int i = 0; i < g.getNodeCount() && !earlier.isEmpty(); i++) {
            if (g.getNode(i).getOutputList().contains(onnxName)) {
                producer = g.getNode(i);
            }
        }
        String result = layout.plain(out, NodeContext.base(producer));
        if (layout.isInput(result) || earlier.contains(result)) {
            int[] d = layout.shape(result).dims();
            result = layout.add("output", new Op.Reshape(Arrays.copyOfRange(d, 1, d.length)), result);
        }
        return result;
    }

    /**
     * Checks the initializers the graph uses and adds them to {@link #consts} (decoded on first
     * use); returns the names of all of them. An initializer no node reads is never read: its data,
     * however large or broken, costs nothing.
     */
    private Set<String> readInitializers(GraphProto g) {
        if (g.getSparseInitializerCount() > 0) {
            throw new OnnxFormatException("sparse initializers are not supported");
        }
        Set<String> used = usedNames(g);
        Set<String> names = new HashSet<>();
        for (TensorProto t : g.getInitializerList()) {
            if (used.contains(t.getName())) {
                consts.put(t.getName(), tensors.read(t));
            }
            names.add(t.getName());
        }
        return names;
    }

    /** The names every node reads, and the graph's outputs. */
    private static Set<String> usedNames(GraphProto g) {
        Set<String> used = new HashSet<>();
        for (NodeProto n : g.getNodeList()) {
            used.addAll(n.getInputList());
        }
        for (ValueInfoProto v : g.getOutputList()) {
            used.add(v.getName());
        }
        return used;
    }

    /** Every node's operator must be one clnn implements: all unsupported ones are named at once. */
    private void checkSupported(GraphProto g) {
        Set<String> bad = new LinkedHashSet<>();
        for (NodeProto n : g.getNodeList()) {
            boolean domainOk = n.getDomain().isEmpty() || n.getDomain().equals("ai.onnx");
            if (!domainOk || !Translators.supports(n.getOpType())) {
                bad.add(n.getOpType() + (domainOk ? "" : " (domain " + n.getDomain() + ")") + " (node '" + n.getName()
                        + "', opset " + opset + ")");
            }
        }
        if (!bad.isEmpty()) {
            throw new OnnxFormatException("unsupported operators: " + String.join(", ", bad));
        }
    }

    private static String where(NodeProto n) {
        return "node '" + n.getName() + "' (" + n.getOpType() + ")";
    }

    private int[] inputDims(ValueInfoProto in) {
        TypeProto t = in.getType();
        if (!t.hasTensorType() || t.getTensorType().getElemType() != TensorProto.DataType.FLOAT_VALUE) {
            throw new OnnxFormatException("input '" + in.getName() + "' is not a float32 tensor; clnn takes float32"
                    + " input");
        }
        if (!t.getTensorType().hasShape()) {
            throw new OnnxFormatException("input '" + in.getName() + "' declares no shape");
        }
        List<TensorShapeProto.Dimension> dims = t.getTensorType().getShape().getDimList();
        if (dims.size() < 2 || dims.size() > 4) {
            throw new OnnxFormatException("input '" + in.getName() + "' has rank " + dims.size()
                    + "; clnn imports (N, C, H, W) images or (N, features) inputs");
        }
        int[] d = new int[dims.size()];
        long size = 1;
        for (int i = 0; i < d.length; i++) {
            TensorShapeProto.Dimension dim = dims.get(i);
            if (!dim.hasDimValue()) {
                if (i == 0) {
                    d[0] = 1;
                    continue;
                }
                throw new OnnxFormatException("input '" + in.getName() + "' has a symbolic dimension "
                        + dim.getDimParam() + " at axis " + i + "; only the batch dimension may be symbolic");
            }
            long v = dim.getDimValue();
            if (v < 1 || v > OnnxTensors.MAX_ELEMENTS) {
                throw new OnnxFormatException("input '" + in.getName() + "' has "
                        + (v < 1 ? "a non-positive" : "an enormous") + " dimension " + v + " at axis " + i);
            }
            d[i] = (int) v;
            if (i == 0) {
                if (fixedBatch > 0 && fixedBatch != v) {
                    throw new OnnxFormatException("input '" + in.getName() + "' declares batch size " + v + " and an"
                            + " earlier input " + fixedBatch + "; clnn runs every input at one batch size");
                }
                fixedBatch = (int) v;
                d[0] = 1;
            } else {
                size *= v;
                if (size > OnnxTensors.MAX_ELEMENTS) {
                    throw new OnnxFormatException("input '" + in.getName() + "' is enormous: " + dims.size()
                            + " dimensions with more than " + OnnxTensors.MAX_ELEMENTS + " elements per example");
                }
            }
        }
        return d;
    }

    // ---- translation ----------------------------------------------------------------------------

    /** Translates {@code n}, naming it in any error. */
    private void translate(NodeProto n) {
        try {
            translateNode(n);
        } catch (OnnxFormatException e) {
            throw new OnnxFormatException(where(n) + ": " + e.getMessage(), e);
        } catch (IllegalArgumentException | ArithmeticException e) {
            throw new OnnxFormatException(where(n) + ": " + e.getMessage(), e);
        } catch (IndexOutOfBoundsException | NullPointerException | NegativeArraySizeException e) {
            throw new OnnxFormatException(where(n) + " is malformed (a required input or attribute is missing"
                    + " or out of range): " + e, e);
        }
    }

    /**
     * Folds a node on constants (or rejects it), else hands it to its {@link Translator}; a node
     * whose operator has none was accepted by {@link #checkSupported} as foldable only.
     */
    private void translateNode(NodeProto n) {
        for (String in : n.getInputList()) {
            if (uncomputed.contains(in)) {
                throw new OnnxFormatException("reads '" + in + "', an extra output (mask, indices or statistics)"
                        + " clnn does not compute");
            }
        }
        if (n.getOutputCount() == 0) {
            throw new OnnxFormatException("has no output");
        }
        String op = n.getOpType();
        List<Const> in = constInputs(n);
        Translator t = Translators.ALL.get(op);
        NodeContext cx = new NodeContext(n, opset, fixedBatch, layout, consts);
        if (t != null && t.takesConstants()) {
            t.translate(cx);
            return;
        }
        if (in != null && ConstEval.FOLDABLE.contains(op)) {
            fold(n, in);
            return;
        }
        if (in != null) {
            throw new OnnxFormatException("operates on constants only, which clnn folds only for shape arithmetic;"
                    + " fold it with onnx-simplifier first");
        }
        if (t == null || !t.writesEveryOutput()) {
            noExtraOutputs(n);
        }
        if (t == null) {
            throw new OnnxFormatException("clnn does not run " + op + " on values computed from the input (opset "
                    + opset + ")");
        }
        t.translate(cx);
    }

    /**
     * The node's inputs as constants (null for an absent optional input), or null when one of them
     * is computed from the model input; throws for an input no earlier node defines.
     */
    private List<Const> constInputs(NodeProto n) {
        boolean allConst = true;
        List<Const> in = new ArrayList<>();
        for (int i = 0; i < n.getInputCount(); i++) {
            String name = n.getInput(i);
            if (name.isEmpty()) {
                in.add(null);
                continue;
            }
            Const c = consts.get(name);
            if (c == null) {
                if (!layout.isVal(name)) {
                    throw new OnnxFormatException("input '" + name + "' is not defined by an earlier node");
                }
                allConst = false;
            }
            in.add(c);
        }
        return allConst ? in : null;
    }

    /** Evaluates a node whose inputs are all constants at load time. */
    private void fold(NodeProto n, List<Const> in) {
        Const c = ConstEval.eval(n, in, opset, tensors);
        // a Constant was counted as it was read; a view (Reshape, Squeeze, ...) shares its input's array
        if (!n.getOpType().equals("Constant") && !VIEWS.contains(n.getOpType())) {
            tensors.take(c, "the constant '" + n.getOutput(0) + "' it computes");
        }
        consts.put(n.getOutput(0), c);
        noExtraOutputs(n);
    }

    /** Marks the node's extra outputs, which later nodes must not read. */
    private void noExtraOutputs(NodeProto n) {
        for (int k = 1; k < n.getOutputCount(); k++) {
            if (!n.getOutput(k).isEmpty()) {
                uncomputed.add(n.getOutput(k));
            }
        }
    }
}
