package dev.clnn.cli;

import java.io.PrintWriter;

import dev.clnn.cl.ClContext;
import dev.clnn.graph.Graph;
import dev.clnn.models.Model;
import dev.clnn.reference.Tolerances;
import dev.clnn.tensor.DType;
import dev.clnn.tensor.Tensor;

/**
 * {@code clnn bench --precision fp16}: the same graph compiled with half-precision activations
 * ({@link DType#FLOAT16}) in the context the fp32 model just ran in, timed the same way, and compared
 * with the fp32 model in the same run: its speed against fp32's, the top-1 agreement of each example's
 * output over {@link #AGREEMENT_EXAMPLES} random inputs, and the largest difference. It passes when the
 * top-1 agrees on {@link Tolerances#HALF_TOP1_AGREEMENT} of the examples and the largest difference is
 * within {@link Tolerances#HALF_BENCH_OF_MAX} of the largest fp32 output.
 */
final class HalfBench {
    /** Random examples on which the fp16 and fp32 models' top-1 are compared. */
    static final int AGREEMENT_EXAMPLES = 32;

    /** What the fp16 run measured; {@code seconds} for all examples, as the fp32 result's. */
    record Result(double seconds, double fp32Seconds, int agreeing, int examples, double maxError, double largest,
                  boolean passed) {
        double speedup() {
            return fp32Seconds / seconds;
        }

        Json.Obj json() {
            return Json.obj().put("seconds", seconds).put("fp32Seconds", fp32Seconds).put("speedup", speedup())
                    .put("top1Agreeing", agreeing).put("top1Examples", examples).put("maxError", maxError)
                    .put("largestFp32Output", largest).put("passed", passed);
        }
    }

    private HalfBench() {
    }

    /**
     * Compiles and times the fp16 model of {@code graph} for {@code calls} batches of {@code input}, and
     * compares it with {@code fp32}, the model whose timed run took {@code fp32Seconds}; with
     * {@code profileInput} (a batch on the device, or null), then prints its per-layer table.
     */
    static Result run(PrintWriter out, PrintWriter err, ClContext cl, Graph graph, int batch, float[] input,
                      Model fp32, double fp32Seconds, int calls, int concurrency, boolean warmup, long seed,
                      Tensor profileInput) {
        try (Model m = Model.compile(graph, cl, batch, DType.FLOAT16)) {
            float[] first = m.predict(input);
            if (warmup) {
                for (int i = 0; i < Math.max(1, 32 / batch); i++) {
                    m.predict(input);
                }
            }
            Progress progress = new Progress(err, calls, "fp16 batches");
            Concurrent.Timing timing = Concurrent.run(m, input, first, 0, 0, calls, concurrency,
                    warmup && concurrency > 1, progress);
            progress.done();
            int perExample = (int) (m.outputShape().size() / batch);
            int agreeing = 0;
            int examples = 0;
            double maxError = 0;
            double largest = 0;
            for (int call = 0; examples < AGREEMENT_EXAMPLES; call++) {
                float[] x = BenchModelCommand.images(input.length, seed + 1000 + call);
                float[] y32 = fp32.predict(x);
                float[] y16 = m.predict(x);
                for (int e = 0; e < batch && examples < AGREEMENT_EXAMPLES; e++, examples++) {
                    int at = e * perExample;
                    if (argmax(y32, at, perExample) == argmax(y16, at, perExample)) {
                        agreeing++;
                    }
                    for (int j = at; j < at + perExample; j++) {
                        maxError = Math.max(maxError, Math.abs((double) y16[j] - y32[j]));
                        largest = Math.max(largest, Math.abs(y32[j]));
                    }
                }
            }
            boolean passed = agreeing >= Tolerances.HALF_TOP1_AGREEMENT * examples
                    && maxError <= Tolerances.HALF_BENCH_OF_MAX * Math.max(largest, 1e-6);
            Result r = new Result(timing.seconds(), fp32Seconds, agreeing, examples, maxError, largest, passed);
            int examplesTimed = calls * batch;
            out.printf("  fp16 storage (activations stored as half, computed in fp32), same run:%n");
            out.printf("  time         %.3f ms per example (fp32 above: %.3f ms): %.2fx the speed of fp32%n",
                    1e3 * r.seconds() / examplesTimed, 1e3 * fp32Seconds / examplesTimed, r.speedup());
            out.printf("  vs fp32      top-1 agrees on %d of %d random examples; max |fp16 - fp32| %.3g (%.2f %% of the"
                            + " largest output): %s%n", agreeing, examples, maxError,
                    largest > 0 ? 100 * maxError / largest : 0.0, passed ? "PASS" : "FAIL");
            if (profileInput != null) {
                out.println("  fp16 layers:");
                ModelReport.layers(out, m.executable().profile(profileInput));
            }
            return r;
        }
    }

    private static int argmax(float[] y, int from, int length) {
        int best = from;
        for (int j = from + 1; j < from + length; j++) {
            if (y[j] > y[best]) {
                best = j;
            }
        }
        return best - from;
    }
}
