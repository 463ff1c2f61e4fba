package dev.clnn.cl;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Contexts, buffers, kernels, events, the program cache and error reporting, on every device. */
class RuntimeTest {
    private static final KernelSource SCALE = KernelSource.of("test/scale.cl",
            "#ifndef FACTOR\n#define FACTOR 2.0f\n#endif\n"
            + "__kernel void scale(__global float* x, const int n) {\n"
            + "  int i = get_global_id(0); if (i < n) x[i] *= FACTOR; }\n");

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.clnn.testing.TestDevices#stream")
    void buffersCopyBothWaysWithOffsets(ClDevice device) {
        try (ClContext cl = ClContext.create(device); ClBuffer b = cl.buffer(10)) {
            b.write(new float[] {0, 1, 2, 3, 4, 5, 6, 7, 8, 9});
            b.write(new float[] {-1, -2, -3}, 1, 7, 2);
            assertArrayEquals(new float[] {0, 1, 2, 3, 4, 5, 6, -2, -3, 9}, b.read());
            float[] part = new float[4];
            b.read(part, 1, 2, 3);
            assertArrayEquals(new float[] {0, 2, 3, 4}, part);
            b.write(FloatBuffer.wrap(new float[] {9, 8}));
            b.fill(0.5f);
            cl.finish();
            assertEquals(0.5f, b.read()[9]);
            assertEquals(40, cl.allocatedBytes());
            try (ClBuffer extra = cl.buffer(100)) {
                assertEquals(440, cl.allocatedBytes());
            }
            assertEquals(40, cl.allocatedBytes());
            assertEquals(440, cl.peakBytes());
            cl.resetPeak();
            assertEquals(40, cl.peakBytes());
            assertThrows(IllegalArgumentException.class, () -> b.write(new float[3], 0, 8, 3));
            assertThrows(IllegalArgumentException.class, () -> b.read(new float[2], 0, 0, 3));
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.clnn.testing.TestDevices#stream")
    void kernelsRunWithDefinesAndReportProfilingTimes(ClDevice device, @TempDir Path dir) {
        try (ClContext cl = ClContext.create(device, new ProgramCache(dir));
             ClBuffer b = cl.buffer(new float[] {1, 2, 3, 4, 5})) {
            ClKernel k = cl.program(SCALE, BuildOptions.none().define("FACTOR", "3.0f")).kernel("scale");
            k.args(b, 5);
            try (ClEvent e = k.launchProfiled(new long[] {8}, new long[] {8})) {
                assertTrue(e.durationNanos() >= 0);
                assertTrue(e.endNanos() >= e.startNanos());
            }
            assertArrayEquals(new float[] {3, 6, 9, 12, 15}, b.read());
            IllegalArgumentException bad = assertThrows(IllegalArgumentException.class,
                    () -> k.launch(new long[] {5}, new long[] {2}));
            assertTrue(bad.getMessage().contains("not a multiple"), bad.getMessage());
        }
    }

    private static final KernelSource GROUPS = KernelSource.of("test/groups.cl",
            "__kernel void groups(__global float* out) {\n"
            + "  size_t i = get_global_id(1) * get_global_size(0) + get_global_id(0);\n"
            + "  out[i] = (float)(get_num_groups(0) * get_num_groups(1)); }\n");

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.clnn.testing.TestDevices#stream")
    void aDriverChosenRangeGivesEveryCpuCoreWork(ClDevice device) {
        // (4, 523): 523 is prime, the shape on which a CPU driver's own choice left cores idle
        try (ClContext cl = ClContext.create(device); ClBuffer out = cl.buffer(4 * 523)) {
            ClKernel k = cl.program(GROUPS, BuildOptions.none()).kernel("groups");
            k.args(out);
            k.launch(new long[] {4, 523}, null);
            float[] groups = out.read();
            for (float g : groups) {
                assertEquals(groups[0], g);
            }
            if (device.isCpu()) {
                long wanted = Math.min(4 * 523, (long) WorkGroups.GROUPS_PER_CORE * device.computeUnits());
                assertTrue(groups[0] >= wanted, groups[0] + " work-groups for " + device.computeUnits() + " cores");
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.clnn.testing.TestDevices#stream")
    void recordsAnEventForEveryLaunchWhileRecording(ClDevice device) {
        try (ClContext cl = ClContext.create(device); ClBuffer b = cl.buffer(new float[] {1, 2})) {
            ClKernel k = cl.program(SCALE, BuildOptions.none()).kernel("scale").args(b, 2);
            k.launch(new long[] {2}, null);
            cl.startRecording();
            k.launch(new long[] {2}, null);
            k.launch(new long[] {2}, null);
            java.util.List<ClEvent> events = cl.stopRecording();
            k.launch(new long[] {2}, null);
            assertEquals(2, events.size());
            assertEquals("scale", events.get(0).label());
            assertTrue(ClEvent.totalNanos(events) >= 0);
            events.forEach(ClEvent::close);
            assertArrayEquals(new float[] {16, 32}, b.read());
            assertEquals(0, cl.stopRecording().size());
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.clnn.testing.TestDevices#stream")
    void programCacheReusesBinariesAndRebuildsCorruptOrStaleEntries(ClDevice device, @TempDir Path dir)
            throws Exception {
        ProgramCache cache = new ProgramCache(dir);
        BuildOptions options = BuildOptions.none().define("FACTOR", "5.0f");
        runScale(device, cache, options, 5f);
        assertEquals(1, cache.compiles());
        Path entry = cache.entryFile(device, SCALE, options);
        assertTrue(Files.isRegularFile(entry), "binary written to " + entry);

        runScale(device, cache, options, 5f);
        assertEquals(1, cache.diskHits(), "second context loads the binary from disk");
        assertEquals(1, cache.compiles());

        byte[] bytes = Files.readAllBytes(entry);
        bytes[bytes.length / 2] ^= 0x5A;
        Files.write(entry, bytes);
        runScale(device, cache, options, 5f);
        assertEquals(1, cache.rejected(), "a corrupt entry is detected");
        assertEquals(2, cache.compiles(), "and rebuilt from source");

        Files.write(entry, new byte[] {1, 2, 3});
        runScale(device, cache, options, 5f);
        assertEquals(2, cache.rejected(), "a truncated entry is detected");

        // an entry for other options copied over this one: the stored key no longer matches
        BuildOptions other = BuildOptions.none().define("FACTOR", "7.0f");
        runScale(device, cache, other, 7f);
        Files.copy(cache.entryFile(device, SCALE, other), entry, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        runScale(device, cache, options, 5f);
        assertEquals(3, cache.rejected(), "a stale entry is detected");
        try (var files = Files.list(dir)) {
            assertTrue(files.noneMatch(p -> p.toString().endsWith(".tmp")), "no temporary files left");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.clnn.testing.TestDevices#stream")
    void aCachedBinaryOfAnotherProgramIsDroppedAndRebuilt(ClDevice device, @TempDir Path dir) throws Exception {
        ProgramCache cache = new ProgramCache(dir);
        BuildOptions options = BuildOptions.none();
        KernelSource other = KernelSource.of("test/other.cl", "__kernel void other(__global float* x) { x[0] = 1; }");
        try (ClContext cl = ClContext.create(device, cache)) {
            cl.program(other, options).kernel("other").close();
        }
        // the other program's valid binary, stored under this program's key: it loads, but has no "scale"
        byte[] binary = entryBinary(cache.entryFile(device, other, options));
        byte[] key = ProgramCache.key(device, SCALE, options).getBytes(java.nio.charset.StandardCharsets.UTF_8);
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        try (java.io.DataOutputStream out = new java.io.DataOutputStream(bytes)) {
            out.write("CLNNBIN1".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            out.writeInt(key.length);
            out.write(key);
            out.writeInt(binary.length);
            out.write(binary);
            out.write(Hashing.sha256(binary));
        }
        Files.write(cache.entryFile(device, SCALE, options), bytes.toByteArray());
        long compiles = cache.compiles();
        runScale(device, cache, options, 2f);
        assertEquals(1, cache.rejected(), "the wrong program is detected when its kernel is missing");
        assertEquals(compiles + 1, cache.compiles(), "and rebuilt from source");
        long hits = cache.diskHits();
        runScale(device, cache, options, 2f);
        assertEquals(hits + 1, cache.diskHits(), "the rebuilt entry replaced the wrong one on disk");
        assertEquals(1, cache.rejected());
    }

    private static byte[] entryBinary(Path entry) throws java.io.IOException {
        try (java.io.DataInputStream in = new java.io.DataInputStream(Files.newInputStream(entry))) {
            in.readNBytes(8);
            in.readNBytes(in.readInt());
            return in.readNBytes(in.readInt());
        }
    }

    private static void runScale(ClDevice device, ProgramCache cache, BuildOptions options, float factor) {
        try (ClContext cl = ClContext.create(device, cache); ClBuffer b = cl.buffer(new float[] {1, 2})) {
            cl.program(SCALE, options).kernel("scale").args(b, 2).launch(new long[] {2}, null);
            assertArrayEquals(new float[] {factor, 2 * factor}, b.read());
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.clnn.testing.TestDevices#stream")
    void buildErrorsCarryTheLogAndOptions(ClDevice device, @TempDir Path dir) {
        KernelSource broken = KernelSource.of("test/broken.cl", "__kernel void f(__global float* x) { x[0] = y; }");
        try (ClContext cl = ClContext.create(device, new ProgramCache(dir))) {
            ProgramBuildException e = assertThrows(ProgramBuildException.class,
                    () -> cl.program(broken, BuildOptions.none().define("SOME", 1)));
            assertEquals("CL_BUILD_PROGRAM_FAILURE", e.statusName());
            assertTrue(e.getMessage().contains("test/broken.cl"), e.getMessage());
            assertTrue(e.getMessage().contains("-DSOME=1"), e.getMessage());
            assertTrue(!e.buildLog().isBlank(), "build log");
            ClException missing = assertThrows(ClException.class,
                    () -> cl.program(SCALE, BuildOptions.none()).kernel("nope"));
            assertEquals("nope", missing.kernel());
            assertTrue(missing.getMessage().contains("CL_INVALID_KERNEL_NAME"), missing.getMessage());
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.clnn.testing.TestDevices#stream")
    void closedHandlesFailClearlyAndCloseIsIdempotent(ClDevice device) {
        ClContext cl = ClContext.create(device);
        ClBuffer b = cl.buffer(4);
        b.close();
        b.close();
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> b.write(new float[4]));
        assertTrue(e.getMessage().contains("closed"), e.getMessage());
        ClBuffer alive = cl.buffer(4);
        cl.close();
        cl.close();
        assertThrows(IllegalStateException.class, alive::read);
        assertThrows(IllegalStateException.class, () -> cl.buffer(4));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.clnn.testing.TestDevices#stream")
    void oversizedBuffersAreRejectedBeforeTheDriverSeesThem(ClDevice device) {
        try (ClContext cl = ClContext.create(device)) {
            long tooMany = device.maxAllocBytes() / 4 + 1;
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> cl.buffer(tooMany));
            assertTrue(e.getMessage().contains("largest allocation"), e.getMessage());
        }
    }

    @Test
    void statusNamesAndMessages() {
        assertEquals("CL_OUT_OF_RESOURCES", ClException.statusName(-5));
        ClException e = new ClException(-5, "clEnqueueNDRangeKernel", "gemm_tiled", null);
        assertTrue(e.getMessage().startsWith("CL_OUT_OF_RESOURCES from clEnqueueNDRangeKernel (kernel gemm_tiled)"),
                e.getMessage());
        assertEquals("CL status 12345", ClException.statusName(12345));
    }

    @Test
    void buildOptionsRenderSortedAndRejectInjection() {
        BuildOptions o = BuildOptions.none().define("ZED", 1).define("ALPHA", "2.5f").flags("-cl-mad-enable");
        assertEquals("-DALPHA=2.5f -DZED=1 -cl-mad-enable", o.toString());
        assertThrows(IllegalArgumentException.class, () -> BuildOptions.none().define("lower", 1));
        assertThrows(IllegalArgumentException.class, () -> BuildOptions.none().define("X", "1 -DY=2"));
    }
}
