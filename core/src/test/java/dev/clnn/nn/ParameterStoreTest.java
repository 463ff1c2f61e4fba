package dev.clnn.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import dev.clnn.cl.ClBuffer;
import dev.clnn.cl.ClContext;
import dev.clnn.cl.ClDevice;
import dev.clnn.tensor.Layout;
import dev.clnn.tensor.Shape;
import dev.clnn.tensor.Tensor;
import dev.clnn.testing.Contexts;

/** The flat store: aligned offsets, zero padding, an unchanged count, and each parameter's view in place. */
class ParameterStoreTest {
    private static final Contexts CONTEXTS = new Contexts();

    @AfterAll
    static void closeContexts() {
        CONTEXTS.close();
    }

    /** Sizes 1, a prime, one past and exactly the PoCL alignment, and a matrix. */
    private static List<Parameter> parameters() {
        return List.of(
                new Parameter("one", Shape.of(1), Initializer.zeros()),
                new Parameter("prime", Shape.of(37), Initializer.glorotUniform(37, 1)),
                new Parameter("past", Shape.of(33), Initializer.glorotUniform(33, 1)),
                new Parameter("whole", Shape.of(32), Initializer.zeros()),
                new Parameter("matrix", Shape.of(5, 7), Initializer.glorotUniform(5, 7)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.clnn.testing.TestDevices#stream")
    void offsetsAreAlignedAndThePaddingStaysZero(ClDevice device) {
        ClContext cl = CONTEXTS.on(device);
        long align = ClBuffer.regionAlignFloats(device);
        List<Parameter> params = parameters();
        try (ParameterStore store = ParameterStore.allocate(cl, params)) {
            assertEquals(1 + 37 + 33 + 32 + 35, store.count(), "the count is the parameters' floats, no padding");
            long end = 0;
            for (Parameter p : params) {
                assertEquals(0, p.offset() % align, p + " at " + p.offset() + " on an alignment of " + align);
                assertEquals((end + align - 1) / align * align, p.offset(),
                        p + " at the first aligned float after the previous parameter");
                end = p.offset() + p.size();
            }
            assertEquals(end, store.floats(), "the buffers end with the last parameter");
            assertEquals(store.floats(), store.values().floats());
            assertEquals(store.floats(), store.gradients().floats());
            assertPaddingZero(store);
            assertArrayEquals(new float[(int) store.floats()],
                    store.gradients().read(), "the gradients start at zero");

            store.initialize(7);
            float[] written = new float[37];
            for (int i = 0; i < written.length; i++) {
                written[i] = i + 0.5f;
            }
            params.get(1).write(written);
            assertPaddingZero(store);
            assertArrayEquals(written, params.get(1).read());
            float[] all = store.values().read();
            for (int i = 0; i < written.length; i++) {
                assertEquals(written[i], all[(int) params.get(1).offset() + i], "float " + i + " at its offset");
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.clnn.testing.TestDevices#stream")
    void viewsShowTheValuesInPlace(ClDevice device) {
        ClContext cl = CONTEXTS.on(device);
        List<Parameter> params = parameters();
        Tensor matrix;
        long before = cl.allocatedBytes();
        try (ParameterStore store = ParameterStore.allocate(cl, params)) {
            long allocated = cl.allocatedBytes();
            matrix = params.get(4).view();
            assertEquals(allocated, cl.allocatedBytes(), "a view allocates nothing");
            assertSame(matrix, params.get(4).view(), "made once");
            assertEquals(Shape.of(5, 7), matrix.shape());
            assertEquals(Layout.ROW_MAJOR, matrix.layout());
            for (Parameter p : params) {
                assertArrayEquals(p.read(), p.view().toArray(), p + " through its view");
            }

            float[] next = new float[35];
            for (int i = 0; i < next.length; i++) {
                next[i] = -i;
            }
            params.get(4).write(next);
            assertArrayEquals(next, matrix.toArray(), "a parameter's write is seen through its view");

            float[] other = new float[37];
            java.util.Arrays.fill(other, 2.5f);
            params.get(1).view().copyFrom(other);
            store.changed();
            assertArrayEquals(other, params.get(1).read(), "a write through the view is the parameter's");
            assertArrayEquals(next, matrix.toArray(), "and touches no other parameter");
            assertPaddingZero(store);

            matrix.close();
            assertTrue(params.get(4).view() != matrix && !params.get(4).view().isClosed(),
                    "closing a view frees nothing; the next call gives a fresh one");
            matrix = params.get(4).view();
        }
        assertTrue(matrix.isClosed(), "the store closes the views with its buffers");
        assertThrows(IllegalStateException.class, matrix::toArray);
        assertEquals(before, cl.allocatedBytes());
    }

    /** Checks that every float of the flat buffers outside the parameters is zero. */
    static void assertPaddingZero(ParameterStore store) {
        float[] values = store.values().read();
        float[] gradients = store.gradients().read();
        boolean[] inside = new boolean[values.length];
        for (Parameter p : store.parameters()) {
            for (int i = 0; i < p.size(); i++) {
                inside[(int) p.offset() + i] = true;
            }
        }
        for (int i = 0; i < values.length; i++) {
            if (!inside[i]) {
                assertEquals(0f, values[i], "value of the padding at float " + i);
                assertEquals(0f, gradients[i], "gradient of the padding at float " + i);
            }
        }
    }
}
