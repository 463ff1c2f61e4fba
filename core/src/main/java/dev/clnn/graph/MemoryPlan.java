package dev.clnn.graph;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import dev.clnn.tensor.DType;
import dev.clnn.tensor.Shape;

/**
 * Where every intermediate value of a graph lives: a few device buffers ("slots") reused as values
 * die. A value occupies its slot from the node that defines it to the last node that reads it (a
 * graph output, and every value it is a reshape of, forever: no later node may overwrite it); a
 * value that is another's buffer ({@link Op#aliasedInput}: a reshape, a convolution written into a
 * wider tensor) shares its slot, which lives until the last reader of either. Slots are chosen best-fit and grow when no free one is large
 * enough, so a chain of layers needs about two slots, the two largest activations (half-precision
 * values, {@link Graph#types()}, take half the floats). The graph
 * inputs live in the caller's tensors and take no slot.
 */
public final class MemoryPlan {
    private final Map<String, Integer> slotOf;
    private final List<Long> slotFloats;
    private final long naiveFloats;

    private MemoryPlan(Map<String, Integer> slotOf, List<Long> slotFloats, long naiveFloats) {
        this.slotOf = slotOf;
        this.slotFloats = slotFloats;
        this.naiveFloats = naiveFloats;
    }

    /** Plans {@code graph} with the value shapes of one batch size ({@link Graph#shapes}). */
    public static MemoryPlan of(Graph graph, Map<String, Shape> shapes) {
        List<Node> nodes = graph.nodes();
        Map<String, String> root = new HashMap<>();
        for (String in : graph.inputNames()) {
            root.put(in, in);
        }
        Map<String, Integer> lastUse = new HashMap<>();
        for (int i = 0; i < nodes.size(); i++) {
            Node n = nodes.get(i);
            int alias = n.op().aliasedInput();
            root.put(n.output(), alias >= 0 ? root.get(n.inputs().get(alias)) : n.output());
            for (String v : n.inputs()) {
                lastUse.put(root.get(v), i);
            }
        }
        for (String out : graph.outputs()) {
            lastUse.put(root.get(out), Integer.MAX_VALUE);
        }

        Map<String, Integer> slotOf = new HashMap<>();
        List<Long> sizes = new ArrayList<>();
        List<Boolean> busy = new ArrayList<>();
        long naive = 0;
        Map<String, DType> types = graph.types();
        for (int i = 0; i < nodes.size(); i++) {
            Node n = nodes.get(i);
            String r = root.get(n.output());
            if (r.equals(n.output())) {
                long need = types.get(n.output()).floatsFor(shapes.get(n.output()).size());
                naive += need;
                int slot = pick(sizes, busy, need);
                slotOf.put(r, slot);
                // a value nobody reads dies at once, but must not share its slot with this node's inputs
                lastUse.putIfAbsent(r, i);
            }
            for (Map.Entry<String, Integer> e : lastUse.entrySet()) {
                if (e.getValue() == i && slotOf.containsKey(e.getKey())) {
                    busy.set(slotOf.get(e.getKey()), false);
                }
            }
        }
        Map<String, Integer> byValue = new HashMap<>();
        for (Map.Entry<String, String> e : root.entrySet()) {
            Integer s = slotOf.get(e.getValue());
            byValue.put(e.getKey(), s == null ? -1 : s);
        }
        return new MemoryPlan(byValue, sizes, naive);
    }

    private static int pick(List<Long> sizes, List<Boolean> busy, long need) {
        int best = -1;
        int largest = -1;
        for (int s = 0; s < sizes.size(); s++) {
            if (busy.get(s)) {
                continue;
            }
            if (sizes.get(s) >= need && (best < 0 || sizes.get(s) < sizes.get(best))) {
                best = s;
            }
            if (largest < 0 || sizes.get(s) > sizes.get(largest)) {
                largest = s;
            }
        }
        int slot = best >= 0 ? best : largest;
        if (slot < 0) {
            sizes.add(need);
            busy.add(true);
            return sizes.size() - 1;
        }
        sizes.set(slot, Math.max(sizes.get(slot), need));
        busy.set(slot, true);
        return slot;
    }

    /** The slot of {@code value}, or -1 for a graph input (and reshapes of it). */
    public int slotOf(String value) {
        Integer s = slotOf.get(value);
        if (s == null) {
            throw new IllegalArgumentException("No value named " + value + " in this plan");
        }
        return s;
    }

    /** Size of each slot, in floats. */
    public List<Long> slotFloats() {
        return Collections.unmodifiableList(slotFloats);
    }

    /** Floats of all slots together: the activation memory the plan needs. */
    public long totalFloats() {
        return slotFloats.stream().mapToLong(Long::longValue).sum();
    }

    /** Floats every intermediate value would need in a buffer of its own. */
    public long naiveFloats() {
        return naiveFloats;
    }
}
