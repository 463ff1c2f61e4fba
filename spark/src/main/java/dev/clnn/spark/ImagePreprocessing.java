package dev.clnn.spark;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.Serializable;
import java.util.Arrays;

import dev.clnn.tensor.Layout;
import dev.clnn.vision.ImagePreprocessor;
import dev.clnn.vision.Images;
import dev.clnn.vision.RgbImage;

/**
 * Turns an encoded PNG, JPEG, GIF or BMP into one example of a model's input through core's
 * {@code dev.clnn.vision}: decode, resize and centre-crop to the model's height and width as
 * torchvision's ImageNet evaluation does, scale to [0, 1], subtract {@code mean} and
 * divide by {@code std} per channel, and lay out as the model declares: {@code (C, H, W)} (NCHW,
 * as exported from PyTorch) or {@code (H, W, C)} (NHWC, Keras). Channels are RGB, or one grey
 * channel (the mean of R, G and B) when the model takes one.
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
        RgbImage img;
        try {
            img = Images.read(new ByteArrayInputStream(encoded), "the image (" + encoded.length + " bytes)");
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot decode the image (" + encoded.length + " bytes): "
                    + e.getMessage(), e);
        }
        if (channels == 3) {
            preprocessor(mean, std).apply(img, out, offset);
            return;
        }
        float[] rgb = preprocessor(new float[] {0, 0, 0}, new float[] {1, 1, 1}).apply(img);
        for (int p = 0; p < height * width; p++) {      // NHWC: one grey value per pixel
            float grey = (rgb[3 * p] + rgb[3 * p + 1] + rgb[3 * p + 2]) / 3f;
            out[offset + p] = (grey - mean[0]) / std[0];
        }
    }

    /**
     * torchvision's ImageNet evaluation recipe at the model's size (shorter side resized with
     * antialiasing to 256/224 of it, centre crop), core's {@link ImagePreprocessor}.
     */
    private ImagePreprocessor preprocessor(float[] m, float[] s) {
        ImagePreprocessor p = height == width ? ImagePreprocessor.imagenet(height)
                : ImagePreprocessor.imagenet().withResize(Math.round(width * 256f / 224), Math.round(height * 256f / 224))
                        .withCrop(width, height);
        return p.withMean(m).withStd(s).withLayout(nchw && channels == 3 ? Layout.NCHW : Layout.NHWC);
    }
}
