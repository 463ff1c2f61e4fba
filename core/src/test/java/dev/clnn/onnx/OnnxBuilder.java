package dev.clnn.onnx;

import java.util.Random;

import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.OperatorSetIdProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.TensorShapeProto;
import ai.onnx.proto.OnnxMl.TypeProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;

/**
 * Builds small ONNX models in tests with the protobuf builder classes: an input (a negative
 * dimension is the symbolic batch "N"), seeded random initializers, nodes with attributes given
 * as name/value pairs, and the outputs.
 */
final class OnnxBuilder {
    private final GraphProto.Builder graph = GraphProto.newBuilder();
    private final Random random;
    private final int opset;
    private int counter;

    OnnxBuilder(String name, long seed, int opset) {
        graph.setName(name);
        this.random = new Random(seed);
        this.opset = opset;
    }

    OnnxBuilder(String name, long seed) {
        this(name, seed, 13);
    }

    static ValueInfoProto valueInfo(String name, long... dims) {
        TensorShapeProto.Builder shape = TensorShapeProto.newBuilder();
        for (long d : dims) {
            shape.addDim(d < 0 ? TensorShapeProto.Dimension.newBuilder().setDimParam("N")
                    : TensorShapeProto.Dimension.newBuilder().setDimValue(d));
        }
        return ValueInfoProto.newBuilder().setName(name).setType(TypeProto.newBuilder().setTensorType(
                TypeProto.Tensor.newBuilder().setElemType(TensorProto.DataType.FLOAT_VALUE).setShape(shape))).build();
    }

    String input(String name, long... dims) {
        graph.addInput(valueInfo(name, dims));
        return name;
    }

    static TensorProto floats(String name, float[] data, long... dims) {
        TensorProto.Builder t = TensorProto.newBuilder().setName(name).setDataType(TensorProto.DataType.FLOAT_VALUE);
        for (long d : dims) {
            t.addDims(d);
        }
        for (float v : data) {
            t.addFloatData(v);
        }
        return t.build();
    }

    static TensorProto longs(String name, long[] data, long... dims) {
        TensorProto.Builder t = TensorProto.newBuilder().setName(name).setDataType(TensorProto.DataType.INT64_VALUE);
        for (long d : dims) {
            t.addDims(d);
        }
        for (long v : data) {
            t.addInt64Data(v);
        }
        return t.build();
    }

    String init(float[] data, long... dims) {
        String name = "w" + counter++;
        graph.addInitializer(floats(name, data, dims));
        return name;
    }

    /** Uniform in [-scale, scale] (or [lo, hi] for positive data such as variances). */
    String random(float lo, float hi, long... dims) {
        long n = 1;
        for (long d : dims) {
            n *= d;
        }
        float[] f = new float[(int) n];
        for (int i = 0; i < f.length; i++) {
            f[i] = lo + (hi - lo) * random.nextFloat();
        }
        return init(f, dims);
    }

    String random(long... dims) {
        return random(-0.5f, 0.5f, dims);
    }

    String ints(long... values) {
        String name = "i" + counter++;
        graph.addInitializer(longs(name, values, values.length));
        return name;
    }

    String scalar(float v) {
        return init(new float[] {v});
    }

    /** Adds a node {@code op(inputs)} with attributes {@code name, value, ...}; returns its output. */
    String node(String op, String[] inputs, Object... attrs) {
        String out = op.toLowerCase() + counter++;
        NodeProto.Builder n = NodeProto.newBuilder().setOpType(op).setName(op + "_" + counter).addOutput(out);
        for (String in : inputs) {
            n.addInput(in);
        }
        for (int i = 0; i < attrs.length; i += 2) {
            n.addAttribute(attr((String) attrs[i], attrs[i + 1]));
        }
        graph.addNode(n);
        return out;
    }

