package dev.clnn.vision;

import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ComponentColorModel;
import java.awt.image.Raster;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Objects;

import javax.imageio.ImageIO;

/**
 * Decodes image files (PNG, JPEG, BMP, GIF: the formats {@code javax.imageio} reads on every
 * JDK; the first frame of an animated GIF) into {@link RgbImage}s. Needs the {@code java.desktop}
 * module; see the package documentation.
 */
public final class Images {
    static final String FORMATS = "PNG, JPEG, BMP or GIF";

    private Images() {
    }

    /**
     * Reads and decodes an image file.
     *
     * @throws NoSuchFileException if {@code file} does not exist
     * @throws IOException if it is a directory or cannot be read
     * @throws IllegalArgumentException if its content is not an image ImageIO can decode, naming the file
     * @throws IllegalStateException if this Java runtime lacks the java.desktop module
     */
    public static RgbImage read(Path file) throws IOException {
        Objects.requireNonNull(file, "file");
        if (!Files.exists(file)) {
            throw new NoSuchFileException(file.toString());
        }
        if (Files.isDirectory(file)) {
            throw new IOException(file + " is a directory, expected an image file");
        }
        try (InputStream in = new BufferedInputStream(Files.newInputStream(file))) {
            return read(in, file.toString());
        }
    }

    /**
     * Decodes an image from a stream (read to its end, not closed); {@code name} appears in errors.
     *
     * @throws IllegalArgumentException if the bytes are not an image ImageIO can decode
     */
    public static RgbImage read(InputStream in, String name) throws IOException {
        Objects.requireNonNull(in, "in");
        BufferedImage image;
        try {
            image = ImageIO.read(in);
        } catch (NoClassDefFoundError e) {
            throw new IllegalStateException("decoding images needs javax.imageio (module java.desktop), which this "
                    + "Java runtime lacks; every standard JDK and JRE has it", e);
        } catch (IOException | RuntimeException e) {
            // ImageIO reports corrupt data as IIOException, and some plug-ins as unchecked exceptions.
            throw new IllegalArgumentException("cannot decode " + name + ": " + describe(e), e);
        }
        if (image == null) {
            throw new IllegalArgumentException("cannot decode " + name + ": not a " + FORMATS + " image");
        }
        return of(image);
    }

    private static String describe(Exception e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String message = root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
        return message + " (a damaged file, or not a " + FORMATS + " image)";
    }

    /**
     * Converts a {@link BufferedImage} (any type ImageIO produces) to 8-bit RGB. Grey images keep
     * their sample values (Java would otherwise brighten them by treating grey as linear light),
     * 16-bit samples are rounded to 8 bits, alpha is dropped.
     */
    public static RgbImage of(BufferedImage image) {
        Objects.requireNonNull(image, "image");
        int w = image.getWidth();
        int h = image.getHeight();
        byte[] rgb = new byte[Math.multiplyExact(Math.multiplyExact(w, h), 3)];
        if (isGrey(image)) {
            Raster raster = image.getRaster();
            int max = (1 << raster.getSampleModel().getSampleSize(0)) - 1;
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    int v = max == 255 ? raster.getSample(x, y, 0) : Math.round(raster.getSample(x, y, 0) * 255f / max);
                    int i = (y * w + x) * 3;
                    rgb[i] = (byte) v;
                    rgb[i + 1] = (byte) v;
                    rgb[i + 2] = (byte) v;
                }
            }
        } else {
            int[] row = new int[w];
            for (int y = 0; y < h; y++) {
                image.getRGB(0, y, w, 1, row, 0, w);
                for (int x = 0; x < w; x++) {
                    int i = (y * w + x) * 3;
                    rgb[i] = (byte) (row[x] >> 16);
                    rgb[i + 1] = (byte) (row[x] >> 8);
                    rgb[i + 2] = (byte) row[x];
                }
            }
        }
        return RgbImage.wrap(w, h, rgb);
    }

    /** Whether the image is grey (with or without alpha) in a plain component layout we can read directly. */
    private static boolean isGrey(BufferedImage image) {
        return image.getColorModel() instanceof ComponentColorModel cm
                && cm.getColorSpace().getType() == ColorSpace.TYPE_GRAY
                && image.getRaster().getNumBands() <= 2
                && image.getRaster().getSampleModel().getSampleSize(0) <= 16;
    }

    /** The image as a {@code TYPE_INT_RGB} {@link BufferedImage}, e.g. to write it with ImageIO. */
    public static BufferedImage toBufferedImage(RgbImage image) {
        BufferedImage out = new BufferedImage(image.width(), image.height(), BufferedImage.TYPE_INT_RGB);
        byte[] s = image.samples();
        int[] row = new int[image.width()];
        for (int y = 0; y < image.height(); y++) {
            for (int x = 0; x < row.length; x++) {
                int i = (y * row.length + x) * 3;
                row[x] = (s[i] & 0xFF) << 16 | (s[i + 1] & 0xFF) << 8 | (s[i + 2] & 0xFF);
            }
            out.setRGB(0, y, row.length, 1, row, 0, row.length);
        }
        return out;
    }
}
