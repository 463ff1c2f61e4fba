package dev.clnn.spark;

import java.io.IOException;
import java.util.Arrays;
import java.util.List;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Row;

/**
 * Reads one row's input column into a batch: floats as they are, images decoded and preprocessed.
 * Every mistake is an {@link IllegalArgumentException} whose message says what is wrong with the
 * value; {@link BatchIterator} adds where (partition and row).
 */
final class RowInput {
    /** Hadoop's settings as the executor sees them (core-site.xml on its class path); made once. */
    private static volatile Configuration hadoop;

    private final InferenceOptions options;
    private final int column;
    private final int exampleSize;
    private final String exampleShape;

    RowInput(InferenceOptions options, int column, int exampleSize, String exampleShape) {
        this.options = options;
        this.column = column;
        this.exampleSize = exampleSize;
        this.exampleShape = exampleShape;
    }

    /** Writes the example of {@code row} into {@code batch} from {@code offset}. */
    void read(Row row, float[] batch, int offset) {
        if (row.isNullAt(column)) {
            throw new IllegalArgumentException("column '" + options.inputColumn() + "' is null");
        }
        switch (options.kind()) {
            case FLOATS, DOUBLES -> readNumbers(row, batch, offset);
            case IMAGE_BYTES -> options.image().decode(row.<byte[]>getAs(column), batch, offset);
            case IMAGE_PATH -> {
                String path = row.getString(column);
                try {
                    options.image().decode(readFile(path), batch, offset);
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException(path + ": " + e.getMessage(), e);
                }
            }
            default -> throw new IllegalStateException("unknown input kind " + options.kind());
        }
    }

    /**
     * An array column arrives as a Scala sequence when Spark decoded the row, or as the Java array a
     * preceding map function put into it when Spark passed that row on without encoding it.
     */
    private void readNumbers(Row row, float[] batch, int offset) {
        Object value = unwrap(row.get(column));
        if (value instanceof float[] f) {
            checkLength(f.length);
            System.arraycopy(f, 0, batch, offset, exampleSize);
        } else if (value instanceof double[] d) {
            checkLength(d.length);
            for (int i = 0; i < exampleSize; i++) {
                batch[offset + i] = (float) d[i];
            }
        } else {
            List<?> values = value instanceof List<?> list ? list
                    : value instanceof Object[] array ? Arrays.asList(array) : row.getList(column);
            checkLength(values.size());
            for (int i = 0; i < exampleSize; i++) {
                Object v = values.get(i);
                if (v == null) {
                    throw new IllegalArgumentException("column '" + options.inputColumn() + "' has a null at index " + i);
                }
                batch[offset + i] = ((Number) v).floatValue();
            }
        }
    }

    /** The primitive array under a Scala array sequence (what Spark decodes an array column to), else the value. */
    private static Object unwrap(Object value) {
        if (value instanceof scala.collection.mutable.ArraySeq<?> seq) {
            return seq.array();
        }
        if (value instanceof scala.collection.immutable.ArraySeq<?> seq) {
            return seq.unsafeArray();
        }
        return value;
    }

    private void checkLength(int length) {
        if (length != exampleSize) {
            throw new IllegalArgumentException("column '" + options.inputColumn() + "' holds " + length
                    + " values; model " + options.modelName() + " takes " + exampleSize + " per row " + exampleShape);
        }
    }

    private static byte[] readFile(String path) {
        try {
            Path p = new Path(path);
            FileSystem fs = p.getFileSystem(configuration());
            long length = fs.getFileStatus(p).getLen();
            if (length > Integer.MAX_VALUE - 8) {
                throw new IllegalArgumentException("the file has " + length + " bytes, too many for one image");
            }
            byte[] bytes = new byte[(int) length];
            try (FSDataInputStream in = fs.open(p)) {
                in.readFully(0, bytes);
            }
            return bytes;
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read the image: " + e, e);
        }
    }

    private static Configuration configuration() {
        Configuration c = hadoop;
        if (c == null) {
            c = new Configuration();
            hadoop = c;
        }
        return c;
    }
}
