package dev.clnn.vision;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

import dev.clnn.tensor.Layout;
import dev.clnn.tensor.Shape;

/** Sizes, crop offsets, normalisation, channel order, layouts and batches of {@link ImagePreprocessor}. */
class ImagePreprocessorTest {
    /** Red = 10 x, green = 10 y, blue = 200: every pixel tells where it came from. */
    private static RgbImage coordinates(int w, int h) {
        int[] packed = new int[w * h];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                packed[y * w + x] = (10 * x) << 16 | (10 * y) << 8 | 200;
            }
        }
        return RgbImage.ofPacked(w, h, packed);
    }

    private static ImagePreprocessor raw() {
        return ImagePreprocessor.imagenet().withScale(1).withMean(0, 0, 0).withStd(1, 1, 1);
    }

    @Test
    void theImagenetPresetIsTorchvisionsRecipe() {
        ImagePreprocessor p = ImagePreprocessor.imagenet();
        assertEquals(224, p.width());
        assertEquals(224, p.height());
        assertEquals(Shape.of(2, 3, 224, 224), p.shape(2));
        assertArrayEquals(new int[] {341, 256}, p.resizedSize(coordinates(640, 480)));
        assertArrayEquals(new int[] {256, 341}, p.resizedSize(coordinates(480, 640)));
        assertArrayEquals(new int[] {256, 256}, p.resizedSize(coordinates(3, 3)));
        assertEquals("resize shorter side to 256 (antialiased), centre crop 224x224, (x/255 - mean(0.485, 0.456, "
                + "0.406)) / std(0.229, 0.224, 0.225), RGB, NCHW", p.toString());
        assertArrayEquals(new int[] {83, 73}, ImagePreprocessor.imagenet(64).resizedSize(coordinates(80, 70)));
        assertEquals(342, ImagePreprocessor.imagenet(299).resizedSize(coordinates(10, 10))[0]);
    }

    @Test
    void theCentreCropRoundsHalfToEvenLikeTorchvision() {
        assertEquals(2, ImagePreprocessor.cropOffset(5, 2));   // 1.5 -> 2
        assertEquals(2, ImagePreprocessor.cropOffset(7, 2));   // 2.5 -> 2
        assertEquals(4, ImagePreprocessor.cropOffset(11, 2));  // 4.5 -> 4
        assertEquals(0, ImagePreprocessor.cropOffset(9, 9));
        assertEquals(-4, ImagePreprocessor.cropOffset(12, 20));
        assertEquals(-3, ImagePreprocessor.cropOffset(12, 19));
        // shorter side already 4: no resize; a 3-wide crop of 10 columns starts at round(3.5) = 4.
        float[] x = raw().withResize(4).withCrop(3, 4).apply(coordinates(10, 4));
        assertArrayEquals(new float[] {40, 50, 60}, new float[] {x[0], x[1], x[2]}, 0f);
        assertEquals(30, x[12 + 3 * 3], 0f);                  // green of row 3
        assertEquals(200, x[24], 0f);
    }

    @Test
    void normalisesEachChannelWithItsOwnMeanAndStd() {
        RgbImage img = RgbImage.ofPacked(2, 1, new int[] {0xFF0000, 0x00FF00});
        ImagePreprocessor p = ImagePreprocessor.imagenet().withResize(2, 1).withMean(0.5f, 0f, 0f).withStd(0.5f, 1f, 1f);
        assertArrayEquals(new float[] {1f, -1f, 0f, 1f, 0f, 0f}, p.apply(img), 1e-6f);
        float[] imagenet = ImagePreprocessor.imagenet().withResize(2, 1).apply(img);
        assertEquals((1 - 0.485f) / 0.229f, imagenet[0], 1e-5f);
        assertEquals((0 - 0.406f) / 0.225f, imagenet[5], 1e-5f);
    }

    @Test
    void bgrReversesTheChannelsButKeepsEachChannelsStatistics() {
        RgbImage img = coordinates(6, 5);
        ImagePreprocessor rgb = ImagePreprocessor.imagenet().withResize(4).withCrop(3);
        float[] a = rgb.apply(img);
        float[] b = rgb.withChannelOrder(ImagePreprocessor.ChannelOrder.BGR).apply(img);
        int hw = 9;
        for (int c = 0; c < 3; c++) {
            for (int i = 0; i < hw; i++) {
                assertEquals(a[c * hw + i], b[(2 - c) * hw + i], 0f);
            }
        }
    }

    @Test
    void nhwcIsTheTransposeOfNchw() {
        RgbImage img = coordinates(9, 7);
        ImagePreprocessor nchw = ImagePreprocessor.imagenet().withResize(5).withCrop(4, 3);
        ImagePreprocessor nhwc = nchw.withLayout(Layout.NHWC);
        assertEquals(Shape.of(1, 3, 4, 3), nhwc.shape(1));
        float[] a = nchw.apply(img);
        float[] b = nhwc.apply(img);
        for (int c = 0; c < 3; c++) {
            for (int y = 0; y < 3; y++) {
                for (int x = 0; x < 4; x++) {
                    assertEquals(a[(c * 3 + y) * 4 + x], b[(y * 4 + x) * 3 + c], 0f);
                }
            }
        }
    }

    @Test
    void aBatchPacksEachImageInOrder() {
        RgbImage first = coordinates(9, 7);
        RgbImage second = coordinates(5, 11);
        ImagePreprocessor p = ImagePreprocessor.imagenet(4);
        float[] batch = p.apply(List.of(first, second));
        assertEquals(2 * p.imageSize(), batch.length);
        float[] one = p.apply(first);
        float[] two = p.apply(second);
        for (int i = 0; i < p.imageSize(); i++) {
            assertEquals(one[i], batch[i], 0f);
            assertEquals(two[i], batch[p.imageSize() + i], 0f);
        }
        float[] dst = new float[p.imageSize() + 5];
        dst[0] = 42;
        p.apply(second, dst, 5);
        assertEquals(42, dst[0], 0f);
        assertEquals(two[p.imageSize() - 1], dst[dst.length - 1], 0f);
    }

    @Test
    void badSettingsAreRefusedWithTheValue() {
        ImagePreprocessor p = ImagePreprocessor.imagenet();
        assertEquals("std must be finite and non-zero, got (0.5, 0.0, 0.5)",
                assertThrows(IllegalArgumentException.class, () -> p.withStd(0.5f, 0, 0.5f)).getMessage());
        assertEquals("mean needs 3 values (R, G, B), got 2",
                assertThrows(IllegalArgumentException.class, () -> p.withMean(0.5f, 0.5f)).getMessage());
        assertEquals("crop width must be at least 1, got 0",
                assertThrows(IllegalArgumentException.class, () -> p.withCrop(0, 4)).getMessage());
        assertTrue(assertThrows(IllegalArgumentException.class, () -> p.withLayout(Layout.ROW_MAJOR)).getMessage()
                .contains("NCHW or NHWC"));
        assertThrows(IllegalArgumentException.class, () -> p.withScale(Float.NaN));
        assertThrows(IllegalArgumentException.class, () -> p.apply(List.of()));
        assertThrows(IndexOutOfBoundsException.class, () -> p.apply(coordinates(3, 3), new float[p.imageSize()], 1));
    }
}
