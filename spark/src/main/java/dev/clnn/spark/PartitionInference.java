package dev.clnn.spark;

import java.util.Collections;
import java.util.Iterator;
import java.util.List;

import org.apache.spark.TaskContext;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Row;

import dev.clnn.cl.ClDevice;
import dev.clnn.cl.Devices;
import dev.clnn.models.Model;

/**
 * The task side of {@link SparkInference}: picks the task's device, takes the executor's compiled
 * model for that device and batch size (compiling it the first time), and streams the partition
 * through it. Serialised into every task: it holds the broadcast handle, not the model bytes.
 */
final class PartitionInference implements MapPartitionsFunction<Row, Row> {
    private static final long serialVersionUID = 1L;

    private final Broadcast<byte[]> model;
    private final InferenceOptions options;
    private final int column;
    private final int exampleSize;
    private final String exampleShape;
    private final int concurrency;

    PartitionInference(Broadcast<byte[]> model, InferenceOptions options, int column, int exampleSize,
                       String exampleShape, int concurrency) {
        this.model = model;
        this.options = options;
        this.column = column;
        this.exampleSize = exampleSize;
        this.exampleShape = exampleShape;
        this.concurrency = concurrency;
    }

    @Override
    public Iterator<Row> call(Iterator<Row> rows) {
        if (!rows.hasNext()) {
            return Collections.emptyIterator();      // an empty partition compiles nothing
        }
        TaskContext task = TaskContext.get();
        int partition = task == null ? -1 : task.partitionId();
        ClDevice device;
        Model compiled;
        try {
            device = device(task, partition);
        } catch (RuntimeException e) {
            throw new IllegalStateException("clnn-spark: partition " + partition + ": no OpenCL device: "
                    + e.getMessage(), e);
        }
        try {
            compiled = ExecutorModels.get(options.modelKey(), options.modelName(), model::value, device,
                    options.batchSize(), concurrency);
        } catch (RuntimeException e) {
            throw new IllegalStateException("clnn-spark: partition " + partition + ": cannot compile model "
                    + options.modelName() + " for batch size " + options.batchSize() + " on " + device + ": "
                    + e.getMessage(), e);
        }
        RowInput input = new RowInput(options, column, exampleSize, exampleShape);
        return new BatchIterator(rows, compiled, device, options, input, partition);
    }

    /**
     * The device of this task. A spec that selects several devices spreads the partitions over
     * them in turn (partition {@code p} runs on device {@code p mod n}).
     */
    private ClDevice device(TaskContext task, int partition) {
        String spec = options.deviceSpec();
        if (spec != null && !spec.isBlank()) {
            List<ClDevice> devices = Devices.select(spec);
            return devices.get(Math.floorMod(partition, devices.size()));
        }
        return ExecutorDevice.forTask(task);
    }
}
