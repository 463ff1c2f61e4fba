package dev.clnn.spark;

import java.util.Arrays;
import java.util.List;

import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

import dev.clnn.tensor.Shape;

/** What a model's input and output shapes mean for the rows: the image layout and the output schema. */
final class ModelShapes {
    private ModelShapes() {
    }

    /**
     * How images become the input of a model that takes {@code example}: {@code (C, H, W)} with
     * C of 1 or 3 (NCHW, as PyTorch exports), else {@code (H, W, C)} (NHWC, as Keras and clnn's own
     * models).
     *
     * @throws IllegalArgumentException when the input is not an image of 1 or 3 channels
     */
    static ImagePreprocessing imageInput(String modelName, Shape example, float[] mean, float[] std) {
        int[] d = example.dims();
        if (d.length == 3 && (d[0] == 1 || d[0] == 3)) {
            return new ImagePreprocessing(d[1], d[2], d[0], true, mean, std);
        }
        if (d.length == 3 && (d[2] == 1 || d[2] == 3)) {
            return new ImagePreprocessing(d[0], d[1], d[2], false, mean, std);
        }
        throw new IllegalArgumentException("clnn-spark: model " + modelName + " takes " + example
                + " per row, not an image of 1 or 3 channels; give it a column of float arrays");
    }

    /**
     * {@code input}'s columns followed by the output columns of {@code o}.
     *
     * @throws IllegalArgumentException when an output column is already there
     */
    static StructType outputSchema(StructType input, InferenceOptions o) {
        List<String> names = Arrays.asList(input.fieldNames());
        StructType s = add(input, names, o.outputColumn(), InputKind.floatArray());
        if (o.topK() > 0) {
            s = add(s, names, o.classesColumn(), DataTypes.createArrayType(DataTypes.IntegerType, false));
            s = add(s, names, o.scoresColumn(), InputKind.floatArray());
            if (!o.labels().isEmpty()) {
                s = add(s, names, o.labelsColumn(), DataTypes.createArrayType(DataTypes.StringType, false));
            }
        }
        return s;
    }

    private static StructType add(StructType s, List<String> existing, String name,
                                  org.apache.spark.sql.types.DataType type) {
        if (existing.contains(name)) {
            throw new IllegalArgumentException("clnn-spark: output column '" + name
                    + "' exists already in the input; choose another with outputColumn(...)");
        }
        return s.add(name, type, false);
    }
}
