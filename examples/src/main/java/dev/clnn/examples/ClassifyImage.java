package dev.clnn.examples;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;

import dev.clnn.cl.ClDevice;
import dev.clnn.cl.Devices;
import dev.clnn.models.Model;
import dev.clnn.onnx.OnnxImport;
import dev.clnn.onnx.OnnxModel;
import dev.clnn.tensor.Shape;
import dev.clnn.vision.Classification;
import dev.clnn.vision.Classifications;
import dev.clnn.vision.ImagePreprocessor;
import dev.clnn.vision.Labels;

/**
 * Classifies an image with an ONNX image classifier (input {@code (N, 3, H, W)}, e.g. a
 * torchvision MobileNet or ResNet exported with {@code torch.onnx.export}) and prints the five
 * most probable classes. The image is prepared with torchvision's ImageNet recipe at the model's
 * input size; a 1,000-class model is labelled with ImageNet's class names.
 *
 * <pre>
 * java -cp ... dev.clnn.examples.ClassifyImage MODEL.onnx IMAGE [DEVICE-SPEC]
 * </pre>
 */
public final class ClassifyImage {
    private ClassifyImage() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length < 2 || args.length > 3) {
            System.err.println("usage: ClassifyImage MODEL.onnx IMAGE [DEVICE-SPEC]");
            System.exit(2);
        }
        run(Path.of(args[0]), Path.of(args[1]), args.length > 2 ? args[2] : null, System.out);
    }

    /** Prints and returns the top-5 of {@code image} under {@code modelFile} on the device {@code spec} names. */
    public static List<Classification> run(Path modelFile, Path image, String spec, PrintStream out)
            throws IOException {
        OnnxModel onnx = OnnxImport.load(modelFile);
        Shape example = onnx.exampleShape();                               // (3, H, W)
        int height = example.dim(1);
        int width = example.dim(2);
        ImagePreprocessor prep = ImagePreprocessor.imagenet(height).withCrop(width, height);
        float[] input = prep.read(image);                                  // (1, 3, H, W)

        ClDevice device = Devices.selectOne(spec);
        float[] scores;
        try (Model model = onnx.compile(device, 1)) {
            scores = model.predict(input);                                 // (1, classes)
        }
        Labels labels = Labels.standard(scores.length).orElse(null);       // ImageNet's names for 1,000 classes
        List<Classification> top = Classifications.of(scores, labels).top(5);

        out.printf("%s on %s:%n", image.getFileName(), device);
        for (Classification c : top) {
            out.printf("  %6.2f %%  %s%n", 100 * c.probability(), c.name());
        }
        return top;
    }
}
