package dev.clnn.graph;

import java.util.List;

import dev.clnn.ops.Activation;
import dev.clnn.ops.ConcatParams;
import dev.clnn.ops.Conv2dParams;
import dev.clnn.ops.ElementwiseParams;
import dev.clnn.ops.MatMulParams;
import dev.clnn.ops.PadParams;
import dev.clnn.ops.ReduceParams;
import dev.clnn.ops.ResizeParams;
import dev.clnn.ops.Pool2dParams;
import dev.clnn.ops.SliceParams;
import dev.clnn.ops.SoftmaxParams;
import dev.clnn.ops.TransposeParams;
import dev.clnn.ops.UnaryParams;
import dev.clnn.tensor.DType;
import dev.clnn.tensor.Shape;

/**
 * What a {@link Node} computes, with its attributes and host-side weights. Shapes include the batch
 * dimension first; activations are NHWC. Each kind infers its output shape from its input shapes
 * and rejects inputs it cannot take with an {@link IllegalArgumentException} naming the node.
 */
public sealed interface Op {

    /** The output shape for these input shapes. */
    Shape infer(List<Shape> inputs);

    /** Number of inputs the op takes: one unless the kind says otherwise. */
    default int arity() {
        return 1;
    }

    /** Multiply-adds (or element operations) of one run, for reports. */
    default double flops(List<Shape> inputs, Shape output) {
        return output.size();
    }

    /** A short name for tables: "conv 3x3/2", "relu6", ... */
    String describe();

    /**
     * The input whose buffer the output is (a view, or a tensor written in place), so that the memory
     * plan gives both one slot; -1 when the output is a value of its own.
     */
    default int aliasedInput() {
        return -1;
    }

    /** Host-side weights and constants the op holds, in floats. */
    default long weightFloats() {
        return 0;
    }

    /**
     * How the op's output is stored: {@link DType#FLOAT16} for the convolutions {@link Passes#storeHalf}
     * compiled for half-precision activations, a {@link Cast}'s target type, else {@link DType#FLOAT32}.
     * A {@link Reshape} is a view: its output has its input's type ({@link Graph#types()}).
     */
    default DType storage() {
        return DType.FLOAT32;
    }

    /** How the op reads its input {@code i}: as its {@link #storage()} unless the kind says otherwise. */
    default DType inputType(int i) {
        return storage();
    }

    /** Hands this op to the {@code visitor} method for its kind. */
    <R> R accept(Visitor<R> visitor);

    /**
     * One method per kind of op. Whatever runs ops implements every method: the device executor
     * ({@link Executable}, through {@code StepFactory}) and the plain-Java reference
     * ({@link ReferenceExecutor}), so a new kind of op does not compile until both exist.
     */
    interface Visitor<R> {
        R conv(Conv op);

        R batchNorm(BatchNorm op);

        R act(Act op);

        R binary(Binary op);

        R binaryConst(BinaryConst op);

        R pool(Pool op);

        R dense(Dense op);

        R reshape(Reshape op);

        R softmax(Softmax op);

        R transpose(Transpose op);

        R pad(Pad op);

        R concat(Concat op);

        R slice(Slice op);

        R unary(Unary op);

        R layerNorm(LayerNorm op);

        R matMul(MatMul op);

        R reduce(Reduce op);

        R where(Where op);

        R tile(Tile op);

        R resize(Resize op);

        R groupNorm(GroupNorm op);

        R separable(Separable op);

        R scaled(Scaled op);

        R normalized(Normalized op);

        R widen(Widen op);

        R convInto(ConvInto op);

        R cast(Cast op);
    }

    /**
     * Its input converted to {@code to} storage, the other type ({@code ops.Cast}): formed by
     * {@link Passes#storeHalf} between the convolutions that store half-precision activations and the
     * ops that compute on fp32 ones, never by an importer. The reference computes in fp32 throughout,
     * so there it is the identity.
     */
    record Cast(DType to) implements Op {
        @Override
        public <R> R accept(Visitor<R> v) { return v.cast(this); }

        @Override
        public Shape infer(List<Shape> in) { return in.get(0); }

        @Override
        public DType storage() { return to; }

