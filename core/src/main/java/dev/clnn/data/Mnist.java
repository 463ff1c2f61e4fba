package dev.clnn.data;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;

import dev.clnn.tensor.Shape;

/**
 * MNIST-format datasets (MNIST, Fashion-MNIST, KMNIST) from a directory holding the four IDX files
 * {@code train-images-idx3-ubyte}, {@code train-labels-idx1-ubyte}, {@code t10k-images-idx3-ubyte}
 * and {@code t10k-labels-idx1-ubyte}, each plain or with {@code .gz}. Images become NHWC examples
 * {@code (28, 28, 1)} with pixels scaled to [0, 1]; labels are the classes 0-9.
 */
public final class Mnist {
    /** Where Debian's {@code dataset-fashion-mnist} package installs Fashion-MNIST. */
    public static final Path DEFAULT_DIR = Path.of("/usr/share/datasets/fashion-mnist");
    public static final int CLASSES = 10;

    private Mnist() {
    }

    /** The training and test sets. */
    public record Split(Dataset train, Dataset test) {
    }

    /** Loads both sets from {@code dir}. */
    public static Split load(Path dir) throws IOException {
        return load(dir, Integer.MAX_VALUE, Integer.MAX_VALUE);
    }

    /**
     * Loads at most the first {@code trainLimit} training and {@code testLimit} test examples.
     *
     * @throws NoSuchFileException  when {@code dir} does not exist or lacks one of the files (the
     *                               message lists them)
     * @throws NotDirectoryException when {@code dir} is a file, not a directory
     * @throws IOException           naming the file when one is malformed, truncated, has labels
     *                               outside 0-9, holds no images, or holds another number of images
     *                               than labels
     */
    public static Split load(Path dir, int trainLimit, int testLimit) throws IOException {
        Dataset train = load(dir, "train", trainLimit);
        Dataset test = load(dir, "t10k", testLimit);
        return new Split(train, test);
    }

    /**
     * Loads one set: {@code prefix} is {@code train} or {@code t10k}.
     *
     * @throws NotDirectoryException when {@code dir} is a file, not a directory
     * @throws IOException           as {@link #load(Path, int, int)}, and when the set holds no images
     */
    public static Dataset load(Path dir, String prefix, int limit) throws IOException {
        if (limit < 0) {
            throw new IllegalArgumentException("The example limit must not be negative, got " + limit);
        }
        Path imagesFile = find(dir, prefix + "-images-idx3-ubyte");
        Path labelsFile = find(dir, prefix + "-labels-idx1-ubyte");
        Idx.Array images = Idx.read(imagesFile, 3);
        int h = images.dims()[1];
        int w = images.dims()[2];
        if (images.dims()[0] == 0) {
            throw new IOException(imagesFile + " contains 0 images; an MNIST-format " + (prefix.equals("train")
                    ? "training" : "test") + " set needs at least one");
        }
        if (h == 0 || w == 0) {
            throw new IOException(imagesFile + " holds images of " + h + " x " + w + " pixels; none may be empty");
        }
        Idx.Array labels = Idx.read(labelsFile, 1);
        int n = labels.dims()[0];
        if (images.dims()[0] != n) {
            throw new IOException(imagesFile + " holds " + images.dims()[0] + " images but " + labelsFile + " holds "
                    + n + " labels");
        }
        int count = Math.min(n, limit);
        int[] y = new int[count];
        for (int i = 0; i < count; i++) {
            y[i] = labels.get(i);
            if (y[i] >= CLASSES) {
                throw new IOException(labelsFile + ": label " + y[i] + " of example " + i + " is outside 0-"
                        + (CLASSES - 1));
            }
        }
        float[] x = new float[count * h * w];
        for (int i = 0; i < x.length; i++) {
            x[i] = images.get(i) / 255f;
        }
        String name = dir.getFileName() + " " + (prefix.equals("train") ? "train" : "test");
        return new Dataset(name, Shape.of(h, w, 1), x, y, CLASSES);
    }

    private static Path find(Path dir, String base) throws IOException {
        if (Files.exists(dir) && !Files.isDirectory(dir)) {
            throw new NotADirectory(dir);
        }
        Path plain = dir.resolve(base);
        Path gz = dir.resolve(base + ".gz");
        if (Files.isRegularFile(plain)) {
            return plain;
        }
        if (Files.isRegularFile(gz)) {
            return gz;
        }
        throw new NoSuchFileException(gz.toString(), null, Files.isDirectory(dir)
                ? "no " + base + "[.gz] in " + dir + " (an MNIST-format directory holds train-images-idx3-ubyte, "
                        + "train-labels-idx1-ubyte, t10k-images-idx3-ubyte and t10k-labels-idx1-ubyte, each "
                        + "optionally .gz)"
                : "the data directory " + dir + " does not exist");
    }

    /** {@link NotDirectoryException} with a reason: the data path must be the folder, not one of its files. */
    private static final class NotADirectory extends NotDirectoryException {
        private static final long serialVersionUID = 1L;

        NotADirectory(Path dir) {
            super(dir.toString());
        }

        @Override
        public String getReason() {
            return "is not a directory; the MNIST data path must be the directory holding train-images-idx3-ubyte,"
                    + " train-labels-idx1-ubyte, t10k-images-idx3-ubyte and t10k-labels-idx1-ubyte (each optionally"
                    + " .gz)";
        }
    }
}
