package dev.clnn.jmh;

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

import dev.clnn.graph.Graph;
import dev.clnn.models.MobileNetV1;
import dev.clnn.models.MobileNetV2;
import dev.clnn.models.Model;
import dev.clnn.models.RandomWeights;

/**
 * Whole-network inference of MobileNet v1 and v2 (224 x 224, alpha 1.0, seeded random weights) on
 * each device, as an application sees it: one operation is {@link Model#predict(float[])} of one
 * batch, copying the input to the device, running the optimised graph and reading the
 * probabilities back. Latency in ms per batch; throughput in batches per second (multiply by the
 * batch size for images per second). Graph optimisation and kernel builds happen in the set-up.
 */
@State(Scope.Benchmark)
public class MobileNetBenchmark {
    @Param({"0"})
    public String device;

    @Param({"v1", "v2"})
    public String model;

    @Param({"1", "16"})
    public int batch;

    private Model net;
    private float[] input;

    @Setup(Level.Trial)
    public void setUp() {
        Graph graph = switch (model) {
            case "v1" -> MobileNetV1.build(new RandomWeights(42));
            case "v2" -> MobileNetV2.build(new RandomWeights(42));
            default -> throw new IllegalArgumentException("MobileNetBenchmark: model is v1 or v2, got " + model);
        };
        net = Model.compile(graph, BenchDevices.byIndex(device), batch);
        input = GemmBenchmark.random(net.inputShape().sizeAsInt(), 1);
        net.predict(input);     // first run outside the timed region
    }

    @Benchmark
    @BenchmarkMode(Mode.AverageTime)
    @OutputTimeUnit(TimeUnit.MILLISECONDS)
    public float[] latency() {
        return net.predict(input);
    }

    @Benchmark
    @BenchmarkMode(Mode.Throughput)
    @OutputTimeUnit(TimeUnit.SECONDS)
    public float[] throughput() {
        return net.predict(input);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        Close.all(net);
    }
}