        @Override
        public DType inputType(int i) { return to == DType.FLOAT16 ? DType.FLOAT32 : DType.FLOAT16; }

        @Override
        public String describe() { return "cast " + (to == DType.FLOAT16 ? "fp16" : "fp32"); }
    }

    /**
     * A depthwise convolution and the pointwise convolution that alone reads its output, run as one
     * kernel on devices that can ({@code ops.SeparableConv}); formed by {@link Passes#fuseSeparable}
     * for such a device, never by an importer. Takes the depthwise input, then the pointwise residual
     * when {@code pointwise} adds one; computes exactly what the two convolutions compute in turn.
     */
    record Separable(Conv depthwise, Conv pointwise) implements Op {
        @Override
        public long weightFloats() { return depthwise.weightFloats() + pointwise.weightFloats(); }

        @Override
        public DType storage() { return pointwise.storage(); }

        @Override
        public <R> R accept(Visitor<R> v) { return v.separable(this); }

        @Override
        public int arity() { return pointwise.arity(); }

        /** The depthwise output's shape, which is never stored. */
        public Shape middle(Shape input) {
            return depthwise.infer(List.of(input));
        }

        @Override
        public Shape infer(List<Shape> in) {
            Shape mid = middle(in.get(0));
            return pointwise.infer(in.size() > 1 ? List.of(mid, in.get(1)) : List.of(mid));
        }

        @Override
        public double flops(List<Shape> in, Shape out) {
            Shape mid = middle(in.get(0));
            return depthwise.flops(List.of(in.get(0)), mid) + pointwise.flops(List.of(mid), out);
        }

        @Override
        public String describe() {
            return depthwise.describe() + " > " + pointwise.describe();
        }
    }

    /**
     * Activations multiplied by a scale per image and channel, then the pointwise convolution that
     * alone reads the product, run as one kernel on devices that can ({@code ops.ScaledPointwise});
     * formed by {@link Passes#fuseScales} for such a device, never by an importer. Takes the
     * activations {@code (N, H, W, C)}, the scale {@code (N, 1, 1, C)}, then the residual when
     * {@code pointwise} adds one; computes exactly what the multiply and the convolution compute in turn.
     */
    record Scaled(Conv pointwise) implements Op {
        @Override
        public long weightFloats() { return pointwise.weightFloats(); }

        @Override
        public DType storage() { return pointwise.storage(); }

        /** The scale (input 1) is fp32, computed by the squeeze-and-excitation branch. */
        @Override
        public DType inputType(int i) { return i == 1 ? DType.FLOAT32 : storage(); }

        @Override
        public <R> R accept(Visitor<R> v) { return v.scaled(this); }

        @Override
        public int arity() { return pointwise.arity() + 1; }

        @Override
        public Shape infer(List<Shape> in) {
            Shape x = in.get(0);
            Shape s = in.get(1);
            if (x.rank() != 4 || !s.equals(Shape.of(x.dim(0), 1, 1, x.dim(3)))) {
                throw new IllegalArgumentException("Scaled pointwise convolution: the scale is " + s + ", for activations "
                        + x + " it must be (N, 1, 1, C)");
            }
            return pointwise.infer(in.size() > 2 ? List.of(x, in.get(2)) : List.of(x));
        }

        @Override
        public double flops(List<Shape> in, Shape out) {
            return in.get(0).size() + pointwise.flops(List.of(in.get(0)), out);
        }

        @Override
        public String describe() {
            return "scale > " + pointwise.describe();
        }
    }

    /**
     * A batch normalisation (and its activation), then the pointwise convolution that alone reads its
     * output, run as one kernel on devices that can ({@code ops.NormalizedPointwise}); formed by
     * {@link Passes#fuseNorms} for such a device, never by an importer. Takes the activations
     * {@code (N, H, W, C)}, then the residual when {@code pointwise} adds one; computes exactly what the
     * normalisation and the convolution compute in turn.
     */
    record Normalized(BatchNorm norm, Conv pointwise) implements Op {
        @Override
        public long weightFloats() { return norm.weightFloats() + pointwise.weightFloats(); }

        @Override
        public DType storage() { return pointwise.storage(); }

