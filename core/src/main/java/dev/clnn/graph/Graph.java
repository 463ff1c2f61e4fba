package dev.clnn.graph;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import dev.clnn.tensor.Shape;

/**
 * An inference graph: one input value, nodes in execution (topological) order, one output value.
 * Shapes carry the batch dimension first and are inferred for any batch size; activations are
 * NHWC. Immutable; build with {@link #builder}, rewrite with {@link Passes}, run with
 * {@link Executable}.
 */
public final class Graph {
    private final String name;
    private final String input;
    private final Shape exampleShape;
    private final List<Node> nodes;
    private final String output;

    Graph(String name, String input, Shape exampleShape, List<Node> nodes, String output) {
        this.name = name;
        this.input = input;
        this.exampleShape = exampleShape;
        this.nodes = List.copyOf(nodes);
        this.output = output;
        validate();
    }

    /**
     * Starts a graph whose input value {@code input} holds examples of {@code exampleShape}
     * (without the batch dimension, e.g. {@code (224, 224, 3)} for NHWC images).
     */
    public static Builder builder(String name, String input, Shape exampleShape) {
        return new Builder(name, input, exampleShape);
    }

    public String name() { return name; }

    public String input() { return input; }

    /** The shape of one example, without the batch dimension. */
    public Shape exampleShape() { return exampleShape; }

    /** The input shape for a batch of {@code batch} examples. */
    public Shape inputShape(int batch) {
        int[] d = new int[exampleShape.rank() + 1];
        d[0] = batch;
        System.arraycopy(exampleShape.dims(), 0, d, 1, exampleShape.rank());
        return Shape.of(d);
    }

    public List<Node> nodes() { return nodes; }

    public String output() { return output; }

    /** The node defining {@code value}, or {@code null} for the graph input. */
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
        shapes.put(input, inputShape(batch));
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

    /** Floats of all weights and biases. */
    public long weightFloats() {
        long sum = 0;
        for (Node n : nodes) {
            sum += n.op().weightFloats();
        }
        return sum;
    }

    private void validate() {
        Set<String> defined = new HashSet<>(Collections.singleton(input));
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
                throw new IllegalArgumentException("Graph " + name + ": value " + n.output() + " is defined twice");
            }
        }
        if (!defined.contains(output)) {
            throw new IllegalArgumentException("Graph " + name + ": no node defines the output " + output);
        }
    }

    @Override
    public String toString() {
        return "Graph " + name + " (" + nodes.size() + " nodes, " + weightFloats() + " weights)";
    }

    /** Adds nodes in order; each {@code add} returns the new value's name. */
    public static final class Builder {
        private final String name;
        private final String input;
        private final Shape exampleShape;
        private final List<Node> nodes = new ArrayList<>();
        private final Map<String, Integer> counters = new HashMap<>();

        private Builder(String name, String input, Shape exampleShape) {
            this.name = name;
            this.input = input;
            this.exampleShape = exampleShape;
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

        public Graph build(String output) {
            return new Graph(name, input, exampleShape, nodes, output);
        }
    }
}
