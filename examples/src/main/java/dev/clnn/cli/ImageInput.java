package dev.clnn.cli;

import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;

import javax.imageio.ImageIO;

/**
 * Image decoding for {@code clnn classify}, kept apart from the command so that the rest of the
 * command line runs on Java runtimes without the java.desktop module.
 */
final class ImageInput {
    private ImageInput() {
    }

    /** Decodes a PNG or JPEG, resizes it to {@code w x h} and returns it as a normalised (1, 3, H, W) array. */
    static float[] load(Path image, int w, int h, float[] mean, float[] std) {
        BufferedImage img;
        try {
            img = ImageIO.read(image.toFile());
        } catch (IOException e) {
            throw new IllegalArgumentException("Cannot decode " + image + ": " + e.getMessage(), e);
        }
        if (img == null) {
            throw new IllegalArgumentException("Cannot decode " + image + " (PNG or JPEG expected)");
        }
        return nchw(resize(img, w, h), mean, std);
    }

    static BufferedImage resize(BufferedImage src, int w, int h) {
        BufferedImage dst = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = dst.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
            g.drawImage(src, 0, 0, w, h, null);
        } finally {
            g.dispose();
        }
        return dst;
    }

    /** RGB pixels to a normalised (1, 3, H, W) array. */
    static float[] nchw(BufferedImage img, float[] mean, float[] std) {
        int w = img.getWidth();
        int h = img.getHeight();
        float[] x = new float[3 * h * w];
        for (int yy = 0; yy < h; yy++) {
            for (int xx = 0; xx < w; xx++) {
                int rgb = img.getRGB(xx, yy);
                for (int c = 0; c < 3; c++) {
                    float v = ((rgb >> (16 - 8 * c)) & 0xFF) / 255f;
                    x[(c * h + yy) * w + xx] = (v - mean[c]) / std[c];
                }
            }
        }
        return x;
    }
}
