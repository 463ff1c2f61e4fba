package dev.clnn.graph;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import dev.clnn.tensor.DType;
import dev.clnn.tensor.Shape;

/**
 * An inference graph: one or more input values, nodes in execution (topological) order, one or more
 * output values. Every input holds a batch of examples of its own example shape; all inputs of a
 * run share the batch size {@code N}, dimension 0 of every value. Shapes are inferred for any batch
 * size; activations are NHWC. An output may be an input or a value other nodes read too. The
 * single-value accessors ({@link #input()}, {@link #exampleShape()}, {@link #inputShape(int)},
 * {@link #output()}) are those of the first input and the first output. Immutable; build with
 * {@link #builder}, rewrite with {@link Passes}, run with {@link Executable}.
 */
public final class Graph {
    /** A graph input: its value name and the shape of one example (without the batch dimension). */
    public record Input(String name, Shape exampleShape) {
        public Input {
            if (name == null || name.isEmpty() || exampleShape == null) {
                throw new IllegalArgumentException("A graph input needs a name and an example shape, got " + name
                        + " " + exampleShape);
            }
        }

        /** The shape of a batch of {@code batch} examples: {@code (batch, exampleShape...)}. */
        public Shape shape(int batch) {
            int[] d = new int[exampleShape.rank() + 1];
            d[0] = batch;
            System.arraycopy(exampleShape.dims(), 0, d, 1, exampleShape.rank());
            return Shape.of(d);
        }
    }

    private final String name;
    private final List<Input> inputs;
    private final List<Node> nodes;
    private final List<String> outputs;

    Graph(String name, List<Input> inputs, List<Node> nodes, List<String> outputs) {
        this.name = name;
        this.inputs = List.copyOf(inputs);
        this.nodes = List.copyOf(nodes);
        this.outputs = List.copyOf(outputs);
        validate();
    }

    /** The same graph with other nodes (for {@link Passes}): inputs and outputs are kept. */
    Graph withNodes(List<Node> newNodes) {
        return new Graph(name, inputs, newNodes, outputs);
    }

    /**
     * Starts a graph whose (first) input value {@code input} holds examples of {@code exampleShape}
     * (without the batch dimension, e.g. {@code (224, 224, 3)} for NHWC images); more inputs are
     * declared with {@link Builder#input}.
     */
    public static Builder builder(String name, String input, Shape exampleShape) {
        return new Builder(name, input, exampleShape);
    }

    public String name() { return name; }

    /** The first input's value name. */
    public String input() { return inputs.get(0).name(); }

    /** Every input, in the order runs take them. */
    public List<Input> inputs() { return inputs; }

    /** The value names of the inputs, in order. */
    public List<String> inputNames() {
        return inputs.stream().map(Input::name).toList();
    }

    /** Whether {@code value} is one of the graph's inputs. */
    public boolean isInput(String value) {
        for (Input in : inputs) {
            if (in.name().equals(value)) {
                return true;
            }
        }
        return false;
    }

    /** The shape of one example of the first input, without the batch dimension. */
    public Shape exampleShape() { return inputs.get(0).exampleShape(); }

    /** The first input's shape for a batch of {@code batch} examples. */
    public Shape inputShape(int batch) {
        return inputs.get(0).shape(batch);
    }

    public List<Node> nodes() { return nodes; }

    /** The first output's value name. */
    public String output() { return outputs.get(0); }

    /** The value names of the outputs, in the order runs return them. */
    public List<String> outputs() { return outputs; }

    /** The node defining {@code value}, or {@code null} for a graph input. */
    public Node producer(String value) {
        for (Node n : nodes) {
            if (n.output().equals(value)) {
                return n;
            }
        }
        return null;
    }

    /** The nodes reading {@code value}. */
    public List<Node> consumers(String value) {
        List<Node> out = new ArrayList<>();
        for (Node n : nodes) {
            if (n.inputs().contains(value)) {
                out.add(n);
            }
        }
        return out;
    }

    /**
     * The shape of every value for a batch of {@code batch}, in definition order.
     *
     * @throws IllegalArgumentException naming the node whose inputs do not fit it
     */
    public Map<String, Shape> shapes(int batch) {
        if (batch < 1) {
            throw new IllegalArgumentException("Batch size must be at least 1, got " + batch);
        }
        Map<String, Shape> shapes = new LinkedHashMap<>();
        for (Input in : inputs) {
            shapes.put(in.name(), in.shape(batch));
        }
        for (Node n : nodes) {
            List<Shape> in = new ArrayList<>();
            for (String v : n.inputs()) {
                in.add(shapes.get(v));
            }
            try {
                shapes.put(n.output(), n.op().infer(in));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("Graph " + name + ", node " + n.name() + " (" + n.op().describe()
                        + "), inputs " + in + ": " + e.getMessage(), e);
            }
        }
        return shapes;
    }

    /**
     * How every value is stored, in definition order: the graph inputs as fp32, each node's output as
     * its op's {@link Op#storage()} (a {@link Op.Reshape}'s as its input). Only {@link Passes#storeHalf}
     * makes graphs with half-precision values; their outputs are fp32 like their inputs.
     */
    public Map<String, DType> types() {
        Map<String, DType> types = new LinkedHashMap<>();
        for (Input in : inputs) {
            types.put(in.name(), DType.FLOAT32);
        }
        for (Node n : nodes) {
            types.put(n.output(), n.op() instanceof Op.Reshape ? types.get(n.inputs().get(0)) : n.op().storage());
        }
        return types;
    }

