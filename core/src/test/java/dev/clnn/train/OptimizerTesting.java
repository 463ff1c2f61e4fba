package dev.clnn.train;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import java.util.List;

import dev.clnn.cl.ClContext;
import dev.clnn.nn.Initializer;
import dev.clnn.nn.Parameter;
import dev.clnn.nn.ParameterStore;
import dev.clnn.tensor.Shape;

/**
 * A parameter store of two parameters holding given values, for optimizer tests. The second
 * parameter starts at an aligned offset past the first (on every device whose alignment is more
 * than a float), so the optimizers also run over the padding between them, which {@link #values}
 * checks is still zero.
 */
final class OptimizerTesting {
    private OptimizerTesting() {
    }

    /** A store whose values are {@code w} (split into two parameters, so the flat layout is exercised). */
    static ParameterStore store(ClContext cl, float[] w) {
        int first = Math.max(1, w.length / 3);
        ParameterStore s = ParameterStore.allocate(cl, List.of(
                new Parameter("a", Shape.of(first), Initializer.zeros()),
                new Parameter("b", Shape.of(w.length - first), Initializer.zeros())));
        int at = 0;
        for (Parameter p : s.parameters()) {
            p.write(Arrays.copyOfRange(w, at, at + p.size()));
            at += p.size();
        }
        return s;
    }

    /** Writes the gradients {@code g}, parameter after parameter, at their offsets. */
    static void gradients(ParameterStore s, float[] g) {
        int at = 0;
        for (Parameter p : s.parameters()) {
            s.gradients().write(g, at, p.offset(), p.size());
            at += p.size();
        }
    }

    /** The values of the parameters, in order, after checking that values and gradients are zero between them. */
    static float[] values(ParameterStore s) {
        float[] all = s.values().read();
        float[] grads = s.gradients().read();
        float[] out = new float[Math.toIntExact(s.count())];
        int at = 0;
        long end = 0;
        for (Parameter p : s.parameters()) {
            for (long i = end; i < p.offset(); i++) {
                assertEquals(0f, all[(int) i], "value of the padding at float " + i);
                assertEquals(0f, grads[(int) i], "gradient of the padding at float " + i);
            }
            System.arraycopy(all, (int) p.offset(), out, at, p.size());
            at += p.size();
            end = p.offset() + p.size();
        }
        for (long i = end; i < all.length; i++) {
            assertEquals(0f, all[(int) i], "value past the last parameter at float " + i);
        }
        return out;
    }
}
