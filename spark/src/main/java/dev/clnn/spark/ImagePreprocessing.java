package dev.clnn.spark;

import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.Serializable;
import java.util.Arrays;

import javax.imageio.ImageIO;

/**
 * Turns an encoded PNG or JPEG into one example of a model's input: decode, resize to the model's
 * height and width (bilinear, aspect ratio not kept), scale to [0, 1], subtract {@code mean} and
 * divide by {@code std} per channel, and lay out as the model declares: {@code (C, H, W)} (NCHW,
 * as exported from PyTorch) or {@code (H, W, C)} (NHWC, Keras). Channels are RGB, or one grey
 * channel (the mean of R, G and B) when the model takes one.
 *
 * <p>NOTE: this is the module's own decode path through {@code javax.imageio} (the JDK's
 * java.desktop module); it is meant to give way to core's shared image pipeline when that exists.
 *
 * @param height   the model's input height
 * @param width    the model's input width
 * @param channels 1 or 3
 * @param nchw     whether channels come first
 * @param mean     per channel, after scaling to [0, 1]
 * @param std      per channel, after scaling to [0, 1]
 */
record ImagePreprocessing(int height, int width, int channels, boolean nchw, float[] mean, float[] std)
        implements Serializable {
    private static final long serialVersionUID = 1L;
    /** ImageNet's statistics, what torchvision's and timm's classifiers expect. */
    static final float[] IMAGENET_MEAN = {0.485f, 0.456f, 0.406f};
    static final float[] IMAGENET_STD = {0.229f, 0.224f, 0.225f};

    ImagePreprocessing {
        if (channels != 1 && channels != 3) {
            throw new IllegalArgumentException("images have 1 or 3 channels; the model takes " + channels);
        }
        if (mean.length != 3 || std.length != 3) {
            throw new IllegalArgumentException("mean and std take 3 values (R, G, B); got "
                    + Arrays.toString(mean) + " and " + Arrays.toString(std));
        }
        for (float s : std) {
            if (!(s > 0f)) {
                throw new IllegalArgumentException("std must be positive; got " + Arrays.toString(std));
            }
        }
        mean = mean.clone();
        std = std.clone();
    }

    /** The floats of one example. */
    int size() {
        return height * width * channels;
    }

    /**
     * Decodes {@code encoded} into {@code out} from {@code offset}.
     *
     * @throws IllegalArgumentException when the bytes are not an image ImageIO can decode
     */
    void decode(byte[] encoded, float[] out, int offset) {
        BufferedImage img;
        try {
            img = ImageIO.read(new ByteArrayInputStream(encoded));
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException("cannot decode the image (" + encoded.length + " bytes): "
                    + e.getMessage(), e);
        }
        if (img == null) {
            throw new IllegalArgumentException("cannot decode the image (" + encoded.length
                    + " bytes): not a PNG, JPEG, GIF or BMP");
        }
        write(resize(img), out, offset);
    }

    private BufferedImage resize(BufferedImage src) {
        BufferedImage dst = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = dst.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
            g.drawImage(src, 0, 0, width, height, null);
        } finally {
            g.dispose();
        }
        return dst;
    }

    private void write(BufferedImage img, float[] out, int offset) {
        int[] rgb = img.getRGB(0, 0, width, height, null, 0, width);
        for (int p = 0; p < rgb.length; p++) {
            float r = ((rgb[p] >> 16) & 0xFF) / 255f;
            float g = ((rgb[p] >> 8) & 0xFF) / 255f;
            float b = (rgb[p] & 0xFF) / 255f;
            if (channels == 1) {
                float grey = (r + g + b) / 3f;
                out[offset + p] = (grey - mean[0]) / std[0];
                continue;
            }
            put(out, offset, p, 0, (r - mean[0]) / std[0]);
            put(out, offset, p, 1, (g - mean[1]) / std[1]);
            put(out, offset, p, 2, (b - mean[2]) / std[2]);
        }
    }

    private void put(float[] out, int offset, int pixel, int c, float v) {
        int i = nchw ? c * height * width + pixel : pixel * 3 + c;
        out[offset + i] = v;
    }
}