    /** Floats of all weights and biases. */
    public long weightFloats() {
        long sum = 0;
        for (Node n : nodes) {
            sum += n.op().weightFloats();
        }
        return sum;
    }

    private void validate() {
        if (inputs.isEmpty() || outputs.isEmpty()) {
            throw new IllegalArgumentException("Graph " + name + " needs at least one input and one output, got inputs "
                    + inputNames() + " and outputs " + outputs);
        }
        Set<String> defined = new HashSet<>();
        for (Input in : inputs) {
            if (!defined.add(in.name())) {
                throw new IllegalArgumentException("Graph " + name + ": input " + in.name() + " is declared twice");
            }
        }
        Set<String> names = new HashSet<>();
        for (Node n : nodes) {
            if (!names.add(n.name())) {
                throw new IllegalArgumentException("Graph " + name + ": node name " + n.name() + " is used twice");
            }
            for (String v : n.inputs()) {
                if (!defined.contains(v)) {
                    throw new IllegalArgumentException("Graph " + name + ": node " + n.name() + " reads " + v
                            + ", which no earlier node defines");
                }
            }
            if (!defined.add(n.output())) {
                throw new IllegalArgumentException("Graph " + name + ": value " + n.output() + " is defined twice"
                        + (isInput(n.output()) ? " (it is a graph input)" : ""));
            }
        }
        Set<String> listed = new HashSet<>();
        for (String out : outputs) {
            if (!defined.contains(out)) {
                throw new IllegalArgumentException("Graph " + name + ": no node defines the output " + out);
            }
            if (!listed.add(out)) {
                throw new IllegalArgumentException("Graph " + name + ": output " + out + " is listed twice");
            }
        }
        checkTypes();
    }

    /** Every node reads each input as the type it is stored in, and the outputs are fp32. */
    private void checkTypes() {
        Map<String, DType> types = types();
        for (Node n : nodes) {
            for (int i = 0; i < n.inputs().size(); i++) {
                DType want = n.op() instanceof Op.Reshape ? types.get(n.inputs().get(i)) : n.op().inputType(i);
                if (types.get(n.inputs().get(i)) != want) {
                    throw new IllegalArgumentException("Graph " + name + ": node " + n.name() + " (" + n.op().describe()
                            + ") reads " + n.inputs().get(i) + " as " + want + ", but it is stored as "
                            + types.get(n.inputs().get(i)) + "; a Cast must come between them");
                }
            }
        }
        for (String out : outputs) {
            if (types.containsKey(out) && types.get(out) != DType.FLOAT32) {
                throw new IllegalArgumentException("Graph " + name + ": output " + out + " is stored as "
                        + types.get(out) + "; graph outputs are FLOAT32 (cast it)");
            }
        }
    }

    @Override
    public String toString() {
        return "Graph " + name + " (" + nodes.size() + " nodes, " + weightFloats() + " weights)";
    }

    /** Adds inputs and nodes in order; each {@code add} returns the new value's name. */
    public static final class Builder {
        private final String name;
        private final List<Input> inputs = new ArrayList<>();
        private final List<Node> nodes = new ArrayList<>();
        private final Map<String, Integer> counters = new HashMap<>();

        private Builder(String name, String input, Shape exampleShape) {
            this.name = name;
            inputs.add(new Input(input, exampleShape));
        }

        /**
         * Declares another input value {@code input} holding examples of {@code exampleShape} (no
         * batch dimension; the batch size is every input's); returns its name. Runs take the inputs
         * in the order they were declared, the builder's first one first.
         */
        public String input(String input, Shape exampleShape) {
            inputs.add(new Input(input, exampleShape));
            return input;
        }

        /** Adds a node named {@code nodeName} whose output value gets the same name; returns it. */
        public String add(String nodeName, Op op, String... inputs) {
            nodes.add(new Node(nodeName, op, List.of(inputs), nodeName));
            return nodeName;
        }

        /** Adds a node with a generated name {@code prefix_k}; returns its output value. */
        public String addAuto(String prefix, Op op, String... inputs) {
            int k = counters.merge(prefix, 1, Integer::sum);
            return add(prefix + "_" + k, op, inputs);
        }

        /**
         * The graph whose outputs are the values {@code outputs}, in the order runs return them: at
         * least one, each defined by a node or an input, none listed twice.
         *
         * @throws IllegalArgumentException when a node reads an undefined value, a name is taken
         *                                  twice, or an output is undefined or repeated
         */
        public Graph build(String... outputs) {
            return build(Arrays.asList(outputs));
        }

        /** As {@link #build(String...)}. */
        public Graph build(List<String> outputs) {
            if (outputs == null || outputs.stream().anyMatch(java.util.Objects::isNull)) {
                throw new IllegalArgumentException("Graph " + name + ": the outputs must be value names, got " + outputs);
            }
            return new Graph(name, inputs, nodes, outputs);
        }
    }
}
