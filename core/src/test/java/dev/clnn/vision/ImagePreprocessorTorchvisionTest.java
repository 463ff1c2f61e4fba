package dev.clnn.vision;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URISyntaxException;
import java.nio.file.Path;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import dev.clnn.tensor.Npy;
import dev.clnn.tensor.Shape;

/**
 * The preprocessor against torchvision 0.28 (fixtures written by {@code scripts/vision_fixtures.py}):
 * resize of the shorter side with antialias=True, centre crop, ToTensor, Normalize with ImageNet's
 * statistics. "_tensor" is torchvision on a float tensor (no rounding between the steps, like clnn);
 * "_pil" its usual PIL pipeline, which rounds to 8 bits after the horizontal and the vertical pass.
 */
class ImagePreprocessorTorchvisionTest {
    /** Float arithmetic in a different order, on values up to about 2.6 after normalisation. */
    private static final float TENSOR_TOLERANCE = 2e-5f;
    /**
     * PIL rounds to 8 bits after each pass of its separable filter: at most half a step each, so one
     * step of 8 bits in all, divided by the smallest std.
     */
    private static final float PIL_TOLERANCE = 1f / 255f / 0.224f + 1e-5f;

    @ParameterizedTest
    @CsvSource({"landscape_down, 20, 16, 16", "portrait_up, 40, 32, 36", "strong_down, 9, 7, 9", "padded, 12, 18, 20"})
    void matchesTorchvision(String name, int resize, int cropW, int cropH) throws Exception {
        ImagePreprocessor p = ImagePreprocessor.imagenet().withResize(resize).withCrop(cropW, cropH);
        float[] x = p.read(resource(name + ".png"));
        Npy.Array tensor = Npy.read(resource(name + "_tensor.npy"));
        Npy.Array pil = Npy.read(resource(name + "_pil.npy"));
        assertEquals(Shape.of(1, 3, cropH, cropW), tensor.shape());
        assertEquals(tensor.shape(), p.shape(1));
        assertClose(tensor.data(), x, TENSOR_TOLERANCE, name + " vs torchvision on a float tensor");
        assertClose(pil.data(), x, PIL_TOLERANCE, name + " vs torchvision on a PIL image");
    }

    static void assertClose(float[] expected, float[] actual, float atol, String what) {
        assertEquals(expected.length, actual.length, what + ": length");
        double max = 0;
        int worst = -1;
        for (int i = 0; i < expected.length; i++) {
            double d = Math.abs(expected[i] - actual[i]);
            if (!(d <= max)) {
                max = d;
                worst = i;
            }
        }
        assertTrue(max <= atol, what + ": max difference " + max + " at index " + worst + " (expected "
                + expected[Math.max(worst, 0)] + ", got " + actual[Math.max(worst, 0)] + "), tolerance " + atol);
    }

    static Path resource(String name) throws URISyntaxException {
        return Path.of(ImagePreprocessorTorchvisionTest.class.getResource("/vision/" + name).toURI());
    }
}
