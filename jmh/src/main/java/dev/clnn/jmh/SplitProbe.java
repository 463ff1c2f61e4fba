package dev.clnn.jmh;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import dev.clnn.cl.ClContext;
import dev.clnn.cl.ClDevice;
import dev.clnn.cl.Devices;
import dev.clnn.models.MobileNetV1;
import dev.clnn.models.Model;
import dev.clnn.models.RandomWeights;
import dev.clnn.tensor.Tensor;

/**
 * Where do two devices driven from one process serialise? Runs MobileNet v1 on each selected
 * device alone and on all of them at once (a thread each), through three paths:
 * {@code host} (predict on Java arrays: blocking write, kernels, blocking read), {@code direct}
 * (the same with direct buffers) and {@code device} (input already on the device: kernels and a
 * finish only). A path whose concurrent time is the sum of the single times serialises.
 *
 * <pre>java -cp ... dev.clnn.jmh.SplitProbe [device spec, default gpu] [batch per device, default 32] [runs, default 30]</pre>
 */
public final class SplitProbe {
    private SplitProbe() {
    }

    public static void main(String[] args) throws Exception {
        String spec = args.length > 0 ? args[0] : "gpu";
        int batch = args.length > 1 ? Integer.parseInt(args[1]) : 32;
        int runs = args.length > 2 ? Integer.parseInt(args[2]) : 30;
        List<ClDevice> devices = Devices.select(spec);
        List<ClContext> contexts = new ArrayList<>();
        List<Model> models = new ArrayList<>();
        for (ClDevice d : devices) {
            ClContext cl = ClContext.create(d);
            contexts.add(cl);
            models.add(Model.compile(MobileNetV1.build(new RandomWeights(7)), cl, batch));
        }
        int in = (int) models.get(0).inputShape().size();
        int out = (int) models.get(0).outputShape().size();
        System.out.printf(Locale.ROOT, "%d device(s), MobileNet v1, batch %d per device, %d runs%n",
                devices.size(), batch, runs);
        for (String path : new String[] {"host", "direct", "device"}) {
            double together = 0;
            double sum = 0;
            StringBuilder alone = new StringBuilder();
            for (int i = 0; i < models.size(); i++) {
                double s = time(List.of(task(path, models.get(i), contexts.get(i), in, out, runs)));
                sum += s;
                alone.append(String.format(Locale.ROOT, " %.2f", 1e3 * s / runs));
            }
            List<Callable<Void>> all = new ArrayList<>();
            for (int i = 0; i < models.size(); i++) {
                all.add(task(path, models.get(i), contexts.get(i), in, out, runs));
            }
            together = time(all);
            System.out.printf(Locale.ROOT, "%-6s ms/batch alone:%s | all at once %.2f ms/round | overlap %.2f"
                    + " (1 = serial, %d = perfect)%n", path, alone, 1e3 * together / runs, sum / together,
                    models.size());
        }
        for (Model m : models) {
            m.close();
        }
        for (ClContext cl : contexts) {
            cl.close();
        }
    }

    private static Callable<Void> task(String path, Model m, ClContext cl, int in, int out, int runs) {
        float[] x = new float[in];
        for (int i = 0; i < in; i++) {
            x[i] = (i % 255) / 255f;
        }
        float[] y = new float[out];
        return () -> {
            switch (path) {
                case "host" -> {
                    for (int r = 0; r < runs; r++) {
                        m.predict(x, 0, y, 0);
                    }
                }
                case "direct" -> {
                    FloatBuffer dx = ByteBuffer.allocateDirect(4 * in).order(ByteOrder.nativeOrder()).asFloatBuffer();
                    FloatBuffer dy = ByteBuffer.allocateDirect(4 * out).order(ByteOrder.nativeOrder()).asFloatBuffer();
                    dx.put(x).flip();
                    try (Tensor t = Tensor.allocate(cl, m.inputShape())) {
                        for (int r = 0; r < runs; r++) {
                            t.buffer().write(dx.duplicate());
                            m.predict(t).buffer().read(dy.duplicate());
                        }
                    }
                }
                default -> {
                    try (Tensor t = Tensor.of(cl, m.inputShape(), x)) {
                        for (int r = 0; r < runs; r++) {
                            m.predict(t);
                            cl.finish();
                        }
                    }
                }
            }
            return null;
        };
    }

    /** Seconds for all tasks, one thread each, after one untimed warm-up round. */
    private static double time(List<Callable<Void>> tasks) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(tasks.size());
        try {
            for (int warm = 0; warm < 2; warm++) {
                long t0 = System.nanoTime();
                List<Future<Void>> fs = new ArrayList<>();
                for (Callable<Void> t : tasks) {
                    fs.add(pool.submit(t));
                }
                for (Future<Void> f : fs) {
                    f.get();
                }
                if (warm == 1) {
                    return (System.nanoTime() - t0) / 1e9;
                }
            }
            throw new AssertionError();
        } finally {
            pool.shutdown();
        }
    }
}
