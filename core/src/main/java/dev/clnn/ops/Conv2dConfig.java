package dev.clnn.ops;

import java.util.Locale;
import java.util.Map;

import dev.clnn.cl.ClDevice;
import dev.clnn.tensor.Shape;

/**
 * Which convolution kernel runs and with which parameters (kernels in {@code kernels/conv}).
 * Immutable. {@link Conv2d#configure} picks one per shape and device from the tuning table;
 * tests and tuners force one.
 *
 * <ul>
 *   <li>{@code GENERAL} ({@code conv2d_general.cl}): one work-item per output; every shape,
 *       groups, channel multipliers. Always correct.</li>
 *   <li>{@code DIRECT} ({@code conv2d_direct.cl}): ungrouped convolutions of any kernel size,
 *       stride, dilation and padding; {@code vw} output channels times {@code wb} output columns
 *       per work-item, weights packed at configure time.</li>
 *   <li>{@code POINTWISE} ({@link Gemm}, {@code kernels/gemm}): 1x1, stride 1, no padding, one group:
 *       a layer's matrix product, activations read in place, weights packed at configure time;
 *       {@code gemm} picks the form (general, cpu, tiled or split-K) and its blocking.</li>
 *   <li>{@code IMPLICIT_GEMM} ({@link Gemm}, {@code kernels/gemm}): ungrouped convolutions of any
 *       kernel size, stride, dilation and padding as a layer's matrix product whose A is the implicit
 *       im2col matrix of the input (never formed), weights packed at configure time. Chosen when the
 *       {@code conv2d} tuning entry names {@code variant=implicit_gemm} (NVIDIA GPUs and AVX-512 CPUs).</li>
 *   <li>{@code WINOGRAD} ({@link WinogradConv}, {@code winograd.cl} and {@code kernels/gemm}): 3x3, stride 1,
 *       no dilation, one group, any padding: F(wb x wb, 3x3) with output tiles of {@code wb} = 2 or 4, as
 *       {@code (wb + 2)^2} matrix products of the transformed input and weights ({@code gemm} gives their
 *       form), the weights transformed and packed at configure time. Chosen when the {@code conv2d} entry
 *       names {@code WINOGRAD=wb}, for layers of at least {@code WINOGRAD_MIN_C} input and output channels
 *       and {@code WINOGRAD_MIN_TILES} tiles.</li>
 *   <li>{@code DEPTHWISE} ({@code depthwise_general.cl}): groups == channels, multiplier 1, any
 *       kernel size, stride, dilation and padding; {@code vw} channels per work-item.</li>
 *   <li>{@code DEPTHWISE_BLOCKED} ({@code depthwise_blocked.cl}): the same for 3x3 and 5x5, stride 1 or 2, no
 *       dilation; {@code vw} channels of {@code hb} output rows times {@code wb} output columns
 *       per work-item.</li>
 * </ul>
 *
 * <p>The depthwise variants launch either a 3-D range whose work-group shape the driver picks
 * ({@code wg == 0}, the CPU form) or a 1-D range of work-groups of {@code wg} items with the
 * channel vectors fastest ({@code wg > 0}, the GPU form: coalesced loads and full work-groups).
 *
 * @param variant which kernel
 * @param vw      channel vector width: 4, 8 or 16 (DIRECT and the depthwise variants)
 * @param wb      output columns per work-item, 1 to 16 (DIRECT, DEPTHWISE_BLOCKED); the output tile side,
 *                2 or 4 (WINOGRAD)
 * @param hb      output rows per work-item, 1 to 8 (DEPTHWISE_BLOCKED; 1 for the other variants)
 * @param wg      work-group size of the 1-D launch, or 0 for the 3-D one (the depthwise variants)
 * @param gemm    the matrix-product kernel and blocking (POINTWISE, IMPLICIT_GEMM, WINOGRAD)
 */