        @Override
        public <R> R accept(Visitor<R> v) { return v.normalized(this); }

        @Override
        public int arity() { return pointwise.arity(); }

        /**
         * The activations may have more channels than the normalisation: it and the convolution read
         * the first ones (a concatenation's first inputs, in a tensor later layers write in place).
         */
        @Override
        public Shape infer(List<Shape> in) {
            Shape x = in.get(0);
            int c = norm.gamma().length;
            if (x.rank() != 4 || x.dim(3) < c) {
                throw new IllegalArgumentException("Normalised pointwise convolution: " + c + " channels, input " + x);
            }
            Shape read = read(x);
            return pointwise.infer(in.size() > 1 ? List.of(read, in.get(1)) : List.of(read));
        }

        /** The part of activations shaped {@code x} it reads: the first channels, as many as the normalisation's. */
        public Shape read(Shape x) {
            return Shape.of(x.dim(0), x.dim(1), x.dim(2), norm.gamma().length);
        }

        @Override
        public double flops(List<Shape> in, Shape out) {
            Shape read = read(in.get(0));
            return 2.0 * read.size() + pointwise.flops(List.of(read), out);
        }

        @Override
        public String describe() {
            return norm.describe() + " > " + pointwise.describe();
        }
    }

    /**
     * Its input, or with {@code conv} the convolution of its input, in the first channels of a tensor
     * of {@code channels} channels, whose other channels later {@link ConvInto} nodes write in place:
     * the first step of a concatenation that copies nothing else ({@link Passes#concatenateInPlace}),
     * never formed by an importer. The other channels are not written here (the reference makes them
     * zero).
     */
    record Widen(int channels, Conv conv) implements Op {
        /** The input copied. */
        public Widen(int channels) {
            this(channels, null);
        }

        @Override
        public long weightFloats() { return conv == null ? 0 : conv.weightFloats(); }

        @Override
        public <R> R accept(Visitor<R> v) { return v.widen(this); }

        /** What goes into the first channels: the input, or its convolution. */
        public Shape first(Shape x) {
            return conv == null ? x : conv.infer(List.of(x));
        }

        @Override
        public Shape infer(List<Shape> in) {
            if (conv != null && conv.params().residual() != Conv2dParams.Residual.NONE) {
                throw new IllegalArgumentException("A convolution written into a wider tensor adds no residual");
            }
            Shape x = first(in.get(0));
            if (x.rank() != 4 || x.dim(3) > channels) {
                throw new IllegalArgumentException("Widen to " + channels + " channels: input " + x);
            }
            return Shape.of(x.dim(0), x.dim(1), x.dim(2), channels);
        }

        @Override
        public double flops(List<Shape> inputs, Shape output) {
            return conv == null ? 0 : conv.flops(inputs, first(inputs.get(0)));
        }

        @Override
        public String describe() {
            return (conv == null ? "widen" : conv.describe() + " widened") + " to " + channels;
        }
    }

    /**
     * A convolution that writes its output into channels {@code [offset, offset + Cout)} of its second
     * input, whose buffer its output is ({@link #aliasedInput}): a concatenation's input written in
     * place ({@link Passes#concatenateInPlace}), never formed by an importer. Takes the convolution's
     * input, then the tensor written; the output is that tensor with those channels replaced.
     */
    record ConvInto(Conv conv, int offset) implements Op {
        @Override
        public long weightFloats() { return conv.weightFloats(); }

        @Override
        public <R> R accept(Visitor<R> v) { return v.convInto(this); }

        @Override
        public int arity() { return 2; }

        @Override
        public int aliasedInput() { return 1; }

        /** The convolution's own output for its input shaped {@code x}. */
        public Shape result(Shape x) {
            return conv.infer(List.of(x));
        }

        @Override
        public Shape infer(List<Shape> in) {
            if (conv.params().residual() != Conv2dParams.Residual.NONE) {
                throw new IllegalArgumentException("A convolution written into a wider tensor adds no residual");
            }
            Shape y = result(in.get(0));
            Shape into = in.get(1);
            if (into.rank() != 4 || into.dim(0) != y.dim(0) || into.dim(1) != y.dim(1) || into.dim(2) != y.dim(2)
                    || offset < 0 || offset + y.dim(3) > into.dim(3)) {
                throw new IllegalArgumentException("Convolution into channels [" + offset + ", " + (offset + y.dim(3))
                        + ") of " + into + ": its output is " + y);
            }
            return into;
        }

