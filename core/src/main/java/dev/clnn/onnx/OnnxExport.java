package dev.clnn.onnx;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import ai.onnx.proto.OnnxMl;
import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.TensorShapeProto;
import ai.onnx.proto.OnnxMl.TypeProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import com.google.protobuf.ByteString;

import dev.clnn.nn.Conv2d;
import dev.clnn.nn.Dense;
import dev.clnn.nn.Flatten;
import dev.clnn.nn.Layer;
import dev.clnn.nn.Relu;
import dev.clnn.nn.Sequential;
import dev.clnn.ops.Activation;
import dev.clnn.tensor.Shape;

/**
 * Exports a trained {@link Sequential} to ONNX (opset 13, IR version 7), so other runtimes (ONNX
 * Runtime, for one) can run it.
 *
 * <p>The exported graph keeps clnn's interface: one input named {@value #INPUT}, float32,
 * {@code (N, inputShape...)} with a symbolic batch {@code N} (NHWC {@code (N, H, W, C)} for
 * images, e.g. {@code (N, 28, 28, 1)}), and one output named {@value #OUTPUT},
 * {@code (N, outputShape...)} (the logits). Inside, ONNX's Conv works in NCHW: the graph transposes
 * to NCHW before the first convolution and back to NHWC before a Flatten or the output, and each
 * convolution kernel is stored transposed from HWIO {@code (KH, KW, C, OC)} to OIHW. Dense layers
 * become Gemm with the kernel {@code (IN, OUT)} as B; fused activations become their own nodes.
 * Supported layers: {@link Conv2d}, {@link Dense}, {@link Flatten}, {@link Relu}.
 */
public final class OnnxExport {
    public static final String INPUT = "input";
    public static final String OUTPUT = "logits";
    public static final int OPSET = 13;
    static final long IR_VERSION = 7;

    private final List<NodeProto.Builder> nodes = new ArrayList<>();
    private final GraphProto.Builder graph = GraphProto.newBuilder();
    private String current = INPUT;
    private boolean nchw;
    private int counter;

    private OnnxExport() {
    }

    /**
     * The ONNX model of {@code model}, with its current weights (read from the device).
     * Package-private: the public API hands out bytes ({@link #toBytes}), not another library's
     * protobuf classes.
     *
     * @throws IllegalArgumentException when the model holds a layer or activation ONNX export does not support
     */
    static ModelProto toModel(Sequential model) {
        return new OnnxExport().build(model);
    }

    /**
     * The serialized ONNX model of {@code model}, with its current weights (read from the device).
     *
     * @throws IllegalArgumentException when the model holds a layer or activation ONNX export does not support
     */
    public static byte[] toBytes(Sequential model) {
        return toModel(model).toByteArray();
    }

    /** Writes {@link #toBytes} to {@code file} atomically (a temporary file renamed over it). */
    public static void write(Sequential model, Path file) throws IOException {
        dev.clnn.io.AtomicFiles.write(file, toBytes(model));
    }

    private ModelProto build(Sequential model) {
        graph.setName("clnn_sequential");
        graph.addInput(valueInfo(INPUT, model.inputShape()));
        List<Layer> layers = model.layers();
        for (int i = 0; i < layers.size(); i++) {
            addLayer(model.layerNames().get(i), layers.get(i));
        }
        if (nchw) {
            toNhwc();
        }
        if (nodes.isEmpty()) {
            node("Identity", "output", List.of(current));
        }
        nodes.get(nodes.size() - 1).setOutput(0, OUTPUT);
        nodes.forEach(graph::addNode);
        graph.addOutput(valueInfo(OUTPUT, model.outputShape()));
        return ModelProto.newBuilder()
                .setIrVersion(IR_VERSION)
                .setProducerName("clnn")
                .setProducerVersion(version())
                .setDocString("Input '" + INPUT + "': float32 (N" + dims(model.inputShape()) + ")"
                        + (model.inputShape().rank() == 3 ? ", NHWC" : "") + ". Output '" + OUTPUT + "': float32 (N"
                        + dims(model.outputShape()) + ").")
                .addOpsetImport(OnnxMl.OperatorSetIdProto.newBuilder().setDomain("").setVersion(OPSET))
                .setGraph(graph)
                .build();
    }

    private void addLayer(String name, Layer layer) {
        if (layer instanceof Conv2d) {
            conv(name, (Conv2d) layer);
        } else if (layer instanceof Dense) {
            dense(name, (Dense) layer);
        } else if (layer instanceof Flatten) {
            if (nchw) {
                toNhwc();
            }
            node("Flatten", name, List.of(current)).addAttribute(intAttr("axis", 1));
        } else if (layer instanceof Relu) {
            node("Relu", name, List.of(current));
        } else {
            throw new IllegalArgumentException("ONNX export does not support layer " + name + " (" + layer + ")");
        }
    }

