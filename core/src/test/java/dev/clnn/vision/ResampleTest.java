package dev.clnn.vision;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The antialiased filter on images whose resized values are known exactly. */
class ResampleTest {
    /** An image of {@code w x h} with every channel at {@code value(x, y)}. */
    interface Pixel {
        int value(int x, int y);
    }

    static RgbImage grey(int w, int h, Pixel p) {
        byte[] rgb = new byte[w * h * 3];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                for (int c = 0; c < 3; c++) {
                    rgb[(y * w + x) * 3 + c] = (byte) p.value(x, y);
                }
            }
        }
        return RgbImage.of(w, h, rgb);
    }

    private static float[] resize(RgbImage img, int w, int h) {
        return Resample.resizeAndCrop(img, w, h, 0, 0, w, h);
    }

    @ParameterizedTest
    @CsvSource({"37, 23, 5, 3", "37, 23, 100, 61", "8, 8, 8, 8", "1, 1, 7, 4", "200, 3, 9, 1"})
    void aConstantImageStaysConstant(int w, int h, int outW, int outH) {
        float[] out = resize(grey(w, h, (x, y) -> 173), outW, outH);
        assertEquals(3 * outW * outH, out.length);
        for (float v : out) {
            assertEquals(173f, v, 1e-3f);
        }
    }

    @Test
    void theSameSizeIsTheIdentity() {
        RgbImage img = grey(13, 7, (x, y) -> (x * 31 + y * 17) % 256);
        float[] out = resize(img, 13, 7);
        for (int y = 0; y < 7; y++) {
            for (int x = 0; x < 13; x++) {
                assertEquals(img.get(x, y, 1), out[(7 + y) * 13 + x], 0f);
            }
        }
    }

    /**
     * Pixel j of a ramp holds 4j, its value at coordinate j + 0.5; a symmetric filter centred on
     * output i's coordinate (i + 0.5) * 4 gives 4 * (4i + 2 - 0.5) = 16i + 6 wherever the filter
     * (support 4 either side) lies inside the image.
     */
    @Test
    void aLinearRampStaysLinearWhenShrunk() {
        float[] out = resize(grey(64, 5, (x, y) -> 4 * x), 16, 5);
        for (int i = 1; i < 15; i++) {
            assertEquals(16 * i + 6, out[i], 1e-3f, "column " + i);
        }
        assertTrue(out[0] > 6 && out[15] < 16 * 15 + 6, "the edges are renormalised, pulled inwards");
    }

    /** Upscaling is bilinear interpolation between pixel centres, the edges clamped. */
    @Test
    void upscalingInterpolatesBetweenPixelCentres() {
        float[] out = resize(grey(2, 1, (x, y) -> x == 0 ? 0 : 200), 8, 1);
        // output i sits at input coordinate (i + 0.5) / 4; pixel centres at 0.5 and 1.5.
        float[] expected = {0, 0, 25, 75, 125, 175, 200, 200};
        for (int i = 0; i < 8; i++) {
            assertEquals(expected[i], out[i], 1e-3f, "column " + i);
        }
    }

    /** With an even factor each output weighs black and white pixels equally: exactly grey. */
    @ParameterizedTest
    @CsvSource({"2", "4", "6"})
    void aCheckerboardBecomesGreyWhenShrunkByAnEvenFactor(int factor) {
        int n = 12 * factor;
        float[] out = resize(grey(n, n, (x, y) -> (x + y) % 2 == 0 ? 255 : 0), 12, 12);
        for (int y = 1; y < 11; y++) {
            for (int x = 1; x < 11; x++) {
                assertEquals(127.5f, out[y * 12 + x], 1e-3f, "(" + x + ", " + y + ")");
            }
        }
    }

    /**
     * A one-pixel checkerboard shrunk by an odd or fractional factor stays close to grey, while
     * sampling only the nearest two pixels (plain bilinear) would give black and white stripes.
     */
    @ParameterizedTest
    @CsvSource({"3", "2.5", "7.3"})
    void aCheckerboardShrunkByAnyFactorIsNearlyGrey(double factor) {
        int out = 10;
        int n = (int) Math.round(out * factor);
        float[] r = resize(grey(n, n, (x, y) -> (x + y) % 2 == 0 ? 255 : 0), out, out);
        double sum = 0;
        for (int y = 1; y < out - 1; y++) {
            for (int x = 1; x < out - 1; x++) {
                float v = r[y * out + x];
                assertTrue(Math.abs(v - 127.5) < 40, "(" + x + ", " + y + ") = " + v);
                sum += v;
            }
        }
        assertEquals(127.5, sum / ((out - 2) * (out - 2)), 6);
    }

    /** Shrinking a row to one pixel weighs every input pixel by the stretched triangle. */
    @Test
    void everyInputPixelContributes() {
        // One white pixel in an otherwise black 9x1 row, shrunk to 1 pixel: the triangle of support
        // 9 either side centred at 4.5 weighs pixel j by 1 - |j + 0.5 - 4.5| / 9, normalised.
        for (int white = 0; white < 9; white++) {
            int w0 = white;
            float[] out = resize(grey(9, 1, (x, y) -> x == w0 ? 255 : 0), 1, 1);
            double total = 0;
            for (int j = 0; j < 9; j++) {
                total += 1 - Math.abs(j - 4.0) / 9;
            }
            double expected = 255 * (1 - Math.abs(white - 4.0) / 9) / total;
            assertEquals(expected, out[0], 1e-3, "white pixel " + white);
        }
    }

    @Test
    void theCropWindowReadsOnlyItsOutputsAndPadsWithZero() {
        RgbImage img = grey(30, 20, (x, y) -> (x * 7 + y * 3) % 256);
        float[] full = resize(img, 15, 10);
        float[] window = Resample.resizeAndCrop(img, 15, 10, 4, 3, 6, 5);
        for (int c = 0; c < 3; c++) {
            for (int y = 0; y < 5; y++) {
                for (int x = 0; x < 6; x++) {
                    assertEquals(full[(c * 10 + y + 3) * 15 + x + 4], window[(c * 5 + y) * 6 + x], 0f);
                }
            }
        }
        float[] padded = Resample.resizeAndCrop(img, 15, 10, -2, -1, 19, 12);
        assertEquals(0f, padded[0], 0f);
        assertEquals(0f, padded[11 * 19 + 18], 0f);
        assertEquals(full[0], padded[1 * 19 + 2], 0f);
        assertEquals(full[9 * 15 + 14], padded[10 * 19 + 16], 0f);
    }
}