        @Override
        public double flops(List<Shape> in, Shape out) {
            return conv.flops(List.of(in.get(0)), result(in.get(0)));
        }

        @Override
        public String describe() { return conv.describe() + " into [" + offset + ", +" + conv.outChannels() + ")"; }
    }

    /**
     * Convolution: weights {@code (KH, KW, Cin/groups, Cout)} (HWIO), bias {@code (Cout)} or null.
     * With {@code params.residual() != NONE} the op takes the residual as its second input.
     */
    record Conv(Conv2dParams params, Shape weightShape, float[] weights, float[] bias) implements Op {
        @Override
        public long weightFloats() { return (long) weights.length + (bias == null ? 0 : bias.length); }

        @Override
        public <R> R accept(Visitor<R> v) { return v.conv(this); }

        public Conv {
            if (weightShape.rank() != 4 || weights.length != weightShape.size()) {
                throw new IllegalArgumentException("Conv weights must be (KH, KW, Cin/groups, Cout) with "
                        + weightShape.size() + " floats, got shape " + weightShape + " and " + weights.length);
            }
            if (bias != null && bias.length != weightShape.dim(3)) {
                throw new IllegalArgumentException("Conv bias has " + bias.length + " values for "
                        + weightShape.dim(3) + " output channels");
            }
        }

        public int outChannels() { return weightShape.dim(3); }

        @Override
        public DType storage() { return params.storage(); }

        /** The same convolution with its activations stored as {@code dtype}. */
        public Conv storing(DType dtype) {
            return new Conv(params.withStorage(dtype), weightShape, weights, bias);
        }

        @Override
        public int arity() {
            return params.residual() == Conv2dParams.Residual.NONE ? 1 : 2;
        }

        @Override
        public Shape infer(List<Shape> in) {
            Shape x = in.get(0);
            Shape bias = this.bias == null ? null : Shape.of(this.bias.length);
            Shape out = params.outputShape(x, weightShape, bias);
            if (in.size() > 1 && !in.get(1).equals(out)) {
                throw new IllegalArgumentException("Conv residual has shape " + in.get(1) + ", the output " + out);
            }
            return out;
        }

        @Override
        public double flops(List<Shape> in, Shape out) {
            return 2.0 * out.size() * weightShape.dim(0) * weightShape.dim(1) * weightShape.dim(2);
        }

        @Override
        public String describe() {
            boolean depthwise = params.groups() > 1 && weightShape.dim(2) == 1;
            String kind = depthwise ? "depthwise" : weightShape.dim(0) == 1 && weightShape.dim(1) == 1 ? "pointwise"
                    : "conv";
            String s = kind + " " + weightShape.dim(0) + "x" + weightShape.dim(1) + "/" + params.strideH();
            if (params.activation().kind() != Activation.Kind.NONE) {
                s += " + " + params.activation();
            }
            if (params.residual() != Conv2dParams.Residual.NONE) {
                s += " + residual";
            }
            if (params.storage() == DType.FLOAT16) {
                s += " (fp16)";
            }
            return s;
        }
    }

    /**
     * Inference batch normalisation over the last (channel) axis, then an activation ({@code NONE}
     * as imported; {@link Passes#fuseActivations} moves a following one in, as DenseNet's
     * BatchNorm-ReLU pairs before each convolution have).
     */
    record BatchNorm(float[] gamma, float[] beta, float[] mean, float[] variance, float epsilon, Activation activation)
            implements Op {
        public BatchNorm {
            java.util.Objects.requireNonNull(activation, "activation (NONE for none)");
        }

        /** Batch normalisation alone. */
        public BatchNorm(float[] gamma, float[] beta, float[] mean, float[] variance, float epsilon) {
            this(gamma, beta, mean, variance, epsilon, Activation.NONE);
        }

        @Override
        public long weightFloats() { return 4L * gamma.length; }

        @Override
        public <R> R accept(Visitor<R> v) { return v.batchNorm(this); }

        @Override
        public Shape infer(List<Shape> in) {
            Shape x = in.get(0);
            if (x.dim(-1) != gamma.length || beta.length != gamma.length || mean.length != gamma.length
                    || variance.length != gamma.length) {
                throw new IllegalArgumentException("BatchNorm has " + gamma.length + " channels, input " + x);
            }
            return x;
        }

        @Override
        public String describe() {
            return activation.kind() == Activation.Kind.NONE ? "batchnorm" : "batchnorm + " + activation;
        }
    }

