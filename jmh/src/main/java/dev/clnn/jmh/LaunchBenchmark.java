package dev.clnn.jmh;

import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import dev.clnn.cl.BuildOptions;
import dev.clnn.cl.ClBuffer;
import dev.clnn.cl.ClContext;
import dev.clnn.cl.ClKernel;
import dev.clnn.cl.KernelSource;

/**
 * What one kernel launch costs on each device when the kernel does (almost) nothing: the floor
 * under every layer of a network. One operation is one launch; each invocation enqueues
 * {@value #LAUNCHES} launches of a one-work-item kernel on the in-order queue and waits for them,
 * as a network's layers are enqueued and then read back. Multiply by a network's kernel count
 * (from {@code clnn bench --profile}) for the share of its latency that launching takes.
 */
@State(Scope.Benchmark)
public class LaunchBenchmark {
    static final int LAUNCHES = 64;
    private static final KernelSource TOUCH = KernelSource.of("jmh/touch.cl",
            "__kernel void touch(__global float* x) { if (get_global_id(0) == 0) x[0] += 1.0f; }");

    @Param({"0"})
    public String device;

    /** Work-items per launch: 1, or enough for every core of a CPU to get a work-group. */
    @Param({"1", "4096"})
    public int items;

    private ClContext cl;
    private ClBuffer buffer;
    private ClKernel kernel;
    private long[] global;

    @Setup(Level.Trial)
    public void setUp() {
        cl = ClContext.create(BenchDevices.byIndex(device));
        buffer = cl.buffer(new float[] {0});
        kernel = cl.program(TOUCH, BuildOptions.none()).kernel("touch").args(buffer);
        global = new long[] {items};
        kernel.launch(global, null);
        cl.finish();
    }

    @Benchmark
    @BenchmarkMode(Mode.AverageTime)
    @OutputTimeUnit(TimeUnit.MICROSECONDS)
    @OperationsPerInvocation(LAUNCHES)
    public void launch() {
        for (int i = 0; i < LAUNCHES; i++) {
            kernel.launch(global, null);
        }
        cl.finish();
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        Close.all(kernel, buffer, cl);
    }
}
