/**
 * Images in, class names out: decoding, the ImageNet preprocessing recipe, and top-k with labels.
 *
 * <ul>
 *   <li>{@link dev.clnn.vision.Images} decodes PNG, JPEG, BMP and GIF files into an
 *       {@link dev.clnn.vision.RgbImage} (8 bits per channel).</li>
 *   <li>{@link dev.clnn.vision.ImagePreprocessor} turns images into a model's input: resize (the
 *       shorter side, or to an exact size) with an antialiased filter, centre crop, scale,
 *       per-channel mean and standard deviation, RGB or BGR, packed {@code (N, 3, H, W)} or
 *       {@code (N, H, W, 3)}. {@link dev.clnn.vision.ImagePreprocessor#imagenet()} is torchvision's
 *       ImageNet evaluation recipe and gives its numbers.</li>
 *   <li>{@link dev.clnn.vision.Classifications} ranks a classifier's output (a softmax applied only
 *       when the output is not a distribution already) and names the classes with
 *       {@link dev.clnn.vision.Labels}; ImageNet's 1,000 class names are bundled.</li>
 * </ul>
 *
 * <p>Everything here is plain Java on host arrays; no OpenCL. Decoding uses {@code javax.imageio}
 * and so needs the {@code java.desktop} module, which every standard JDK and JRE has (a runtime
 * cut down with {@code jlink} may leave it out; {@link dev.clnn.vision.Images} then says so).
 * Preprocessing and classification do not need it.
 */
package dev.clnn.vision;