    /** A standalone element-wise activation. */
    record Act(Activation activation) implements Op {
        @Override
        public <R> R accept(Visitor<R> v) { return v.act(this); }

        @Override
        public Shape infer(List<Shape> in) { return in.get(0); }

        @Override
        public String describe() { return activation.toString(); }
    }

    /** Element-wise add / sub / mul / div of two values with broadcasting, fused activation. */
    record Binary(ElementwiseParams params) implements Op {
        @Override
        public <R> R accept(Visitor<R> v) { return v.binary(this); }

        @Override
        public int arity() { return 2; }

        @Override
        public Shape infer(List<Shape> in) {
            return dev.clnn.ops.Elementwise.broadcastShape(in.get(0), in.get(1));
        }

        @Override
        public String describe() { return params.toString(); }
    }

    /** Element-wise op of a value with a constant (a per-channel scale, a bias, ...), broadcast. */
    record BinaryConst(ElementwiseParams params, Shape constantShape, float[] constant) implements Op {
        @Override
        public long weightFloats() { return constant.length; }

        @Override
        public <R> R accept(Visitor<R> v) { return v.binaryConst(this); }

        @Override
        public Shape infer(List<Shape> in) {
            return dev.clnn.ops.Elementwise.broadcastShape(in.get(0), constantShape);
        }

        @Override
        public String describe() { return params + " const"; }
    }

    /** Max, average or global average pooling over NHWC. */
    record Pool(Pool2dParams params) implements Op {
        @Override
        public <R> R accept(Visitor<R> v) { return v.pool(this); }

        @Override
        public Shape infer(List<Shape> in) { return params.outputShape(in.get(0)); }

        @Override
        public String describe() { return params.toString(); }
    }

    /**
     * Fully connected: {@code (N, ..., in) x (in, out) + bias}, weights row-major {@code (in, out)}; the
     * leading dimensions are the product's rows (a transformer's {@code (N, tokens, in)} linear layer).
     */
    record Dense(int in, int out, float[] weights, float[] bias, Activation activation) implements Op {
        @Override
        public long weightFloats() { return (long) weights.length + (bias == null ? 0 : bias.length); }

        @Override
        public <R> R accept(Visitor<R> v) { return v.dense(this); }

        public Dense {
            if (weights.length != (long) in * out || (bias != null && bias.length != out)) {
                throw new IllegalArgumentException("Dense(" + in + " -> " + out + ") needs " + (long) in * out
                        + " weights and " + out + " biases, got " + weights.length + " and "
                        + (bias == null ? 0 : bias.length));
            }
        }

        @Override
        public Shape infer(List<Shape> inputs) {
            Shape x = inputs.get(0);
            if (x.rank() < 2 || x.dim(-1) != in) {
                throw new IllegalArgumentException("Dense(" + in + " -> " + out + ") needs an (N, ..., " + in
                        + ") input, got " + x);
            }
            return x.with(-1, out);
        }

        @Override
        public double flops(List<Shape> inputs, Shape output) {
            return 2.0 * output.size() * in;
        }

        @Override
        public String describe() {
            return "dense " + in + "->" + out + (activation.kind() == Activation.Kind.NONE ? "" : " + " + activation);
        }
    }

    /**
     * A new shape for the same elements in the same order (flatten, squeeze, ...): {@code dims} are
     * the dimensions after the first, one of them may be -1. The first dimension is the input's
     * divided by {@code from} and multiplied by {@code to}: 1 and 1 keep the batch first; other
     * factors move rows between the batch axis and the next ones, as attention and window
     * partitions do ({@code (N, 196, 256) -> (N * 196, 256)} is {@code from} 1, {@code to} 196, and
     * back is 196 and 1). Each example's elements stay together, so any batch size works. No
     * kernel runs; the output shares the input's memory.
     */
    record Reshape(int[] dims, int from, int to) implements Op {
        public Reshape {
            if (from < 1 || to < 1) {
                throw new IllegalArgumentException("Reshape factors must be at least 1, got " + from + " and " + to);
            }
        }

