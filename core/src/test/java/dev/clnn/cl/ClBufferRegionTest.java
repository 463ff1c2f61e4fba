package dev.clnn.cl;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Regions (sub-buffers) of a buffer: the same memory, aligned, bounded, closed before their parent. */
class ClBufferRegionTest {
    private static final KernelSource ADD_ONE = KernelSource.of("test/add_one.cl",
            "__kernel void add_one(__global float* x) { x[get_global_id(0)] += 1.0f; }\n");

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.clnn.testing.TestDevices#stream")
    void readsWritesAndKernelsGoThroughToTheParent(ClDevice device) {
        try (ClContext cl = ClContext.create(device)) {
            long align = ClBuffer.regionAlignFloats(device);
            assertEquals(device.baseAddressAlignBytes() / 4, align);
            assertTrue(align >= 1 && device.baseAddressAlignBytes() % 4 == 0, "whole floats: " + align);
            int total = (int) (3 * align + 5);
            int at = (int) align;
            int length = (int) align + 3;
            float[] initial = new float[total];
            for (int i = 0; i < total; i++) {
                initial[i] = i;
            }
            try (ClBuffer parent = cl.buffer(initial)) {
                long before = cl.allocatedBytes();
                ClBuffer region = parent.region(at, length);
                assertEquals(before, cl.allocatedBytes(), "a region allocates nothing");
                assertEquals(length, region.floats());
                assertTrue(region.isRegion());
                assertFalse(parent.isRegion());
                assertArrayEquals(Arrays.copyOfRange(initial, at, at + length), region.read(), "the parent's floats");

                region.write(new float[] {-1, -2}, 0, 1, 2);
                float[] expected = initial.clone();
                expected[at + 1] = -1;
                expected[at + 2] = -2;
                assertArrayEquals(expected, parent.read(), "a write to the region lands in the parent");

                parent.write(new float[] {42}, 0, at + length - 1, 1);
                expected[at + length - 1] = 42;
                float[] last = new float[1];
                region.read(last, 0, length - 1, 1);
                assertEquals(42f, last[0], "a write to the parent is seen through the region");

                region.fill(7f);
                parent.write(new float[] {3}, 0, at, 1);
                for (int i = at; i < at + length; i++) {
                    expected[i] = 7;
                }
                expected[at] = 3;
                assertArrayEquals(expected, parent.read(), "fill covers the region only, and the floats around it"
                        + " keep their values");
                ClKernel k = cl.program(ADD_ONE, BuildOptions.none()).kernel("add_one");
                k.args(region);
                k.launch(new long[] {length}, null);
                for (int i = at; i < at + length; i++) {
                    expected[i] += 1;
                }
                assertArrayEquals(expected, parent.read(), "a kernel on the region updates the parent's floats");

                region.close();
                assertTrue(region.isClosed());
                assertFalse(parent.isClosed(), "closing a region leaves its parent open");
                assertEquals(expected[0], parent.read()[0]);
                region.close();   // idempotent
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.clnn.testing.TestDevices#stream")
    void misalignedOutOfRangeAndNestedRegionsAreRejected(ClDevice device) {
        try (ClContext cl = ClContext.create(device);
             ClBuffer parent = cl.buffer(4 * ClBuffer.regionAlignFloats(device))) {
            long align = parent.regionAlignFloats();
            assertThrows(IllegalArgumentException.class, () -> parent.region(0, 0), "empty");
            assertThrows(IllegalArgumentException.class, () -> parent.region(-align, 1), "negative offset");
            IllegalArgumentException tooLong = assertThrows(IllegalArgumentException.class,
                    () -> parent.region(align, parent.floats()));
            assertTrue(tooLong.getMessage().contains("does not fit"), tooLong.getMessage());
            try (ClBuffer whole = parent.region(0, parent.floats())) {
                IllegalArgumentException nested = assertThrows(IllegalArgumentException.class,
                        () -> whole.region(0, 1));
                assertTrue(nested.getMessage().contains("region of a region"), nested.getMessage());
            }
            if (align > 1) {   // the OpenCL full profile asks for at least 128 bytes
                IllegalArgumentException misaligned = assertThrows(IllegalArgumentException.class,
                        () -> parent.region(align + 1, 2));
                assertTrue(misaligned.getMessage().contains("misaligned")
                        && misaligned.getMessage().contains("CL_DEVICE_MEM_BASE_ADDR_ALIGN")
                        && misaligned.getMessage().contains(device.baseAddressAlignBytes() + " bytes"),
                        misaligned.getMessage());
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.clnn.testing.TestDevices#stream")
    void closingTheParentClosesItsRegionsFirst(ClDevice device) {
        try (ClContext cl = ClContext.create(device)) {
            long align = ClBuffer.regionAlignFloats(device);
            long before = cl.allocatedBytes();
            ClBuffer parent = cl.buffer(2 * align);
            ClBuffer first = parent.region(0, align);
            ClBuffer second = parent.region(align, align);
            ClBuffer closedEarly = parent.region(0, 1);
            closedEarly.close();
            parent.close();
            assertTrue(first.isClosed() && second.isClosed(), "the parent closed its open regions");
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> second.read());
            assertTrue(e.getMessage().contains("closed"), e.getMessage());
            assertThrows(IllegalStateException.class, () -> parent.region(0, 1));
            assertEquals(before, cl.allocatedBytes(), "the parent's bytes are released once");
            first.close();   // already closed: nothing happens
            assertEquals(before, cl.allocatedBytes());
        }
    }
}
