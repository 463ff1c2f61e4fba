package dev.clnn.onnx;

import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.NodeProto;

/** Reading node attributes, with ONNX's defaults. */
final class Attrs {
    private Attrs() {
    }

    static AttributeProto get(NodeProto n, String name) {
        for (AttributeProto a : n.getAttributeList()) {
            if (a.getName().equals(name)) {
                return a;
            }
        }
        return null;
    }

    static boolean has(NodeProto n, String name) {
        return get(n, name) != null;
    }

    static long i(NodeProto n, String name, long dflt) {
        AttributeProto a = get(n, name);
        return a == null ? dflt : a.getI();
    }

    static float f(NodeProto n, String name, float dflt) {
        AttributeProto a = get(n, name);
        return a == null ? dflt : a.getF();
    }

    static String s(NodeProto n, String name, String dflt) {
        AttributeProto a = get(n, name);
        return a == null ? dflt : a.getS().toStringUtf8();
    }

    /** An ints attribute as ints, or null when absent. */
    static int[] ints(NodeProto n, String name) {
        AttributeProto a = get(n, name);
        if (a == null) {
            return null;
        }
        int[] r = new int[a.getIntsCount()];
        for (int k = 0; k < r.length; k++) {
            long v = a.getInts(k);
            if (v < Integer.MIN_VALUE || v > Integer.MAX_VALUE) {
                throw new OnnxFormatException("node '" + n.getName() + "' (" + n.getOpType() + "): attribute " + name
                        + " value " + v + " is out of range");
            }
            r[k] = (int) v;
        }
        return r;
    }
}