        /** A reshape that keeps the batch first. */
        public Reshape(int[] dims) {
            this(dims, 1, 1);
        }

        @Override
        public <R> R accept(Visitor<R> v) { return v.reshape(this); }

        @Override
        public int aliasedInput() { return 0; }

        @Override
        public Shape infer(List<Shape> in) {
            Shape x = in.get(0);
            String target = "(" + (from == to ? "N" : "N / " + from + " * " + to) + ", "
                    + java.util.Arrays.toString(dims) + ")";
            if (x.rank() == 0 || x.dim(0) % from != 0) {
                throw new IllegalArgumentException("Cannot reshape " + x + " to " + target);
            }
            int[] out = new int[dims.length + 1];
            out[0] = x.dim(0) / from * to;
            if (out[0] == 0 || x.size() % out[0] != 0) {
                throw new IllegalArgumentException("Cannot reshape " + x + " to " + target);
            }
            long rest = x.size() / out[0];
            int unknown = -1;
            long known = 1;
            for (int i = 0; i < dims.length; i++) {
                if (dims[i] == -1) {
                    if (unknown >= 0) {
                        throw new IllegalArgumentException("Reshape allows one -1, got " + java.util.Arrays.toString(dims));
                    }
                    unknown = i;
                } else {
                    known *= dims[i];
                }
                out[i + 1] = dims[i];
            }
            if (unknown >= 0) {
                if (known == 0 || rest % known != 0) {
                    throw new IllegalArgumentException("Cannot reshape " + x + " to " + target);
                }
                out[unknown + 1] = (int) (rest / known);
            } else if (known != rest) {
                throw new IllegalArgumentException("Cannot reshape " + x + " to " + target);
            }
            return Shape.of(out);
        }

        @Override
        public double flops(List<Shape> inputs, Shape output) { return 0; }

        @Override
        public String describe() { return "reshape"; }
    }

    /** Softmax or log-softmax along an axis. */
    record Softmax(SoftmaxParams params) implements Op {
        @Override
        public <R> R accept(Visitor<R> v) { return v.softmax(this); }

        @Override
        public Shape infer(List<Shape> in) {
            in.get(0).axis(params.axis());
            return in.get(0);
        }

        @Override
        public String describe() { return params.toString(); }
    }

    /**
     * Permutes the dimensions (the batch included, which must stay first): output dimension
     * {@code k} is input dimension {@code perm[k]}. The NCHW / NHWC conversions at an imported
     * model's edges, and the transposes before an ONNX Flatten of an NHWC value.
     */
    record Transpose(TransposeParams params) implements Op {
        @Override
        public <R> R accept(Visitor<R> v) { return v.transpose(this); }

        public Transpose {
            if (params.perm()[0] != 0) {
                throw new IllegalArgumentException("Transpose must keep the batch dimension first, got " + params);
            }
        }

        @Override
        public Shape infer(List<Shape> in) { return params.outputShape(in.get(0)); }

        @Override
        public double flops(List<Shape> inputs, Shape output) { return 0; }

        @Override
        public String describe() { return "transpose " + params; }
    }

    /** Constant padding of any dimension but the batch: {@code (d0, d1 + begin1 + end1, ...)}. */
    record Pad(PadParams params) implements Op {
        @Override
        public <R> R accept(Visitor<R> v) { return v.pad(this); }

        public Pad {
            if (params.begin()[0] != 0 || params.end()[0] != 0) {
                throw new IllegalArgumentException("Pad must not pad the batch dimension, got " + params);
            }
        }

        @Override
        public Shape infer(List<Shape> in) { return params.outputShape(in.get(0)); }

        @Override
        public double flops(List<Shape> inputs, Shape output) { return 0; }

        @Override
        public String describe() { return "pad"; }
    }

