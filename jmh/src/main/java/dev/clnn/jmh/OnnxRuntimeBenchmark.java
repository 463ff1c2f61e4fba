package dev.clnn.jmh;

import java.nio.FloatBuffer;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;

import dev.clnn.graph.Graph;
import dev.clnn.models.MnistCnn;
import dev.clnn.models.MobileNetV1;
import dev.clnn.models.MobileNetV2;
import dev.clnn.models.Model;
import dev.clnn.models.RandomWeights;
import dev.clnn.onnx.GraphExport;

/**
 * clnn against ONNX Runtime (its Java API, default session options, CPU) on the same network and
 * weights in the same run: each model is built once by clnn (seeded random weights), compiled by
 * clnn for each device, and exported ({@link GraphExport}) for ONNX Runtime. One operation is one
 * batch in, probabilities out, as an application sees it. Compare the {@code clnn} row on the CPU
 * device with the {@code onnxRuntime} row (host column): time per batch, lower is better.
 */
public class OnnxRuntimeBenchmark {

    static Graph graph(String model) {
        return switch (model) {
            case "mobilenet_v1" -> MobileNetV1.build(new RandomWeights(42));
            case "mobilenet_v2" -> MobileNetV2.build(new RandomWeights(42));
            case "mnist_cnn" -> MnistCnn.build(new RandomWeights(42));
            default -> throw new IllegalArgumentException("OnnxRuntimeBenchmark: model is mobilenet_v1, "
                    + "mobilenet_v2 or mnist_cnn, got " + model);
        };
    }

    /** clnn on one device. */
    @State(Scope.Benchmark)
    public static class Clnn {
        @Param({"0"})
        public String device;

        @Param({"mobilenet_v1", "mobilenet_v2"})
        public String model;

        @Param({"1"})
        public int batch;

        Model net;
        float[] input;

        @Setup(Level.Trial)
        public void setUp() {
            net = Model.compile(graph(model), BenchDevices.byIndex(device), batch);
            input = GemmBenchmark.random(net.inputShape().sizeAsInt(), 1);
            net.predict(input);
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            Close.all(net);
        }
    }

    /** ONNX Runtime on the host CPU, default options (all cores, all graph optimisations). */
    @State(Scope.Benchmark)
    public static class Ort {
        @Param({"mobilenet_v1", "mobilenet_v2"})
        public String model;

        @Param({"1"})
        public int batch;

        OrtEnvironment env;
        OrtSession session;
        OnnxTensor input;
        String inputName;

        @Setup(Level.Trial)
        public void setUp() throws OrtException {
            Graph g = graph(model);
            env = OrtEnvironment.getEnvironment();
            session = env.createSession(GraphExport.toBytes(g), new OrtSession.SessionOptions());
            inputName = session.getInputNames().iterator().next();
            long[] dims = java.util.Arrays.stream(g.inputShape(batch).dims()).asLongStream().toArray();
            input = OnnxTensor.createTensor(env, FloatBuffer.wrap(GemmBenchmark.random((int) g.inputShape(batch).size(),
                    1)), dims);
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            Close.all(input, session);
        }
    }

    @Benchmark
    @BenchmarkMode(Mode.AverageTime)
    @OutputTimeUnit(TimeUnit.MILLISECONDS)
    public float[] clnn(Clnn s) {
        return s.net.predict(s.input);
    }

    @Benchmark
    @BenchmarkMode(Mode.AverageTime)
    @OutputTimeUnit(TimeUnit.MILLISECONDS)
    public float[] onnxRuntime(Ort s) throws OrtException {
        try (OrtSession.Result r = s.session.run(Map.of(s.inputName, s.input))) {
            FloatBuffer b = ((OnnxTensor) r.get(0)).getFloatBuffer();
            float[] y = new float[b.remaining()];
            b.get(y);
            return y;
        }
    }
}
