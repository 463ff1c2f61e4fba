package dev.clnn.onnx;

import java.util.Collections;
import java.util.HashMap;
import java.util.Map;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * Every operator clnn runs on values computed from the model input, by ONNX op type: the one
 * list of what the importer supports. With {@link ConstEval#FOLDABLE} (operators folded when all
 * their inputs are constants) it decides which models are rejected as using unsupported
 * operators, so that check, the translation and {@link #operators} cannot disagree.
 */
final class Translators {
    static final Map<String, Translator> ALL = merge(ConvTranslators.all(), PoolTranslators.all(),
            ElementwiseTranslators.all(), ShapeTranslators.all(), SliceTranslators.all(), NormTranslators.all(),
            ReduceTranslators.all(), ResizeTranslators.all());

    private Translators() {
    }

    @SafeVarargs
    private static Map<String, Translator> merge(Map<String, Translator>... families) {
        Map<String, Translator> all = new HashMap<>();
        for (Map<String, Translator> f : families) {
            for (Map.Entry<String, Translator> e : f.entrySet()) {
                if (all.put(e.getKey(), e.getValue()) != null) {
                    throw new IllegalStateException("two translators for " + e.getKey());
                }
            }
        }
        return Map.copyOf(all);
    }

    /** Whether a model may contain {@code opType} (of the default domain): it is translated, or folded. */
    static boolean supports(String opType) {
        return ALL.containsKey(opType) || ConstEval.FOLDABLE.contains(opType);
    }

    /** Every supported operator: the translated ones and the folded ones, sorted. */
    static SortedSet<String> operators() {
        SortedSet<String> all = new TreeSet<>(ALL.keySet());
        all.addAll(ConstEval.FOLDABLE);
        return Collections.unmodifiableSortedSet(all);
    }
}
