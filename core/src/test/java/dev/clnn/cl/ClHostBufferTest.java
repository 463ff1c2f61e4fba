package dev.clnn.cl;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Pinned host memory: copies in and out through it, from and to the middle of arrays, reused; bounds and close. */
class ClHostBufferTest {
    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.clnn.testing.TestDevices#stream")
    void copiesThroughPinnedMemory(ClDevice device) {
        try (ClContext cl = ClContext.create(device)) {
            long before = cl.allocatedBytes();
            try (ClHostBuffer pinned = cl.hostBuffer(100); ClBuffer dev = cl.buffer(100)) {
                assertEquals(100, pinned.floats());
                assertEquals(before + 400, cl.allocatedBytes(), "only the device buffer counts");
                float[] src = new float[130];
                for (int i = 0; i < src.length; i++) {
                    src[i] = i * 0.5f - 7;
                }
                pinned.upload(src, 30, 100, dev);
                assertArrayEquals(Arrays.copyOfRange(src, 30, 130), dev.read(), "uploaded from offset 30");
                pinned.upload(src, 0, 40, dev);       // reused, shorter: the rest of dev stays
                float[] back = new float[60];
                pinned.download(dev, back, 10, 50);
                float[] expected = new float[60];
                System.arraycopy(src, 0, expected, 10, 40);
                System.arraycopy(src, 70, expected, 50, 10);
                assertArrayEquals(expected, back, "downloaded into offset 10");

                IllegalArgumentException outside = assertThrows(IllegalArgumentException.class,
                        () -> pinned.upload(src, 100, 40, dev));
                assertTrue(outside.getMessage().contains("40 floats from offset 100 of an array of 130"),
                        outside.getMessage());
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                        () -> pinned.upload(new float[101], 0, 101, dev));
                assertTrue(e.getMessage().contains("101 floats through pinned memory of 100"), e.getMessage());
                pinned.close();
                IllegalStateException closed = assertThrows(IllegalStateException.class,
                        () -> pinned.upload(src, 0, 1, dev));
                assertTrue(closed.getMessage().contains("closed"), closed.getMessage());
            }
        }
    }

    /** A copy of several chunks, each enqueued as it is filled, then a second one over the first. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.clnn.testing.TestDevices#stream")
    void copiesOfSeveralChunksArriveWhole(ClDevice device) {
        int n = 2 * ClHostBuffer.CHUNK_FLOATS + 12345;
        float[] a = new float[n + 3];
        float[] b = new float[n];
        for (int i = 0; i < a.length; i++) {
            a[i] = i % 1000 - 500.25f;
        }
        for (int i = 0; i < n; i++) {
            b[i] = -i;
        }
        try (ClContext cl = ClContext.create(device); ClHostBuffer pinned = cl.hostBuffer(n);
             ClBuffer dev = cl.buffer(n)) {
            pinned.upload(a, 3, n, dev);
            assertArrayEquals(Arrays.copyOfRange(a, 3, n + 3), dev.read());
            pinned.upload(b, 0, n, dev);        // waits for the first copy's transfers before refilling
            float[] back = new float[n];
            pinned.download(dev, back, 0, n);
            assertArrayEquals(b, back);
        }
    }
}
