package dev.clnn.jmh;

import java.util.SplittableRandom;
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

import dev.clnn.cl.ClBuffer;
import dev.clnn.cl.ClContext;
import dev.clnn.models.MnistCnn;
import dev.clnn.nn.Sequential;
import dev.clnn.nn.SoftmaxCrossEntropy;
import dev.clnn.tensor.Layout;
import dev.clnn.tensor.Shape;
import dev.clnn.tensor.Tensor;
import dev.clnn.train.Adam;

/**
 * One training step of the MNIST quickstart CNN ({@link MnistCnn#create}) with Adam (1e-3) and
 * softmax cross-entropy, the step {@code Trainer.fit} runs: forward, loss and its gradient,
 * backward, optimizer update, then waiting for the queue. The batch (random images and labels)
 * is already on the device, so no host transfer is timed.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class TrainStepBenchmark {
    @Param({"0"})
    public String device;

    @Param({"32"})
    public int batch;

    private ClContext cl;
    private Sequential model;
    private Adam adam;
    private SoftmaxCrossEntropy loss;
    private Tensor x;
    private ClBuffer labels;
    private Tensor grad;
    private ClBuffer stats;

    @Setup(Level.Trial)
    public void setUp() {
        cl = ClContext.create(BenchDevices.byIndex(device));
        model = MnistCnn.create(cl, 42);
        adam = new Adam(1e-3f);
        loss = new SoftmaxCrossEntropy(cl);
        Shape in = Shape.of(batch, 28, 28, 1);
        float[] pixels = GemmBenchmark.random(in.sizeAsInt(), 1);
        for (int i = 0; i < pixels.length; i++) {
            pixels[i] = Math.abs(pixels[i]);        // images in [0, 1], like scaled MNIST
        }
        x = Tensor.of(cl, in, Layout.NHWC, pixels);
        SplittableRandom r = new SplittableRandom(2);
        float[] y = new float[batch];
        for (int i = 0; i < batch; i++) {
            y[i] = r.nextInt(MnistCnn.CLASSES);
        }
        labels = cl.buffer(y);
        grad = Tensor.allocate(cl, Shape.of(batch, MnistCnn.CLASSES));
        stats = cl.buffer(2L * batch);
        step();     // layers and the optimizer build their kernels and state on first use
    }

    @Benchmark
    public void step() {
        Tensor logits = model.forward(x, true);
        loss.compute(logits, labels, grad, stats, 0);
        model.backward(grad);
        adam.step(model.parameterStore());
        cl.finish();
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        Close.all(stats, grad, labels, x, loss, adam, model, cl);
    }
}
