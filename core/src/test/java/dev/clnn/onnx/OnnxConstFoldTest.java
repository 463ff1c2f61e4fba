package dev.clnn.onnx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.OperatorSetIdProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.TypeProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import dev.clnn.cl.ClDevice;

/**
 * The folders that build masks and index tables from constants (comparisons, logic, Where, Mod,
 * Pow, ScatterND, Expand, unary math): each on small constants against ONNX Runtime running the
 * same nodes; the batch marker's rules, where the result is known at load time and where it is
 * refused; and whole chains (DeiT's class-token shape, a Swin-like shifted-window mask) imported
 * and run against ONNX Runtime.
 */
class OnnxConstFoldTest {
    private static final int OPSET = 17;
    private static final int FLOAT = TensorProto.DataType.FLOAT_VALUE;
    private static final int INT64 = TensorProto.DataType.INT64_VALUE;
    private static final int BOOL = TensorProto.DataType.BOOL_VALUE;

    /** A graph of constants only, as ONNX Runtime runs it with no input. */
    private static final class Consts {
        final OnnxBuilder b;
        private int counter;

        Consts(String name) {
            b = new OnnxBuilder(name, name.hashCode(), OPSET);
        }

        String longs(long[] data, long... dims) {
            String name = "k" + counter++;
            b.graph().addInitializer(OnnxBuilder.longs(name, data, dims));
            return name;
        }

        String floats(float[] data, long... dims) {
            String name = "k" + counter++;
            b.graph().addInitializer(OnnxBuilder.floats(name, data, dims));
            return name;
        }

        /** Booleans (0 / 1), as a Cast of integers. */
        String bools(long[] data, long... dims) {
            return b.node("Cast", longs(data, dims), "to", BOOL);
        }