    /** Adds a node {@code op(inputs)} with {@code outputs} outputs and attributes as {@link #node}; returns them. */
    String[] nodes(String op, String[] inputs, int outputs, Object... attrs) {
        String first = node(op, inputs, attrs);
        NodeProto.Builder n = graph.getNodeBuilder(graph.getNodeCount() - 1);
        String[] out = new String[outputs];
        out[0] = first;
        for (int k = 1; k < outputs; k++) {
            out[k] = first + "_" + k;
            n.addOutput(out[k]);
        }
        return out;
    }

    String node(String op, String input, Object... attrs) {
        return node(op, new String[] {input}, attrs);
    }

    static AttributeProto attr(String name, Object v) {
        AttributeProto.Builder a = AttributeProto.newBuilder().setName(name);
        if (v instanceof Integer || v instanceof Long) {
            a.setType(AttributeProto.AttributeType.INT).setI(((Number) v).longValue());
        } else if (v instanceof Float || v instanceof Double) {
            a.setType(AttributeProto.AttributeType.FLOAT).setF(((Number) v).floatValue());
        } else if (v instanceof String s) {
            a.setType(AttributeProto.AttributeType.STRING).setS(com.google.protobuf.ByteString.copyFromUtf8(s));
        } else if (v instanceof int[] ints) {
            a.setType(AttributeProto.AttributeType.INTS);
            for (int x : ints) {
                a.addInts(x);
            }
        } else if (v instanceof float[] fs) {
            a.setType(AttributeProto.AttributeType.FLOATS);
            for (float x : fs) {
                a.addFloats(x);
            }
        } else if (v instanceof TensorProto t) {
            a.setType(AttributeProto.AttributeType.TENSOR).setT(t);
        } else {
            throw new IllegalArgumentException("attribute " + name + ": " + v);
        }
        return a.build();
    }

    GraphProto.Builder graph() {
        return graph;
    }

    /** The model whose outputs are {@code outputs}, in order. */
    ModelProto build(String... outputs) {
        for (String output : outputs) {
            graph.addOutput(ValueInfoProto.newBuilder().setName(output).setType(TypeProto.newBuilder().setTensorType(
                    TypeProto.Tensor.newBuilder().setElemType(TensorProto.DataType.FLOAT_VALUE))));
        }
        return ModelProto.newBuilder().setIrVersion(8).setProducerName("clnn-tests")
                .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(opset))
                .setGraph(graph).build();
    }

    // ---- layers used by the whole-network builders ----

    /** Conv (OIHW random weights, bias) with square kernel, stride, symmetric padding and groups. */
    String conv(String x, int cin, int cout, int k, int stride, int pad, int group, boolean bias) {
        String w = random(-0.4f, 0.4f, cout, cin / group, k, k);
        String[] in = bias ? new String[] {x, w, random(cout)} : new String[] {x, w};
        return node("Conv", in, "kernel_shape", new int[] {k, k}, "strides", new int[] {stride, stride},
                "pads", new int[] {pad, pad, pad, pad}, "group", group, "dilations", new int[] {1, 1});
    }

    String batchNorm(String x, int c) {
        return node("BatchNormalization", new String[] {x, random(0.5f, 1.5f, c), random(c), random(-0.2f, 0.2f, c),
            random(0.5f, 1.5f, c)}, "epsilon", 1e-3f);
    }

    String relu6(String x) {
        return node("Clip", new String[] {x, scalar(0f), scalar(6f)});
    }

    /** The exporters' flatten: Shape -> Gather(0) -> Unsqueeze -> Concat(-1) -> Reshape. */
    String exporterFlatten(String x) {
        String shape = node("Shape", x);
        String batch = node("Gather", new String[] {shape, scalarLong(0)}, "axis", 0);
        String unsq = node("Unsqueeze", new String[] {batch, ints(0)});
        String target = node("Concat", new String[] {unsq, ints(-1)}, "axis", 0);
        return node("Reshape", new String[] {x, target});
    }

    String scalarLong(long v) {
        String name = "i" + counter++;
        graph.addInitializer(longs(name, new long[] {v}));
        return name;
    }
}
