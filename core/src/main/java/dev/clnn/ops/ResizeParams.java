package dev.clnn.ops;

import dev.clnn.tensor.Shape;

/**
 * What {@link Resize} computes (ONNX Resize on the two spatial axes of an NHWC tensor): the
 * interpolation, how an output coordinate maps to an input one, how nearest rounds, and the output
 * size, given either by {@code scaleH} / {@code scaleW} (output {@code floor(in * scale)}) or by
 * {@code outH} / {@code outW} (then the scales are {@code out / in}). Immutable.
 *
 * @param mode    nearest neighbour or bilinear
 * @param coord   ONNX's coordinate_transformation_mode
 * @param nearest ONNX's nearest_mode (ignored by {@link Mode#LINEAR})
 * @param scaleH  height scale, used when {@code outH == 0}
 * @param scaleW  width scale, used when {@code outW == 0}
 * @param outH    output height, or 0 for {@code floor(H * scaleH)}
 * @param outW    output width, or 0 for {@code floor(W * scaleW)}
 */
public record ResizeParams(Mode mode, Coord coord, Nearest nearest, float scaleH, float scaleW, int outH, int outW) {

    /** The interpolation; the code is {@code MODE} in {@code layout/resize.cl}. */
    public enum Mode { NEAREST, LINEAR }

    /** ONNX's coordinate transformations: output coordinate {@code x} to input coordinate. */
    public enum Coord { HALF_PIXEL, ASYMMETRIC, ALIGN_CORNERS, PYTORCH_HALF_PIXEL }

    /** ONNX's nearest_mode: how an input coordinate rounds to a pixel. */
    public enum Nearest { ROUND_PREFER_FLOOR, ROUND_PREFER_CEIL, FLOOR, CEIL }

    public ResizeParams {
        if (mode == null || coord == null || nearest == null) {
            throw new IllegalArgumentException("Resize: mode, coordinate transformation and nearest mode are required");
        }
        if (outH < 0 || outW < 0 || outH == 0 && !(scaleH > 0f && Float.isFinite(scaleH))
                || outW == 0 && !(scaleW > 0f && Float.isFinite(scaleW))) {
            throw new IllegalArgumentException("Resize needs positive finite scales or positive sizes, got scales "
                    + scaleH + ", " + scaleW + " and sizes " + outH + ", " + outW);
        }
    }

    /** Resize by scales (output {@code floor(in * scale)}). */
    public static ResizeParams scales(Mode mode, Coord coord, Nearest nearest, float scaleH, float scaleW) {
        return new ResizeParams(mode, coord, nearest, scaleH, scaleW, 0, 0);
    }

    /** Resize to a fixed output height and width. */
    public static ResizeParams sizes(Mode mode, Coord coord, Nearest nearest, int outH, int outW) {
        return new ResizeParams(mode, coord, nearest, 0f, 0f, outH, outW);
    }

    /** The NHWC output shape for the NHWC input {@code in}. */
    public Shape outputShape(Shape in) {
        if (in.rank() != 4) {
            throw new IllegalArgumentException("Resize needs an (N, H, W, C) input, got " + in);
        }
        if (in.dim(1) < 1 || in.dim(2) < 1) {
            throw new IllegalArgumentException("Resize of an input without pixels: " + in);
        }
        int h = outH > 0 ? outH : (int) (scaleH * (float) in.dim(1));
        int w = outW > 0 ? outW : (int) (scaleW * (float) in.dim(2));
        if (h < 1 || w < 1) {
            throw new IllegalArgumentException("Resize " + this + " of " + in + " leaves no pixels");
        }
        return Shape.of(in.dim(0), h, w, in.dim(3));
    }

    /**
     * The source of each output coordinate along one axis of {@code in} input and {@code out} output
     * pixels: four floats per output coordinate, the two input pixels {@code i0, i1} (whole numbers)
     * and their weights {@code w0, w1} (nearest: {@code i0} with weight 1). Computed in float as
     * ONNX Runtime does, so ties round alike.
     */
    public float[] table(int in, int out, boolean height) {
        float scale = (height ? outH : outW) > 0 ? (float) out / (float) in : height ? scaleH : scaleW;
        float[] t = new float[4 * out];
        for (int o = 0; o < out; o++) {
            float x = original(o, scale, in, out);
            if (mode == Mode.NEAREST) {
                int i = Math.max(0, Math.min(in - 1, round(x)));
                t[4 * o] = i;
                t[4 * o + 1] = i;
                t[4 * o + 2] = 1f;
                continue;
            }
            x = Math.max(0f, Math.min(x, in - 1f));
            int i0 = Math.min((int) x, in - 1);
            int i1 = Math.min(i0 + 1, in - 1);
            float w1 = i0 == i1 ? 0.5f : x - i0;
            float w0 = i0 == i1 ? 0.5f : i1 - x;
            t[4 * o] = i0;
            t[4 * o + 1] = i1;
            t[4 * o + 2] = w0;
            t[4 * o + 3] = w1;
        }
        return t;
    }

    private float original(int o, float scale, int in, int out) {
        switch (coord) {
            case ASYMMETRIC: return o / scale;
            case ALIGN_CORNERS: return out == 1 ? 0f : o * (float) (in - 1) / (float) (out - 1);
            case PYTORCH_HALF_PIXEL: return out > 1 ? (o + 0.5f) / scale - 0.5f : 0f;
            default: return (o + 0.5f) / scale - 0.5f;
        }
    }

    private int round(float x) {
        switch (nearest) {
            case FLOOR: return (int) Math.floor(x);
            case CEIL: return (int) Math.ceil(x);
            case ROUND_PREFER_CEIL: return (int) Math.floor(x + 0.5f);
            default: return x == (float) Math.floor(x) + 0.5f ? (int) Math.floor(x) : Math.round(x);
        }
    }

    @Override
    public String toString() {
        String size = outH > 0 ? outH + "x" + outW : "x" + scaleH + "," + scaleW;
        return "resize " + mode.name().toLowerCase(java.util.Locale.ROOT) + " " + size + " "
                + coord.name().toLowerCase(java.util.Locale.ROOT)
                + (mode == Mode.NEAREST ? " " + nearest.name().toLowerCase(java.util.Locale.ROOT) : "");
    }
}
