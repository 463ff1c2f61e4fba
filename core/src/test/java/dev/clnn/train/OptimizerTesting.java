package dev.clnn.train;

import java.util.List;

import dev.clnn.cl.ClContext;
import dev.clnn.nn.Initializer;
import dev.clnn.nn.Parameter;
import dev.clnn.nn.ParameterStore;
import dev.clnn.tensor.Shape;

/** A parameter store of two parameters holding given values, for optimizer tests. */
final class OptimizerTesting {
    private OptimizerTesting() {
    }

    /** A store whose values are {@code w} (split into two parameters, so the flat layout is exercised). */
    static ParameterStore store(ClContext cl, float[] w) {
        int first = Math.max(1, w.length / 3);
        ParameterStore s = ParameterStore.allocate(cl, List.of(
                new Parameter("a", Shape.of(first), Initializer.zeros()),
                new Parameter("b", Shape.of(w.length - first), Initializer.zeros())));
        s.values().write(w);
        return s;
    }

    static void gradients(ParameterStore s, float[] g) {
        s.gradients().write(g);
    }
}
