package dev.clnn.vision;

import java.util.Objects;

/**
 * A decoded image: 8-bit red, green and blue samples, row-major and interleaved
 * ({@code (H, W, 3)}). Immutable; alpha, if the file had one, is dropped (as PIL's
 * {@code convert("RGB")} does), and grey images carry the grey value in all three channels.
 */
public final class RgbImage {
    private final int width;
    private final int height;
    private final byte[] rgb;

    private RgbImage(int width, int height, byte[] rgb) {
        this.width = width;
        this.height = height;
        this.rgb = rgb;
    }

    /**
     * An image over a copy of {@code rgb}, {@code (height, width, 3)} unsigned bytes.
     *
     * @throws IllegalArgumentException if a size is not positive or {@code rgb} does not hold
     *         {@code 3 * width * height} bytes
     */
    public static RgbImage of(int width, int height, byte[] rgb) {
        Objects.requireNonNull(rgb, "rgb");
        if (width < 1 || height < 1) {
            throw new IllegalArgumentException("an image needs a positive size, got " + width + "x" + height);
        }
        if ((long) width * height * 3 != rgb.length) {
            throw new IllegalArgumentException("a " + width + "x" + height + " RGB image needs "
                    + (long) width * height * 3 + " bytes, got " + rgb.length);
        }
        return new RgbImage(width, height, rgb.clone());
    }

    /** An image built from packed {@code 0xRRGGBB} ints, {@code (height, width)} row-major; higher bits ignored. */
    public static RgbImage ofPacked(int width, int height, int[] packed) {
        Objects.requireNonNull(packed, "packed");
        if (width < 1 || height < 1) {
            throw new IllegalArgumentException("an image needs a positive size, got " + width + "x" + height);
        }
        if ((long) width * height != packed.length) {
            throw new IllegalArgumentException("a " + width + "x" + height + " image needs " + (long) width * height
                    + " pixels, got " + packed.length);
        }
        byte[] rgb = new byte[packed.length * 3];
        for (int i = 0; i < packed.length; i++) {
            rgb[3 * i] = (byte) (packed[i] >> 16);
            rgb[3 * i + 1] = (byte) (packed[i] >> 8);
            rgb[3 * i + 2] = (byte) packed[i];
        }
        return new RgbImage(width, height, rgb);
    }

    /** Wraps {@code rgb} without copying; for decoders in this package, which hand the array over. */
    static RgbImage wrap(int width, int height, byte[] rgb) {
        return new RgbImage(width, height, rgb);
    }

    public int width() {
        return width;
    }

    public int height() {
        return height;
    }

    /** The sample of {@code channel} (0 red, 1 green, 2 blue) at column {@code x}, row {@code y}, 0 to 255. */
    public int get(int x, int y, int channel) {
        Objects.checkIndex(x, width);
        Objects.checkIndex(y, height);
        Objects.checkIndex(channel, 3);
        return rgb[(y * width + x) * 3 + channel] & 0xFF;
    }

    /** A copy of the samples, {@code (H, W, 3)}. */
    public byte[] toBytes() {
        return rgb.clone();
    }

    /** The samples themselves, for the resampler; never handed out. */
    byte[] samples() {
        return rgb;
    }

    @Override
    public String toString() {
        return "RgbImage " + width + "x" + height;
    }
}