public record Conv2dConfig(Variant variant, int vw, int wb, int hb, int wg, GemmConfig gemm) {

    public enum Variant { GENERAL, DIRECT, POINTWISE, DEPTHWISE, DEPTHWISE_BLOCKED, IMPLICIT_GEMM, WINOGRAD }

    public Conv2dConfig {
        if (variant == null) {
            throw new IllegalArgumentException("Conv2dConfig: variant must not be null");
        }
        boolean vector = variant == Variant.DIRECT || variant == Variant.DEPTHWISE || variant == Variant.DEPTHWISE_BLOCKED;
        if (vector && vw != 4 && vw != 8 && vw != 16) {
            throw new IllegalArgumentException("Invalid convolution parameters: VW must be 4, 8 or 16, got " + vw);
        }
        if ((variant == Variant.DIRECT || variant == Variant.DEPTHWISE_BLOCKED) && (wb < 1 || wb > 16)) {
            throw new IllegalArgumentException("Invalid convolution parameters: WB must be in 1..16, got " + wb);
        }
        if (variant == Variant.WINOGRAD && wb != 2 && wb != 4) {
            throw new IllegalArgumentException("Invalid convolution parameters: the Winograd tile must be 2 or 4, got "
                    + wb);
        }
        if (variant == Variant.DEPTHWISE_BLOCKED ? hb < 1 || hb > 8 : hb != 1) {
            throw new IllegalArgumentException("Invalid convolution parameters: HB must be in 1..8 for"
                    + " DEPTHWISE_BLOCKED and 1 otherwise, got " + hb + " for " + variant);
        }
        if (wg < 0 || wg > 1024 || (wg > 0 && variant != Variant.DEPTHWISE && variant != Variant.DEPTHWISE_BLOCKED)) {
            throw new IllegalArgumentException("Invalid convolution parameters: WG must be 0, or 1..1024 for a"
                    + " depthwise variant, got " + wg + " for " + variant);
        }
        if ((variant == Variant.POINTWISE || variant == Variant.IMPLICIT_GEMM || variant == Variant.WINOGRAD)
                && gemm == null) {
            throw new IllegalArgumentException("Invalid convolution parameters: " + variant + " needs a GemmConfig");
        }
    }

    public static Conv2dConfig general() {
        return new Conv2dConfig(Variant.GENERAL, 0, 0, 1, 0, null);
    }

    public static Conv2dConfig direct(int vw, int wb) {
        return new Conv2dConfig(Variant.DIRECT, vw, wb, 1, 0, null);
    }

    public static Conv2dConfig pointwise(GemmConfig gemm) {
        return new Conv2dConfig(Variant.POINTWISE, 0, 0, 1, 0, gemm);
    }

    /** An ungrouped convolution as a GEMM whose A is the implicit im2col matrix of the input. */
    public static Conv2dConfig implicitGemm(GemmConfig gemm) {
        return new Conv2dConfig(Variant.IMPLICIT_GEMM, 0, 0, 1, 0, gemm);
    }

    /**
     * A 3x3 stride-1 convolution by Winograd's F(tile x tile, 3x3): {@code (tile + 2)^2} products of the
     * transformed input and weights, each of the form {@code gemm}.
     */
    public static Conv2dConfig winograd(int tile, GemmConfig gemm) {
        return new Conv2dConfig(Variant.WINOGRAD, 0, tile, 1, 0, gemm);
    }

    /** The general depthwise kernel on a 3-D range. */
    public static Conv2dConfig depthwise(int vw) {
        return depthwise(vw, 0);
    }

    /** The general depthwise kernel on a 1-D range of work-groups of {@code wg} items (0: 3-D range). */
    public static Conv2dConfig depthwise(int vw, int wg) {
        return new Conv2dConfig(Variant.DEPTHWISE, vw, 0, 1, wg, null);
    }

