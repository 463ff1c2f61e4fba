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
import dev.clnn.ops.Activation;
import dev.clnn.ops.ConcatParams;
import dev.clnn.ops.Conv2dParams;
import dev.clnn.ops.ConvWeights;
import dev.clnn.ops.ElementwiseParams;
import dev.clnn.ops.PadParams;
import dev.clnn.ops.Pool2dParams;
import dev.clnn.ops.SoftmaxParams;
import dev.clnn.ops.TransposeParams;
import dev.clnn.tensor.Shape;

/**
 * Imports an ONNX model (opsets 11 to 18) as a clnn {@link Graph}.
 *
 * <p>Layout: ONNX activations are NCHW, clnn's NHWC. The graph takes the input as the model
 * declares it and transposes it to NHWC once; the importer tracks, for every 4-D value, whether it
 * holds NHWC data or ONNX's own order, converts convolution weights OIHW to HWIO, maps channel axes
 * (Concat, Softmax, Pad, per-channel constants), and transposes back to NCHW only where element
 * order matters (a Flatten or Reshape of a value with H or W above 1, and the output).
 *
 * <p>Subgraphs that only depend on constants and static shapes (the {@code Shape -> Gather ->
 * Unsqueeze -> Concat -> Reshape} arithmetic exporters emit) are folded at load time.
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
    public static final int MAX_OPSET = 18;
    /** The most read from a stream, a pipe or a device, whose size is not known before reading. */
    public static final long MAX_STREAM_BYTES = 1L << 30;

    /** Operators that run on the device (besides the foldable ones in {@link ConstEval#FOLDABLE}). */
    static final Set<String> RUNTIME = Set.of("Conv", "Gemm", "MatMul", "Add", "Sub", "Mul", "Div", "Relu", "Clip",
            "LeakyRelu", "Sigmoid", "Tanh", "HardSwish", "HardSigmoid", "BatchNormalization", "MaxPool",
            "AveragePool", "GlobalAveragePool", "ReduceMean", "Flatten", "Reshape", "Squeeze", "Unsqueeze",
            "Transpose", "Softmax", "LogSoftmax", "Pad", "Concat", "Identity", "Dropout", "Shape", "Cast");

    /** Folded operators whose result shares its input's elements. */
    private static final Set<String> VIEWS = Set.of("Identity", "Dropout", "Reshape", "Flatten", "Squeeze",
            "Unsqueeze");

    private static final int[] NCHW_TO_NHWC = {0, 2, 3, 1};

    private final TensorSource tensors;
    private final int opset;
    private final Map<String, Const> consts = new HashMap<>();
    /** Device values by ONNX name. */
    private final Map<String, Val> vals = new HashMap<>();
    /** clnn value name -> its shape at batch 1. */
    private final Map<String, Shape> shapes = new HashMap<>();
    private final Map<String, String> nhwcOf = new HashMap<>();
    private final Map<String, String> plainOf = new HashMap<>();
    private final Set<String> names = new HashSet<>();
    private Graph.Builder builder;
    private int fixedBatch;
    private NodeProto node;

    /**
     * A device value: the clnn value {@code name}, and whether its data is NHWC (a 4-D ONNX value
     * stored transposed) or in ONNX's own order.
     */
    private record Val(String name, boolean nhwc) {
    }

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
        try {
            return new OnnxImport(new TensorSource(dir, budget), opset).run(model.getGraph(), name);
        } catch (OnnxFormatException e) {
            throw e;
        } catch (IllegalArgumentException | ArithmeticException | IndexOutOfBoundsException
                 | NegativeArraySizeException | NullPointerException e) {
            throw new OnnxFormatException(name + ": " + e.getMessage(), e);
        }
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
        if (inputs.size() != 1) {
            throw new OnnxFormatException("the model has " + inputs.size() + " inputs besides its initializers; clnn"
                    + " imports models with exactly one");
        }
        if (g.getOutputCount() == 0) {
            throw new OnnxFormatException("the model declares no output");
        }
        ValueInfoProto in = inputs.get(0);
        int[] inDims = inputDims(in);
        String graphName = g.getName().isEmpty() ? fileName.replaceFirst("\\.onnx$", "") : g.getName();
        String inName = unique(in.getName().isEmpty() ? "input" : in.getName());
        builder = Graph.builder(graphName, inName, Shape.of(Arrays.copyOfRange(inDims, 1, inDims.length)));
        int[] one = inDims.clone();
        one[0] = 1;
        shapes.put(inName, Shape.of(one));
        Val input = new Val(inName, false);
        if (inDims.length == 4) {
            vals.put(in.getName(), new Val(toNhwc(input), true));
        } else {
            vals.put(in.getName(), input);
        }
        for (NodeProto n : g.getNodeList()) {
            node = n;
            try {
                translate(n);
            } catch (OnnxFormatException e) {
                throw new OnnxFormatException(where(n) + ": " + e.getMessage(), e);
            } catch (IllegalArgumentException | ArithmeticException e) {
                throw new OnnxFormatException(where(n) + ": " + e.getMessage(), e);
            } catch (IndexOutOfBoundsException | NullPointerException | NegativeArraySizeException e) {
                throw new OnnxFormatException(where(n) + " is malformed (a required input or attribute is missing"
                        + " or out of range): " + e, e);
            }
        }
        String outOnnx = g.getOutput(0).getName();
        Val out = vals.get(outOnnx);
        if (out == null) {
            throw new OnnxFormatException(consts.containsKey(outOnnx) ? "the output '" + outOnnx
                    + "' is a constant; clnn imports models whose output depends on the input"
                    : "no node computes the output '" + outOnnx + "'");
        }
        String result = toPlain(out);
        if (result.equals(inName)) {
            result = add("output", new Op.Reshape(Arrays.copyOfRange(shapes.get(result).dims(), 1,
                    shapes.get(result).rank())), result);
        }
        Graph graph = builder.build(result);
        graph.shapes(1);
        return new OnnxModel(graph, in.getName(), outOnnx, fixedBatch, opset);
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
            if (!domainOk || !RUNTIME.contains(n.getOpType()) && !ConstEval.FOLDABLE.contains(n.getOpType())) {
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
                throw new OnnxFormatException("input '" + in.getName() + "' has " + (v < 1 ? "a non-positive" : "an enormous")
                        + " dimension " + v + " at axis " + i);
            }
            d[i] = (int) v;
            if (i == 0) {
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

    // ---- building -------------------------------------------------------------------------------

    private String unique(String base) {
        String s = base.replaceAll("[^A-Za-z0-9_.:/-]", "_");
        if (s.isEmpty()) {
            s = "v";
        }
        String name = s;
        for (int k = 2; !names.add(name); k++) {
            name = s + "_" + k;
        }
        return name;
    }

    /** Adds a node; returns its output value, whose batch-1 shape is recorded. */
    private String add(String base, Op op, String... inputs) {
        String name = unique(base);
        List<Shape> in = new ArrayList<>();
        for (String v : inputs) {
            in.add(shapes.get(v));
        }
        Shape out = op.infer(in);
        builder.add(name, op, inputs);
        shapes.put(name, out);
        return name;
    }

    private String base() {
        return node == null ? "input" : node.getName().isEmpty() ? node.getOpType() : node.getName();
    }

    /** The ONNX dimensions of a value at batch 1. */
    private int[] onnxDims(Val v) {
        int[] d = shapes.get(v.name()).dims();
        return v.nhwc() ? new int[] {d[0], d[3], d[1], d[2]} : d;
    }

    /** The value as NHWC data (a 4-D value). */
    private String toNhwc(Val v) {
        if (v.nhwc()) {
            return v.name();
        }
        return nhwcOf.computeIfAbsent(v.name(), k -> {
            int[] d = shapes.get(k).dims();
            if (d.length != 4) {
                throw new OnnxFormatException("needs a 4-D (N, C, H, W) input, got rank " + d.length);
            }
            if (d[1] == 1 || d[2] * d[3] == 1) {
                return add(base() + "_nhwc", new Op.Reshape(new int[] {d[2], d[3], d[1]}), k);
            }
            return add(base() + "_nhwc", new Op.Transpose(TransposeParams.NCHW_TO_NHWC), k);
        });
    }

    /** The value in ONNX's element order and shape. */
    private String toPlain(Val v) {
        if (!v.nhwc()) {
            return v.name();
        }
        return plainOf.computeIfAbsent(v.name(), k -> {
            int[] d = shapes.get(k).dims();
            if (d[3] == 1 || d[1] * d[2] == 1) {
                return add(base() + "_nchw", new Op.Reshape(new int[] {d[3], d[1], d[2]}), k);
            }
            return add(base() + "_nchw", new Op.Transpose(TransposeParams.NHWC_TO_NCHW), k);
        });
    }

    private boolean present(int i) {
        return node.getInputCount() > i && !node.getInput(i).isEmpty();
    }

    private Const constIn(int i, String what) {
        if (!present(i)) {
            return null;
        }
        Const c = consts.get(node.getInput(i));
        if (c == null) {
            if (vals.containsKey(node.getInput(i))) {
                throw new OnnxFormatException(what + " ('" + node.getInput(i) + "') must be a constant or an"
                        + " initializer; clnn does not take it computed at run time");
            }
            throw new OnnxFormatException("input '" + node.getInput(i) + "' is not defined by an earlier node");
        }
        return c;
    }

    private Val valIn(int i) {
        Val v = vals.get(node.getInput(i));
        if (v == null) {
            throw new OnnxFormatException(consts.containsKey(node.getInput(i)) ? "input '" + node.getInput(i)
                    + "' is a constant where clnn takes a value computed from the model input"
                    : "input '" + node.getInput(i) + "' is not defined by an earlier node");
        }
        return v;
    }

    private void noExtraOutputs() {
        for (int k = 1; k < node.getOutputCount(); k++) {
            if (!node.getOutput(k).isEmpty()) {
                // extra outputs (Dropout's mask, MaxPool's indices, BN's running stats) must be unused
                usedLater.add(node.getOutput(k));
            }
        }
    }

    private final Set<String> usedLater = new HashSet<>();

    private void put(Val v) {
        vals.put(node.getOutput(0), v);
    }

    // ---- translation ----------------------------------------------------------------------------

    private void translate(NodeProto n) {
        for (String in : n.getInputList()) {
            if (usedLater.contains(in)) {
                throw new OnnxFormatException("reads '" + in + "', an extra output (mask, indices or statistics)"
                        + " clnn does not compute");
            }
        }
        if (n.getOutputCount() == 0) {
            throw new OnnxFormatException("has no output");
        }
        String op = n.getOpType();
        boolean allConst = true;
        List<Const> in = new ArrayList<>();
        for (int i = 0; i < n.getInputCount(); i++) {
            if (!present(i)) {
                in.add(null);
                continue;
            }
            Const c = consts.get(n.getInput(i));
            if (c == null) {
                if (!vals.containsKey(n.getInput(i))) {
                    throw new OnnxFormatException("input '" + n.getInput(i) + "' is not defined by an earlier node");
                }
                allConst = false;
            }
            in.add(c);
        }
        if (op.equals("Shape")) {
            consts.put(n.getOutput(0), shapeOf(valOrConstDims(0), n));
            return;
        }
        if (allConst && ConstEval.FOLDABLE.contains(op)) {
            fold(n, in);
            return;
        }
        if (allConst) {
            throw new OnnxFormatException("operates on constants only, which clnn folds only for shape arithmetic;"
                    + " fold it with onnx-simplifier first");
        }
        noExtraOutputs();
        switch (op) {
            case "Identity": case "Dropout": put(valIn(0)); return;
            case "Cast": {
                int to = (int) Attrs.i(n, "to", 1);
                if (to != TensorProto.DataType.FLOAT_VALUE) {
                    throw new OnnxFormatException("casts a float value to data type " + to + "; clnn computes in float32");
                }
                put(valIn(0));
                return;
            }
            case "Conv": conv(); return;
            case "Gemm": gemm(); return;
            case "MatMul": matMul(); return;
            case "Add": case "Sub": case "Mul": case "Div": binary(op); return;
            case "Relu": activation(Activation.RELU); return;
            case "Sigmoid": activation(Activation.SIGMOID); return;
            case "Tanh": activation(Activation.TANH); return;
            case "HardSwish": activation(Activation.HARD_SWISH); return;
            case "HardSigmoid": activation(Activation.hardSigmoid(Attrs.f(n, "alpha", 0.2f), Attrs.f(n, "beta", 0.5f)));
                return;
            case "LeakyRelu": activation(Activation.leakyRelu(Attrs.f(n, "alpha", 0.01f))); return;
            case "Clip": clip(); return;
            case "BatchNormalization": batchNorm(); return;
            case "MaxPool": case "AveragePool": pool(op); return;
            case "GlobalAveragePool": {
                Val x = valIn(0);
                put(new Val(add(base(), new Op.Pool(Pool2dParams.globalAverage()), toNhwc(x)), true));
                return;
            }
            case "ReduceMean": reduceMean(); return;
            case "Flatten": flatten(); return;
            case "Reshape": reshape(); return;
            case "Squeeze": case "Unsqueeze": squeeze(op.equals("Squeeze")); return;
            case "Transpose": transpose(); return;
            case "Softmax": case "LogSoftmax": softmax(op.equals("LogSoftmax")); return;
            case "Pad": pad(); return;
            case "Concat": concat(); return;
            default:
                throw new OnnxFormatException("clnn does not run " + op + " on values computed from the input (opset "
                        + opset + ")");
        }
    }

    /** Evaluates a node whose inputs are all constants at load time. */
    private void fold(NodeProto n, List<Const> in) {
        Const c = ConstEval.eval(n, in, opset, tensors);
        // a Constant was counted as it was read; a view (Reshape, Squeeze, ...) shares its input's array
        if (!n.getOpType().equals("Constant") && !VIEWS.contains(n.getOpType())) {
            tensors.take(c, "the constant '" + n.getOutput(0) + "' it computes");
        }
        consts.put(n.getOutput(0), c);
        noExtraOutputs();
    }

    private int[] valOrConstDims(int i) {
        if (vals.containsKey(node.getInput(i))) {
            int[] d = onnxDims(vals.get(node.getInput(i)));
            return d;
        }
        return null;
    }

    private Const shapeOf(int[] dims, NodeProto n) {
        long[] l;
        if (dims == null) {
            Const c = constIn(0, "Shape input");
            l = Arrays.stream(c.dims()).asLongStream().toArray();
        } else {
            l = Arrays.stream(dims).asLongStream().toArray();
            l[0] = Const.BATCH;
        }
        int r = l.length;
        int start = (int) Attrs.i(n, "start", 0);
        int end = (int) Math.max(Integer.MIN_VALUE, Math.min(Integer.MAX_VALUE, Attrs.i(n, "end", r)));
        start = Math.max(0, Math.min(r, start < 0 ? start + r : start));
        end = Math.max(0, Math.min(r, end < 0 ? end + r : end));
        long[] s = Arrays.copyOfRange(l, start, Math.max(start, end));
        return Const.ofLongs(new int[] {s.length}, s);
    }

    private void activation(Activation a) {
        Val x = valIn(0);
        put(new Val(add(base(), new Op.Act(a), x.name()), x.nhwc()));
    }

    private void clip() {
        float lo;
        float hi;
        if (opset < 11 || Attrs.has(node, "min") || Attrs.has(node, "max")) {
            lo = Attrs.f(node, "min", Float.NEGATIVE_INFINITY);
            hi = Attrs.f(node, "max", Float.POSITIVE_INFINITY);
        } else {
            Const min = constIn(1, "Clip min");
            Const max = constIn(2, "Clip max");
            lo = min == null ? Float.NEGATIVE_INFINITY : (float) min.scalar("Clip min");
            hi = max == null ? Float.POSITIVE_INFINITY : (float) max.scalar("Clip max");
        }
        lo = Math.max(lo, -Float.MAX_VALUE);
        hi = Math.min(hi, Float.MAX_VALUE);
        if (lo == 0f && hi == Float.MAX_VALUE) {
            activation(Activation.RELU);
        } else {
            activation(Activation.clip(lo, hi));
        }
    }

    private int[] spatial(String name, int[] dflt) {
        int[] v = Attrs.ints(node, name);
        if (v == null) {
            return dflt;
        }
        if (v.length != dflt.length) {
            throw new OnnxFormatException(name + " " + Arrays.toString(v) + " needs " + dflt.length + " values;"
                    + " clnn runs 2-D convolution and pooling only");
        }
        return v;
    }

    /** Padding {top, left, bottom, right} from pads / auto_pad. */
    private int[] padding(int inH, int inW, int kh, int kw, int[] strides, int[] dilations) {
        String auto = Attrs.s(node, "auto_pad", "NOTSET");
        switch (auto) {
            case "NOTSET": {
                int[] p = spatial("pads", new int[4]);
                for (int v : p) {
                    if (v < 0) {
                        throw new OnnxFormatException("pads " + Arrays.toString(p) + " must not be negative");
                    }
                }
                return new int[] {p[0], p[1], p[2], p[3]};
            }
            case "VALID":
                return new int[4];
            case "SAME_UPPER": case "SAME_LOWER": {
                int[] in = {inH, inW};
                int[] k = {kh, kw};
                int[] begin = new int[2];
                int[] end = new int[2];
                for (int a = 0; a < 2; a++) {
                    int out = (in[a] + strides[a] - 1) / strides[a];
                    int total = Math.max(0, (out - 1) * strides[a] + (k[a] - 1) * dilations[a] + 1 - in[a]);
                    begin[a] = auto.equals("SAME_UPPER") ? total / 2 : total - total / 2;
                    end[a] = total - begin[a];
                }
                return new int[] {begin[0], begin[1], end[0], end[1]};
            }
            default:
                throw new OnnxFormatException("auto_pad " + auto + " is not an ONNX value");
        }
    }

    private void conv() {
        Val xv = valIn(0);
        if (onnxDims(xv).length != 4) {
            throw new OnnxFormatException("clnn runs 2-D convolutions on (N, C, H, W) values, got rank "
                    + onnxDims(xv).length);
        }
        String x = toNhwc(xv);
        Shape xs = shapes.get(x);
        Const w = constIn(1, "Conv weights");
        if (w.rank() != 4) {
            throw new OnnxFormatException("Conv weights must be (Cout, Cin/group, KH, KW), got " + Arrays.toString(w.dims()));
        }
        int group = (int) Attrs.i(node, "group", 1);
        int cout = w.dims()[0];
        int cinPerGroup = w.dims()[1];
        int kh = w.dims()[2];
        int kw = w.dims()[3];
        if (group < 1 || cinPerGroup * (long) group != xs.dim(3) || cout % group != 0) {
            throw new OnnxFormatException("Conv of " + xs.dim(3) + " input channels with weights "
                    + Arrays.toString(w.dims()) + " and group " + group + " does not fit");
        }
        int[] ks = Attrs.ints(node, "kernel_shape");
        if (ks != null && (ks.length != 2 || ks[0] != kh || ks[1] != kw)) {
            throw new OnnxFormatException("kernel_shape " + Arrays.toString(ks) + " differs from the weights");
        }
        int[] strides = spatial("strides", new int[] {1, 1});
        int[] dil = spatial("dilations", new int[] {1, 1});
        int[] p = padding(xs.dim(1), xs.dim(2), kh, kw, strides, dil);
        Conv2dParams params = Conv2dParams.defaults().withStride(strides[0], strides[1]).withDilation(dil[0], dil[1])
                .withPadding(p[0], p[1], p[2], p[3]).withGroups(group);
        float[] hwio = ConvWeights.oihwToHwio(w.floats(), cout, cinPerGroup, kh, kw);
        float[] bias = null;
        Const b = constIn(2, "Conv bias");
        if (b != null) {
            if (b.size() != cout) {
                throw new OnnxFormatException("Conv bias has " + b.size() + " values for " + cout + " output channels");
            }
            bias = b.floats();
        }
        Op.Conv conv = new Op.Conv(params, ConvWeights.hwioShape(cout, cinPerGroup, kh, kw), hwio, bias);
        put(new Val(add(base(), conv, x), true));
    }

    /** A 2-D input for Gemm / MatMul: (N, K) in ONNX order. */
    private String matrixInput(Val v) {
        int[] d = onnxDims(v);
        if (d.length != 2) {
            throw new OnnxFormatException("clnn runs " + node.getOpType() + " on (N, K) inputs, got rank " + d.length);
        }
        return toPlain(v);
    }

    private void gemm() {
        if (Attrs.i(node, "transA", 0) != 0) {
            throw new OnnxFormatException("transA = 1 is not supported");
        }
        String a = matrixInput(valIn(0));
        int k = shapes.get(a).dim(1);
        Const b = constIn(1, "Gemm B");
        if (b.rank() != 2) {
            throw new OnnxFormatException("Gemm B must be 2-D, got " + Arrays.toString(b.dims()));
        }
        boolean transB = Attrs.i(node, "transB", 0) != 0;
        int out = transB ? b.dims()[0] : b.dims()[1];
        int bk = transB ? b.dims()[1] : b.dims()[0];
        if (bk != k) {
            throw new OnnxFormatException("Gemm of (N, " + k + ") with B " + Arrays.toString(b.dims())
                    + (transB ? " (transposed)" : "") + " does not fit");
        }
        float[] w = transB ? ConvWeights.outInToInOut(b.floats(), out, k) : b.floats().clone();
        float alpha = Attrs.f(node, "alpha", 1f);
        float beta = Attrs.f(node, "beta", 1f);
        if (alpha != 1f) {
            for (int i = 0; i < w.length; i++) {
                w[i] *= alpha;
            }
        }
        float[] bias = null;
        Const c = constIn(2, "Gemm C");
        if (c != null && beta != 0f) {
            bias = new float[out];
            float[] cf = c.floats();
            if (cf.length == 1) {
                Arrays.fill(bias, cf[0] * beta);
            } else if (cf.length == out && (c.rank() == 1 || c.rank() == 2 && c.dims()[0] == 1)) {
                for (int i = 0; i < out; i++) {
                    bias[i] = cf[i] * beta;
                }
            } else {
                throw new OnnxFormatException("Gemm C of shape " + Arrays.toString(c.dims())
                        + " is not a bias clnn takes ((" + out + "), (1, " + out + ") or a scalar)");
            }
        }
        put(new Val(add(base(), new Op.Dense(k, out, w, bias, Activation.NONE), a), false));
    }

    private void matMul() {
        if (!vals.containsKey(node.getInput(0))) {
            throw new OnnxFormatException("clnn runs MatMul with a computed left and a constant right operand");
        }
        String a = matrixInput(valIn(0));
        int k = shapes.get(a).dim(1);
        Const b = constIn(1, "MatMul B");
        if (b.rank() != 2 || b.dims()[0] != k) {
            throw new OnnxFormatException("MatMul of (N, " + k + ") with B " + Arrays.toString(b.dims())
                    + " does not fit (B must be a 2-D constant)");
        }
        put(new Val(add(base(), new Op.Dense(k, b.dims()[1], b.floats(), null, Activation.NONE), a), false));
    }

    private static ElementwiseParams params(String op) {
        switch (op) {
            case "Add": return ElementwiseParams.add();
            case "Sub": return ElementwiseParams.sub();
            case "Mul": return ElementwiseParams.mul();
            default: return ElementwiseParams.div();
        }
    }

    private void binary(String op) {
        boolean v0 = vals.containsKey(node.getInput(0));
        boolean v1 = vals.containsKey(node.getInput(1));
        if (v0 && v1) {
            Val a = valIn(0);
            Val b = valIn(1);
            int[] da = onnxDims(a);
            int[] db = onnxDims(b);
            if (da.length != db.length) {
                throw new OnnxFormatException("operands of rank " + da.length + " and " + db.length
                        + " (clnn broadcasts computed values of equal rank)");
            }
            boolean nhwc = da.length == 4 && (a.nhwc() || b.nhwc());
            String x = nhwc ? toNhwc(a) : a.name();
            String y = nhwc ? toNhwc(b) : b.name();
            put(new Val(add(base(), new Op.Binary(params(op)), x, y), nhwc));
            return;
        }
        Val x = valIn(v0 ? 0 : 1);
        Const c = constIn(v0 ? 1 : 0, op + " operand");
        int[] xd = onnxDims(x);
        int rank = xd.length;
        if (c.rank() > rank) {
            throw new OnnxFormatException("constant of shape " + Arrays.toString(c.dims()) + " has a higher rank than"
                    + " the value " + Arrays.toString(xd));
        }
        int[] aligned = new int[rank];
        Arrays.fill(aligned, 1);
        System.arraycopy(c.dims(), 0, aligned, rank - c.rank(), c.rank());
        if (aligned[0] != 1) {
            throw new OnnxFormatException("constant of shape " + Arrays.toString(c.dims())
                    + " spans the batch dimension");
        }
        Const cc = Const.ofFloats(aligned, c.floats());
        if (x.nhwc()) {
            cc = cc.transpose(NCHW_TO_NHWC);
        }
        int[] cd = cc.dims();
        int lead = 0;
        while (lead < cd.length - 1 && cd[lead] == 1) {
            lead++;
        }
        Shape cs = Shape.of(Arrays.copyOfRange(cd, lead, cd.length));
        float[] data = cc.floats();
        if (v0 || op.equals("Add") || op.equals("Mul")) {
            put(new Val(add(base(), new Op.BinaryConst(params(op), cs, data), x.name()), x.nhwc()));
        } else if (op.equals("Sub")) {
            String neg = add(base() + "_neg", new Op.BinaryConst(ElementwiseParams.mul(), Shape.of(1),
                    new float[] {-1f}), x.name());
            put(new Val(add(base(), new Op.BinaryConst(ElementwiseParams.add(), cs, data), neg), x.nhwc()));
        } else {
            throw new OnnxFormatException("a constant divided by a computed value is not supported");
        }
    }

    private void batchNorm() {
        if (Attrs.i(node, "training_mode", 0) != 0) {
            throw new OnnxFormatException("training_mode = 1 is not supported (inference only)");
        }
        Val xv = valIn(0);
        int[] d = onnxDims(xv);
        String x;
        if (d.length == 4) {
            x = toNhwc(xv);
        } else if (d.length == 2) {
            x = xv.name();
        } else {
            throw new OnnxFormatException("clnn normalises (N, C, H, W) or (N, C) values, got rank " + d.length);
        }
        int c = d[1];
        float[][] p = new float[4][];
        String[] what = {"scale", "B", "mean", "var"};
        for (int i = 0; i < 4; i++) {
            Const k = constIn(i + 1, "BatchNormalization " + what[i]);
            if (k == null || k.size() != c) {
                throw new OnnxFormatException("BatchNormalization " + what[i] + " must hold " + c + " values");
            }
            p[i] = k.floats();
        }
        Op.BatchNorm bn = new Op.BatchNorm(p[0], p[1], p[2], p[3], Attrs.f(node, "epsilon", 1e-5f));
        put(new Val(add(base(), bn, x), d.length == 4));
    }

    private void pool(String op) {
        Val xv = valIn(0);
        if (onnxDims(xv).length != 4) {
            throw new OnnxFormatException("clnn pools (N, C, H, W) values only");
        }
        String x = toNhwc(xv);
        Shape xs = shapes.get(x);
        int[] k = Attrs.ints(node, "kernel_shape");
        if (k == null || k.length != 2) {
            throw new OnnxFormatException("kernel_shape must give 2 values, got " + Arrays.toString(k));
        }
        int[] strides = spatial("strides", new int[] {1, 1});
        int[] dil = spatial("dilations", new int[] {1, 1});
        if (dil[0] != 1 || dil[1] != 1) {
            throw new OnnxFormatException("dilated pooling is not supported");
        }
        int[] p = padding(xs.dim(1), xs.dim(2), k[0], k[1], strides, dil);
        boolean max = op.equals("MaxPool");
        boolean includePad = Attrs.i(node, "count_include_pad", 0) != 0;
        Pool2dParams params = new Pool2dParams(max ? Pool2dParams.Mode.MAX : Pool2dParams.Mode.AVERAGE, k[0], k[1],
                strides[0], strides[1], p[0], p[1], p[2], p[3], includePad);
        if (Attrs.i(node, "ceil_mode", 0) != 0) {
            int[] in = {xs.dim(1), xs.dim(2)};
            int[] pads = {p[0] + p[2], p[1] + p[3]};
            for (int a = 0; a < 2; a++) {
                int span = in[a] + pads[a] - k[a];
                if (span % strides[a] != 0) {
                    throw new OnnxFormatException("ceil_mode = 1 with a window that does not tile the input is"
                            + " not supported");
                }
            }
        }
        put(new Val(add(base(), new Op.Pool(params), x), true));
    }

    private void reduceMean() {
        Val xv = valIn(0);
        int[] d = onnxDims(xv);
        int[] axes;
        if (opset >= 18) {
            Const a = constIn(1, "ReduceMean axes");
            axes = a == null ? null : a.ints("ReduceMean axes");
        } else {
            axes = Attrs.ints(node, "axes");
        }
        boolean spatial = d.length == 4 && axes != null && axes.length == 2;
        if (spatial) {
            int a0 = Dims.axis(axes[0], 4, "ReduceMean axis");
            int a1 = Dims.axis(axes[1], 4, "ReduceMean axis");
            spatial = Math.min(a0, a1) == 2 && Math.max(a0, a1) == 3;
        }
        if (!spatial) {
            throw new OnnxFormatException("clnn runs ReduceMean over the spatial axes [2, 3] of (N, C, H, W) only, got"
                    + " axes " + Arrays.toString(axes) + " of rank " + d.length);
        }
        String pooled = add(base(), new Op.Pool(Pool2dParams.globalAverage()), toNhwc(xv));
        if (Attrs.i(node, "keepdims", 1) != 0) {
            put(new Val(pooled, true));
        } else {
            put(new Val(add(base() + "_squeeze", new Op.Reshape(new int[] {d[1]}), pooled), false));
        }
    }

    private void reshapeTo(Val v, int[] onnxRest) {
        String x = toPlain(v);
        put(new Val(add(base(), new Op.Reshape(onnxRest), x), false));
    }

    private void flatten() {
        Val v = valIn(0);
        int[] d = onnxDims(v);
        int axis = Dims.axis((int) Attrs.i(node, "axis", 1), d.length + 1, "Flatten axis");
        if (axis != 1) {
            throw new OnnxFormatException("clnn flattens with axis 1 (keeping the batch), got axis " + axis);
        }
        reshapeTo(v, new int[] {-1});
    }

    private void reshape() {
        Val v = valIn(0);
        int[] d = onnxDims(v);
        Const shape = constIn(1, "Reshape shape");
        long[] t = shape.longs();
        if (t.length == 0) {
            throw new OnnxFormatException("Reshape to a scalar");
        }
        long per = Const.count(d) / d[0];
        long t0 = t[0];
        boolean batchFirst = t0 == Const.BATCH || t0 == 0 && Attrs.i(node, "allowzero", 0) == 0
                || fixedBatch > 0 && t0 == fixedBatch;
        long[] rest = Arrays.copyOfRange(t, 1, t.length);
        if (!batchFirst && t0 == -1) {
            long known = 1;
            for (long r : rest) {
                if (r <= 0) {
                    throw new OnnxFormatException("Reshape shape " + Arrays.toString(t) + ": clnn needs the batch"
                            + " dimension kept first");
                }
                known *= r;
            }
            batchFirst = known == per;
        }
        if (!batchFirst) {
            throw new OnnxFormatException("Reshape shape " + Arrays.toString(t) + " does not keep the batch dimension"
                    + " first; clnn compiles per batch size and needs it");
        }
        int[] dims = new int[rest.length];
        for (int i = 0; i < rest.length; i++) {
            if (rest[i] == Const.BATCH) {
                throw new OnnxFormatException("Reshape shape " + Arrays.toString(t) + " moves the batch dimension");
            }
            if (rest[i] == 0 && Attrs.i(node, "allowzero", 0) == 0) {
                dims[i] = i + 1 < d.length ? d[i + 1] : 0;
            } else if (rest[i] < -1 || rest[i] > OnnxTensors.MAX_ELEMENTS) {
                throw new OnnxFormatException("Reshape shape " + Arrays.toString(t) + " has a bad dimension " + rest[i]);
            } else {
                dims[i] = (int) rest[i];
            }
        }
        reshapeTo(v, dims);
    }

    private void squeeze(boolean squeeze) {
        Val v = valIn(0);
        int[] d = onnxDims(v);
        List<Const> in = new ArrayList<>();
        in.add(null);
        if (present(1)) {
            in.add(constIn(1, "axes"));
        }
        int[] axes = Dims.axesOf(node, in, opset, 13);
        int[] out = squeeze ? Dims.squeezeDims(d, axes) : Dims.unsqueezeDims(d, axes);
        if (squeeze && axes == null) {
            int[] keep = Dims.squeezeDims(Arrays.copyOfRange(d, 1, d.length), null);
            out = new int[keep.length + 1];
            out[0] = 1;
            System.arraycopy(keep, 0, out, 1, keep.length);
        }
        if (out.length == 0 || out[0] != 1 || axes != null && Arrays.stream(axes).anyMatch(a -> a == 0
                || a == -(squeeze ? d.length : d.length + axes.length))) {
            throw new OnnxFormatException((squeeze ? "Squeeze" : "Unsqueeze") + " of the batch axis is not supported");
        }
        reshapeTo(v, Arrays.copyOfRange(out, 1, out.length));
    }

    private void transpose() {
        Val v = valIn(0);
        int rank = onnxDims(v).length;
        int[] perm = Attrs.has(node, "perm") ? Attrs.ints(node, "perm") : Dims.reversed(rank);
        Dims.checkPerm(perm, rank);
        if (perm[0] != 0) {
            throw new OnnxFormatException("Transpose " + Arrays.toString(perm) + " moves the batch axis");
        }
        if (v.nhwc() && Arrays.equals(perm, NCHW_TO_NHWC)) {
            put(new Val(v.name(), false));          // the NHWC data already is that order
            return;
        }
        String x = toPlain(v);
        put(new Val(add(base(), new Op.Transpose(TransposeParams.of(perm)), x), false));
    }

    /** clnn's axis for ONNX axis {@code a} of a value (NHWC maps 1 -> 3, 2 -> 1, 3 -> 2). */
    private static int clnnAxis(Val v, int a) {
        if (!v.nhwc()) {
            return a;
        }
        return a == 1 ? 3 : a == 0 ? 0 : a - 1;
    }

    private void softmax(boolean log) {
        Val v = valIn(0);
        int rank = onnxDims(v).length;
        int axis = Dims.axis((int) Attrs.i(node, "axis", opset >= 13 ? -1 : 1), rank, "Softmax axis");
        if (opset < 13 && axis != rank - 1) {
            throw new OnnxFormatException("opset " + opset + " Softmax with axis " + axis + " of a rank-" + rank
                    + " value flattens it first, which clnn does not support");
        }
        if (axis == 0) {
            throw new OnnxFormatException("Softmax along the batch axis is not supported");
        }
        SoftmaxParams p = log ? SoftmaxParams.logSoftmax(clnnAxis(v, axis)) : SoftmaxParams.softmax(clnnAxis(v, axis));
        put(new Val(add(base(), new Op.Softmax(p), v.name()), v.nhwc()));
    }

    private void pad() {
        String mode = Attrs.s(node, "mode", "constant");
        if (!mode.equals("constant")) {
            throw new OnnxFormatException("Pad mode " + mode + " is not supported (constant only)");
        }
        Val v = valIn(0);
        int rank = onnxDims(v).length;
        int[] pads = constIn(1, "Pad pads").ints("Pad pads");
        Const value = constIn(2, "Pad constant_value");
        float fill = value == null ? 0f : (float) value.scalar("Pad constant_value");
        int[] begin = new int[rank];
        int[] end = new int[rank];
        Const axesC = constIn(3, "Pad axes");
        int[] axes = axesC == null ? null : axesC.ints("Pad axes");
        int count = axes == null ? rank : axes.length;
        if (pads.length != 2 * count) {
            throw new OnnxFormatException("Pad pads " + Arrays.toString(pads) + " need " + 2 * count + " values");
        }
        for (int i = 0; i < count; i++) {
            int a = axes == null ? i : Dims.axis(axes[i], rank, "Pad axis");
            begin[a] = pads[i];
            end[a] = pads[i + count];
        }
        if (begin[0] != 0 || end[0] != 0) {
            throw new OnnxFormatException("Pad of the batch axis is not supported");
        }
        if (v.nhwc()) {
            begin = permute(begin);
            end = permute(end);
        }
        put(new Val(add(base(), new Op.Pad(new PadParams(begin, end, fill)), v.name()), v.nhwc()));
    }

    private static int[] permute(int[] nchw) {
        return new int[] {nchw[0], nchw[2], nchw[3], nchw[1]};
    }

    private void concat() {
        List<Val> in = new ArrayList<>();
        for (int i = 0; i < node.getInputCount(); i++) {
            if (!vals.containsKey(node.getInput(i))) {
                throw new OnnxFormatException("Concat of computed values with a constant is not supported");
            }
            in.add(valIn(i));
        }
        int rank = onnxDims(in.get(0)).length;
        int axis = Dims.axis((int) Attrs.i(node, "axis", 0), rank, "Concat axis");
        if (axis == 0) {
            throw new OnnxFormatException("Concat along the batch axis is not supported");
        }
        boolean nhwc = rank == 4 && in.stream().anyMatch(Val::nhwc);
        String[] names = new String[in.size()];
        for (int i = 0; i < names.length; i++) {
            names[i] = nhwc ? toNhwc(in.get(i)) : toPlain(in.get(i));
        }
        int clnn = nhwc ? clnnAxis(new Val("", true), axis) : axis;
        put(new Val(add(base(), new Op.Concat(ConcatParams.axis(clnn), names.length), names), nhwc));
    }
}