    private void conv(String name, Conv2d conv) {
        if (!nchw) {
            node("Transpose", name + "_to_nchw", List.of(current)).addAttribute(intsAttr("perm", 0, 3, 1, 2));
            nchw = true;
        }
        Shape k = conv.kernel().shape();
        int kh = k.dim(0);
        int kw = k.dim(1);
        int c = k.dim(2);
        int oc = k.dim(3);
        float[] hwio = conv.kernel().read();
        float[] oihw = new float[hwio.length];
        for (int y = 0; y < kh; y++) {
            for (int x = 0; x < kw; x++) {
                for (int i = 0; i < c; i++) {
                    for (int o = 0; o < oc; o++) {
                        oihw[((o * c + i) * kh + y) * kw + x] = hwio[((y * kw + x) * c + i) * oc + o];
                    }
                }
            }
        }
        String w = initializer(name + "/kernel", new long[] {oc, c, kh, kw}, oihw);
        String b = initializer(name + "/bias", new long[] {oc}, conv.bias().read());
        int[] p = conv.pads();
        node("Conv", name, List.of(current, w, b))
                .addAttribute(intsAttr("kernel_shape", kh, kw))
                .addAttribute(intsAttr("strides", conv.stride(), conv.stride()))
                .addAttribute(intsAttr("pads", p[0], p[1], p[2], p[3]))
                .addAttribute(intsAttr("dilations", 1, 1))
                .addAttribute(intAttr("group", 1));
        activation(name, conv.activation());
    }

    private void dense(String name, Dense dense) {
        Shape k = dense.kernel().shape();
        String w = initializer(name + "/kernel", new long[] {k.dim(0), k.dim(1)}, dense.kernel().read());
        String b = initializer(name + "/bias", new long[] {k.dim(1)}, dense.bias().read());
        node("Gemm", name, List.of(current, w, b));
        activation(name, dense.activation());
    }

    private void activation(String name, Activation a) {
        switch (a.kind()) {
            case NONE:
                return;
            case RELU:
                node("Relu", name + "_relu", List.of(current));
                return;
            case SIGMOID:
                node("Sigmoid", name + "_sigmoid", List.of(current));
                return;
            case TANH:
                node("Tanh", name + "_tanh", List.of(current));
                return;
            case LEAKY_RELU:
                node("LeakyRelu", name + "_leaky_relu", List.of(current)).addAttribute(AttributeProto.newBuilder()
                        .setName("alpha").setType(AttributeProto.AttributeType.FLOAT).setF(a.alpha()));
                return;
            case CLIP: {
                String lo = initializer(name + "/clip_min", new long[0], new float[] {a.lo()});
                String hi = initializer(name + "/clip_max", new long[0], new float[] {a.hi()});
                node("Clip", name + "_clip", List.of(current, lo, hi));
                return;
            }
            default:
                throw new IllegalArgumentException("ONNX export does not support activation " + a + " of " + name);
        }
    }

    private void toNhwc() {
        node("Transpose", "to_nhwc_" + counter, List.of(current)).addAttribute(intsAttr("perm", 0, 2, 3, 1));
        nchw = false;
    }

    /** Adds a node reading {@code inputs}, whose single output becomes the current value. */
    private NodeProto.Builder node(String op, String name, List<String> inputs) {
        String output = name + "_out" + counter++;
        NodeProto.Builder n = NodeProto.newBuilder().setOpType(op).setName(name).addAllInput(inputs).addOutput(output);
        nodes.add(n);
        current = output;
        return n;
    }

    private String initializer(String name, long[] dims, float[] values) {
        ByteBuffer bytes = ByteBuffer.allocate(4 * values.length).order(ByteOrder.LITTLE_ENDIAN);
        bytes.asFloatBuffer().put(values);
        TensorProto.Builder t = TensorProto.newBuilder().setName(name)
                .setDataType(TensorProto.DataType.FLOAT_VALUE).setRawData(ByteString.copyFrom(bytes.array()));
        for (long d : dims) {
            t.addDims(d);
        }
        graph.addInitializer(t);
        return name;
    }

    private static ValueInfoProto valueInfo(String name, Shape example) {
        TensorShapeProto.Builder shape = TensorShapeProto.newBuilder()
                .addDim(TensorShapeProto.Dimension.newBuilder().setDimParam("N"));
        for (int d : example.dims()) {
            shape.addDim(TensorShapeProto.Dimension.newBuilder().setDimValue(d));
        }
        TypeProto.Tensor.Builder tensor = TypeProto.Tensor.newBuilder()
                .setElemType(TensorProto.DataType.FLOAT_VALUE).setShape(shape);
        return ValueInfoProto.newBuilder().setName(name).setType(TypeProto.newBuilder().setTensorType(tensor)).build();
    }

    private static AttributeProto.Builder intAttr(String name, long value) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INT).setI(value);
    }

    private static AttributeProto.Builder intsAttr(String name, long... values) {
        AttributeProto.Builder a = AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INTS);
        for (long v : values) {
            a.addInts(v);
        }
        return a;
    }

    private static String dims(Shape s) {
        StringBuilder sb = new StringBuilder();
        for (int d : s.dims()) {
            sb.append(", ").append(d);
        }
        return sb.toString();
    }

    private static String version() {
        String v = OnnxExport.class.getPackage().getImplementationVersion();
        return v == null ? "development" : v;
    }
}
