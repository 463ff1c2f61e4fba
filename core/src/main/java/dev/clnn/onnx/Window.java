package dev.clnn.onnx;

import java.util.Arrays;

/** The sliding-window attributes Conv and the poolings share: strides, dilations, pads and auto_pad. */
final class Window {
    private Window() {
    }

    /** A 2-D attribute ({@code strides}, {@code dilations}, {@code pads}), or {@code dflt} when absent. */
    static int[] spatial(NodeContext cx, String name, int[] dflt) {
        int[] v = cx.ints(name);
        if (v == null) {
            return dflt;
        }
        if (v.length != dflt.length) {
            throw new OnnxFormatException(name + " " + Arrays.toString(v) + " needs " + dflt.length + " values;"
                    + " clnn runs 2-D convolution and pooling only");
        }
        return v;
    }

    /** Padding {top, left, bottom, right} from pads / auto_pad. */
    static int[] padding(NodeContext cx, int inH, int inW, int kh, int kw, int[] strides, int[] dilations) {
        String auto = cx.s("auto_pad", "NOTSET");
        switch (auto) {
            case "NOTSET": {
                int[] p = spatial(cx, "pads", new int[4]);
                for (int v : p) {
                    if (v < 0) {
                        throw new OnnxFormatException("pads " + Arrays.toString(p) + " must not be negative");
                    }
                }
                return new int[] {p[0], p[1], p[2], p[3]};
            }
            case "VALID":
                return new int[4];
            case "SAME_UPPER": case "SAME_LOWER": {
                int[] in = {inH, inW};
                int[] k = {kh, kw};
                int[] begin = new int[2];
                int[] end = new int[2];
                for (int a = 0; a < 2; a++) {
                    int out = (in[a] + strides[a] - 1) / strides[a];
                    int total = Math.max(0, (out - 1) * strides[a] + (k[a] - 1) * dilations[a] + 1 - in[a]);
                    begin[a] = auto.equals("SAME_UPPER") ? total / 2 : total - total / 2;
                    end[a] = total - begin[a];
                }
                return new int[] {begin[0], begin[1], end[0], end[1]};
            }
            default:
                throw new OnnxFormatException("auto_pad " + auto + " is not an ONNX value");
        }
    }
}
