package dev.clnn.ops;

import java.util.ArrayList;
import java.util.List;

import dev.clnn.cl.BuildOptions;
import dev.clnn.cl.ClContext;
import dev.clnn.cl.ClKernel;
import dev.clnn.tensor.Shape;
import dev.clnn.tensor.Tensor;

/**
 * Selection, {@code y = c != 0 ? a : b}, with NumPy / ONNX broadcasting of the three operands, rank
 * up to 6 (ONNX Where; {@code kernels/eltwise/where.cl}). clnn holds booleans as floats: 1 and 0
 * from {@link ElementwiseParams.Op#EQUAL}, and any non-zero condition (NaN included) is true.
 *
 * <pre>{@code
 * Where where = Where.configure(cl, mask.shape(), minusInf.shape(), scores.shape());
 * where.run(mask, minusInf, scores, masked);   // all read but masked, written
 * }</pre>
 */
public final class Where extends DeviceOp {
    private static final String OP = "Where";
    static final int MAX_RANK = 6;

    private final ClContext cl;
    private final Shape c;
    private final Shape a;
    private final Shape b;
    private final Shape out;
    private final ClKernel kernel;

    private Where(ClContext cl, Shape c, Shape a, Shape b, Shape out) {
        this.cl = cl;
        this.c = c;
        this.a = a;
        this.b = b;
        this.out = out;
        OpLog.configured(OP, cl, List.of(c, a, b), "where_general");
        this.kernel = own(cl.kernel("eltwise/where.cl", BuildOptions.none(), "where_general"));
    }

    /**
     * Configures the selection for a condition of shape {@code c} and operands of shapes {@code a}
     * and {@code b}.
     *
     * @throws IllegalArgumentException when the shapes do not broadcast or the output has rank above 6
     */
    public static Where configure(ClContext cl, Shape c, Shape a, Shape b) {
        if (c == null || a == null || b == null) {
            throw new IllegalArgumentException(OP + ": three shapes are required");
        }
        Shape out = outputShape(c, a, b);
        if (out.rank() > MAX_RANK) {
            throw new IllegalArgumentException(OP + " of " + c + ", " + a + " and " + b + ": rank " + out.rank()
                    + "; at most " + MAX_RANK + " is supported");
        }
        OpSupport.elements(OP, out);
        return new Where(cl, c, a, b, out);
    }

    /** The broadcast shape of the three operands. */
    public static Shape outputShape(Shape c, Shape a, Shape b) {
        return Elementwise.broadcastShape(Elementwise.broadcastShape(c, a), b);
    }

    public Shape outputShape() { return out; }

    /**
     * Enqueues the selection: {@code cond}, {@code x} and {@code y} (the configured shapes) are read,
     * {@code out} (the output shape) is written; it may be an operand of the output's shape.
     *
     * @throws IllegalArgumentException when a tensor has another shape or lives in another context, or
     *                                  the output shares a buffer with a broadcast operand
     * @throws IllegalStateException    when this op or a tensor was closed
     */
    public void run(Tensor cond, Tensor x, Tensor y, Tensor result) {
        ensureOpen();
        OpSupport.check(OP, "condition", cond, cl, c);
        OpSupport.check(OP, "operand a", x, cl, a);
        OpSupport.check(OP, "operand b", y, cl, b);
        OpSupport.check(OP, "output", result, cl, out);
        for (Tensor t : new Tensor[] {cond, x, y}) {
            if (t.buffer() == result.buffer() && t.shape().size() != out.size()) {
                throw new IllegalArgumentException(OP + ": output " + out + " shares a buffer with operand "
                        + t.shape() + ", which is broadcast; write to another tensor");
            }
        }
        int n = (int) out.size();
        if (n == 0) {
            return;
        }
        List<Object> args = new ArrayList<>();
        args.add(n);
        int pad = MAX_RANK - out.rank();
        for (int k = 0; k < MAX_RANK; k++) {
            args.add(k < pad ? 1 : out.dim(k - pad));
        }
        for (Shape s : new Shape[] {c, a, b}) {
            for (int st : strides(s, out)) {
                args.add(st);
            }
        }
        args.add(cond.buffer());
        args.add(x.buffer());
        args.add(y.buffer());
        args.add(result.buffer());
        kernel.args(args.toArray());
        OpSupport.launch(kernel, cl.device(), n);
    }

    /** Element strides of {@code s} along the 6-D view of {@code out}; 0 where {@code s} is broadcast. */
    private static int[] strides(Shape s, Shape out) {
        int[] st = new int[MAX_RANK];
        int stride = 1;
        for (int i = 1; i <= s.rank(); i++) {
            int d = s.dim(s.rank() - i);
            st[MAX_RANK - i] = d == 1 ? 0 : stride;
            stride *= d;
        }
        return st;
    }

    @Override
    public String toString() {
        return OP + "(" + c + ", " + a + ", " + b + " -> " + out + ")";
    }
}
