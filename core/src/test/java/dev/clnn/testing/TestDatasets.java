package dev.clnn.testing;

import java.nio.file.Path;

import dev.clnn.data.Mnist;

/** Where tests find real datasets: {@code -Dclnn.test.mnist=DIR}, else where Debian installs Fashion-MNIST. */
public final class TestDatasets {
    private TestDatasets() {
    }

    /** The Fashion-MNIST directory (the four IDX files, plain or gzip). */
    public static Path fashionMnist() {
        String dir = System.getProperty("clnn.test.mnist");
        return dir == null || dir.isBlank() ? Mnist.DEFAULT_DIR : Path.of(dir);
    }
}
