package dev.clnn.vision;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

import dev.clnn.tensor.Layout;
import dev.clnn.tensor.Shape;

/**
 * Turns images into a model's input, the way torchvision's transforms do:
 * <ol>
 *   <li>resize with an antialiased triangle filter (as {@code Resize(..., antialias=True)}):
 *       either the shorter side to a length, keeping the aspect ratio (the longer side becomes
 *       {@code floor(length * longer / shorter)}), or to an exact width and height;</li>
 *   <li>centre crop (as {@code CenterCrop}: the offset {@code (size - crop) / 2} rounded half to
 *       even; a crop larger than the image pads it with black);</li>
 *   <li>per channel {@code (sample * scale - mean) / std}, with samples 0 to 255 and
 *       {@code scale} 1/255 by default (as {@code ToTensor} then {@code Normalize});</li>
 *   <li>channels in RGB or BGR order, packed {@code (N, 3, H, W)} ({@link Layout#NCHW}, ONNX and
 *       PyTorch models) or {@code (N, H, W, 3)} ({@link Layout#NHWC}, clnn's own models and Keras).</li>
 * </ol>
 * Mean and std are always given in R, G, B order, whatever the output's channel order.
 *
 * <p>Immutable and thread-safe; the {@code with} methods return changed copies. The arithmetic is
 * float, without rounding between the steps: the result matches torchvision applied to a float
 * tensor to about 1e-5, and its usual PIL pipeline (which rounds to 8 bits after each of the two
 * passes of its filter) to within one step of 8 bits, {@code 1 / (255 * std)}.
 */
public final class ImagePreprocessor {
    /** The order of the three output channels. */
    public enum ChannelOrder { RGB, BGR }

    /** ImageNet's per-channel mean of images scaled to [0, 1], R, G, B. */
    public static final float[] IMAGENET_MEAN = {0.485f, 0.456f, 0.406f};
    /** ImageNet's per-channel standard deviation of images scaled to [0, 1], R, G, B. */
    public static final float[] IMAGENET_STD = {0.229f, 0.224f, 0.225f};

    private final int resizeShorter;       // > 0: shorter side to this; 0: exact resizeW x resizeH
    private final int resizeW;
    private final int resizeH;
    private final int cropW;
    private final int cropH;
    private final float scale;
    private final float[] mean;
    private final float[] std;
    private final ChannelOrder order;
    private final Layout layout;

    private ImagePreprocessor(int resizeShorter, int resizeW, int resizeH, int cropW, int cropH, float scale,
            float[] mean, float[] std, ChannelOrder order, Layout layout) {
        this.resizeShorter = resizeShorter;
        this.resizeW = resizeW;
        this.resizeH = resizeH;
        this.cropW = cropW;
        this.cropH = cropH;
        this.scale = scale;
        this.mean = mean;
        this.std = std;
        this.order = order;
        this.layout = layout;
    }

    /**
     * torchvision's ImageNet evaluation recipe: shorter side to 256, centre crop 224x224, scale to
     * [0, 1], ImageNet mean and std, RGB, NCHW.
     */
    public static ImagePreprocessor imagenet() {
        return imagenet(224);
    }

    /**
     * The ImageNet recipe for a model taking {@code size x size} images: the shorter side resized to
     * {@code round(size * 256 / 224)} (the same 0.875 crop ratio), then a centre crop of {@code size}.
     */
    public static ImagePreprocessor imagenet(int size) {
        positive(size, "size");
        return new ImagePreprocessor((int) Math.round(size * 256.0 / 224.0), 0, 0, size, size, 1f / 255f,
                IMAGENET_MEAN.clone(), IMAGENET_STD.clone(), ChannelOrder.RGB, Layout.NCHW);
    }

    /** Resize the shorter side to {@code length}, keeping the aspect ratio; the crop stays. */
    public ImagePreprocessor withResize(int length) {
        positive(length, "resize length");
        return new ImagePreprocessor(length, 0, 0, cropW, cropH, scale, mean, std, order, layout);
    }