    /**
     * Concatenation of {@code count} values along {@code params.axis()} (not the batch axis); the
     * values agree on every other dimension.
     */
    record Concat(ConcatParams params, int count) implements Op {
        @Override
        public <R> R accept(Visitor<R> v) { return v.concat(this); }

        public Concat {
            if (count < 1) {
                throw new IllegalArgumentException("Concat needs at least one input, got " + count);
            }
        }

        @Override
        public int arity() { return count; }

        @Override
        public Shape infer(List<Shape> in) {
            if (in.get(0).axis(params.axis()) == 0) {
                throw new IllegalArgumentException("Concat along the batch axis is not supported");
            }
            return params.outputShape(in);
        }

        @Override
        public double flops(List<Shape> inputs, Shape output) { return 0; }

        @Override
        public String describe() { return "concat " + params; }
    }

    /**
     * A strided window of any dimension but the batch (ONNX Slice, each output of a Split), in the
     * value's own dimension order; the batch dimension is kept whole.
     */
    record Slice(SliceParams params) implements Op {
        @Override
        public <R> R accept(Visitor<R> v) { return v.slice(this); }

        public Slice {
            if (!params.keepsWhole(0)) {
                throw new IllegalArgumentException("Slice must keep the batch dimension whole, got " + params);
            }
        }

        @Override
        public Shape infer(List<Shape> in) {
            return params.outputShape(in.get(0));
        }

        @Override
        public double flops(List<Shape> inputs, Shape output) { return 0; }

        @Override
        public String describe() { return "slice " + params; }
    }

    /** Unary element-wise math (erf, GELU, sqrt, reciprocal, exp, log, neg, abs, pow by a constant). */
    record Unary(UnaryParams params) implements Op {
        @Override
        public <R> R accept(Visitor<R> v) { return v.unary(this); }

        @Override
        public Shape infer(List<Shape> in) { return in.get(0); }

        @Override
        public String describe() { return params.toString(); }
    }

    /**
     * Layer normalisation over the dimensions from {@code axis} on (ONNX LayerNormalization): each
     * example's trailing block of {@code scale.length} elements, in the value's own order, normalised
     * and scaled by {@code scale}, shifted by {@code bias} (same length and order).
     */
    record LayerNorm(int axis, float[] scale, float[] bias, float epsilon) implements Op {
        @Override
        public long weightFloats() { return 2L * scale.length; }

        @Override
        public <R> R accept(Visitor<R> v) { return v.layerNorm(this); }

        public LayerNorm {
            if (scale.length != bias.length) {
                throw new IllegalArgumentException("LayerNorm has " + scale.length + " scales and " + bias.length
                        + " biases");
            }
        }

        @Override
        public Shape infer(List<Shape> in) {
            return dev.clnn.ops.LayerNorm.outputShape(in.get(0), axis, scale, bias);
        }

        @Override
        public String describe() { return "layernorm"; }
    }

    /**
     * A batched matrix product of two computed values (ONNX MatMul of, say, attention's queries and
     * keys): the last two dimensions of each are a matrix, the others broadcast ({@link MatMulParams}).
     * Both values carry the batch first, so a {@code (N, ...)} times a {@code (N, ...)} keeps it first.
     */
    record MatMul(MatMulParams params) implements Op {
        @Override
        public <R> R accept(Visitor<R> v) { return v.matMul(this); }

        @Override
        public int arity() { return 2; }

        @Override
        public Shape infer(List<Shape> in) {
            return params.outputShape(in.get(0), in.get(1));
        }

        @Override
        public double flops(List<Shape> in, Shape out) {
            Shape a = in.get(0);
            return 2.0 * out.size() * a.dim(params.transA() ? -2 : -1);
        }

        @Override
        public String describe() { return params.toString(); }
    }

    /**
     * The sum or mean over axes of a value, in the value's own dimension order (ONNX ReduceSum,
     * ReduceMean); the batch axis is never reduced, so it stays first.
     */
    record Reduce(ReduceParams params) implements Op {
        @Override
        public <R> R accept(Visitor<R> v) { return v.reduce(this); }

