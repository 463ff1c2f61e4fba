package dev.clnn.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A {@code [NAME=]FILE} argument of {@code infer --input} and {@code --output}: a file for the
 * model's input or output {@code NAME}, or (without a name) for the next one in the model's order.
 * The text before the first {@code =} is a name when it is not empty and holds no {@code /}; so
 * {@code ./a=b.npy} is a file whose name holds an {@code =}.
 */
record NamedFile(String name, Path file) {
    static NamedFile parse(String spec) {
        int eq = spec.indexOf('=');
        if (eq > 0 && spec.lastIndexOf('/', eq) < 0) {
            return new NamedFile(spec.substring(0, eq), Path.of(spec.substring(eq + 1)));
        }
        return new NamedFile(null, Path.of(spec));
    }

    static List<NamedFile> parseAll(List<String> specs) {
        return specs == null ? List.of() : specs.stream().map(NamedFile::parse).toList();
    }

    static Path[] files(List<NamedFile> files) {
        return files.stream().map(NamedFile::file).toArray(Path[]::new);
    }

    /**
     * The file for each of {@code names} (the model's inputs or outputs, in order), null where none
     * is given: either every argument names its value, or none does and they go in order. With
     * {@code every}, each value needs a file.
     *
     * @throws UserError when names and plain files are mixed, a name is unknown or repeated, there
     *                   are more files than values, or (with {@code every}) a value has none
     */
    static Path[] bind(List<NamedFile> files, List<String> names, String option, boolean every) {
        Path[] bound = new Path[names.size()];
        long named = files.stream().filter(f -> f.name() != null).count();
        String listed = "'" + String.join("', '", names) + "'";
        String what = option.substring(2) + (names.size() == 1 ? "" : "s");
        if (named > 0 && named < files.size()) {
            throw new UserError(option + ": give every file as NAME=FILE or none (in the model's order: " + listed + ")");
        }
        if (named == 0) {
            if (files.size() > names.size() || (every && files.size() < names.size())) {
                throw new UserError("the model has " + names.size() + " " + what + " (" + listed + "); " + option
                        + " names " + files.size() + " file" + (files.size() == 1 ? "" : "s"));
            }
            for (int k = 0; k < files.size(); k++) {
                bound[k] = files.get(k).file();
            }
            return bound;
        }
        for (NamedFile f : files) {
            int k = names.indexOf(f.name());
            if (k < 0) {
                throw new UserError(option + " " + f.name() + "=" + f.file() + ": the model has no "
                        + option.substring(2) + " '" + f.name() + "'; its " + what + ": " + listed);
            }
            if (bound[k] != null) {
                throw new UserError(option + ": '" + f.name() + "' is given twice");
            }
            bound[k] = f.file();
        }
        for (int k = 0; k < bound.length && every; k++) {
            if (bound[k] == null) {
                throw new UserError("no " + option + " for '" + names.get(k) + "'; the model's " + what + ": " + listed);
            }
        }
        return bound;
    }

    /** Non-null entries of {@code paths}. */
    static List<Path> present(Path[] paths) {
        return new ArrayList<>(Arrays.stream(paths).filter(java.util.Objects::nonNull).toList());
    }
}
