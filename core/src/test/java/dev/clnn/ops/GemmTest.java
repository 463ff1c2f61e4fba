package dev.clnn.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import dev.clnn.cl.ClBuffer;
import dev.clnn.cl.ClContext;
import dev.clnn.cl.ClDevice;
import dev.clnn.reference.Comparison;
import dev.clnn.reference.ReferenceGemm;
import dev.clnn.reference.Tolerances;
import dev.clnn.testing.Contexts;
import dev.clnn.testing.TestData;
import dev.clnn.testing.TestDevices;

/** Every GEMM variant on every device against the plain-Java reference, over shapes that hit every edge of every tile. */
class GemmTest {
    private static final Contexts CONTEXTS = new Contexts();

    /** m, n, k: ones, primes, sizes just off the tile and vector widths, and a few larger ones. */
    private static final int[][] SHAPES = {
        {1, 1, 1}, {1, 7, 3}, {7, 1, 5}, {2, 3, 1}, {5, 5, 5}, {13, 17, 19}, {31, 37, 41},
        {64, 64, 64}, {65, 63, 67}, {33, 129, 16}, {128, 96, 80}, {97, 131, 257}, {1, 300, 123}, {300, 1, 77},
        {200, 203, 199},
    };

    /** Under Oclgrind: still every edge of every variant's blocks (MR 3/8, NR 4/32, tiles 32/64), far fewer flops. */
    private static final int[][] SMALL_SHAPES = {
        {1, 1, 1}, {2, 3, 1}, {5, 7, 3}, {13, 17, 19}, {9, 33, 5}, {65, 66, 4},
    };

    private static final GemmConfig[] VARIANTS = {
        GemmConfig.general(),
        GemmConfig.cpu(8, 16, 2),
        GemmConfig.cpu(3, 4, 1),
        GemmConfig.cpu(6, 16, 4, 96, 128),     // the AVX-512 entry: strips and K slices
        GemmConfig.cpu(3, 4, 2, 9, 4),          // strips of 3 blocks, K slices of 4 that divide few K
        GemmConfig.tiled(64, 64, 16, 4, 4),
        GemmConfig.tiled(32, 64, 8, 4, 8),
        GemmConfig.tiled(32, 32, 8, 4, 4, 16),  // split K: slices of 16, the last one short
        GemmConfig.tiled(128, 64, 16, 8, 4),    // the H200's narrow tile
        GemmConfig.tiled(32, 32, 8, 4, 4, 0, 4),    // K groups: 4 groups share a tile, some with no slice at all
        GemmConfig.tiled(32, 64, 8, 4, 8).withDoubleBuffer(1),       // two pairs of local slices
        GemmConfig.tiled(32, 32, 8, 4, 4, 16).withDoubleBuffer(1),   // the same with K slices
        GemmConfig.splitk(7),       // slices that divide no K of the shapes
        GemmConfig.splitk(256),
    };

    @AfterAll
    static void closeContexts() {
        CONTEXTS.close();
    }

    static Stream<Arguments> cases() {
        return TestDevices.crossedWith(VARIANTS);
    }

