package dev.clnn.onnx;

/**
 * An ONNX file clnn cannot load: not a model at all (empty, truncated, random bytes), a model that
 * breaks the format's rules (a negative or enormous dimension, an initializer whose data does not
 * match its shape, external data outside the model's directory), or one that uses operators or
 * attributes clnn does not implement. The message names the problem (the node, the tensor, the
 * operator and opset) so the user can act on it.
 */
public class OnnxFormatException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    public OnnxFormatException(String message) {
        super(message);
    }

    public OnnxFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}
