package dev.clnn.vision;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.awt.image.WritableRaster;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;

import javax.imageio.ImageIO;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Decoding through javax.imageio, and its errors. */
class ImagesTest {
    private static BufferedImage pattern(int type) {
        BufferedImage img = new BufferedImage(7, 5, type);
        for (int y = 0; y < 5; y++) {
            for (int x = 0; x < 7; x++) {
                img.setRGB(x, y, 0xFF000000 | (x * 36) << 16 | (y * 60) << 8 | (x + y) * 20);
            }
        }
        return img;
    }

    private static void assertPattern(RgbImage img, int tolerance) {
        assertEquals(7, img.width());
        assertEquals(5, img.height());
        for (int y = 0; y < 5; y++) {
            for (int x = 0; x < 7; x++) {
                assertEquals(x * 36, img.get(x, y, 0), tolerance, "red at " + x + ", " + y);
                assertEquals(y * 60, img.get(x, y, 1), tolerance, "green at " + x + ", " + y);
                assertEquals((x + y) * 20, img.get(x, y, 2), tolerance, "blue at " + x + ", " + y);
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"png", "bmp"})
    void losslessFormatsDecodeExactly(String format, @TempDir Path dir) throws IOException {
        Path file = dir.resolve("p." + format);
        assertTrue(ImageIO.write(pattern(BufferedImage.TYPE_INT_RGB), format, file.toFile()));
        assertPattern(Images.read(file), 0);
    }

    @Test
    void gifDecodesThroughItsPalette(@TempDir Path dir) throws IOException {
        BufferedImage img = new BufferedImage(4, 1, BufferedImage.TYPE_BYTE_INDEXED);
        int[] colours = {0x000000, 0xFF0000, 0x00FF00, 0xFFFFFF};
        for (int x = 0; x < 4; x++) {
            img.setRGB(x, 0, colours[x]);
        }
        Path file = dir.resolve("p.gif");
        assertTrue(ImageIO.write(img, "gif", file.toFile()));
        RgbImage rgb = Images.read(file);
        for (int x = 0; x < 4; x++) {
            assertEquals(colours[x] >> 16 & 0xFF, rgb.get(x, 0, 0));
            assertEquals(colours[x] >> 8 & 0xFF, rgb.get(x, 0, 1));
            assertEquals(colours[x] & 0xFF, rgb.get(x, 0, 2));
        }
    }

    @Test
    void jpegDecodesClosely(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("p.jpg");
        BufferedImage flat = new BufferedImage(16, 16, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 16; y++) {
            for (int x = 0; x < 16; x++) {
                flat.setRGB(x, y, 0x4080C0);
            }
        }
        assertTrue(ImageIO.write(flat, "jpg", file.toFile()));
        RgbImage img = Images.read(file);
        assertEquals(0x40, img.get(9, 9, 0), 3);
        assertEquals(0x80, img.get(9, 9, 1), 3);
        assertEquals(0xC0, img.get(9, 9, 2), 3);
    }

    @Test
    void alphaIsDropped(@TempDir Path dir) throws IOException {
        BufferedImage img = pattern(BufferedImage.TYPE_INT_ARGB);
        img.setRGB(3, 2, 0x10 << 24 | (3 * 36) << 16 | (2 * 60) << 8 | 100);
        Path file = dir.resolve("a.png");
        ImageIO.write(img, "png", file.toFile());
        assertPattern(Images.read(file), 0);
    }

    /** Java treats grey as linear light and would brighten it through getRGB; the samples are kept. */
    @Test
    void greyKeepsItsSampleValues(@TempDir Path dir) throws IOException {
        BufferedImage g8 = new BufferedImage(3, 1, BufferedImage.TYPE_BYTE_GRAY);
        g8.getRaster().setPixels(0, 0, 3, 1, new int[] {0, 100, 255});
        Path f8 = dir.resolve("g8.png");
        ImageIO.write(g8, "png", f8.toFile());
        RgbImage a = Images.read(f8);
        assertEquals(100, a.get(1, 0, 0));
        assertEquals(100, a.get(1, 0, 2));
        assertEquals(255, a.get(2, 0, 1));

        BufferedImage g16 = new BufferedImage(2, 1, BufferedImage.TYPE_USHORT_GRAY);
        WritableRaster r = g16.getRaster();
        r.setPixels(0, 0, 2, 1, new int[] {100 * 257, 65535});
        Path f16 = dir.resolve("g16.png");
        ImageIO.write(g16, "png", f16.toFile());
        RgbImage b = Images.read(f16);
        assertEquals(100, b.get(0, 0, 1));
        assertEquals(255, b.get(1, 0, 0));
    }

    @Test
    void aMissingFileIsNoSuchFile(@TempDir Path dir) {
        Path none = dir.resolve("none.png");
        assertEquals(none.toString(), assertThrows(NoSuchFileException.class, () -> Images.read(none)).getFile());
        IOException e = assertThrows(IOException.class, () -> Images.read(dir));
        assertEquals(dir + " is a directory, expected an image file", e.getMessage());
    }

    @Test
    void somethingElseIsNamedAndRefused(@TempDir Path dir) throws IOException {
        Path text = dir.resolve("notes.png");
        Files.writeString(text, "not an image at all");
        assertEquals("cannot decode " + text + ": not a PNG, JPEG, BMP or GIF image",
                assertThrows(IllegalArgumentException.class, () -> Images.read(text)).getMessage());
    }

    @Test
    void aTruncatedFileIsRefused(@TempDir Path dir) throws IOException {
        Path whole = dir.resolve("whole.png");
        ImageIO.write(pattern(BufferedImage.TYPE_INT_RGB), "png", whole.toFile());
        byte[] bytes = Files.readAllBytes(whole);
        Path cut = dir.resolve("cut.png");
        Files.write(cut, Arrays.copyOf(bytes, bytes.length / 2));
        String message = assertThrows(IllegalArgumentException.class, () -> Images.read(cut)).getMessage();
        assertTrue(message.startsWith("cannot decode " + cut + ": ") && message.contains("damaged"), message);
    }

    @Test
    void toBufferedImageRoundTrips() {
        RgbImage img = Images.of(pattern(BufferedImage.TYPE_INT_RGB));
        assertPattern(Images.of(Images.toBufferedImage(img)), 0);
    }
}
