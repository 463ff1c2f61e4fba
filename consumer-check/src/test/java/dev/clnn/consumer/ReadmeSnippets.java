package dev.clnn.consumer;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The Java snippets of one README section, and the programs the test builds around them: the
 * snippet's own {@code import} lines first, then a {@code main} whose body is the inputs the snippet
 * names (a prelude) and the snippet itself.
 */
final class ReadmeSnippets {
    private final List<String> blocks;

    private ReadmeSnippets(List<String> blocks) {
        this.blocks = blocks;
    }

    /** The {@code ```java} blocks under the level-2 heading {@code heading} of {@code readme}, in order. */
    static ReadmeSnippets of(String readme, String heading) {
        int start = readme.indexOf("\n" + heading + "\n");
        if (start < 0) {
            throw new AssertionError("README.md has no section '" + heading + "'");
        }
        int end = readme.indexOf("\n## ", start + 1);
        String section = readme.substring(start, end < 0 ? readme.length() : end);
        List<String> blocks = new ArrayList<>();
        StringBuilder block = null;
        for (String line : section.split("\n", -1)) {
            if (block == null && line.strip().equals("```java")) {
                block = new StringBuilder();
            } else if (block != null && line.strip().equals("```")) {
                blocks.add(block.toString());
                block = null;
            } else if (block != null) {
                block.append(line).append('\n');
            }
        }
        return new ReadmeSnippets(blocks);
    }

    int size() {
        return blocks.size();
    }

    /** The one snippet containing {@code marker}. */
    String containing(String marker) {
        List<String> found = blocks.stream().filter(b -> b.contains(marker)).toList();
        if (found.size() != 1) {
            throw new AssertionError(found.size() + " Java snippets of README.md contain '" + marker + "'; expected one");
        }
        return found.get(0);
    }

    /**
     * {@code snippet} with each key of {@code edits} replaced by its value. Every key must occur
     * exactly once, so an edit that no longer applies (the README changed) fails loudly.
     */
    static String edited(String snippet, Map<String, String> edits) {
        String out = snippet;
        for (Map.Entry<String, String> e : edits.entrySet()) {
            int at = out.indexOf(e.getKey());
            if (at < 0 || out.indexOf(e.getKey(), at + 1) >= 0) {
                throw new AssertionError("The README snippet must contain '" + e.getKey() + "' exactly once; update"
                        + " the test's edits if the README changed on purpose:\n" + snippet);
            }
            out = out.replace(e.getKey(), e.getValue());
        }
        return out;
    }

    /**
     * A class {@code name} whose {@code main} runs {@code prelude} then {@code snippet}; the
     * snippet's import lines move to the top. {@code Check} (the test's assertions) is in the same
     * package, so edits may call it.
     */
    static String program(String name, String prelude, String snippet) {
        StringBuilder imports = new StringBuilder();
        StringBuilder body = new StringBuilder();
        for (String line : snippet.split("\n")) {
            (line.startsWith("import ") ? imports : body).append(line).append('\n');
        }
        return "package dev.clnn.consumer.snippets;\n\n" + imports
                + "\npublic final class " + name + " {\n"
                + "    public static void main(String[] args) throws Exception {\n"
                + prelude.indent(8) + body.toString().indent(8)
                + "    }\n}\n";
    }
}
