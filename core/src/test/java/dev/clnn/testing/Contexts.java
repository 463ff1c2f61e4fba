package dev.clnn.testing;

import java.util.HashMap;
import java.util.Map;

import dev.clnn.cl.ClContext;
import dev.clnn.cl.ClDevice;

/** One context per device for a test class; close it in {@code @AfterAll}. */
public final class Contexts implements AutoCloseable {
    private final Map<Integer, ClContext> open = new HashMap<>();

    public ClContext on(ClDevice device) {
        return open.computeIfAbsent(device.index(), i -> ClContext.create(device));
    }

    @Override
    public void close() {
        open.values().forEach(ClContext::close);
        open.clear();
    }
}
