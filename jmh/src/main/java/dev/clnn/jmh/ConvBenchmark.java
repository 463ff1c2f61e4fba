package dev.clnn.jmh;

import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import dev.clnn.cl.ClContext;
import dev.clnn.ops.Activation;
import dev.clnn.ops.Conv2d;
import dev.clnn.ops.Conv2dParams;
import dev.clnn.tensor.Layout;
import dev.clnn.tensor.Shape;
import dev.clnn.tensor.Tensor;

/**
 * The convolutions of MobileNet v1 and v2 (224 x 224, alpha 1.0) at batch 1, each distinct shape
 * once, with the epilogue the optimised graph runs them with: bias (BatchNorm folded) and ReLU6,
 * except v2's linear projections, which add the block's shortcut where the network has one.
 *
 * <p>Layer names ({@code H} the input height and width, NHWC):
 * <ul>
 *   <li>{@code v1_conv1}: the first convolution, 3x3 stride 2, 3 to 32 channels (v2's is the same);
 *   <li>{@code *_dw_HxC_sS}: depthwise 3x3 with stride S ('same' padding as Keras pads it);
 *   <li>{@code v1_pw_HxCINxCOUT}, {@code v2_expand_*}, {@code v2_project_*}, {@code v2_last_*}:
 *       pointwise; {@code _add} marks a projection with the residual add fused.
 * </ul>
 * Shapes v2 shares with v1 ({@code conv1}, {@code dw_112x32_s1}) are listed once, under v1.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class ConvBenchmark {
    @Param({"0"})
    public String device;

    @Param({
        "v1_conv1",
        "v1_dw_112x32_s1", "v1_dw_112x64_s2", "v1_dw_56x128_s1", "v1_dw_56x128_s2", "v1_dw_28x256_s1",
        "v1_dw_28x256_s2", "v1_dw_14x512_s1", "v1_dw_14x512_s2", "v1_dw_7x1024_s1",
        "v1_pw_112x32x64", "v1_pw_56x64x128", "v1_pw_56x128x128", "v1_pw_28x128x256", "v1_pw_28x256x256",
        "v1_pw_14x256x512", "v1_pw_14x512x512", "v1_pw_7x512x1024", "v1_pw_7x1024x1024",
        "v2_expand_112x16x96", "v2_expand_56x24x144", "v2_expand_28x32x192", "v2_expand_14x64x384",
        "v2_expand_14x96x576", "v2_expand_7x160x960",
        "v2_dw_112x96_s2", "v2_dw_56x144_s1", "v2_dw_56x144_s2", "v2_dw_28x192_s1", "v2_dw_28x192_s2",
        "v2_dw_14x384_s1", "v2_dw_14x576_s1", "v2_dw_14x576_s2", "v2_dw_7x960_s1",
        "v2_project_112x32x16", "v2_project_56x96x24", "v2_project_56x144x24_add", "v2_project_28x144x32",
        "v2_project_28x192x32_add", "v2_project_14x192x64", "v2_project_14x384x64_add", "v2_project_14x384x96",
        "v2_project_14x576x96_add", "v2_project_7x576x160", "v2_project_7x960x160_add", "v2_project_7x960x320",
        "v2_last_7x320x1280",
    })
    public String layer;

    private ClContext cl;
    private Tensor weights;
    private Tensor bias;
    private Tensor x;
    private Tensor residual;
    private Tensor y;
    private Conv2d conv;

    /** One convolution: input {@code (1, h, h, cin)}, a {@code k x k} kernel, output channels {@code cout}. */
    record Layer(int h, int cin, int cout, int k, int stride, boolean depthwise, Activation activation,
                 boolean residual) {
        Conv2dParams params() {
            Conv2dParams p = Conv2dParams.defaults().withStride(stride).withActivation(activation);
            if (k > 1) {
                p = p.withSamePadding(h, h, k, k);
            }
            if (depthwise) {
                p = p.withGroups(cin);
            }
            return residual ? p.withResidual(Conv2dParams.Residual.ADD_THEN_ACTIVATE) : p;
        }

        Shape input() {
            return Shape.of(1, h, h, cin);
        }

        /** HWIO. */
        Shape weights() {
            return Shape.of(k, k, depthwise ? 1 : cin, cout);
        }
    }

    /** The layer a {@link #layer} name stands for. */
    static Layer parse(String name) {
        String[] p = name.split("_");
        if (p.length == 2 && p[1].equals("conv1")) {
            return new Layer(224, 3, 32, 3, 2, false, Activation.RELU6, false);
        }
        int[] dims = dims(name, p[2]);
        switch (p[1]) {
            case "dw":
                if (p.length != 4 || !p[3].startsWith("s") || dims.length != 2) {
                    break;
                }
                return new Layer(dims[0], dims[1], dims[1], 3, Integer.parseInt(p[3].substring(1)), true,
                        Activation.RELU6, false);
            case "pw":
            case "expand":
            case "last":
                if (p.length == 3 && dims.length == 3) {
                    return new Layer(dims[0], dims[1], dims[2], 1, 1, false, Activation.RELU6, false);
                }
                break;
            case "project":
                boolean add = p.length == 4 && p[3].equals("add");
                if ((p.length == 3 || add) && dims.length == 3) {
                    return new Layer(dims[0], dims[1], dims[2], 1, 1, false, Activation.NONE, add);
                }
                break;
            default:
                break;
        }
        throw new IllegalArgumentException("ConvBenchmark: unknown layer name " + name
                + " (expected v1_conv1, *_dw_HxC_sS, *_pw|expand|project|last_HxCINxCOUT[_add])");
    }

    private static int[] dims(String name, String part) {
        try {
            String[] s = part.split("x");
            int[] d = new int[s.length];
            for (int i = 0; i < s.length; i++) {
                d[i] = Integer.parseInt(s[i]);
            }
            return d;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("ConvBenchmark: cannot read the sizes of layer " + name, e);
        }
    }

    @Setup(Level.Trial)
    public void setUp() {
        Layer l = parse(layer);
        cl = ClContext.create(BenchDevices.byIndex(device));
        Shape ws = l.weights();
        weights = Tensor.of(cl, ws, Layout.ROW_MAJOR, GemmBenchmark.random(ws.sizeAsInt(), 1));
        bias = Tensor.of(cl, Shape.of(l.cout()), GemmBenchmark.random(l.cout(), 2));
        x = Tensor.of(cl, l.input(), Layout.NHWC, GemmBenchmark.random(l.input().sizeAsInt(), 3));
        conv = Conv2d.configure(cl, l.params(), l.input(), weights, bias);
        y = Tensor.allocate(cl, conv.outputShape(), Layout.NHWC);
        if (l.residual()) {
            residual = Tensor.of(cl, conv.outputShape(), Layout.NHWC,
                    GemmBenchmark.random(conv.outputShape().sizeAsInt(), 4));
        }
        run();      // packs the weights and settles lazily built state outside the timed region
    }

    @Benchmark
    public void run() {
        conv.run(x, residual, y);
        cl.finish();
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        Close.all(conv, y, residual, x, bias, weights, cl);
    }
}
