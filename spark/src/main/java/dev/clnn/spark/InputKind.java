package dev.clnn.spark;

import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.BinaryType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.DoubleType;
import org.apache.spark.sql.types.FloatType;
import org.apache.spark.sql.types.StringType;

/** What an input column holds, decided once from its Spark type on the driver. */
enum InputKind {
    /** {@code array<float>}: one example, flattened in the model's input layout. */
    FLOATS,
    /** {@code array<double>}: as {@link #FLOATS}, narrowed to float. */
    DOUBLES,
    /** {@code binary}: an encoded PNG or JPEG (the {@code content} column of Spark's {@code binaryFile} source). */
    IMAGE_BYTES,
    /** {@code string}: the path or URI of a PNG or JPEG, read through Hadoop's file systems. */
    IMAGE_PATH;

    static final String ACCEPTED = "array<float> or array<double> (one example in the model's input layout), "
            + "binary (an encoded PNG or JPEG) or string (the path of one)";

    boolean isImage() {
        return this == IMAGE_BYTES || this == IMAGE_PATH;
    }

    /**
     * The kind of a column of type {@code type}.
     *
     * @throws IllegalArgumentException naming the column, its type and the types accepted
     */
    static InputKind of(String column, DataType type) {
        if (type instanceof ArrayType array) {
            if (array.elementType() instanceof FloatType) {
                return FLOATS;
            }
            if (array.elementType() instanceof DoubleType) {
                return DOUBLES;
            }
        } else if (type instanceof BinaryType) {
            return IMAGE_BYTES;
        } else if (type instanceof StringType) {
            return IMAGE_PATH;
        }
        throw new IllegalArgumentException("clnn-spark: input column '" + column + "' has type "
                + type.simpleString() + "; expected " + ACCEPTED);
    }

    /** The Spark type of the output column of floats. */
    static DataType floatArray() {
        return DataTypes.createArrayType(DataTypes.FloatType, false);
    }
}