        ModelProto build(String output, int type) {
            b.graph().addOutput(ValueInfoProto.newBuilder().setName(output).setType(TypeProto.newBuilder()
                    .setTensorType(TypeProto.Tensor.newBuilder().setElemType(type))));
            return ModelProto.newBuilder().setIrVersion(8).setProducerName("clnn-tests")
                    .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(OPSET))
                    .setGraph(b.graph()).build();
        }
    }

    /** Every node of {@code m} folded by {@link ConstEval}, in order: the output's constant. */
    static Const fold(ModelProto m) {
        TensorSource tensors = new TensorSource(null, 1L << 28);
        Map<String, Const> values = new HashMap<>();
        for (TensorProto t : m.getGraph().getInitializerList()) {
            values.put(t.getName(), tensors.read(t));
        }
        for (NodeProto n : m.getGraph().getNodeList()) {
            List<Const> in = new ArrayList<>();
            for (String s : n.getInputList()) {
                in.add(s.isEmpty() ? null : values.get(s));
            }
            values.put(n.getOutput(0), ConstEval.eval(n, in, OPSET, tensors));
        }
        return values.get(m.getGraph().getOutput(0).getName());
    }

    /** ONNX Runtime's output of a model without inputs: dimensions, then long[] (ints, bools) or float[]. */
    static Object[] ortRun(ModelProto m) throws Exception {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions();
             OrtSession session = env.createSession(m.toByteArray(), options);
             OrtSession.Result result = session.run(Map.of())) {
            OnnxTensor out = (OnnxTensor) result.get(0);
            int[] dims = Arrays.stream(out.getInfo().getShape()).mapToInt(l -> (int) l).toArray();
            OnnxJavaType type = out.getInfo().type;
            if (type == OnnxJavaType.FLOAT) {
                FloatBuffer fb = out.getFloatBuffer();
                float[] f = new float[fb.remaining()];
                fb.get(f);
                return new Object[] {dims, f};
            }
            if (type == OnnxJavaType.INT64) {
                LongBuffer lb = out.getLongBuffer();
                long[] l = new long[lb.remaining()];
                lb.get(l);
                return new Object[] {dims, l};
            }
            assertEquals(OnnxJavaType.BOOL, type, "output type");
            ByteBuffer bb = out.getByteBuffer();
            long[] l = new long[bb.remaining()];
            for (int i = 0; i < l.length; i++) {
                l[i] = bb.get() != 0 ? 1 : 0;
            }
            return new Object[] {dims, l};
        }
    }

    /** Folds {@code m} and checks it against ONNX Runtime: same dimensions, type and elements. */
    static Const assertFoldsLikeOnnxRuntime(ModelProto m) throws Exception {
        String name = m.getGraph().getName();
        Const c = fold(m);
        Object[] ort = ortRun(m);
        assertArrayEquals((int[]) ort[0], c.dims(), name + ": dimensions");
        if (ort[1] instanceof long[] expected) {
            assertTrue(c.isInteger(), name + ": an integer (or boolean) result");
            assertArrayEquals(expected, c.l(), name + ": " + Arrays.toString(c.l()));
        } else {
            float[] expected = (float[]) ort[1];
            assertTrue(!c.isInteger(), name + ": a float result");
            float[] actual = c.f();
            for (int i = 0; i < expected.length; i++) {
                float e = expected[i];
                float a = actual[i];
                boolean same = Float.isNaN(e) ? Float.isNaN(a)
                        : Math.abs(a - e) <= 1e-6f * Math.max(1f, Math.abs(e)) || a == e;
                assertTrue(same, name + ": element " + i + " is " + a + ", ONNX Runtime " + e + "; "
                        + Arrays.toString(actual) + " vs " + Arrays.toString(expected));
            }
        }
        return c;
    }

    // ---- each folder against ONNX Runtime ------------------------------------------------------

    @Test
    void comparisonsMatchOnnxRuntime() throws Exception {
        for (String op : List.of("Equal", "Less", "Greater", "LessOrEqual", "GreaterOrEqual")) {
            Consts k = new Consts("int_" + op);
            ModelProto m = k.build(k.b.node(op, new String[] {k.longs(new long[] {-2, 0, 3, 7, 3, -1}, 2, 3),
                k.longs(new long[] {3, 0, -1}, 3)}), BOOL);
            assertFoldsLikeOnnxRuntime(m);
            Consts f = new Consts("float_" + op);
            m = f.build(f.b.node(op, new String[] {f.floats(new float[] {-0f, 1.5f, Float.NaN, 2f}, 4, 1),
                f.floats(new float[] {0f, 1.5f, Float.NaN}, 1, 3)}), BOOL);
            assertFoldsLikeOnnxRuntime(m);
        }
    }

    @Test
    void logicMatchesOnnxRuntime() throws Exception {
        for (String op : List.of("And", "Or", "Xor")) {
            Consts k = new Consts("logic_" + op);
            ModelProto m = k.build(k.b.node(op, new String[] {k.bools(new long[] {0, 1, 1, 0}, 4, 1),
                k.bools(new long[] {0, 1}, 2)}), BOOL);
            assertFoldsLikeOnnxRuntime(m);
        }
        Consts k = new Consts("not");
        assertFoldsLikeOnnxRuntime(k.build(k.b.node("Not", k.bools(new long[] {0, 1, 1}, 3)), BOOL));
    }

    @Test
    void whereMatchesOnnxRuntime() throws Exception {
        Consts k = new Consts("where_int");
        ModelProto m = k.build(k.b.node("Where", new String[] {k.bools(new long[] {1, 0}, 2, 1),
            k.longs(new long[] {10, 20, 30}, 1, 3), k.longs(new long[] {-5}, 1)}), INT64);
        assertFoldsLikeOnnxRuntime(m);
        Consts f = new Consts("where_float");
        m = f.build(f.b.node("Where", new String[] {f.bools(new long[] {0, 1, 1}, 3),
            f.floats(new float[] {-100f}), f.floats(new float[] {1f, 2f, 3f, 4f, 5f, 6f}, 2, 3)}), FLOAT);
        assertFoldsLikeOnnxRuntime(m);
    }

    @Test
    void modMatchesOnnxRuntime() throws Exception {
        long[] x = {-7, 7, -7, 7, 5, -5, 0, 12};
        long[] y = {3, -3, -3, 3, 5, 2, 4, 7};
        for (int fmod = 0; fmod <= 1; fmod++) {
            Consts k = new Consts("mod_int_fmod" + fmod);
            ModelProto m = k.build(k.b.node("Mod", new String[] {k.longs(x, 8), k.longs(y, 8)}, "fmod", fmod), INT64);
            Const c = assertFoldsLikeOnnxRuntime(m);
            if (fmod == 0) {
                assertEquals(2, c.l()[0], "fmod 0: the sign of the divisor");
            } else {
                assertEquals(-1, c.l()[0], "fmod 1: the sign of the dividend");
            }
        }
        Consts f = new Consts("mod_float");
        ModelProto m = f.build(f.b.node("Mod", new String[] {f.floats(new float[] {-7.5f, 7.5f, 5.25f, -1f}, 4),
            f.floats(new float[] {2f, -2f, 1.5f, 3f}, 4)}, "fmod", 1), FLOAT);
        assertFoldsLikeOnnxRuntime(m);
    }

    @Test
    void powMatchesOnnxRuntime() throws Exception {
        Consts f = new Consts("pow_float");
        assertFoldsLikeOnnxRuntime(f.build(f.b.node("Pow", new String[] {f.floats(new float[] {2f, 9f, 0.5f, 3f}, 2, 2),
            f.floats(new float[] {0.5f, -1f}, 2)}), FLOAT));
        Consts k = new Consts("pow_int");
        assertFoldsLikeOnnxRuntime(k.build(k.b.node("Pow", new String[] {k.longs(new long[] {2, 3, -2, 7, 0, -1}, 6),
            k.longs(new long[] {10, 3, 3, 0, 2, 5}, 6)}), INT64));
        // a float base by an integer exponent, as Swin's relative-position code computes 2 ** k
        Consts m = new Consts("pow_float_by_int");
        assertFoldsLikeOnnxRuntime(m.build(m.b.node("Pow", new String[] {m.floats(new float[] {2f, -1.5f}, 2),
            m.longs(new long[] {3}, 1)}), FLOAT));
    }

    @Test
    void scatterNdMatchesOnnxRuntime() throws Exception {
        // rows 1 and -1 (= 3) of a 4 x 3 float table replaced
        Consts k = new Consts("scatter_rows");
        ModelProto m = k.build(k.b.node("ScatterND", new String[] {k.floats(new float[12], 4, 3),
            k.longs(new long[] {1, -1}, 2, 1), k.floats(new float[] {1, 2, 3, 4, 5, 6}, 2, 3)},
            "reduction", "none"), FLOAT);
        assertFoldsLikeOnnxRuntime(m);
        // single elements of an integer table, indices of rank 3
        Consts e = new Consts("scatter_elements");
        m = e.build(e.b.node("ScatterND", new String[] {e.longs(new long[] {0, 1, 2, 3, 4, 5}, 2, 3),
            e.longs(new long[] {0, 2, 1, 0, 1, 1, 0, 0}, 2, 2, 2), e.longs(new long[] {-1, -2, -3, -4}, 2, 2)}), INT64);
        assertFoldsLikeOnnxRuntime(m);
    }

    @Test
    void expandMatchesOnnxRuntime() throws Exception {
        Consts k = new Consts("expand_int");
        assertFoldsLikeOnnxRuntime(k.build(k.b.node("Expand", new String[] {k.longs(new long[] {1, 2, 3}, 3, 1),
            k.longs(new long[] {2, 1, 4}, 3)}), INT64));
        Consts f = new Consts("expand_float_lower_rank_shape");
        assertFoldsLikeOnnxRuntime(f.build(f.b.node("Expand", new String[] {f.floats(new float[] {1f, 2f}, 2, 1, 1),
            f.longs(new long[] {3, 1}, 2)}), FLOAT));
    }

    @Test
    void unaryMathMatchesOnnxRuntime() throws Exception {
        for (String op : List.of("Abs", "Sign")) {
            Consts k = new Consts("int_" + op);
            assertFoldsLikeOnnxRuntime(k.build(k.b.node(op, k.longs(new long[] {-3, 0, 5}, 3)), INT64));
        }
        for (String op : List.of("Abs", "Sign", "Sqrt", "Exp", "Log", "Reciprocal")) {
            Consts f = new Consts("float_" + op);
            float[] v = op.equals("Abs") || op.equals("Sign") || op.equals("Exp") ? new float[] {-2.5f, 0f, 3f}
                    : new float[] {0.25f, 2f, 64f};
            assertFoldsLikeOnnxRuntime(f.build(f.b.node(op, f.floats(v, 3)), FLOAT));
        }
    }

    // ---- the batch marker ----------------------------------------------------------------------

    private static Const longs(long... v) {
        return Const.ofLongs(new int[] {v.length}, v);
    }

    private static Const eval(String op, Object... inputsThenAttrs) {
        List<Const> in = new ArrayList<>();
        int i = 0;
        while (i < inputsThenAttrs.length && inputsThenAttrs[i] instanceof Const c) {
            in.add(c);
            i++;
        }
        NodeProto.Builder n = NodeProto.newBuilder().setOpType(op).setName(op + "_test").addOutput("y");
        for (; i < inputsThenAttrs.length; i += 2) {
            n.addAttribute(OnnxBuilder.attr((String) inputsThenAttrs[i], inputsThenAttrs[i + 1]));
        }
        return ConstEval.eval(n.build(), in, OPSET, new TensorSource(null, 1L << 28));
    }

    @Test
    void equalOfTheBatchIsFalseForNonPositiveValuesAndTrueForItself() {
        long n = Const.BATCH;
        // DeiT: Equal([N, -1, -1], -1 * ones(3))
        assertArrayEquals(new long[] {0, 1, 1}, eval("Equal", longs(n, -1, -1), longs(-1, -1, -1)).l());
        assertArrayEquals(new long[] {1, 0, 0}, eval("Equal", longs(n, Const.batchTimes(4), 0),
                longs(n, Const.batchTimes(2), n)).l());
        // N * 4 is at least 4: never 3
        assertArrayEquals(new long[] {0}, eval("Equal", longs(Const.batchTimes(4)), longs(3)).l());
        assertArrayEquals(new long[] {1, 0, 1, 0}, eval("Less", longs(Const.batchTimes(2), Const.batchTimes(2), 0, n),
                longs(Const.batchTimes(3), n, n, 0)).l());
        assertArrayEquals(new long[] {1, 1, 0}, eval("GreaterOrEqual", longs(n, n, -5), longs(0, n, n)).l());
        // against floats: N is above 0.5 and -3; NaN is unordered
        assertArrayEquals(new long[] {0, 0, 0}, eval("Equal", longs(n, n, n), Const.ofFloats(new int[] {3},
                new float[] {0.5f, -3f, Float.NaN})).l());
        assertArrayEquals(new long[] {1, 1, 0}, eval("Greater", longs(n, n, n), Const.ofFloats(new int[] {3},
                new float[] {0.5f, -3f, Float.NaN})).l());
    }

    @Test
    void whereCarriesTheBatchMarker() {
        long n = Const.BATCH;
        Const eq = eval("Equal", longs(n, -1, -1), longs(-1, -1, -1));
        Const shape = eval("Where", eq, longs(1, 1, 1), longs(n, -1, -1));
        assertArrayEquals(new long[] {n, 1, 1}, shape.l());
        assertArrayEquals(new long[] {Const.batchTimes(8), 7}, eval("Where", longs(0, 1), longs(5, 7),
                longs(Const.batchTimes(8), 9)).l());
        // a marker as a condition is true (the batch is at least 1), and Not of it false
        assertArrayEquals(new long[] {5}, eval("Where", longs(n), longs(5), longs(6)).l());
        assertArrayEquals(new long[] {0, 1}, eval("Not", longs(n, 0)).l());
    }

    @Test
    void otherOperatorsKeepOrRefuseTheBatchMarker() {
        long n = Const.BATCH;
        assertArrayEquals(new long[] {0}, eval("Mod", longs(Const.batchTimes(6)), longs(3)).l());
        assertArrayEquals(new long[] {n, 1}, eval("Pow", longs(n, n), longs(1, 0)).l());
        assertArrayEquals(new long[] {Const.batchTimes(3)}, eval("Abs", longs(Const.batchTimes(3))).l());
        assertArrayEquals(new long[] {1}, eval("Sign", longs(n)).l());
        assertArrayEquals(new long[] {n, Const.batchTimes(2)}, eval("ScatterND", longs(0, Const.batchTimes(2)),
                Const.ofLongs(new int[] {1, 1}, new long[] {0}), longs(n)).l());
        for (Runnable bad : List.<Runnable>of(
                () -> eval("Mod", longs(n), longs(3)),
                () -> eval("Mod", longs(12), longs(n)),
                () -> eval("Pow", longs(n), longs(2)),
                () -> eval("Pow", longs(2), longs(n)),
                () -> eval("Where", longs(1), longs(n), Const.ofFloats(new int[] {1}, new float[] {1f})),
                () -> eval("ScatterND", longs(0, 1), Const.ofLongs(new int[] {1, 1}, new long[] {n}), longs(5)))) {
            OnnxFormatException e = assertThrows(OnnxFormatException.class, bad::run);
            assertTrue(e.getMessage().contains("batch size"), e.getMessage());
        }
    }

    /** Shape arithmetic on N: multiples multiply and divide exactly, bounds decide Max/Min, the rest fails. */
    @Test
    void arithmeticOnTheBatchIsExactOrRefused() {
        long n = Const.BATCH;
        long n64 = Const.batchTimes(64);
        assertArrayEquals(new long[] {n64, n64}, eval("Mul", longs(n, 4), longs(64, Const.batchTimes(16))).l());
        assertArrayEquals(new long[] {n64}, eval("Mul", eval("Mul", longs(n), longs(4)), longs(16)).l());
        assertArrayEquals(new long[] {n}, eval("Div", longs(n64), longs(64)).l());
        assertArrayEquals(new long[] {4}, eval("Div", longs(Const.batchTimes(4)), longs(n)).l());
        assertArrayEquals(new long[] {n, n64}, eval("Max", longs(n, 64), longs(1, n64)).l());
        assertArrayEquals(new long[] {1, 3}, eval("Min", longs(n, 3), longs(1, n64)).l());
        assertArrayEquals(new long[] {n}, eval("Sub", longs(n), longs(0)).l());
        assertArrayEquals(new long[] {-2}, eval("Div", longs(-7), longs(3)).l(), "integer Div truncates");
        for (Runnable bad : List.<Runnable>of(
                () -> eval("Sub", longs(n), longs(1)),
                () -> eval("Add", longs(n), longs(n)),
                () -> eval("Max", longs(n), longs(5)),
                () -> eval("Div", longs(Const.batchTimes(6)), longs(4)))) {
            OnnxFormatException e = assertThrows(OnnxFormatException.class, bad::run);
            assertTrue(e.getMessage().contains("depends on the batch size"), e.getMessage());
        }
    }

    @Test
    void comparingTheBatchWithAPositiveValueIsRefusedClearly() {
        OnnxFormatException e = assertThrows(OnnxFormatException.class,
                () -> eval("Equal", longs(Const.BATCH, 7), longs(4, 7)));
        assertEquals("Equal compares the batch size with 4: the result depends on the batch size, which clnn only"
                + " knows at compile time", e.getMessage());
        e = assertThrows(OnnxFormatException.class, () -> eval("Less", longs(Const.batchTimes(2)), longs(6)));
        assertTrue(e.getMessage().contains("the batch size times 2 with 6"), e.getMessage());
        e = assertThrows(OnnxFormatException.class, () -> eval("Greater", longs(5), longs(Const.BATCH)));
        assertTrue(e.getMessage().contains("Greater compares the batch size with 5"), e.getMessage());
    }

    /** In a model: the importer names the node whose comparison depends on the batch. */
    @Test
    void anImportComparingTheBatchWithFourNamesTheNode() {
        ModelProto m = OnnxImportTest.model("batch_equals_four", OPSET, 3, 4, 4, b -> x -> {
            String n = b.node("Unsqueeze", new String[] {b.node("Gather", new String[] {b.node("Shape", x),
                b.scalarLong(0)}, "axis", 0), b.ints(0)});
            String target = b.node("Where", new String[] {b.node("Equal", new String[] {n, b.ints(4)}), b.ints(4), n});
            return b.node("Reshape", new String[] {x, b.node("Concat", new String[] {target, b.ints(-1)}, "axis", 0)});
        });
        OnnxFormatException e = assertThrows(OnnxFormatException.class,
                () -> OnnxImport.load(m.toByteArray(), null, "batch_equals_four"));
        assertTrue(e.getMessage().startsWith("node 'Equal_") && e.getMessage().contains(
                "compares the batch size with 4"), e.getMessage());
    }

    // ---- limits and malformed nodes ------------------------------------------------------------

    @Test
    void foldedResultsAreBoundedAndMalformedNodesRefused() {
        Const big = Const.ofLongs(new int[] {1 << 13, 1}, new long[1 << 13]);
        OnnxFormatException e = assertThrows(OnnxFormatException.class,
                () -> eval("Expand", big, longs(1 << 13, 1 << 12)));
        assertTrue(e.getMessage().contains("more than " + ConstEval.MAX_COMPUTED), e.getMessage());
        e = assertThrows(OnnxFormatException.class, () -> eval("Where", longs(1), big, longs(new long[1 << 12])));
        assertTrue(e.getMessage().contains("more than " + ConstEval.MAX_COMPUTED), e.getMessage());
        Const table = Const.ofFloats(new int[] {2, 2}, new float[4]);
        Const rows = Const.ofLongs(new int[] {1, 1}, new long[] {1});
        Const update = Const.ofFloats(new int[] {1, 2}, new float[] {1f, 2f});
        e = assertThrows(OnnxFormatException.class, () -> eval("ScatterND", table, rows, update, "reduction", "add"));
        assertTrue(e.getMessage().contains("reduction 'add'"), e.getMessage());
        e = assertThrows(OnnxFormatException.class, () -> eval("ScatterND", table,
                Const.ofLongs(new int[] {1, 1}, new long[] {2}), update));
        assertTrue(e.getMessage().contains("out of range"), e.getMessage());
        e = assertThrows(OnnxFormatException.class, () -> eval("ScatterND", table, rows,
                Const.ofFloats(new int[] {1, 3}, new float[3])));
        assertTrue(e.getMessage().contains("do not fit"), e.getMessage());
        e = assertThrows(OnnxFormatException.class, () -> eval("Mod", table, table));
        assertTrue(e.getMessage().contains("fmod"), e.getMessage());
        e = assertThrows(OnnxFormatException.class, () -> eval("Mod", longs(3), longs(0)));
        assertTrue(e.getMessage().contains("by zero"), e.getMessage());
        e = assertThrows(OnnxFormatException.class, () -> eval("Pow", longs(10), longs(19)));
        assertTrue(e.getMessage().contains("overflows"), e.getMessage());
        e = assertThrows(OnnxFormatException.class, () -> eval("Sqrt", longs(4)));
        assertTrue(e.getMessage().contains("on floats"), e.getMessage());
    }

    // ---- whole chains, imported and run against ONNX Runtime ------------------------------------

    /**
     * DeiT as the TorchScript exporter writes {@code cls_token.expand(N, -1, -1)}: the target
     * {@code [N, -1, -1]}, then {@code Where(Equal(target, -1), 1, target)}, then Expand.
     */
    static ModelProto deitClassToken() {
        return OnnxImportTest.model("deit_class_token_where", OPSET, 3, 4, 6, b -> x -> {
            String n = b.node("Unsqueeze", new String[] {b.node("Gather", new String[] {b.node("Shape", x),
                b.scalarLong(0)}, "axis", 0), b.ints(0)});
            String target = b.node("Reshape", new String[] {b.node("Concat", new String[] {n, b.ints(-1), b.ints(-1)},
                "axis", 0), b.ints(-1)});
            String ones = b.node("ConstantOfShape", new String[] {b.node("Shape", target)}, "value",
                    OnnxBuilder.longs("one", new long[] {1}, 1));
            String minusOnes = b.node("Mul", new String[] {ones, b.scalarLong(-1)});
            String shape = b.node("Where", new String[] {b.node("Equal", new String[] {target, minusOnes}), ones,
                target});
            String cls = b.node("Expand", new String[] {b.random(1, 1, 6), shape});
            String tokens = b.node("Reshape", new String[] {x, b.ints(0, 12, 6)});
            String t = b.node("Concat", new String[] {cls, tokens}, "axis", 1);
            return b.node("Add", new String[] {b.node("MatMul", new String[] {t, b.random(6, 5)}), b.random(5)});
        });
    }

    /**
     * A shifted-window attention mask as Swin's code builds it from static sizes: region ids of a
     * padded 4 x 4 image (ScatterND of slices, Mod for the padding), split into 2 x 2 windows, ids
     * compared pairwise (Equal, Not, Where to -100), plus a relative-position term (Pow, Abs, Sign,
     * Sqrt, Exp, Log, Reciprocal, comparisons and logic), added to the input.
     */
    static ModelProto swinMask() {
        return OnnxImportTest.model("swin_shifted_window_mask", OPSET, 4, 4, 4, b -> x -> {
            // padding to a multiple of the window, as Swin computes it: (w - h % w) % w
            String pad = b.node("Mod", new String[] {b.node("Sub", new String[] {b.scalarLong(2), b.node("Mod",
                new String[] {b.scalarLong(4), b.scalarLong(2)}, "fmod", 0)}), b.scalarLong(2)}, "fmod", 0);
            String size = b.node("Add", new String[] {b.scalarLong(4), pad});
            String sizes = b.node("Concat", new String[] {b.node("Unsqueeze", new String[] {size, b.ints(0)}),
                b.node("Unsqueeze", new String[] {size, b.ints(0)})}, "axis", 0);
            String img = b.node("ConstantOfShape", new String[] {sizes}, "value",
                    OnnxBuilder.floats("zero", new float[] {0f}, 1));
            // rows 2 and 3 get region 3 and 6, then column 3 of every row adds 1
            String rows = b.node("ScatterND", new String[] {img, b.node("Reshape", new String[] {b.ints(2, 3),
                b.ints(2, 1)}), b.init(new float[] {3, 3, 3, 3, 6, 6, 6, 6}, 2, 4)});
            String col = b.node("Add", new String[] {b.node("Slice", new String[] {rows, b.ints(3), b.ints(4),
                b.ints(1)}), b.scalar(1f)});
            String ids = b.node("ScatterND", new String[] {b.node("Transpose", rows, "perm", new int[] {1, 0}),
                b.node("Reshape", new String[] {b.ints(3), b.ints(1, 1)}), b.node("Transpose", col, "perm",
                new int[] {1, 0})});
            // (4, 4) into 4 windows of 2 x 2: (2, 2, 2, 2) -> (0, 2, 1, 3) -> (4, 4)
            String windows = b.node("Reshape", new String[] {b.node("Transpose", b.node("Reshape", new String[] {
                ids, b.ints(2, 2, 2, 2)}), "perm", new int[] {0, 2, 1, 3}), b.ints(4, 4)});
            String diff = b.node("Sub", new String[] {b.node("Unsqueeze", new String[] {windows, b.ints(1)}),
                b.node("Unsqueeze", new String[] {windows, b.ints(2)})});
            String zero = b.scalar(0f);
            String differ = b.node("Not", b.node("Equal", new String[] {diff, zero}));
            String mask = b.node("Where", new String[] {differ, b.scalar(-100f), zero});
            // a relative-position term: |d|^0.5 * sign(d) + log(exp(d / 8)) + 1 / (1 + d^2), where
            // -1 <= d <= 1 xor d < 0 adds 0.25
            String d = b.node("Sub", new String[] {b.node("Cast", b.node("Range", new String[] {b.scalarLong(0),
                b.scalarLong(4), b.scalarLong(1)}), "to", FLOAT), b.scalar(1.5f)});
            String root = b.node("Mul", new String[] {b.node("Sqrt", b.node("Abs", d)), b.node("Sign", d)});
            String logExp = b.node("Log", b.node("Exp", b.node("Div", new String[] {d, b.scalar(8f)})));
            String inv = b.node("Reciprocal", b.node("Add", new String[] {b.scalar(1f), b.node("Pow", new String[] {
                d, b.scalarLong(2)})}));
            String near = b.node("And", new String[] {b.node("LessOrEqual", new String[] {d, b.scalar(1f)}),
                b.node("GreaterOrEqual", new String[] {d, b.scalar(-1f)})});
            String flag = b.node("Or", new String[] {b.node("Xor", new String[] {near, b.node("Less", new String[] {
                d, zero})}), b.node("Greater", new String[] {d, b.scalar(100f)})});
            String extra = b.node("Where", new String[] {flag, b.scalar(0.25f), zero});
            String rel = b.node("Add", new String[] {b.node("Add", new String[] {b.node("Add", new String[] {root,
                logExp}), inv}), extra});
            String bias = b.node("Add", new String[] {mask, b.node("Expand", new String[] {rel, b.ints(4, 4, 4)})});
            return b.node("Add", new String[] {x, bias});
        });
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.clnn.testing.TestDevices#stream")
    void foldedChainsMatchOnnxRuntime(ClDevice device) throws Exception {
        OnnxImportTest.compare(device, deitClassToken(), 3, 41);
        OnnxImportTest.compare(device, swinMask(), 2, 42);
    }
}
