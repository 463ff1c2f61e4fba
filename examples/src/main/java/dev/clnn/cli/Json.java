package dev.clnn.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.clnn.cl.ClDevice;
import dev.clnn.io.AtomicFiles;

/**
 * Just enough JSON writing for {@code --json} output: ordered objects of strings, numbers,
 * booleans, nulls, lists, {@code int[]}/{@code long[]}/{@code double[]} and nested objects,
 * written with two-space indentation (an object or list of plain values stays on one line).
 * Numbers never depend on the locale; NaN and infinities become {@code null}.
 */
final class Json {
    private Json() {
    }

    /** An ordered JSON object. */
    static final class Obj {
        private final Map<String, Object> fields = new LinkedHashMap<>();

        Obj put(String key, Object value) {
            fields.put(key, value);
            return this;
        }

        @Override
        public String toString() {
            StringBuilder sb = new StringBuilder();
            render(this, sb, "");
            return sb.toString();
        }
    }

    static Obj obj() {
        return new Obj();
    }

    /**
     * The fields every clnn JSON document starts with: the clnn version, the date (ISO-8601, local
     * time with its offset), the command, the seed (null where none applies) and the devices used,
     * each with its name and driver version.
     */
    static Obj header(String command, List<ClDevice> devices, Long seed) {
        List<Obj> list = new ArrayList<>();
        for (ClDevice d : devices) {
            list.add(device(d));
        }
        return obj().put("clnn", Version.get())
                .put("date", OffsetDateTime.now().truncatedTo(ChronoUnit.SECONDS)
                        .format(DateTimeFormatter.ISO_OFFSET_DATE_TIME))
                .put("command", command).put("seed", seed).put("devices", list);
    }

    static Obj device(ClDevice d) {
        return obj().put("index", d.index()).put("name", d.name()).put("kind", d.kind())
                .put("platform", d.platformName()).put("driverVersion", d.driverVersion());
    }

    /** Writes {@code doc} to {@code file}, or to {@code stdout} when the file is {@code -}. */
    static void write(Path file, Obj doc, PrintWriter stdout) throws IOException {
        String text = doc + "\n";
        stdout.flush();     // the report so far first, should FILE be /dev/stdout
        if (FileArgs.isStdout(file)) {
            stdout.print(text);
            stdout.flush();
        } else {
            AtomicFiles.write(file, text);
        }
    }

    static String str(String s) {
        if (s == null) {
            return "null";
        }
        StringBuilder sb = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"': sb.append("\\\""); break;
                case '\\': sb.append("\\\\"); break;
                case '\n': sb.append("\\n"); break;
                case '\r': sb.append("\\r"); break;
                case '\t': sb.append("\\t"); break;
                default:
                    if (c < 0x20) {
                        sb.append(String.format(java.util.Locale.ROOT, "\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
            }
        }
        return sb.append('"').toString();
    }

    private static void render(Object v, StringBuilder sb, String indent) {
        if (v instanceof Obj o) {
            renderObject(o.fields, sb, indent);
        } else if (v instanceof Map<?, ?> m) {
            Map<String, Object> copy = new LinkedHashMap<>();
            m.forEach((k, x) -> copy.put(String.valueOf(k), x));
            renderObject(copy, sb, indent);
        } else if (v instanceof Collection<?> || v instanceof int[] || v instanceof long[] || v instanceof double[]) {
            renderList(list(v), sb, indent);
        } else {
            sb.append(scalar(v));
        }
    }

    private static void renderObject(Map<String, Object> fields, StringBuilder sb, String indent) {
        boolean flat = fields.values().stream().allMatch(Json::isFlat);
        String inner = indent + "  ";
        sb.append('{');
        int i = 0;
        for (Map.Entry<String, Object> e : fields.entrySet()) {
            sb.append(i++ > 0 ? "," : "").append(flat ? (i > 1 ? " " : "") : "\n" + inner);
            sb.append(str(e.getKey())).append(": ");
            render(e.getValue(), sb, inner);
        }
        sb.append(flat || fields.isEmpty() ? "" : "\n" + indent).append('}');
    }

    private static void renderList(List<?> items, StringBuilder sb, String indent) {
        boolean flat = items.stream().allMatch(Json::isScalar);
        String inner = indent + "  ";
        sb.append('[');
        for (int i = 0; i < items.size(); i++) {
            sb.append(i > 0 ? "," : "").append(flat ? (i > 0 ? " " : "") : "\n" + inner);
            render(items.get(i), sb, inner);
        }
        sb.append(flat || items.isEmpty() ? "" : "\n" + indent).append(']');
    }

    private static List<?> list(Object v) {
        if (v instanceof int[] a) {
            return java.util.Arrays.stream(a).boxed().toList();
        }
        if (v instanceof long[] a) {
            return java.util.Arrays.stream(a).boxed().toList();
        }
        if (v instanceof double[] a) {
            return java.util.Arrays.stream(a).boxed().toList();
        }
        return new ArrayList<>((Collection<?>) v);
    }

    private static boolean isScalar(Object v) {
        return !(v instanceof Obj || v instanceof Map || v instanceof Collection || v instanceof int[]
                || v instanceof long[] || v instanceof double[]);
    }

    /** Plain values and lists of plain values keep an object on one line. */
    private static boolean isFlat(Object v) {
        return isScalar(v) || ((v instanceof Collection<?> || v instanceof int[] || v instanceof long[]
                || v instanceof double[]) && list(v).stream().allMatch(Json::isScalar));
    }

    private static String scalar(Object v) {
        if (v == null) {
            return "null";
        }
        if (v instanceof Boolean) {
            return v.toString();
        }
        if (v instanceof Double d) {
            return d.isNaN() || d.isInfinite() ? "null" : d.toString();
        }
        if (v instanceof Float f) {
            return f.isNaN() || f.isInfinite() ? "null" : f.toString();
        }
        if (v instanceof Number) {
            return v.toString();
        }
        if (v instanceof Enum<?> e) {
            return str(e.name());
        }
        return str(v.toString());
    }
}
