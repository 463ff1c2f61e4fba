package dev.clnn.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import dev.clnn.models.Model;
import dev.clnn.reference.Comparison;

/**
 * The timed run of {@code bench MODEL}, with N batches in flight ({@code --concurrency N}, 1 by
 * default). N threads take batches from one counter and call
 * {@link Model#predict(float[], int, float[], int)}, which runs each call in a lane of its own
 * (activations and a command queue), so that one batch's input upload and output read-back overlap
 * another's kernels: the throughput of a server that calls the model from several threads.
 */
final class Concurrent {
    private Concurrent() {
    }

    /**
     * Wall time of the whole run, the calls in flight at once, the lanes the model made for them (fewer
     * when calls did not overlap, or the device had no memory for more), the mean wall time of one call, and the worst of the threads' last results
     * against the expected one (null when not checked).
     */
    record Timing(double seconds, int threads, int lanes, double secondsPerCall, Comparison check) {
    }

    /**
     * Runs {@code calls} batches of {@code input} on {@code threads} threads; each thread's last
     * result is compared with {@code expected} (the one-lane result of the same input) within
     * {@code rtol}/{@code atol}, so that lanes disturbing each other show as a failed check.
     */
    static Timing run(Model m, float[] input, float[] expected, float rtol, float atol, int calls, int threads,
                      boolean warmup, Progress progress) {
        m.maxConcurrency(Math.max(m.maxConcurrency(), threads));
        int outFloats = (int) m.outputShape().size();
        ExecutorService pool = Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "clnn-bench");
            t.setDaemon(true);
            return t;
        });
        try {
            if (warmup) {
                // every thread once, so that the lanes are made (kernel objects, buffers) before timing
                all(pool, threads, () -> m.predict(input, 0, new float[outFloats], 0));
            }
            AtomicInteger next = new AtomicInteger();
            AtomicInteger done = new AtomicInteger();
            AtomicLong callNanos = new AtomicLong();
            List<float[]> last = java.util.Collections.synchronizedList(new ArrayList<>());
            long start = System.nanoTime();
            all(pool, threads, () -> {
                float[] out = new float[outFloats];
                boolean ran = false;
                while (next.getAndIncrement() < calls) {
                    long t0 = System.nanoTime();
                    m.predict(input, 0, out, 0);
                    callNanos.addAndGet(System.nanoTime() - t0);
                    ran = true;
                    int d = done.incrementAndGet();
                    synchronized (progress) {
                        progress.step(d);
                    }
                }
                if (ran) {
                    last.add(out);
                }
            });
            double seconds = (System.nanoTime() - start) / 1e9;
            Comparison worst = null;
            for (float[] out : last) {
                Comparison c = Comparison.of(out, expected, rtol, atol);
                if (worst == null || !c.passed() && worst.passed() || c.passed() == worst.passed()
                        && c.maxAbsError() > worst.maxAbsError()) {
                    worst = c;
                }
            }
            return new Timing(seconds, threads, m.executable().lanes(), callNanos.get() / 1e9 / calls, worst);
        } finally {
            pool.shutdownNow();
        }
    }

    /** Runs {@code task} on {@code threads} threads of {@code pool} and waits; the first failure is rethrown. */
    private static void all(ExecutorService pool, int threads, Runnable task) {
        List<Future<?>> futures = new ArrayList<>();
        for (int i = 0; i < threads; i++) {
            futures.add(pool.submit(task));
        }
        RuntimeException first = null;
        for (Future<?> f : futures) {
            try {
                f.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for the benchmark's threads", e);
            } catch (ExecutionException e) {
                Throwable cause = e.getCause();
                if (first == null) {
                    first = cause instanceof RuntimeException re ? re : new IllegalStateException(cause);
                }
            }
        }
        if (first != null) {
            throw first;
        }
    }
}
