package dev.clnn.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;

import org.junit.jupiter.api.Test;

import dev.clnn.tensor.Shape;

class ImagePreprocessingTest {
    private static final float[] MEAN = {0.5f, 0.25f, 0.125f};
    private static final float[] STD = {0.5f, 0.25f, 2f};

    /** A {@code w x h} image of one colour. */
    private static byte[] solid(int w, int h, Color colour) {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setColor(colour);
        g.fillRect(0, 0, w, h);
        g.dispose();
        return ImageRows.encode(img, "png");
    }

    private static float expected(int value, int c) {
        return (value / 255f - MEAN[c]) / STD[c];
    }

    @Test
    void nchwModelsGetPlanesOfRedGreenBlueScaledAndNormalised() {
        ImagePreprocessing p = ModelShapes.imageInput("m", Shape.of(3, 4, 5), MEAN, STD);
        float[] out = new float[2 + p.size()];
        p.decode(solid(13, 7, new Color(255, 0, 102)), out, 2);       // resized from 13 x 7 to 5 x 4
        assertEquals(0f, out[0]);
        assertEquals(0f, out[1]);
        int[] rgb = {255, 0, 102};
        for (int c = 0; c < 3; c++) {
            for (int i = 0; i < 20; i++) {
                assertEquals(expected(rgb[c], c), out[2 + c * 20 + i], 1e-6f, "channel " + c + " pixel " + i);
            }
        }
    }

    @Test
    void nhwcModelsGetInterleavedChannels() {
        ImagePreprocessing p = ModelShapes.imageInput("m", Shape.of(4, 5, 3), MEAN, STD);
        float[] out = new float[p.size()];
        p.decode(solid(3, 3, new Color(51, 204, 0)), out, 0);
        int[] rgb = {51, 204, 0};
        for (int i = 0; i < 20; i++) {
            for (int c = 0; c < 3; c++) {
                assertEquals(expected(rgb[c], c), out[i * 3 + c], 1e-6f, "pixel " + i + " channel " + c);
            }
        }
    }

    @Test
    void greyModelsGetTheMeanOfTheChannels() {
        ImagePreprocessing p = ModelShapes.imageInput("m", Shape.of(1, 2, 2), MEAN, STD);
        float[] out = new float[p.size()];
        p.decode(solid(2, 2, new Color(30, 60, 90)), out, 0);
        assertEquals(((60 / 255f) - MEAN[0]) / STD[0], out[3], 1e-6f);
    }

    @Test
    void inputsThatAreNoImagesAndBytesThatAreNoImageAreRefused() {
        IllegalArgumentException shape = assertThrows(IllegalArgumentException.class,
                () -> ModelShapes.imageInput("tabular.onnx", Shape.of(12), MEAN, STD));
        assertTrue(shape.getMessage().contains("model tabular.onnx takes (12,) per row, not an image"), shape.getMessage());
        ImagePreprocessing p = ModelShapes.imageInput("m", Shape.of(3, 2, 2), MEAN, STD);
        IllegalArgumentException bytes = assertThrows(IllegalArgumentException.class,
                () -> p.decode(new byte[] {1, 2, 3}, new float[12], 0));
        assertEquals("cannot decode the image (3 bytes): not a PNG, JPEG, BMP or GIF image", bytes.getMessage());
    }
}