    static Stream<Arguments> tiledCases() {
        return TestDevices.crossedWith(Arrays.stream(VARIANTS).filter(c -> c.variant() == GemmConfig.Variant.TILED)
                .toArray(GemmConfig[]::new));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("cases")
    void matchesEjmlOnEveryShapeAndTranspose(ClDevice device, GemmConfig config) {
        ClContext cl = CONTEXTS.on(device);
        long seed = 1;
        for (int[] s : TestDevices.isSimulator(device) ? SMALL_SHAPES : SHAPES) {
            for (int t = 0; t < 4; t++) {
                check(cl, config, new GemmShape(t / 2 == 1, t % 2 == 1, s[0], s[1], s[2],
                        t / 2 == 1 ? s[0] : s[2], t % 2 == 1 ? s[2] : s[1], s[1]), 1f, 0f, 0, seed++);
            }
        }
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("cases")
    void honoursLeadingDimensionsOffsetsAlphaAndBeta(ClDevice device, GemmConfig config) {
        ClContext cl = CONTEXTS.on(device);
        long seed = 100;
        int[][] shapes = TestDevices.isSimulator(device) ? new int[][] {{1, 1, 1}, {19, 23, 9}}
                : new int[][] {{1, 1, 1}, {19, 23, 29}, {70, 45, 33}};
        for (int[] s : shapes) {
            for (int t = 0; t < 4; t++) {
                boolean ta = t / 2 == 1;
                boolean tb = t % 2 == 1;
                int lda = (ta ? s[0] : s[2]) + 3;
                int ldb = (tb ? s[2] : s[1]) + 5;
                int ldc = s[1] + 2;
                check(cl, config, new GemmShape(ta, tb, s[0], s[1], s[2], lda, ldb, ldc), 0.5f, -1.5f, 7, seed++);
                check(cl, config, new GemmShape(ta, tb, s[0], s[1], s[2], lda, ldb, ldc), 2f, 0f, 3, seed++);
            }
        }
    }

    /**
     * A product whose B changes on every run, that no tile reaches past (N a multiple of TN, K of TK, B
     * not transposed) and whose rows start on 16-byte boundaries (ldb a multiple of 4) reads B in place
     * in the tiled form, from any offset (one off the 16-byte grid through an aligned copy); one that a
     * tile reaches past, a transposed B or rows off the grid are packed.
     */
    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("tiledCases")
    void theTiledFormReadsAnUnpaddedBInPlace(ClDevice device, GemmConfig config) {
        ClContext cl = CONTEXTS.on(device);
        int n = 2 * config.tn();
        int k = 3 * config.tk();
        for (int m : TestDevices.isSimulator(device) ? new int[] {3} : new int[] {1, 37}) {
            GemmShape inPlace = new GemmShape(false, false, m, n, k, k + 3, n + 4, n + 1);
            assertFalse(GemmLayout.of(config, inPlace, Gemm.Seams.PRODUCT, device).packB, config + " " + inPlace);
            check(cl, config, inPlace, 0.5f, -1.5f, 3, 700 + m);      // B from an offset off the 16-byte grid
            check(cl, config, inPlace, 1f, 0f, 0, 800 + m);
            check(cl, config, inPlace, 1f, 0f, 8, 900 + m);
        }
        assertTrue(GemmLayout.of(config, new GemmShape(false, false, 5, n, k, k, n + 5, n), Gemm.Seams.PRODUCT,
                device).packB, "rows off the 16-byte grid");
        assertTrue(GemmLayout.of(config, new GemmShape(false, true, 5, n, k, k, k, n), Gemm.Seams.PRODUCT, device).packB);
        assertTrue(GemmLayout.of(config, GemmShape.of(5, n - 1, k), Gemm.Seams.PRODUCT, device).packB);
        assertTrue(GemmLayout.of(config, GemmShape.of(5, n, k + 1), Gemm.Seams.PRODUCT, device).packB);
        assertTrue(GemmLayout.of(config, GemmShape.of(5, n, k), Gemm.Seams.layer(null), device).packB,
                "a constant B is packed once");
    }

    /**
     * A layer's A, not transposed, with lda and K multiples of 4, is read by the tiled form in float4s
     * (zero past M and K); a transposed A, or lda or K off the 16-byte grid, keeps its element-wise reads,
     * as every layer does with {@code -Dclnn.gemm.vectorA=off}; a plain product packs A.
     */
    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("tiledCases")
    void aLayersPlainAIsReadInFloat4s(ClDevice device, GemmConfig config) {
        ClContext cl = CONTEXTS.on(device);
        int n = config.tn() + 3;
        int k = 3 * config.tk() + 4;        // a last slice partly past K
        Gemm.Seams layer = Gemm.Seams.layer(new Gemm.Epilogue(Activation.RELU, true, null));
        String before = System.getProperty(GemmLayout.VECTOR_PROPERTY);
        System.clearProperty(GemmLayout.VECTOR_PROPERTY);
        try {
            for (int m : TestDevices.isSimulator(device) ? new int[] {3} : new int[] {1, config.tm() + 5}) {
                GemmShape s = GemmShape.of(m, n, k);
                assertTrue(GemmLayout.of(config, s, layer, device).vectorA, config + " " + s);
                checkSeams(cl, config, s, layer, 1000 + m);
            }
            for (GemmShape elementWise : new GemmShape[] {new GemmShape(true, false, 5, n, k, 8, n, n),
                new GemmShape(false, false, 5, n, k, k + 1, n, n), GemmShape.of(5, n, k + 1)}) {
                assertFalse(GemmLayout.of(config, elementWise, layer, device).vectorA, config + " " + elementWise);
            }
            GemmLayout product = GemmLayout.of(config, GemmShape.of(5, n, k), Gemm.Seams.PRODUCT, device);
            assertTrue(product.packA && !product.vectorA, "a plain product packs A");
            System.setProperty(GemmLayout.VECTOR_PROPERTY, "off");
            assertFalse(GemmLayout.of(config, GemmShape.of(5, n, k), layer, device).vectorA, "turned off");
            checkSeams(cl, config, GemmShape.of(3, n, k), layer, 1300);
            System.setProperty(GemmLayout.VECTOR_PROPERTY, "sometimes");
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> GemmLayout.of(config, GemmShape.of(5, n, k), layer, device));
            assertTrue(e.getMessage().contains("use on or off"), e.getMessage());
        } finally {
            if (before == null) {
                System.clearProperty(GemmLayout.VECTOR_PROPERTY);
            } else {
                System.setProperty(GemmLayout.VECTOR_PROPERTY, before);
            }
        }
    }

    /** The fused epilogues the seam test cycles through: each activation kind meets every form over the shapes. */
    private static final Gemm.Epilogue[] EPILOGUES = {
        new Gemm.Epilogue(Activation.RELU6, true, Conv2dParams.Residual.ADD_THEN_ACTIVATE),
        new Gemm.Epilogue(Activation.HARD_SWISH, false, Conv2dParams.Residual.ACTIVATE_THEN_ADD),
        new Gemm.Epilogue(Activation.SIGMOID, true, Conv2dParams.Residual.NONE),
        new Gemm.Epilogue(Activation.NONE, false, Conv2dParams.Residual.NONE),
    };

    /**
     * Both seams on every form: A packed on each run or read strided, B packed on each run or constant
     * (packed by repack, then changed and repacked), and the alpha/beta or the fused epilogue; every
     * transpose, with padded leading dimensions, and offsets where the epilogue takes them (a fused
     * one writes whole tensors: operands from their first elements, C dense).
     */
    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("cases")
    void everySeamMatchesTheReference(ClDevice device, GemmConfig config) {
        ClContext cl = CONTEXTS.on(device);
        int[][] shapes = TestDevices.isSimulator(device) ? new int[][] {{1, 1, 1}, {5, 7, 3}, {9, 33, 5}}
                : new int[][] {{1, 1, 1}, {7, 5, 3}, {13, 17, 19}, {65, 63, 67}, {97, 131, 257}};
        long seed = 500;
        for (int[] s : shapes) {
            for (int t = 0; t < 4; t++) {
                boolean ta = t / 2 == 1;
                boolean tb = t % 2 == 1;
                int lda = (ta ? s[0] : s[2]) + 1;
                int ldb = (tb ? s[2] : s[1]) + 2;
                for (int seams = 0; seams < 4; seams++) {
                    boolean packA = seams / 2 == 1;
                    Gemm.Epilogue e = seams % 2 == 1 ? EPILOGUES[(int) (seed % EPILOGUES.length)] : null;
                    GemmShape shape = new GemmShape(ta, tb, s[0], s[1], s[2], lda, ldb, e == null ? s[1] + 3 : s[1]);
                    checkSeams(cl, config, shape, new Gemm.Seams(packA, !packA, e), seed++);
                }
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.clnn.testing.TestDevices#stream")
    void tunedConfigurationMatchesEjml(ClDevice device) {
        ClContext cl = CONTEXTS.on(device);
        int[][] shapes = TestDevices.isSimulator(device) ? new int[][] {{3, 5, 7}, {40, 50, 60}}
                : new int[][] {{3, 5, 7}, {257, 255, 130}, {512, 384, 256}};
        for (int[] s : shapes) {
            GemmShape shape = GemmShape.of(s[0], s[1], s[2]);
            try (Gemm gemm = Gemm.configure(cl, shape)) {
                check(cl, gemm, 1f, 0f, 0, 7);
            }
        }
    }

    /** The tiled forms a batch of products takes: plain, K groups (some without a slice), the narrow tile. */
    private static final GemmConfig[] BATCH_FORMS = {
        GemmConfig.tiled(64, 64, 16, 4, 4),
        GemmConfig.tiled(32, 32, 8, 4, 4, 0, 4),
        GemmConfig.tiled(128, 64, 16, 8, 4),
        GemmConfig.tiled(64, 64, 16, 4, 4).withDoubleBuffer(1),
    };

    static Stream<Arguments> batchCases() {
        return TestDevices.crossedWith(BATCH_FORMS);
    }

    /**
     * A batch of products in one launch (Gemm.Batch): each product against the reference with its own A, B
     * and C, spaced with gaps between them, every transpose, alpha/beta reading C; B repacked once after it
     * changes; nothing written between the products' C.
     */
    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("batchCases")
    void aBatchOfProductsComputesEachProduct(ClDevice device, GemmConfig config) {
        ClContext cl = CONTEXTS.on(device);
        int[][] shapes = TestDevices.isSimulator(device) ? new int[][] {{5, 7, 3}, {9, 33, 5}}
                : new int[][] {{1, 1, 1}, {13, 17, 19}, {65, 63, 67}, {130, 70, 40}};
        long seed = 900;
        for (int[] sh : shapes) {
            for (int t = 0; t < 4; t++) {
                boolean ta = t / 2 == 1;
                boolean tb = t % 2 == 1;
                GemmShape s = new GemmShape(ta, tb, sh[0], sh[1], sh[2], (ta ? sh[0] : sh[2]) + 1,
                        (tb ? sh[2] : sh[1]) + 2, sh[1] + 3);
                int count = 2 + t;
                Gemm.Batch batch = new Gemm.Batch(count, s.extentA() + 3, s.extentB() + 1, s.extentC() + 5);
                checkBatch(cl, config, s, batch, seed++);
            }
        }
    }

    private static void checkBatch(ClContext cl, GemmConfig config, GemmShape s, Gemm.Batch batch, long seed) {
        int off = 2;
        int sizeA = off + (int) batch.extent(batch.strideA(), s.extentA());
        int sizeB = off + (int) batch.extent(batch.strideB(), s.extentB());
        int sizeC = off + (int) batch.extent(batch.strideC(), s.extentC());
        float[] a = TestData.uniform(sizeA, seed * 5);
        float[][] b = {TestData.uniform(sizeB, seed * 5 + 1), TestData.uniform(sizeB, seed * 5 + 2)};
        float[] c = TestData.uniform(sizeC, seed * 5 + 3);
        try (Gemm gemm = Gemm.configureBatch(cl, s, config, new Gemm.Seams(false, true, null), batch);
             ClBuffer da = cl.buffer(a); ClBuffer db = cl.buffer(b[0]); ClBuffer dc = cl.buffer(c)) {
            for (int round = 0; round < 2; round++) {
                db.write(b[round]);
                gemm.repack(db, off);
                float[] expected = c.clone();
                for (int i = 0; i < batch.count(); i++) {
                    ReferenceGemm.gemm(s.transA(), s.transB(), s.m(), s.n(), s.k(), 0.5f, a,
                            off + (int) (i * batch.strideA()), s.lda(), b[round], off + (int) (i * batch.strideB()),
                            s.ldb(), -1.5f, expected, off + (int) (i * batch.strideC()), s.ldc());
                }
                dc.write(c);
                gemm.run(0.5f, da, off, db, off, -1.5f, dc, off);
                float[] actual = dc.read();
                String what = config + " " + s + " x" + batch.count() + " round " + round;
                Comparison cmp = Comparison.of(actual, expected, Tolerances.GEMM_RTOL, Tolerances.gemmAtol(s.k()));
                assertTrue(cmp.passed(), () -> what + ": " + cmp.describe(actual, expected));
                for (int i = 0; i < sizeC; i++) {
                    int rel = (i - off) % (int) batch.strideC();
                    boolean inside = i >= off && rel <= s.extentC() - 1 && rel % s.ldc() < s.n();
                    if (!inside) {
                        assertEquals(c[i], actual[i], what + " wrote outside the products' C at " + i);
                    }
                }
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.clnn.testing.TestDevices#stream")
    void aBatchTakesOnlyTheTiledFormWithoutKSlicesAndAPlainProduct(ClDevice device) {
        ClContext cl = CONTEXTS.on(device);
        GemmShape s = GemmShape.of(16, 16, 16);
        Gemm.Batch batch = new Gemm.Batch(3, 256, 256, 256);
        Gemm.Seams plain = new Gemm.Seams(false, true, null);
        for (GemmConfig form : new GemmConfig[] {GemmConfig.general(), GemmConfig.cpu(3, 4, 1), GemmConfig.splitk(7),
            GemmConfig.tiled(32, 32, 8, 4, 4, 16)}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> Gemm.configureBatch(cl, s, form, plain, batch));
            assertTrue(e.getMessage().contains("tiled form without K slices"), e.getMessage());
        }
        GemmConfig tiled = GemmConfig.tiled(32, 32, 8, 4, 4);
        for (Gemm.Seams seams : new Gemm.Seams[] {new Gemm.Seams(true, true, null), new Gemm.Seams(false, false, null),
            Gemm.Seams.layer(new Gemm.Epilogue(Activation.RELU, true, null))}) {
            assertThrows(IllegalArgumentException.class, () -> Gemm.configureBatch(cl, s, tiled, seams, batch));
        }
        assertThrows(IllegalArgumentException.class, () -> new Gemm.Batch(0, 1, 1, 1));
        try (Gemm gemm = Gemm.configureBatch(cl, s, tiled, plain, batch); ClBuffer small = cl.buffer(new float[600])) {
            // three products spaced 256 apart need 2 * 256 + 256 floats of each operand
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> gemm.repack(small, 0));
            assertTrue(e.getMessage().contains("buffer B"), e.getMessage());
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.clnn.testing.TestDevices#stream")
    void betaZeroOverwritesNanInC(ClDevice device) {
        ClContext cl = CONTEXTS.on(device);
        for (GemmConfig config : VARIANTS) {
            GemmShape shape = GemmShape.of(9, 33, 4);
            try (Gemm gemm = Gemm.configure(cl, shape, config);
                 ClBuffer a = cl.buffer(TestData.uniform(9 * 4, 1));
                 ClBuffer b = cl.buffer(TestData.uniform(4 * 33, 2));
                 ClBuffer c = cl.buffer(9 * 33)) {
                c.fill(Float.NaN);
                gemm.run(1f, a, 0, b, 0, 0f, c, 0);
                float[] out = c.read();
                assertTrue(Arrays.stream(toDouble(out)).noneMatch(Double::isNaN), config + ": NaN survived beta = 0");
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.clnn.testing.TestDevices#stream")
    void rejectsBuffersTooSmallForTheShape(ClDevice device) {
        ClContext cl = CONTEXTS.on(device);
        try (Gemm gemm = Gemm.configure(cl, GemmShape.of(4, 4, 4));
             ClBuffer small = cl.buffer(15);
             ClBuffer ok = cl.buffer(16)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> gemm.run(1f, small, 0, ok, 0, 0f, ok, 0));
            assertTrue(e.getMessage().contains("buffer A holds 15 floats"), e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> gemm.run(1f, ok, 1, ok, 0, 0f, ok, 0));
        }
    }

    /** The one selection rule, with the table's entries replaced by overrides of every GEMM family. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.clnn.testing.TestDevices#stream")
    void aLayersProductWithAResidualWritesADenseOutputAndRunsOnlyWithItsEpilogue(ClDevice device) {
        ClContext cl = CONTEXTS.on(device);
        Gemm.Epilogue relu = new Gemm.Epilogue(Activation.RELU, true, null);
        Gemm.Epilogue residual = new Gemm.Epilogue(Activation.RELU, true, Conv2dParams.Residual.ADD_THEN_ACTIVATE);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Gemm.configure(cl, new GemmShape(false, false, 4, 5, 6, 6, 5, 7), null, residual));
        assertTrue(e.getMessage().contains("with a residual writes a dense C (ldc == n)"), e.getMessage());
        try (Gemm layer = Gemm.configure(cl, GemmShape.of(4, 5, 6), null, relu);
             Gemm slice = Gemm.configure(cl, new GemmShape(false, false, 4, 5, 6, 6, 5, 7), null, relu);
             ClBuffer wide = cl.buffer(4 * 7 + 2)) {
            e = assertThrows(IllegalArgumentException.class, () -> layer.run(wide, wide, wide, null, wide, 2));
            assertTrue(e.getMessage().contains("takes no offset"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> slice.run(wide, wide, wide, null, wide, 5));
            assertTrue(e.getMessage().contains("buffer C"), e.getMessage());
        }
        try (Gemm layer = Gemm.configure(cl, GemmShape.of(4, 5, 6), null, relu);
             Gemm plain = Gemm.configure(cl, GemmShape.of(4, 5, 6));
             ClBuffer buf = cl.buffer(30)) {
            assertThrows(IllegalStateException.class, () -> layer.run(1f, buf, 0, buf, 0, 0f, buf, 0));
            assertThrows(IllegalStateException.class, () -> plain.run(buf, buf, null, null, buf));
            assertThrows(IllegalStateException.class, () -> plain.repack(buf, 0));
            e = assertThrows(IllegalArgumentException.class, () -> layer.run(buf, buf, null, null, buf));
            assertTrue(e.getMessage().contains("takes a bias"), e.getMessage());
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.clnn.testing.TestDevices#stream")
    void theOneRulePicksTheFormByShape(ClDevice device) {
        String tiled = "variant=tiled TM=128 TN=128 TK=8 WM=8 WN=8 STRIDED_TK=16"
                + " STRIDED_SMALL_TM=32 STRIDED_SMALL_TN=32 STRIDED_SMALL_TK=16 STRIDED_SMALL_WM=4 STRIDED_SMALL_WN=4";
        System.setProperty("clnn.tune.gemm_cpu", tiled);      // both, so that the device type does not matter
        System.setProperty("clnn.tune.gemm_tiled", tiled);
        System.setProperty("clnn.tune.gemm_splitk", "variant=splitk KS=256 THIN_KS=64");
        try {
            boolean idle = device.computeUnits() > 1;       // one tile leaves compute units idle
            long many = 128L * device.computeUnits();
            assertEquals(GemmConfig.tiled(128, 128, 8, 8, 8), GemmConfig.select(device, many, 128, 64, false),
                    "packed A: the tuned tile");
            assertEquals(GemmConfig.tiled(128, 128, 16, 8, 8), GemmConfig.select(device, many, 128, 64, true),
                    "strided A: STRIDED_TK");
            assertEquals(GemmConfig.general(), GemmConfig.select(device, 4, 5, 6, false), "tiny, packed A: general");
            assertEquals(GemmConfig.splitk(64), GemmConfig.select(device, 4, 5, 6, true), "thin, strided A: THIN_KS");
            assertEquals(GemmConfig.splitk(64), GemmConfig.select(device, 8, 1000, 64, false), "thin: THIN_KS");
            assertEquals(idle ? GemmConfig.splitk(256) : GemmConfig.tiled(128, 128, 8, 8, 8),
                    GemmConfig.select(device, 16, 16, 4096, false), "deep with few tiles: KS");
            assertEquals(idle ? GemmConfig.tiled(32, 32, 16, 4, 4) : GemmConfig.tiled(128, 128, 16, 8, 8),
                    GemmConfig.select(device, 49, 64, 16, true), "few tiles, strided A: the small tile");
            assertEquals(idle ? GemmConfig.splitk(256) : GemmConfig.tiled(128, 128, 8, 8, 8),
                    GemmConfig.select(device, 49, 64, 64, false),
                    "few tiles, packed A: no SMALL_ tile in the entry, so split-K");
            String tiers = tiled + " MID_TM=64 MID_TN=64 MID_TK=16 MID_WM=4 MID_WN=4"
                    + " SMALL_TM=32 SMALL_TN=32 SMALL_TK=16 SMALL_WM=4 SMALL_WN=4";
            System.setProperty("clnn.tune.gemm_cpu", tiers);
            System.setProperty("clnn.tune.gemm_tiled", tiers);
            int cu = device.computeUnits();
            assertEquals(cu > 1 ? GemmConfig.tiled(64, 64, 16, 4, 4) : GemmConfig.tiled(128, 128, 8, 8, 8),
                    GemmConfig.select(device, 64L * cu, 64, 64, false), "128-tiles too few, 64-tiles enough: MID_");
            assertEquals(cu > 1 ? GemmConfig.tiled(32, 32, 16, 4, 4) : GemmConfig.tiled(128, 128, 8, 8, 8),
                    GemmConfig.select(device, 32L * cu, 32, 128, false), "MID_ too few as well: SMALL_");
            assertEquals(cu > 1 ? GemmConfig.tiled(32, 32, 16, 4, 4) : GemmConfig.tiled(128, 128, 16, 8, 8),
                    GemmConfig.select(device, 49, 64, 16, true), "strided A has no STRIDED_MID_: its small tile");
            String narrow = tiers + " NARROW_TM=128 NARROW_TN=64 NARROW_TK=16 NARROW_WM=8 NARROW_WN=4";
            System.setProperty("clnn.tune.gemm_cpu", narrow);
            System.setProperty("clnn.tune.gemm_tiled", narrow);
            assertEquals(GemmConfig.tiled(128, 64, 16, 8, 4), GemmConfig.select(device, many, 64, 64, false),
                    "a result half as wide as the tile: NARROW_");
            assertEquals(GemmConfig.tiled(128, 128, 8, 8, 8), GemmConfig.select(device, many, 65, 64, false),
                    "wider than half the tile: the tuned one");
            assertEquals(cu > 1 ? GemmConfig.tiled(64, 64, 16, 4, 4) : GemmConfig.tiled(128, 64, 16, 8, 4),
                    GemmConfig.select(device, 64L * cu, 64, 64, false), "narrow tiles too few: MID_");
            System.setProperty("clnn.tune.gemm_cpu", "variant=tiled TM=512 TN=512 TK=128 WM=4 WN=4");
            System.setProperty("clnn.tune.gemm_tiled", "variant=tiled TM=512 TN=512 TK=128 WM=4 WN=4");
            assertEquals(GemmConfig.general(), GemmConfig.select(device, 4 * many, 512, 64, false),
                    "a tile that does not fit the device: general");
        } finally {
            System.clearProperty("clnn.tune.gemm_cpu");
            System.clearProperty("clnn.tune.gemm_tiled");
            System.clearProperty("clnn.tune.gemm_splitk");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.clnn.testing.TestDevices#stream")
    void deepProductsWithFewTilesSplitK(ClDevice device) {
        System.setProperty("clnn.tune.gemm_cpu", "variant=tiled TM=64 TN=64 TK=16 WM=4 WN=4");
        System.setProperty("clnn.tune.gemm_tiled", "variant=tiled TM=64 TN=64 TK=16 WM=4 WN=4");
        System.setProperty("clnn.tune.gemm_splitk", "variant=splitk KS=32");
        ClContext cl = CONTEXTS.on(device);
        try (Gemm thin = Gemm.configure(cl, GemmShape.of(16, 16, 4096));
             Gemm shallow = Gemm.configure(cl, GemmShape.of(64, 64, 64))) {
            GemmConfig expected = device.computeUnits() > 1 ? GemmConfig.splitk(32)   // 1 tile < compute units
                    : GemmConfig.tiled(64, 64, 16, 4, 4);
            assertEquals(expected, thin.config());
            assertEquals(device.computeUnits() > 1 ? GemmConfig.splitk(32) : GemmConfig.tiled(64, 64, 16, 4, 4),
                    shallow.config(), "K < 4 x max(M, N), still too few tiles: split-K");
            check(cl, thin, 1f, 0f, 0, 3);
        } finally {
            System.clearProperty("clnn.tune.gemm_cpu");
            System.clearProperty("clnn.tune.gemm_tiled");
            System.clearProperty("clnn.tune.gemm_splitk");
        }
    }

    /** With SPLIT_STEPS, a deep tiled product with fewer tiles than compute units cuts K into slices of its own tiles. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.clnn.testing.TestDevices#stream")
    void fewTilesSplitKWithinTheTiledForm(ClDevice device) {
        String entry = "variant=tiled TM=32 TN=32 TK=8 WM=4 WN=4 SPLIT_STEPS=2";
        System.setProperty("clnn.tune.gemm_cpu", entry);
        System.setProperty("clnn.tune.gemm_tiled", entry);
        System.setProperty("clnn.tune.gemm_splitk", "variant=splitk KS=32");
        ClContext cl = CONTEXTS.on(device);
        // one 32 x 32 tile, K = 300 (38 steps of 8): one slice per compute unit, at most 19 slices of 2 steps
        try (Gemm deep = Gemm.configure(cl, GemmShape.of(20, 30, 300));
             Gemm shallow = Gemm.configure(cl, GemmShape.of(40, 30, 100))) {
            int cu = device.computeUnits();
            // not deep, so not sliced; a product packed on each run whose 2 tiles leave compute units idle
            // takes split-K instead (the H200, PoCL on 16 cores), one that fills them keeps the tile
            GemmConfig shallowExpected = 2 < cu ? GemmConfig.splitk(32) : GemmConfig.tiled(32, 32, 8, 4, 4);
            assertEquals(shallowExpected, shallow.config(), "K < 4 x max(M, N): not sliced");
            check(cl, shallow, 1f, 0f, 0, 3);
            long slices = Math.min(cu, 19);
            GemmConfig expected = slices < 2 ? GemmConfig.tiled(32, 32, 8, 4, 4)
                    : GemmConfig.tiled(32, 32, 8, 4, 4, (int) ((38 + slices - 1) / slices * 8));
            assertEquals(expected, deep.config(), "deep with few tiles and SPLIT_STEPS: the tiled form split");
            check(cl, deep, 1.5f, 0f, 0, 5);
        } finally {
            System.clearProperty("clnn.tune.gemm_cpu");
            System.clearProperty("clnn.tune.gemm_tiled");
            System.clearProperty("clnn.tune.gemm_splitk");
        }
        // long (k >= max(m, n)) with too few tiles, but at least half as many as compute units: the tuned
        // tile, sliced, not the MID_ tier
        String tiers = "variant=tiled TM=64 TN=64 TK=16 WM=4 WN=4 SPLIT_STEPS=4 MID_TM=32 MID_TN=32 MID_TK=16"
                + " MID_WM=4 MID_WN=4 STRIDED_MID_TM=32 STRIDED_MID_TN=32 STRIDED_MID_TK=16 STRIDED_MID_WM=4"
                + " STRIDED_MID_WN=4";
        System.setProperty("clnn.tune.gemm_tiled", tiers);
        System.setProperty("clnn.tune.gemm_cpu", tiers);
        try {
            int cu = device.computeUnits();
            long rows = 64L * Math.max(1, (cu + 1) / 2);     // half as many 64x64 tiles as compute units
            // K = 2 x rows: long, not deep (< 4 x rows)
            GemmConfig tall = GemmConfig.select(device, rows, 64, 2 * rows, true);
            assertEquals(cu > 1 ? GemmConfig.tiled(64, 64, 16, 4, 4, (int) rows) : GemmConfig.tiled(64, 64, 16, 4, 4),
                    tall, "two K slices of the tuned tile");
            assertEquals(cu > 1 ? GemmConfig.tiled(32, 32, 16, 4, 4) : GemmConfig.tiled(64, 64, 16, 4, 4),
                    GemmConfig.select(device, 32, 64, 48, true), "K shorter than a side: the MID_ tier");
        } finally {
            System.clearProperty("clnn.tune.gemm_cpu");
            System.clearProperty("clnn.tune.gemm_tiled");
        }
        GemmConfig tile = GemmConfig.tiled(32, 32, 16, 4, 4);
        // 256 x 256: 64 tiles for 132 compute units -> 3 slices of 96 (6 steps), the last one 64 deep
        assertEquals(tile.withSlices(96), tile.slicedToFill(256, 256, 256, 4, 132));
        // too shallow for two slices of 4 steps: unchanged
        assertEquals(tile, tile.slicedToFill(256, 256, 100, 4, 132));
        // enough tiles already: unchanged
        assertEquals(tile, tile.slicedToFill(512, 512, 4096, 4, 132));
    }

    /**
     * The H200's table entries through the one rule, on the shapes whose forms BENCHMARKS.md measured
     * ("GPU convolutions"): a retuned entry that changes one of these choices should be measured again.
     */
    @org.junit.jupiter.api.Test
    void theH200EntriesPickTheMeasuredForms() {
        ClDevice h200 = dev.clnn.cl.FakeDevices.h200();
        assertEquals(GemmConfig.tiled(32, 32, 16, 4, 4, 928), GemmConfig.select(h200, 49, 512, 4608, true),
                "ResNet-18 layer 4, batch 1: deep, 32 small tiles, 5 K slices");
        assertEquals(GemmConfig.tiled(128, 128, 16, 8, 8, 2304), GemmConfig.select(h200, 3136, 512, 4608, true),
                "ResNet-18 layer 4, batch 64: 100 tiles and a long K, the tile kept and 2 K slices");
        assertEquals(GemmConfig.tiled(64, 64, 16, 8, 4), GemmConfig.select(h200, 3136, 512, 2048, true),
                "ResNet-50 layer 4's first pointwise layers, batch 64: 100 tiles of 128x128, K not long: the MID_ "
                        + "tile (the 32x32 tile ran them at 9.4 TFLOPS)");
        assertEquals(GemmConfig.tiled(32, 32, 16, 4, 4, 0, 8), GemmConfig.select(h200, 49, 1024, 1024, true),
                "MobileNet v1's last pointwise layer, batch 1: 64 small tiles, 8 K groups");
        assertEquals(GemmConfig.tiled(128, 64, 16, 8, 4), GemmConfig.select(h200, 200704, 64, 576, true),
                "ResNet-18 layer 1, batch 64: 64 channels, the narrow tile");
        assertEquals(GemmConfig.tiled(32, 32, 16, 4, 4, 0, 8), GemmConfig.select(h200, 196, 512, 512, true),
                "MobileNet's 14x14 pointwise layers, batch 1: the small tile, 8 K groups of 4 steps each");
        assertEquals(GemmConfig.splitk(256), GemmConfig.select(h200, 256, 256, 256, false),
                "SGEMM n=256: split-K");
        assertEquals(GemmConfig.tiled(32, 32, 16, 4, 4), GemmConfig.select(h200, 512, 512, 512, false),
                "SGEMM n=512: the small tile (64x64 tiles in 3 K slices measured no faster, alternated)");
        assertEquals(GemmConfig.tiled(64, 64, 16, 8, 4), GemmConfig.select(h200, 1024, 1024, 1024, false),
                "SGEMM n=1024: 256 MID_ tiles fill the device, no slices; 8 x 4 per work-item (27 against 25 TFLOPS)");
        assertEquals(GemmConfig.tiled(128, 128, 8, 8, 8), GemmConfig.select(h200, 2048, 2048, 2048, false),
                "SGEMM n=2048: the tuned tile");
    }

    /** Strips are cut for parallelism, but not below one per core when every strip re-reads a deep panel of B. */
    @org.junit.jupiter.api.Test
    void cpuStripsAreCutOnlyWhereBIsShallow() {
        GemmConfig avx512 = GemmConfig.cpu(6, 16, 4, 96, 128);
        // 32 x 128 by K = 256: panels of 64 KiB; 8 work-items wanted on 2 cores -> strips of 6 rows
        assertEquals(GemmConfig.cpu(6, 16, 4, 6, 128), avx512.fitted(32, 128, 256, 2));
        // by K = 21,632 (a dense layer on 26 x 26 x 32 inputs): 5.3 MiB panels; the two panels already
        // occupy both cores, so the strip stays whole (36 rows: 32 in whole blocks) and each panel streams once
        assertEquals(GemmConfig.cpu(6, 16, 4, 36, 128), avx512.fitted(32, 128, 21632, 2));
        // on 16 cores the deep product is still cut until every core has a work-item
        assertEquals(GemmConfig.cpu(6, 16, 4, 6, 128), avx512.fitted(32, 128, 21632, 16));
        // MobileNet's 14x14 pointwise layers: strips of 66 + 66 + 64 rows, not 96 + 96 + 4
        assertEquals(GemmConfig.cpu(6, 16, 4, 66, 128), avx512.fitted(196, 512, 512, 2));
        // its 28x28 ones: 9 strips of at most 90 rows (784 = 8 x 90 + 64), not 8 of 96 and one of 16
        assertEquals(GemmConfig.cpu(6, 16, 4, 90, 128), avx512.fitted(784, 256, 256, 2));
        // a single row (a classifier at batch 1) in blocks of one row, its 1000 columns in 16 panels
        assertEquals(GemmConfig.cpu(1, 16, 4, 1, 128), avx512.fitted(1, 1000, 1280, 2));
    }

    @org.junit.jupiter.api.Test
    void rejectsImpossibleShapes() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> GemmShape.of(0, 3, 3));
        assertTrue(e.getMessage().contains("m=0"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new GemmShape(false, false, 4, 5, 6, 5, 5, 5));
        assertTrue(e.getMessage().contains("lda=5 (>= 6)"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> GemmConfig.tiled(64, 64, 3, 4, 4));
        assertThrows(IllegalArgumentException.class, () -> GemmConfig.tiled(64, 64, 16, 4, 4, 32, 2));  // KS and KG
        assertThrows(IllegalArgumentException.class, () -> GemmConfig.tiled(64, 64, 16, 4, 4, 0, 0));
        assertEquals(GemmConfig.tiled(32, 32, 16, 4, 4, 0, 4),
                GemmConfig.fromMap(Tuning.parse("variant=tiled TM=32 TN=32 TK=16 WM=4 WN=4 KG=4", "test")));
        assertEquals(GemmConfig.tiled(128, 128, 8, 8, 8).withDoubleBuffer(1),
                GemmConfig.fromMap(Tuning.parse("variant=tiled TM=128 TN=128 TK=8 WM=8 WN=8 DB=1", "test")));
        assertEquals(2 * GemmConfig.tiled(128, 128, 8, 8, 8).localBytes(),
                GemmConfig.tiled(128, 128, 8, 8, 8).withDoubleBuffer(1).localBytes());
        assertTrue(GemmConfig.tiled(128, 128, 8, 8, 8).withDoubleBuffer(1).withSlices(64).db() == 1);
        assertThrows(IllegalArgumentException.class,        // double buffers and K groups
                () -> GemmConfig.fromMap(Tuning.parse("variant=tiled TM=32 TN=32 TK=16 WM=4 WN=4 KG=4 DB=1", "test")));
        assertThrows(IllegalArgumentException.class, () -> GemmConfig.cpu(6, 16, 4).withDoubleBuffer(1));
        assertThrows(IllegalArgumentException.class, () -> GemmConfig.tiled(64, 64, 16, 4, 4).withDoubleBuffer(2));
        assertThrows(IllegalArgumentException.class, () -> GemmConfig.cpu(8, 5, 2));
        assertThrows(IllegalArgumentException.class, () -> GemmConfig.cpu(6, 16, 4, 64, 128));     // TM % MR != 0
        assertThrows(IllegalArgumentException.class, () -> GemmConfig.cpu(6, 16, 4, 96, -1));
        assertEquals(GemmConfig.cpu(6, 16, 4, 96, 128),
                GemmConfig.fromMap(Tuning.parse("variant=cpu MR=6 VW=16 NV=4 TM=96 TK=128", "test")));
        assertEquals(GemmConfig.cpu(6, 16, 4), GemmConfig.fromMap(Tuning.parse("variant=cpu MR=6 VW=16 NV=4", "test")));
    }

    private static void check(ClContext cl, GemmConfig config, GemmShape shape, float alpha, float beta, int offset,
                              long seed) {
        try (Gemm gemm = Gemm.configure(cl, shape, config)) {
            check(cl, gemm, alpha, beta, offset, seed);
        }
    }

    private static void check(ClContext cl, Gemm gemm, float alpha, float beta, int offset, long seed) {
        GemmShape s = gemm.shape();
        int sizeA = offset + (int) s.extentA();
        int sizeB = offset + (int) s.extentB();
        int sizeC = offset + (int) s.extentC();
        float[] a = TestData.uniform(sizeA, seed * 3);
        float[] b = TestData.uniform(sizeB, seed * 3 + 1);
        float[] c = TestData.uniform(sizeC, seed * 3 + 2);
        float[] expected = c.clone();
        ReferenceGemm.gemm(s.transA(), s.transB(), s.m(), s.n(), s.k(), alpha, a, offset, s.lda(), b, offset, s.ldb(),
                beta, expected, offset, s.ldc());
        try (ClBuffer da = cl.buffer(a); ClBuffer db = cl.buffer(b); ClBuffer dc = cl.buffer(c)) {
            gemm.run(alpha, da, offset, db, offset, beta, dc, offset);
            float[] actual = dc.read();
            Comparison cmp = Comparison.of(actual, expected, Tolerances.GEMM_RTOL, Tolerances.gemmAtol(s.k()));
            assertTrue(cmp.passed(), () -> gemm.config() + " " + s + " alpha=" + alpha + " beta=" + beta
                    + " offset=" + offset + ": " + cmp.describe(actual, expected));
            // elements between rows (ldc padding) and before the offset must be untouched
            for (int i = 0; i < sizeC; i++) {
                int rel = i - offset;
                boolean inside = rel >= 0 && rel % s.ldc() < s.n();
                if (!inside) {
                    assertEquals(c[i], actual[i], gemm.config() + " " + s + " wrote outside C at " + i);
                }
            }
        }
    }

    /** One GEMM with explicit seams against the plain-Java reference plus the epilogue in Java; B changes once when constant. */
    private static void checkSeams(ClContext cl, GemmConfig config, GemmShape s, Gemm.Seams seams, long seed) {
        int off = seams.epilogue() == null ? 2 : 0;
        int sizeC = off + (int) s.extentC();
        float[] a = TestData.uniform(off + (int) s.extentA(), seed * 7);
        float[][] b = {TestData.uniform(off + (int) s.extentB(), seed * 7 + 1),
            TestData.uniform(off + (int) s.extentB(), seed * 7 + 2)};
        float[] c = TestData.uniform(sizeC, seed * 7 + 3);
        float[] bias = TestData.uniform(s.n(), seed * 7 + 4);
        float[] res = TestData.uniform(sizeC, seed * 7 + 5);
        Gemm.Epilogue e = seams.epilogue();
        try (Gemm gemm = Gemm.configure(cl, s, config, seams);
             ClBuffer da = cl.buffer(a); ClBuffer db = cl.buffer(b[0]); ClBuffer dc = cl.buffer(c);
             ClBuffer dbias = cl.buffer(bias); ClBuffer dres = cl.buffer(res)) {
            for (int round = 0; round < (seams.constantB() ? 2 : 1); round++) {
                if (seams.constantB()) {
                    db.write(b[round]);
                    gemm.repack(db, off);
                }
                float[] expected = c.clone();
                if (e == null) {
                    ReferenceGemm.gemm(s.transA(), s.transB(), s.m(), s.n(), s.k(), 0.5f, a, off, s.lda(), b[round],
                            off, s.ldb(), -1.5f, expected, off, s.ldc());
                    dc.write(c);
                    gemm.run(0.5f, da, off, db, off, -1.5f, dc, off);
                } else {
                    epilogue(s, e, a, b[round], bias, res, expected, off);
                    dc.write(c);
                    boolean residual = e.residual() != Conv2dParams.Residual.NONE;
                    gemm.run(da, db, e.bias() ? dbias : null, residual ? dres : null, dc);
                }
                float[] actual = dc.read();
                String what = config + " " + s + " A " + (seams.packA() ? "packed" : "strided") + ", B "
                        + (seams.constantB() ? "constant, round " + round : "per run") + ", "
                        + (e == null ? "alpha/beta" : e);
                Comparison cmp = Comparison.of(actual, expected, Tolerances.GEMM_RTOL, Tolerances.gemmAtol(s.k()));
                assertTrue(cmp.passed(), () -> what + ": " + cmp.describe(actual, expected));
            }
        }
    }

    /** expected (C's layout from off) = the fused epilogue of op(A) * op(B); elements outside C keep their value. */
    private static void epilogue(GemmShape s, Gemm.Epilogue e, float[] a, float[] b, float[] bias, float[] res,
                                 float[] expected, int off) {
        float[] acc = new float[(int) s.extentC()];
        ReferenceGemm.gemm(s.transA(), s.transB(), s.m(), s.n(), s.k(), 1f, a, off, s.lda(), b, off, s.ldb(), 0f,
                acc, 0, s.ldc());
        for (int i = 0; i < s.m(); i++) {
            for (int j = 0; j < s.n(); j++) {
                int at = i * s.ldc() + j;
                float v = acc[at] + (e.bias() ? bias[j] : 0f);
                float r = res[off + at];
                switch (e.residual()) {
                    case ADD_THEN_ACTIVATE: v = e.activation().apply(v + r); break;
                    case ACTIVATE_THEN_ADD: v = e.activation().apply(v) + r; break;
                    default: v = e.activation().apply(v); break;
                }
                expected[off + at] = v;
            }
        }
    }

    private static double[] toDouble(float[] f) {
        double[] d = new double[f.length];
        for (int i = 0; i < f.length; i++) {
            d[i] = f[i];
        }
        return d;
    }
}
