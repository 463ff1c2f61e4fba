package dev.clnn.jmh;

import java.util.concurrent.TimeUnit;

import org.ejml.data.FMatrixRMaj;
import org.ejml.dense.row.CommonOps_MT_FDRM;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * The pure-Java baseline of {@link GemmBenchmark}: EJML's multi-threaded SGEMM on the host. EJML is
 * a dependency of this module (and the command line), not of clnn-core.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class HostGemmBenchmark {
    @Param({"256x256x256", "1024x1024x1024", "12544x64x32", "3136x128x128", "784x256x256", "196x512x512",
            "49x1024x1024"})
    public String shape;

    private float[] a;
    private float[] b;
    private int[] mnk;

    @Setup(Level.Trial)
    public void setUp() {
        mnk = GemmBenchmark.parse(shape);
        a = GemmBenchmark.random(mnk[0] * mnk[2], 1);
        b = GemmBenchmark.random(mnk[2] * mnk[1], 2);
    }

    @Benchmark
    public float[] ejml() {
        FMatrixRMaj c = new FMatrixRMaj(mnk[0], mnk[1]);
        CommonOps_MT_FDRM.mult(FMatrixRMaj.wrap(mnk[0], mnk[2], a), FMatrixRMaj.wrap(mnk[2], mnk[1], b), c);
        return c.data;
    }
}
