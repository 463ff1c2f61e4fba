package dev.clnn.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPOutputStream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.clnn.tensor.Shape;
import dev.clnn.testing.TestDatasets;

/** The IDX and MNIST readers on small files written here, every corrupt-input case, and the real data. */
class MnistTest {
    @TempDir
    Path dir;

    /** An IDX file of unsigned bytes: magic 0x0000 08 rank, big-endian dims, data. */
    private static byte[] idx(int[] dims, byte[] data) {
        ByteBuffer b = ByteBuffer.allocate(4 + 4 * dims.length + data.length);
        b.putInt(0x0800 | dims.length);
        for (int d : dims) {
            b.putInt(d);
        }
        b.put(data);
        return b.array();
    }

    private static byte[] gzip(byte[] data) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(data);
        }
        return out.toByteArray();
    }

    private static byte[] pixels(int n, int h, int w) {
        byte[] p = new byte[n * h * w];
        for (int i = 0; i < p.length; i++) {
            p[i] = (byte) (i * 37 % 256);
        }
        return p;
    }

    /** Writes a valid set: {@code n} images 4x3 and labels 0, 1, ... (mod 10); gzip or plain. */
    private void writeSet(String prefix, int n, boolean gz) throws IOException {
        byte[] labels = new byte[n];
        for (int i = 0; i < n; i++) {
            labels[i] = (byte) (i % 10);
        }
        write(prefix + "-images-idx3-ubyte", idx(new int[] {n, 4, 3}, pixels(n, 4, 3)), gz);
        write(prefix + "-labels-idx1-ubyte", idx(new int[] {n}, labels), gz);
    }

    private Path write(String name, byte[] content, boolean gz) throws IOException {
        Path p = dir.resolve(gz ? name + ".gz" : name);
        Files.write(p, gz ? gzip(content) : content);
        return p;
    }

    @Test
    void readsPlainAndGzipFilesAndScalesPixels() throws IOException {
        writeSet("train", 12, true);
        writeSet("t10k", 5, false);
        Mnist.Split s = Mnist.load(dir);
        assertEquals(12, s.train().size());
        assertEquals(5, s.test().size());
        assertEquals(Shape.of(4, 3, 1), s.train().exampleShape());
        assertEquals(10, s.train().classes());
        assertArrayEquals(new int[] {0, 1, 2, 3, 4}, s.test().labels());
        byte[] p = pixels(12, 4, 3);
        for (int i = 0; i < p.length; i++) {
            assertEquals(Byte.toUnsignedInt(p[i]) / 255f, s.train().features()[i], "pixel " + i);
        }
        Mnist.Split limited = Mnist.load(dir, 3, 100);
        assertEquals(3, limited.train().size());
        assertEquals(5, limited.test().size());
        assertArrayEquals(Arrays.copyOf(s.train().features(), 36), limited.train().features());
    }

    @Test
    void wrongMagicNumberNamesTheFile() throws IOException {
        writeSet("train", 4, false);
        writeSet("t10k", 4, false);
        Path images = write("train-images-idx3-ubyte", idx(new int[] {4, 12}, pixels(4, 4, 3)), false);
        IOException e = assertThrows(IOException.class, () -> Mnist.load(dir));
        assertTrue(e.getMessage().contains(images.toString()) && e.getMessage().contains("magic number 0x00000802"),
                e.getMessage());
        byte[] floats = idx(new int[] {4}, new byte[4]);
        floats[2] = 0x0D;       // IDX type float: not what MNIST holds
        Path labels = write("train-labels-idx1-ubyte", floats, false);
        write("train-images-idx3-ubyte", idx(new int[] {4, 4, 3}, pixels(4, 4, 3)), false);
        e = assertThrows(IOException.class, () -> Mnist.load(dir));
        assertTrue(e.getMessage().contains(labels.toString()) && e.getMessage().contains("magic"), e.getMessage());
    }

    @Test
    void truncatedFilesNameTheFile() throws IOException {
        writeSet("train", 6, false);
        writeSet("t10k", 6, false);
        byte[] full = idx(new int[] {6, 4, 3}, pixels(6, 4, 3));
        for (int cut : new int[] {2, 9, full.length - 1}) {
            Path images = write("train-images-idx3-ubyte", Arrays.copyOf(full, cut), false);
            IOException e = assertThrows(IOException.class, () -> Mnist.load(dir), "cut at " + cut);
            assertTrue(e.getMessage().contains(images.toString()) && e.getMessage().contains("truncated"),
                    e.getMessage());
        }
        Path longer = write("train-images-idx3-ubyte", Arrays.copyOf(full, full.length + 1), false);
        IOException extra = assertThrows(IOException.class, () -> Mnist.load(dir));
        assertTrue(extra.getMessage().contains(longer.toString()) && extra.getMessage().contains("more data"),
                extra.getMessage());
        Files.delete(longer);
        byte[] gz = gzip(full);
        Path gzFile = dir.resolve("train-images-idx3-ubyte.gz");
        Files.write(gzFile, Arrays.copyOf(gz, gz.length - 12));
        IOException e = assertThrows(IOException.class, () -> Mnist.load(dir));
        assertTrue(e.getMessage().contains(gzFile.toString()), e.getMessage());
        byte[] garbled = gz.clone();
        garbled[gz.length - 6] ^= 0x55;     // the CRC-32 in the gzip trailer
        Files.write(gzFile, garbled);
        e = assertThrows(IOException.class, () -> Mnist.load(dir));
        assertTrue(e.getMessage().contains(gzFile.toString()), e.getMessage());
    }

    @Test
    void labelAndImageCountsMustAgree() throws IOException {
        writeSet("train", 6, true);
        writeSet("t10k", 6, false);
        Path labels = write("t10k-labels-idx1-ubyte", idx(new int[] {5}, new byte[5]), false);
        IOException e = assertThrows(IOException.class, () -> Mnist.load(dir));
        assertTrue(e.getMessage().contains("6 images") && e.getMessage().contains("5 labels")
                && e.getMessage().contains(labels.toString()), e.getMessage());
    }

    @Test
    void labelsOutOfRangeNameTheFile() throws IOException {
        writeSet("train", 6, false);
        writeSet("t10k", 6, false);
        Path labels = write("train-labels-idx1-ubyte", idx(new int[] {6}, new byte[] {0, 1, 2, 10, 4, 5}), false);
        IOException e = assertThrows(IOException.class, () -> Mnist.load(dir));
        assertTrue(e.getMessage().contains(labels.toString()) && e.getMessage().contains("label 10 of example 3"),
                e.getMessage());
    }

    @Test
    void missingFilesAndDirectoriesSayWhatIsExpected() throws IOException {
        writeSet("train", 3, false);
        NoSuchFileException e = assertThrows(NoSuchFileException.class, () -> Mnist.load(dir));
        assertTrue(e.getMessage().contains("t10k-images-idx3-ubyte") && e.getReason().contains(dir.toString()),
                e.getMessage());
        e = assertThrows(NoSuchFileException.class, () -> Mnist.load(dir.resolve("nowhere")));
        assertTrue(e.getReason().contains("does not exist"), e.getReason());
    }

    @Test
    void aSetWithNoImagesSaysSo() throws IOException {
        writeSet("train", 0, true);
        writeSet("t10k", 4, false);
        IOException e = assertThrows(IOException.class, () -> Mnist.load(dir));
        assertTrue(e.getMessage().contains("train-images-idx3-ubyte.gz") && e.getMessage().contains("contains 0 images"),
                e.getMessage());
        writeSet("train", 4, false);
        write("t10k-images-idx3-ubyte", idx(new int[] {4, 0, 3}, new byte[0]), false);
        e = assertThrows(IOException.class, () -> Mnist.load(dir));
        assertTrue(e.getMessage().contains("0 x 3 pixels"), e.getMessage());
    }

    @Test
    void aFileGivenAsTheDataDirectorySaysItIsNotADirectory() throws IOException {
        writeSet("train", 3, false);
        writeSet("t10k", 3, false);
        Path file = dir.resolve("train-images-idx3-ubyte");
        NotDirectoryException e = assertThrows(NotDirectoryException.class, () -> Mnist.load(file));
        assertTrue(e.getMessage().contains(file.toString()) && e.getMessage().contains("is not a directory"),
                e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Mnist.load(dir, -1, 3));
    }

    @Test
    void datasetChecksItsArrays() {
        assertThrows(IllegalArgumentException.class, () -> new Dataset("d", Shape.of(2), new float[3], new int[2], 2));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new Dataset("d", Shape.of(1), new float[2], new int[] {0, 2}, 2));
        assertTrue(e.getMessage().contains("label 2 of example 1"), e.getMessage());
        Dataset d = new Dataset("d", Shape.of(2), new float[] {1, 2, 3, 4, 5, 6}, new int[] {0, 1, 0}, 2);
        assertArrayEquals(new float[] {3, 4, 5, 6}, d.slice(1, 3).features());
        assertEquals(3, d.head(10).size());
    }

    @Test
    void realFashionMnistIsWhereDebianPutsIt() throws IOException {
        Mnist.Split s = Mnist.load(TestDatasets.fashionMnist(), 500, 300);
        assertEquals(500, s.train().size());
        assertEquals(300, s.test().size());
        assertEquals(Shape.of(28, 28, 1), s.train().exampleShape());
        int[] counts = new int[10];
        for (int y : s.train().labels()) {
            counts[y]++;
        }
        for (int c : counts) {
            assertTrue(c > 20, "every class present: " + Arrays.toString(counts));
        }
        float max = 0;
        for (float v : s.train().features()) {
            assertTrue(v >= 0f && v <= 1f);
            max = Math.max(max, v);
        }
        assertEquals(1f, max, "pixels scaled to [0, 1]");
    }
}
