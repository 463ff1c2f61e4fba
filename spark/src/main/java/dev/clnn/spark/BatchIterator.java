package dev.clnn.spark;

import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;

import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;

import dev.clnn.vision.Classifications;
import dev.clnn.cl.ClDevice;
import dev.clnn.models.Model;

/**
 * One partition's rows, run through the model {@code batch} rows at a time as Spark pulls them:
 * each output row is its input row with the model's output (and, for classifiers, the top classes)
 * appended. A partition never sits in memory whole; one batch of rows does.
 */
final class BatchIterator implements Iterator<Row> {
    private final Iterator<Row> rows;
    private final Model model;
    private final ClDevice device;
    private final InferenceOptions options;
    private final RowInput input;
    private final int partition;
    private final int batch;
    private final int exampleSize;
    private final int outputSize;
    private final Row[] pending;
    private final float[] in;
    private final float[] out;
    private int count;
    private int next;
    private long rowsRead;

    BatchIterator(Iterator<Row> rows, Model model, ClDevice device, InferenceOptions options, RowInput input,
                  int partition) {
        this.rows = rows;
        this.model = model;
        this.device = device;
        this.options = options;
        this.input = input;
        this.partition = partition;
        this.batch = model.inputShape().dim(0);
        this.exampleSize = (int) (model.inputShape().size() / batch);
        this.outputSize = (int) (model.outputShape().size() / batch);
        this.pending = new Row[batch];
        this.in = new float[batch * exampleSize];
        this.out = new float[batch * outputSize];
    }

    @Override
    public boolean hasNext() {
        if (next < count) {
            return true;
        }
        fill();
        return count > 0;
    }

    @Override
    public Row next() {
        if (!hasNext()) {
            throw new NoSuchElementException();
        }
        Row row = pending[next];
        pending[next] = null;
        return output(row, next++);
    }

    /** Reads up to one batch of rows and runs it; the rows past the last of a partition are zeros. */
    private void fill() {
        count = 0;
        next = 0;
        while (count < batch && rows.hasNext()) {
            Row row = rows.next();
            try {
                input.read(row, in, count * exampleSize);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(where(row) + e.getMessage(), e);
            }
            pending[count++] = row;
            rowsRead++;
        }
        if (count == 0) {
            return;
        }
        if (count < batch) {
            Arrays.fill(in, count * exampleSize, in.length, 0f);
        }
        try {
            model.predict(in, 0, out, 0);
        } catch (RuntimeException e) {
            throw new IllegalStateException("clnn-spark: partition " + partition + ", rows " + (rowsRead - count)
                    + " to " + (rowsRead - 1) + ": model " + options.modelName() + " failed on " + device + ": "
                    + e.getMessage(), e);
        }
    }

    private String where(Row row) {
        String at = "clnn-spark: partition " + partition + ", row " + rowsRead + " of the partition";
        int pathField = fieldIndex(row, "path");
        if (pathField >= 0 && !row.isNullAt(pathField) && !options.inputColumn().equals("path")) {
            at += " (path " + row.get(pathField) + ")";
        }
        return at + ": ";
    }

    private static int fieldIndex(Row row, String name) {
        if (row.schema() == null) {
            return -1;
        }
        return Arrays.asList(row.schema().fieldNames()).indexOf(name);
    }

    private Row output(Row row, int slot) {
        int width = row.length();
        boolean classify = options.topK() > 0;
        int extra = 1 + (classify ? 2 : 0) + (classify && !options.labels().isEmpty() ? 1 : 0);
        Object[] values = new Object[width + extra];
        for (int i = 0; i < width; i++) {
            values[i] = row.get(i);
        }
        int offset = slot * outputSize;
        values[width] = Arrays.copyOfRange(out, offset, offset + outputSize);
        if (classify) {
            float[] v = (float[]) values[width];
            int[] classes = Classifications.topIndices(v, options.topK());
            float[] p = Classifications.isDistribution(v) ? v : Classifications.softmax(v);
            float[] scores = new float[classes.length];
            for (int j = 0; j < classes.length; j++) {
                scores[j] = p[classes[j]];
            }
            values[width + 1] = classes;
            values[width + 2] = scores;
            if (extra == 4) {
                values[width + 3] = labels(classes, options.labels());
            }
        }
        return RowFactory.create(values);
    }

    private static String[] labels(int[] classes, List<String> names) {
        String[] result = new String[classes.length];
        for (int j = 0; j < classes.length; j++) {
            result[j] = classes[j] < names.size() ? names.get(classes[j]) : null;
        }
        return result;
    }
}
