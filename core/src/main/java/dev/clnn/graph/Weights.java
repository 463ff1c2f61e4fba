package dev.clnn.graph;

/** Counting the host-side weights of ops. */
final class Weights {
    private Weights() {
    }

    static long count(Op op) {
        if (op instanceof Op.Conv c) {
            return c.weights().length + (c.bias() == null ? 0 : c.bias().length);
        }
        if (op instanceof Op.Dense d) {
            return d.weights().length + (d.bias() == null ? 0 : d.bias().length);
        }
        if (op instanceof Op.BatchNorm b) {
            return 4L * b.gamma().length;
        }
        if (op instanceof Op.BinaryConst b) {
            return b.constant().length;
        }
        return 0;
    }
}
