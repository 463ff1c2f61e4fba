package dev.clnn.spark;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import dev.clnn.cl.ClDevice;
import dev.clnn.models.Model;
import dev.clnn.onnx.OnnxImport;
import dev.clnn.onnx.OnnxModel;

/**
 * The models compiled in this executor JVM: one per model, device and batch size, made by the
 * first task that needs it and shared by every later task and partition (a {@link Model} is safe
 * to call from the executor's task threads at once). They live as long as the executor.
 */
final class ExecutorModels {
    private record Key(String modelKey, String device, int batch) {
    }

    private static final Map<String, OnnxModel> IMPORTED = new ConcurrentHashMap<>();
    private static final Map<Key, Model> COMPILED = new ConcurrentHashMap<>();

    private ExecutorModels() {
    }

    /**
     * The model for {@code device} and {@code batch}, compiled on first use; {@code bytes} is read
     * only then (a broadcast value is fetched by the first task that reads it).
     */
    static Model get(String modelKey, String modelName, ByteSource bytes, ClDevice device, int batch,
                     int concurrency) {
        Key key = new Key(modelKey, device.identity() + "#" + device.index(), batch);
        Model model = COMPILED.computeIfAbsent(key, k -> {
            OnnxModel onnx = IMPORTED.computeIfAbsent(modelKey, m -> OnnxImport.load(bytes.get(), null, modelName));
            return onnx.compile(device, batch);
        });
        if (model.maxConcurrency() < concurrency) {
            synchronized (model) {
                if (model.maxConcurrency() < concurrency) {
                    model.maxConcurrency(concurrency);
                }
            }
        }
        return model;
    }

    /** How many models this executor holds (for tests: compiled once, not per partition). */
    static int compiledCount() {
        return COMPILED.size();
    }

    /** Closes every model; the next task compiles again. For tests and embedding applications. */
    static synchronized void closeAll() {
        for (Model m : COMPILED.values()) {
            m.close();
        }
        COMPILED.clear();
        IMPORTED.clear();
    }

    /** Supplies the model bytes lazily. */
    @FunctionalInterface
    interface ByteSource {
        byte[] get();
    }
}
