package dev.clnn.onnx;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.TensorProto;

import dev.clnn.models.WeightSource;
import dev.clnn.ops.ConvWeights;
import dev.clnn.tensor.Shape;

/**
 * Parameters from an ONNX model's initializers, by name: the weights of a model that
 * {@code clnn train --export-onnx} (or {@link OnnxExport}) wrote, for a builder such as
 * {@code MnistCnn.build} or {@code clnn bench mnist_cnn --weights FILE.onnx}. ONNX stores
 * convolution kernels OIHW; a parameter asked for as HWIO {@code (KH, KW, C, OC)} is transposed
 * from {@code (OC, C, KH, KW)}. Other parameters must match the shape asked for exactly.
 * Initializers are read with the importer's limits (external data checked against its file, one
 * byte budget) and only when asked for.
 */
public final class OnnxWeights implements WeightSource {
    private final Path file;
    private final Map<String, TensorProto> initializers = new LinkedHashMap<>();
    private final TensorSource source;

    private OnnxWeights(Path file, ModelProto model) {
        this.file = file;
        for (TensorProto t : model.getGraph().getInitializerList()) {
            initializers.put(t.getName(), t);
        }
        Path dir = file.toAbsolutePath().getParent();
        this.source = new TensorSource(dir, TensorSource.defaultBudget());
    }

    /**
     * Reads the model in {@code file} (its initializers are decoded on first use).
     *
     * @throws IOException          when the file cannot be read
     * @throws OnnxFormatException  when it is not a valid ONNX model
     */
    public static OnnxWeights read(Path file) throws IOException {
        return new OnnxWeights(file, ModelFile.read(file));
    }

    @Override
    public synchronized float[] get(String name, Shape shape, Kind kind, int fanIn) {
        TensorProto t = initializers.get(name);
        if (t == null) {
            throw new IllegalArgumentException(file + " has no initializer " + name + "; was it exported from this "
                    + "network (clnn train --export-onnx)?");
        }
        Const c = source.read(t);
        Shape stored = Shape.of(c.dims());
        float[] v = c.floats();
        if (stored.equals(shape)) {
            return v.clone();
        }
        if (shape.rank() == 4 && stored.rank() == 4 && stored.equals(Shape.of(shape.dim(3), shape.dim(2), shape.dim(0),
                shape.dim(1)))) {
            return ConvWeights.oihwToHwio(v, shape.dim(3), shape.dim(2), shape.dim(0), shape.dim(1));
        }
        throw new IllegalArgumentException(file + ": initializer " + name + " has shape " + stored + ", the network "
                + "needs " + shape + (shape.rank() == 4 ? " (HWIO) or its OIHW form" : ""));
    }

    @Override
    public String toString() {
        return "initializers of " + file + " (" + initializers.size() + ")";
    }
}