    /** Resize to exactly {@code width x height} (the aspect ratio may change), and crop nothing off it. */
    public ImagePreprocessor withResize(int width, int height) {
        positive(width, "resize width");
        positive(height, "resize height");
        return new ImagePreprocessor(0, width, height, width, height, scale, mean, std, order, layout);
    }

    /** A centre crop of {@code size x size}. */
    public ImagePreprocessor withCrop(int size) {
        return withCrop(size, size);
    }

    /** A centre crop of {@code width x height}: the output size. */
    public ImagePreprocessor withCrop(int width, int height) {
        positive(width, "crop width");
        positive(height, "crop height");
        return new ImagePreprocessor(resizeShorter, resizeW, resizeH, width, height, scale, mean, std, order, layout);
    }

    /** The factor applied to 0 to 255 samples before the mean is subtracted (default 1/255; 1 keeps 0 to 255). */
    public ImagePreprocessor withScale(float scale) {
        if (!(Float.isFinite(scale) && scale != 0)) {
            throw new IllegalArgumentException("scale must be finite and non-zero, got " + scale);
        }
        return new ImagePreprocessor(resizeShorter, resizeW, resizeH, cropW, cropH, scale, mean, std, order, layout);
    }

    /** The per-channel mean, R, G, B, in the scaled units. */
    public ImagePreprocessor withMean(float... rgb) {
        float[] m = three(rgb, "mean");
        for (float v : m) {
            if (!Float.isFinite(v)) {
                throw new IllegalArgumentException("mean must be finite, got " + format(m));
            }
        }
        return new ImagePreprocessor(resizeShorter, resizeW, resizeH, cropW, cropH, scale, m, std, order, layout);
    }

    /** The per-channel standard deviation, R, G, B, in the scaled units; each finite and non-zero. */
    public ImagePreprocessor withStd(float... rgb) {
        float[] s = three(rgb, "std");
        for (float v : s) {
            if (!(Float.isFinite(v) && v != 0)) {
                throw new IllegalArgumentException("std must be finite and non-zero, got " + format(s));
            }
        }
        return new ImagePreprocessor(resizeShorter, resizeW, resizeH, cropW, cropH, scale, mean, s, order, layout);
    }

    public ImagePreprocessor withChannelOrder(ChannelOrder channelOrder) {
        Objects.requireNonNull(channelOrder, "channelOrder");
        return new ImagePreprocessor(resizeShorter, resizeW, resizeH, cropW, cropH, scale, mean, std, channelOrder,
                layout);
    }

    /** {@link Layout#NCHW} or {@link Layout#NHWC}. */
    public ImagePreprocessor withLayout(Layout output) {
        if (output != Layout.NCHW && output != Layout.NHWC) {
            throw new IllegalArgumentException("images are packed NCHW or NHWC, not " + output);
        }
        return new ImagePreprocessor(resizeShorter, resizeW, resizeH, cropW, cropH, scale, mean, std, order, output);
    }

    /** Output width (the crop's). */
    public int width() {
        return cropW;
    }

    /** Output height (the crop's). */
    public int height() {
        return cropH;
    }

    public Layout layout() {
        return layout;
    }

    public ChannelOrder channelOrder() {
        return order;
    }

    /** Floats per image: {@code 3 * height() * width()}. */
    public int imageSize() {
        return 3 * cropW * cropH;
    }

    /** The shape of a batch: {@code (batch, 3, H, W)} or {@code (batch, H, W, 3)}. */
    public Shape shape(int batch) {
        positive(batch, "batch");
        return layout == Layout.NCHW ? Shape.of(batch, 3, cropH, cropW) : Shape.of(batch, cropH, cropW, 3);
    }

    /** The width and height {@code image} is resized to, before the crop. */
    public int[] resizedSize(RgbImage image) {
        if (resizeShorter == 0) {
            return new int[] {resizeW, resizeH};
        }
        int w = image.width();
        int h = image.height();
        int shorter = Math.min(w, h);
        int longer = Math.max(w, h);
        int newLonger = (int) ((double) ((long) resizeShorter * longer) / shorter);
        return w <= h ? new int[] {resizeShorter, newLonger} : new int[] {newLonger, resizeShorter};
    }