    /** The blocked depthwise kernel (3x3 or 5x5), one output row per work-item, on a 3-D range. */
    public static Conv2dConfig depthwiseBlocked(int vw, int wb) {
        return depthwiseBlocked(vw, wb, 1, 0);
    }

    /**
     * The blocked depthwise kernel (3x3 or 5x5) with {@code hb x wb} outputs per work-item, on a 1-D range of
     * work-groups of {@code wg} items (0: a 3-D range).
     */
    public static Conv2dConfig depthwiseBlocked(int vw, int wb, int hb, int wg) {
        return new Conv2dConfig(Variant.DEPTHWISE_BLOCKED, vw, wb, hb, wg, null);
    }

    /**
     * The fastest variant that handles the shape on {@code device}, from the tuning table: pointwise
     * shapes go to the matrix product ({@link GemmConfig#select}), depthwise ones (multiplier 1) to
     * the depthwise kernels, other ungrouped ones to the direct kernel or the implicit GEMM as the
     * {@code conv2d} entry says (an implicit_gemm entry with {@code MIN_COUT} keeps the direct kernel,
     * with its {@code VW} and {@code WB}, for fewer output channels), and the rest (grouped, channel
     * multipliers) to the general kernel.
     */
    static Conv2dConfig forShape(ClDevice device, Conv2dParams p, Shape input, Shape weights) {
        if (p.isPointwise(weights)) {
            long rows = input.size() / input.dim(3);
            return pointwise(GemmConfig.select(device, rows, weights.dim(3), input.dim(3), true));
        }
        if (p.isDepthwise(input, weights)) {
            Map<String, String> t = Tuning.lookup("depthwise", device);
            if (variantOf(t).equals("general")) {
                return general();
            }
            // a device with smaller work-groups than the table's entry gets its largest
            int wg = t.containsKey("WG") ? (int) Math.min(num(t, "WG"), device.maxWorkGroupSize()) : 0;
            int hb = t.containsKey("HB") ? num(t, "HB") : 1;
            // MAX_KS: the largest kernel the entry gives the blocked kernel (3 unless it says 5)
            int maxKs = t.containsKey("MAX_KS") ? num(t, "MAX_KS") : 3;
            return p.isDepthwiseBlocked(input, weights) && weights.dim(0) <= maxKs
                    ? depthwiseBlocked(num(t, "VW"), num(t, "WB"), hb, wg) : depthwise(num(t, "VW"), wg);
        }
        if (p.groups() == 1) {
            Map<String, String> t = Tuning.lookup("conv2d", device);
            if (variantOf(t).equals("direct")) {
                return direct(num(t, "VW"), num(t, "WB"));
            }
            Conv2dConfig winograd = winogradFor(device, t, p, input, weights);
            if (winograd != null) {
                return winograd;
            }
            boolean narrow = t.containsKey("MIN_COUT") && weights.dim(3) < num(t, "MIN_COUT");
            if (variantOf(t).equals("implicit_gemm") && narrow) {
                return direct(num(t, "VW"), num(t, "WB"));        // fewer output channels: the direct kernel
            }
            if (variantOf(t).equals("implicit_gemm")) {
                Shape out = p.outputShape(input, weights, null);
                return implicitGemm(GemmConfig.select(device, out.size() / out.dim(3), weights.dim(3),
                        (long) weights.dim(0) * weights.dim(1) * weights.dim(2), true));
            }
        }
        return general();
    }

