package dev.clnn.graph;

import java.util.List;

/**
 * One step of a {@link Graph}: an {@link Op} reading the named values {@code inputs} and
 * defining the value {@code output}. Value names are unique within a graph.
 */
public record Node(String name, Op op, List<String> inputs, String output) {
    public Node {
        inputs = List.copyOf(inputs);
        if (inputs.size() != op.arity()) {
            throw new IllegalArgumentException("Node " + name + " (" + op.describe() + ") takes " + op.arity()
                    + " inputs, got " + inputs);
        }
    }

    /** The same node with another op and inputs (for fusion passes). */
    Node with(Op newOp, List<String> newInputs) {
        return new Node(name, newOp, newInputs, output);
    }
}
