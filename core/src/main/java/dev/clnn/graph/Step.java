package dev.clnn.graph;

import java.util.ArrayList;
import java.util.List;

import dev.clnn.tensor.Tensor;

/**
 * One configured node of a {@link Lane}: the operator built for its shapes and device (its kernel
 * objects and any packed copy of its weights); the weights themselves come from the executable's
 * shared {@link Constants}. Made by {@link StepFactory}. Runs without allocating or compiling.
 * Used by one thread at a time.
 */
abstract class Step implements AutoCloseable {
    private final List<AutoCloseable> owned = new ArrayList<>();

    /** Reads {@code in}, writes {@code out}. */
    abstract void run(Tensor[] in, Tensor out);

    <T extends AutoCloseable> T own(T resource) {
        owned.add(resource);
        return resource;
    }

    @Override
    public void close() {
        for (int i = owned.size() - 1; i >= 0; i--) {
            try {
                owned.get(i).close();
            } catch (Exception ignored) {
                // close() of clnn resources never throws; nothing to add
            }
        }
        owned.clear();
    }

    interface Body {
        void run(Tensor[] in, Tensor out);
    }

    /** A step running {@code body}, owning (and closing) {@code operators}. */
    static Step of(Body body, AutoCloseable... operators) {
        Step step = new Step() {
            @Override
            void run(Tensor[] in, Tensor out) {
                body.run(in, out);
            }
        };
        for (AutoCloseable op : operators) {
            step.own(op);
        }
        return step;
    }
}