    /**
     * The Winograd variant when the {@code conv2d} entry names a tile ({@code WINOGRAD=2|4}) and the shape takes
     * it: 3x3, stride 1, no dilation, at least {@code WINOGRAD_MIN_C} input and output channels (default 64)
     * and {@code WINOGRAD_MIN_TILES} output tiles (default 1), indexable; {@code -Dclnn.winograd=off} turns it
     * off. Else null.
     */
    private static Conv2dConfig winogradFor(ClDevice device, Map<String, String> t, Conv2dParams p, Shape input,
                                            Shape weights) {
        if (!t.containsKey("WINOGRAD") || !p.isWinograd(weights) || !OpSupport.switchedOn("clnn.winograd")) {
            return null;
        }
        int tile = num(t, "WINOGRAD");
        int minC = t.containsKey("WINOGRAD_MIN_C") ? num(t, "WINOGRAD_MIN_C") : 64;
        int minTiles = t.containsKey("WINOGRAD_MIN_TILES") ? num(t, "WINOGRAD_MIN_TILES") : 1;
        Shape out = p.outputShape(input, weights, null);
        long tiles = (long) out.dim(0) * ConvKernels.ceilDiv(out.dim(1), tile) * ConvKernels.ceilDiv(out.dim(2), tile);
        if (Math.min(input.dim(3), weights.dim(3)) < minC || tiles < minTiles
                || !WinogradConv.indexable((tile + 2) * (tile + 2), tiles, input.dim(3), weights.dim(3))) {
            return null;
        }
        // The tiled form computes the (tile + 2)^2 products in one launch (Gemm.Batch): its tile is chosen for
        // them all, and the batch fills the device without K slices. Other forms take one product at a time.
        long products = (long) (tile + 2) * (tile + 2) * tiles;
        GemmConfig batch = GemmConfig.select(device, products, weights.dim(3), input.dim(3), true);
        return winograd(tile, batch.variant() == GemmConfig.Variant.TILED ? batch.withSlices(0)
                : GemmConfig.select(device, tiles, weights.dim(3), input.dim(3), true));
    }

    private static String variantOf(Map<String, String> tuning) {
        return tuning.get("variant").toLowerCase(Locale.ROOT);
    }

    private static int num(Map<String, String> tuning, String key) {
        String s = tuning.get(key);
        try {
            return Integer.parseInt(s);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("Convolution tuning entry " + tuning + ": " + key
                    + (s == null ? " is missing" : " is not a number: " + s));
        }
    }

    /** Why this variant cannot run the shape, or null when it can. */
    String unsupported(Conv2dParams p, Shape input, Shape weights) {
        switch (variant) {
            case DIRECT:
                return p.groups() == 1 ? null : "needs groups == 1, got " + p.groups();
            case POINTWISE:
                return p.isPointwise(weights) ? null : "needs a 1x1 kernel, stride 1, no padding and groups == 1";
            case IMPLICIT_GEMM:
                return p.groups() == 1 ? null : "needs groups == 1, got " + p.groups();
            case WINOGRAD:
                return p.isWinograd(weights) ? null : "needs a 3x3 kernel, stride 1, no dilation and groups == 1";
            case DEPTHWISE:
                return p.isDepthwise(input, weights) ? null
                        : "needs groups == input channels == output channels (channel multiplier 1)";
            case DEPTHWISE_BLOCKED:
                return p.isDepthwiseBlocked(input, weights) ? null
                        : "needs a depthwise 3x3 or 5x5 kernel (multiplier 1) with equal strides of 1 or 2 and no dilation";
            default:
                return null;
        }
    }

    @Override
    public String toString() {
        switch (variant) {
            case DIRECT: return "direct(VW=" + vw + " WB=" + wb + ")";
            case POINTWISE: return "pointwise(" + gemm + ")";
            case IMPLICIT_GEMM: return "implicit_gemm(" + gemm + ")";
            case WINOGRAD: return "winograd(F(" + wb + "x" + wb + ",3x3) " + gemm + ")";
            case DEPTHWISE: return "depthwise(VW=" + vw + (wg > 0 ? " WG=" + wg : "") + ")";
            case DEPTHWISE_BLOCKED: return "depthwise_blocked(VW=" + vw + " WB=" + wb + (hb > 1 ? " HB=" + hb : "")
                    + (wg > 0 ? " WG=" + wg : "") + ")";
            default: return "general";
        }
    }
}
