package dev.clnn.vision;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Ranking, softmax, labels. */
class ClassificationsTest {
    @Test
    void logitsGoThroughASoftmax() {
        Classifications c = Classifications.of(new float[] {1f, 3f, 2f}, Labels.of("a", "b", "c"));
        assertTrue(c.softmaxApplied());
        double z = Math.exp(1) + Math.exp(3) + Math.exp(2);
        assertArrayEquals(new float[] {(float) (Math.exp(1) / z), (float) (Math.exp(3) / z), (float) (Math.exp(2) / z)},
                c.probabilities(), 1e-7f);
        List<Classification> top = c.top(5);
        assertEquals(3, top.size());
        assertEquals(List.of("b", "c", "a"), top.stream().map(Classification::name).toList());
        assertEquals(1, c.best().index());
    }

    @Test
    void aDistributionIsKept() {
        float[] p = {0.1f, 0.6f, 0.3f};
        Classifications c = Classifications.of(p, null);
        assertFalse(c.softmaxApplied());
        assertArrayEquals(p, c.probabilities(), 0f);
        assertNull(c.best().label());
        assertEquals("class 1", c.best().name());
        assertTrue(Classifications.of(new float[] {0.5f, 0.6f}, null).softmaxApplied(), "sums to 1.1");
        assertTrue(Classifications.of(new float[] {1.5f, -0.5f}, null).softmaxApplied(), "outside [0, 1]");
    }

    @Test
    void tiesGoToTheLowerIndexAndNanComesLast() {
        float[] v = {2f, Float.NaN, 5f, 2f, 5f, Float.NaN, -1f};
        assertArrayEquals(new int[] {2, 4, 0, 3, 6, 1, 5}, Classifications.topIndices(v, 10));
        assertArrayEquals(new int[] {2, 4}, Classifications.topIndices(v, 2));
        assertArrayEquals(new int[0], Classifications.topIndices(v, 0));
        float[] p = Classifications.softmax(v);
        assertTrue(Float.isNaN(p[1]) && Float.isNaN(p[5]));
        double sum = 0;
        for (float x : p) {
            sum += Float.isNaN(x) ? 0 : x;
        }
        assertEquals(1, sum, 1e-6);
        assertEquals(List.of(2, 4, 0, 3, 6, 1, 5),
                Classifications.of(v, null).top(7).stream().map(Classification::index).toList());
    }

    @Test
    void infinitiesStayFinite() {
        assertArrayEquals(new float[] {0.5f, 0f, 0.5f},
                Classifications.softmax(new float[] {Float.POSITIVE_INFINITY, 3f, Float.POSITIVE_INFINITY}), 0f);
        float[] all = {Float.NEGATIVE_INFINITY, Float.NEGATIVE_INFINITY};
        assertArrayEquals(new float[] {0.5f, 0.5f}, Classifications.softmax(all), 0f);
        assertArrayEquals(new float[] {1f, 0f}, Classifications.softmax(new float[] {1e30f, -1e30f}), 0f);
    }

    @Test
    void theWrongNumberOfLabelsIsAnErrorNamingBothCounts(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("labels.txt");
        Files.writeString(file, "cat\ndog\n");
        Labels labels = Labels.read(file);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Classifications.of(new float[1000], labels));
        assertEquals(file + " holds 2 labels but the model has 1000 classes; one label per class, in output order, "
                + "is needed", e.getMessage());
    }

    @Test
    void aBatchIsRankedPerExample() {
        float[] y = {0f, 9f, 1f, 8f, 0f, 0f};
        List<Classifications> rows = Classifications.ofBatch(y, 2, Labels.of("x", "y", "z"));
        assertEquals("y", rows.get(0).best().name());
        assertEquals("x", rows.get(1).best().name());
        assertThrows(IllegalArgumentException.class, () -> Classifications.ofBatch(y, 4, null));
        assertThrows(IllegalArgumentException.class, () -> Classifications.of(new float[0], null));
    }

    @Test
    void labelFilesIgnoreTheBomCarriageReturnsAndTrailingBlankLines(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("l.txt");
        Files.write(file, "\uFEFFtabby cat\r\n\r\ngolden retriever\r\n\n\n".getBytes(StandardCharsets.UTF_8));
        Labels l = Labels.read(file);
        assertEquals(List.of("tabby cat", "", "golden retriever"), l.names());
        Path empty = dir.resolve("empty.txt");
        Files.writeString(empty, "\n\n");
        assertEquals(empty + " holds no labels (one per line expected)",
                assertThrows(IllegalArgumentException.class, () -> Labels.read(empty)).getMessage());
    }

    @Test
    void imagenetLabelsAreBundled() {
        Labels l = Labels.imagenet();
        assertEquals(1000, l.size());
        assertEquals("tench", l.get(0));
        assertEquals("tabby", l.get(281));
        assertEquals("golden retriever", l.get(207));
        assertEquals("toilet tissue", l.get(999));
        assertEquals(l, Labels.standard(1000).orElseThrow());
        Labels tf = Labels.standard(1001).orElseThrow();
        assertEquals("background", tf.get(0));
        assertEquals("tench", tf.get(1));
        assertTrue(Labels.standard(10).isEmpty());
    }
}