    /** One image, {@code (1, 3, H, W)} or {@code (1, H, W, 3)}. */
    public float[] apply(RgbImage image) {
        float[] out = new float[imageSize()];
        apply(image, out, 0);
        return out;
    }

    /** Several images packed into one batch, {@code (N, 3, H, W)} or {@code (N, H, W, 3)}, in list order. */
    public float[] apply(List<RgbImage> images) {
        if (images.isEmpty()) {
            throw new IllegalArgumentException("a batch needs at least one image");
        }
        float[] out = new float[Math.multiplyExact(images.size(), imageSize())];
        for (int i = 0; i < images.size(); i++) {
            apply(images.get(i), out, i * imageSize());
        }
        return out;
    }

    /**
     * Writes one image's {@link #imageSize()} floats into {@code dst} from {@code offset} (one example
     * of a batch); nothing else of {@code dst} is touched.
     */
    public void apply(RgbImage image, float[] dst, int offset) {
        Objects.requireNonNull(image, "image");
        Objects.checkFromIndexSize(offset, imageSize(), dst.length);
        int[] size = resizedSize(image);
        int left = cropOffset(size[0], cropW);
        int top = cropOffset(size[1], cropH);
        float[] planes = Resample.resizeAndCrop(image, size[0], size[1], left, top, cropW, cropH);
        pack(planes, dst, offset);
    }

    /** Decodes each file ({@link Images#read(Path)}) and packs them into one batch. */
    public float[] read(List<Path> files) throws IOException {
        List<RgbImage> images = new ArrayList<>(files.size());
        for (Path f : files) {
            images.add(Images.read(f));
        }
        return apply(images);
    }

    /** Decodes one file and returns it as a batch of one. */
    public float[] read(Path file) throws IOException {
        return apply(Images.read(file));
    }

    /** torchvision's centre-crop offset: round half to even, or minus half the padding when the crop is larger. */
    static int cropOffset(int size, int crop) {
        if (crop > size) {
            return -((crop - size) / 2);
        }
        return (int) Math.rint((size - crop) / 2.0);
    }

    private void pack(float[] planes, float[] dst, int offset) {
        int hw = cropW * cropH;
        for (int c = 0; c < 3; c++) {
            int src = order == ChannelOrder.RGB ? c : 2 - c;
            float m = mean[src];
            float s = std[src];
            int from = src * hw;
            if (layout == Layout.NCHW) {
                int to = offset + c * hw;
                for (int i = 0; i < hw; i++) {
                    dst[to + i] = (planes[from + i] * scale - m) / s;
                }
            } else {
                for (int i = 0; i < hw; i++) {
                    dst[offset + 3 * i + c] = (planes[from + i] * scale - m) / s;
                }
            }
        }
    }

    private static float[] three(float[] rgb, String what) {
        if (rgb == null || rgb.length != 3) {
            throw new IllegalArgumentException(what + " needs 3 values (R, G, B), got "
                    + (rgb == null ? "none" : rgb.length));
        }
        return rgb.clone();
    }

    private static void positive(int v, String what) {
        if (v < 1) {
            throw new IllegalArgumentException(what + " must be at least 1, got " + v);
        }
    }

    private static String format(float[] v) {
        return String.format(Locale.ROOT, "(%s, %s, %s)", v[0], v[1], v[2]);
    }

    /** E.g. "resize shorter side to 256, centre crop 224x224, (x/255 - mean(0.485, 0.456, 0.406)) / std(...), RGB, NCHW". */
    @Override
    public String toString() {
        String resize = resizeShorter > 0 ? "resize shorter side to " + resizeShorter
                : "resize to " + resizeW + "x" + resizeH;
        String crop = resizeShorter == 0 && cropW == resizeW && cropH == resizeH ? ""
                : ", centre crop " + cropW + "x" + cropH;
        String sc = scale == 1f / 255f ? "x/255" : String.format(Locale.ROOT, "x*%s", scale);
        return String.format(Locale.ROOT, "%s (antialiased)%s, (%s - mean%s) / std%s, %s, %s", resize, crop, sc,
                format(mean), format(std), order, layout);
    }
}
