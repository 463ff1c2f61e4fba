package dev.clnn.cl;

import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * The {@code -D} defines (and any extra compiler flags) a program is built with. Immutable;
 * rendered with the defines sorted by name, so the same parameters always give the same cache key.
 */
public final class BuildOptions {
    private static final Pattern NAME = Pattern.compile("[A-Z_][A-Z0-9_]*");
    private static final Pattern VALUE = Pattern.compile("[A-Za-z0-9_.+\\-]+");
    private static final BuildOptions NONE = new BuildOptions(new TreeMap<>(), "");

    private final TreeMap<String, String> defines;
    private final String flags;

    private BuildOptions(TreeMap<String, String> defines, String flags) {
        this.defines = defines;
        this.flags = flags;
    }

    public static BuildOptions none() {
        return NONE;
    }

    /** A copy with {@code -DNAME=value} added or replaced. Names are UPPER_CASE. */
    public BuildOptions define(String name, Object value) {
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("Kernel define names are UPPER_CASE identifiers: '" + name + "'");
        }
        String text = String.valueOf(value);
        if (!VALUE.matcher(text).matches()) {
            throw new IllegalArgumentException("Value of define " + name + " must be a plain token: '" + text + "'");
        }
        TreeMap<String, String> copy = new TreeMap<>(defines);
        copy.put(name, text);
        return new BuildOptions(copy, flags);
    }

    /** A copy with every define of {@code values} added. */
    public BuildOptions defineAll(Map<String, ?> values) {
        BuildOptions out = this;
        for (Map.Entry<String, ?> e : new TreeMap<>(values).entrySet()) {
            out = out.define(e.getKey(), e.getValue());
        }
        return out;
    }

    /** A copy with extra compiler flags (for example {@code -cl-mad-enable}) appended. */
    public BuildOptions flags(String extra) {
        String joined = (flags + " " + extra).trim();
        return new BuildOptions(defines, joined);
    }

    public Map<String, String> defines() {
        return java.util.Collections.unmodifiableMap(defines);
    }

    /** The option string passed to {@code clBuildProgram}. */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder();
        for (Map.Entry<String, String> e : defines.entrySet()) {
            if (sb.length() > 0) {
                sb.append(' ');
            }
            sb.append("-D").append(e.getKey()).append('=').append(e.getValue());
        }
        if (!flags.isEmpty()) {
            sb.append(sb.length() > 0 ? " " : "").append(flags);
        }
        return sb.toString();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof BuildOptions && toString().equals(o.toString());
    }

    @Override
    public int hashCode() {
        return Objects.hash(toString());
    }
}