        @Override
        public Shape infer(List<Shape> in) {
            Shape x = in.get(0);
            if (params.reduced(x.rank())[0]) {
                throw new IllegalArgumentException("Reduce " + params + " must not reduce the batch axis of " + x);
            }
            return params.outputShape(x);
        }

        @Override
        public double flops(List<Shape> in, Shape out) { return in.get(0).size(); }

        @Override
        public String describe() { return params.toString(); }
    }

    /**
     * ONNX Where on clnn's 0 / 1 float booleans, {@code c != 0 ? a : b} with broadcasting: the
     * condition is the first input; {@code a} and {@code b} are either the next inputs, in that order,
     * or constants ({@code aConst} / {@code bConst} with their shapes, null when computed).
     */
    record Where(Shape aShape, float[] aConst, Shape bShape, float[] bConst) implements Op {
        @Override
        public <R> R accept(Visitor<R> v) { return v.where(this); }

        public Where {
            if ((aConst == null) != (aShape == null) || (bConst == null) != (bShape == null)
                    || aConst != null && aConst.length != aShape.size()
                    || bConst != null && bConst.length != bShape.size()) {
                throw new IllegalArgumentException("Where constants must come with their shapes and fit them");
            }
        }

        /** A Where whose three operands are all computed. */
        public static Where computed() {
            return new Where(null, null, null, null);
        }

        @Override
        public long weightFloats() {
            return (aConst == null ? 0 : aConst.length) + (bConst == null ? 0L : bConst.length);
        }

        @Override
        public int arity() { return 1 + (aConst == null ? 1 : 0) + (bConst == null ? 1 : 0); }

        /** The shapes of condition, a and b, from the node's input shapes and the constants. */
        public Shape[] operands(List<Shape> in) {
            int next = 1;
            Shape a = aConst == null ? in.get(next++) : aShape;
            Shape b = bConst == null ? in.get(next) : bShape;
            return new Shape[] {in.get(0), a, b};
        }

        @Override
        public Shape infer(List<Shape> in) {
            Shape[] s = operands(in);
            return dev.clnn.ops.Where.outputShape(s[0], s[1], s[2]);
        }

        @Override
        public String describe() { return "where"; }
    }

    /** Repeats a value {@code repeats[k]} times along each dimension k but the batch (ONNX Tile and Expand). */
    record Tile(int[] repeats) implements Op {
        @Override
        public <R> R accept(Visitor<R> v) { return v.tile(this); }

        public Tile {
            if (repeats.length == 0 || repeats[0] != 1) {
                throw new IllegalArgumentException("Tile must keep the batch dimension, got repeats "
                        + java.util.Arrays.toString(repeats));
            }
            repeats = repeats.clone();
        }

        @Override
        public Shape infer(List<Shape> in) {
            return dev.clnn.ops.Tile.outputShape(repeats, in.get(0));
        }

        @Override
        public double flops(List<Shape> inputs, Shape output) { return 0; }

        @Override
        public String describe() { return "tile " + java.util.Arrays.toString(repeats); }
    }

    /** Nearest or bilinear resize of the height and width of an NHWC value (ONNX Resize). */
    record Resize(ResizeParams params) implements Op {
        @Override
        public <R> R accept(Visitor<R> v) { return v.resize(this); }

        @Override
        public Shape infer(List<Shape> in) { return params.outputShape(in.get(0)); }

        @Override
        public String describe() { return params.toString(); }
    }

    /**
     * Group normalisation (ONNX GroupNormalization; InstanceNormalization is one group per channel),
     * scale and bias per channel, of a {@code (N, ..., C)} value ({@code channelsLast}: NHWC) or a
     * {@code (N, C, ...)} one.
     */
    record GroupNorm(int groups, boolean channelsLast, float[] scale, float[] bias, float epsilon) implements Op {
        @Override
        public long weightFloats() { return 2L * scale.length; }

        @Override
        public <R> R accept(Visitor<R> v) { return v.groupNorm(this); }

        @Override
        public Shape infer(List<Shape> in) {
            return dev.clnn.ops.GroupNorm.outputShape(in.get(0), groups, channelsLast, scale, bias);
        }

        @Override
        public String describe() { return groups == scale.length ? "instancenorm" : "groupnorm " + groups; }
    }
}
