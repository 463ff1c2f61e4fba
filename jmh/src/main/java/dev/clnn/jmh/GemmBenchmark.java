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
import dev.clnn.jmh.baseline.ClBlastGemm;
import dev.clnn.ops.Gemm;
import dev.clnn.ops.GemmShape;

/**
 * SGEMM {@code C = A·B} on each device: clnn's tuned kernel and CLBlast (through jocl-blast, on the
 * same OpenCL device) in the same run. Shapes {@code MxNxK}: square sizes and the GEMMs of
 * MobileNet v1's pointwise convolutions at batch 1 (H·W x Cout x Cin).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class GemmBenchmark {
    @Param({"0"})
    public String device;

    @Param({"256x256x256", "1024x1024x1024", "12544x64x32", "3136x128x128", "784x256x256", "196x512x512",
            "49x1024x1024"})
    public String shape;

    private ClContext cl;
    private ClBuffer a;
    private ClBuffer b;
    private ClBuffer c;
    private Gemm gemm;
    private ClBlastGemm clblast;

    @Setup(Level.Trial)
    public void setUp() {
        int[] mnk = parse(shape);
        cl = ClContext.create(BenchDevices.byIndex(device));
        a = cl.buffer(random(mnk[0] * mnk[2], 1));
        b = cl.buffer(random(mnk[2] * mnk[1], 2));
        c = cl.buffer((long) mnk[0] * mnk[1]);
        gemm = Gemm.configure(cl, GemmShape.of(mnk[0], mnk[1], mnk[2]));
        clblast = new ClBlastGemm(BenchDevices.byIndex(device), mnk[0], mnk[1], mnk[2]);
    }

    @Benchmark
    public void clnn() {
        gemm.run(1f, a, 0, b, 0, 0f, c, 0);
        cl.finish();
    }

    @Benchmark
    public void clblast() {
        clblast.run();
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        clblast.close();
        gemm.close();
        a.close();
        b.close();
        c.close();
        cl.close();
    }

    static int[] parse(String shape) {
        String[] p = shape.split("x");
        return new int[] {Integer.parseInt(p[0]), Integer.parseInt(p[1]), Integer.parseInt(p[2])};
    }

    static float[] random(int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] out = new float[n];
        for (int i = 0; i < n; i++) {
            out[i] = (float) (r.nextDouble() * 2 - 1);
        }
        return out;
    }
}
