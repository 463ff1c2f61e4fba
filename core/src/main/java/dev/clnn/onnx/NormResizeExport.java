package dev.clnn.onnx;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;

import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import com.google.protobuf.ByteString;

import dev.clnn.graph.Op;
import dev.clnn.ops.ResizeParams;

/** The ONNX nodes {@link GraphExport} writes for Resize and for group and instance normalisation. */
final class NormResizeExport {
    private NormResizeExport() {
    }

    /**
     * Resize of the NCHW value {@code x} by its scales, or to its sizes (the batch and channels taken
     * from the value's shape, so any batch runs); returns the output's name.
     */
    static String resize(GraphExport e, ResizeParams p, String x) {
        NodeProto.Builder n;
        if (p.outH() > 0) {
            String nc = e.emit("Slice", List.of(e.emit("Shape", List.of(x)).getOutput(0), e.constant(new long[] {0}),
                    e.constant(new long[] {2}))).getOutput(0);
            String sizes = e.emit("Concat", List.of(nc, e.constant(new long[] {p.outH(), p.outW()})))
                    .addAttribute(GraphExport.ints("axis", 0)).getOutput(0);
            n = e.emit("Resize", List.of(x, "", "", sizes));
        } else {
            n = e.emit("Resize", List.of(x, "", e.constant(new float[] {1f, 1f, p.scaleH(), p.scaleW()}, 4L)));
        }
        return n.addAttribute(text("mode", p.mode().name().toLowerCase(Locale.ROOT)))
                .addAttribute(text("coordinate_transformation_mode", p.coord().name().toLowerCase(Locale.ROOT)))
                .addAttribute(text("nearest_mode", p.nearest().name().toLowerCase(Locale.ROOT))).getOutput(0);
    }

    /**
     * InstanceNormalization of {@code x} (in ONNX's order, channels second, of {@code rank}) per channel;
     * with fewer groups than channels as PyTorch exports GroupNorm: Reshape to (N, G, -1),
     * InstanceNormalization, Reshape back, Mul and Add of the per-channel weights. Returns the output.
     */
    static String groupNorm(GraphExport e, Op.GroupNorm g, String x, int rank) {
        int c = g.scale().length;
        AttributeProto.Builder eps = GraphExport.floatAttr("epsilon", g.epsilon());
        if (g.groups() == c) {
            return e.emit("InstanceNormalization", List.of(x, e.named("scale", g.scale(), c), e.named("bias",
                    g.bias(), c))).addAttribute(eps).getOutput(0);
        }
        int k = g.groups();
        String r = e.emit("Reshape", List.of(x, e.constant(new long[] {0, k, -1}))).getOutput(0);
        float[] ones = new float[k];
        Arrays.fill(ones, 1f);
        String n = e.emit("InstanceNormalization", List.of(r, e.constant(ones, k), e.constant(new float[k], k)))
                .addAttribute(eps).getOutput(0);
        String back = e.emit("Reshape", List.of(n, e.emit("Shape", List.of(x)).getOutput(0))).getOutput(0);
        int[] perChannel = new int[rank - 1];
        Arrays.fill(perChannel, 1);
        perChannel[0] = c;
        String scaled = e.emit("Mul", List.of(back, e.named("scale", g.scale(), perChannel))).getOutput(0);
        return e.emit("Add", List.of(scaled, e.named("bias", g.bias(), perChannel))).getOutput(0);
    }

    private static AttributeProto.Builder text(String name, String value) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.STRING)
                .setS(ByteString.copyFromUtf8(value));
    }
}
