package dev.clnn.models;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import dev.clnn.graph.Graph;
import dev.clnn.graph.Op;
import dev.clnn.nn.Conv2d;
import dev.clnn.nn.Dense;
import dev.clnn.nn.Flatten;
import dev.clnn.nn.Layer;
import dev.clnn.nn.Parameter;
import dev.clnn.nn.Relu;
import dev.clnn.nn.Sequential;
import dev.clnn.ops.Activation;
import dev.clnn.ops.Conv2dParams;
import dev.clnn.tensor.Shape;

/**
 * A stack of {@code nn} layers as an inference {@link Graph}: the one definition of a network
 * serves training ({@link Sequential}) and inference ({@link Model}, {@code clnn bench}). Layers
 * and parameters keep their Keras names ({@code conv2d/kernel}, {@code dense_1/bias}), which is
 * what a {@link WeightSource} is asked for.
 *
 * <pre>{@code
 * trainer.fit(...);                                          // a trained Sequential
 * try (Model m = Model.compile(model, 64)) {                 // its current weights, fused kernels
 *     float[] logits = m.predict(images);
 * }
 * }</pre>
 */
public final class SequentialGraph {
    private SequentialGraph() {
    }

    /** The layers of {@code model} with their current (trained) parameters, read from the device. */
    public static Graph of(Sequential model, String name) {
        Map<String, float[]> values = new HashMap<>();
        for (Parameter p : model.parameters()) {
            values.put(p.name(), p.read());
        }
        WeightSource trained = (param, shape, kind, fanIn) -> {
            float[] v = values.get(param);
            if (v == null || v.length != shape.size()) {
                throw new IllegalArgumentException("The model has no parameter " + param + " of shape " + shape);
            }
            return v;
        };
        return of(name, model.inputShape(), model.layers(), trained);
    }

    /**
     * The graph of {@code layers} (built or not) for examples of {@code inputShape} (NHWC, no batch
     * axis), with parameters from {@code weights}.
     *
     * @throws IllegalArgumentException for a layer kind that has no inference op
     */
    public static Graph of(String name, Shape inputShape, List<Layer> layers, WeightSource weights) {
        Graph.Builder g = Graph.builder(name, "input", inputShape);
        List<String> names = Sequential.layerNames(layers);
        String x = "input";
        Shape shape = inputShape;          // per example
        for (int i = 0; i < layers.size(); i++) {
            Layer layer = layers.get(i);
            String n = names.get(i);
            Op op;
            if (layer instanceof Conv2d c) {
                Shape w = Shape.of(c.kernelHeight(), c.kernelWidth(), shape.dim(-1), c.filters());
                int[] pad = c.padsFor(shape);
                Conv2dParams p = Conv2dParams.defaults().withStride(c.stride())
                        .withPadding(pad[0], pad[1], pad[2], pad[3]).withActivation(c.activation());
                op = new Op.Conv(p, w,
                        weights.get(n + "/kernel", w, WeightSource.Kind.KERNEL, (int) (w.size() / c.filters())),
                        weights.get(n + "/bias", Shape.of(c.filters()), WeightSource.Kind.BIAS, 0));
            } else if (layer instanceof Dense d) {
                int in = shape.sizeAsInt();
                Shape w = Shape.of(in, d.units());
                op = new Op.Dense(in, d.units(), weights.get(n + "/kernel", w, WeightSource.Kind.KERNEL, in),
                        weights.get(n + "/bias", Shape.of(d.units()), WeightSource.Kind.BIAS, 0), d.activation());
            } else if (layer instanceof Flatten) {
                op = new Op.Reshape(new int[] {shape.sizeAsInt()});
            } else if (layer instanceof Relu) {
                op = new Op.Act(Activation.RELU);
            } else {
                throw new IllegalArgumentException("Layer " + n + " (" + layer.kind() + ") has no inference op");
            }
            int[] batched = new int[shape.rank() + 1];
            batched[0] = 1;
            System.arraycopy(shape.dims(), 0, batched, 1, shape.rank());
            Shape out = op.infer(List.of(Shape.of(batched)));
            shape = Shape.of(java.util.Arrays.copyOfRange(out.dims(), 1, out.rank()));
            x = g.add(n, op, x);
        }
        return g.build(x);
    }
}
