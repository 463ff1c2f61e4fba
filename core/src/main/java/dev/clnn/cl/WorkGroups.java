package dev.clnn.cl;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Work-group sizes for CPU devices, used by {@link ClKernel#launch} when the caller leaves the
 * choice to the driver ({@code local == null}).
 *
 * <p>NOTE: a CPU driver runs one work-group per core at a time, so a launch with fewer
 * work-groups than cores leaves cores idle. PoCL's own choice makes that mistake on some shapes:
 * a pointwise convolution at 56x56 with 64 -> 128 channels launches (4, 523) work-items, 523 is
 * prime, and on PoCL 5.0 with 16 cores such layers ran at 75-124 GFLOPS against 600-790 for their
 * neighbours (BENCHMARKS.md). The groups chosen here are contiguous runs of the row-major item
 * order (the first dimension takes the largest divisor that fits; a later one grows only once every
 * earlier one is whole), as large as they can be while leaving at least {@link #GROUPS_PER_CORE}
 * groups per compute unit. Measured on the same 16-core machine, this beat both the driver's choice
 * and the largest group of any shape (MobileNet v1 at batch 1: 9.7 ms, 2.8 ms and 2.76 ms).
 */
final class WorkGroups {
    /** Work-groups per compute unit to aim for: enough to balance groups of uneven cost. */
    static final int GROUPS_PER_CORE = 4;

    private WorkGroups() {
    }

    /**
     * Local sizes for {@code global} on a CPU with {@code computeUnits} cores whose work-groups
     * hold at most {@code maxGroup} items. Every local size divides its global size; with fewer
     * items than groups wanted, each item is a group.
     */
    static long[] forCpu(long[] global, int computeUnits, long maxGroup) {
        long target = (long) GROUPS_PER_CORE * Math.max(1, computeUnits);
        long total = 1;
        for (long g : global) {
            total *= g;
        }
        long room = Math.min(maxGroup, Math.max(1, total / target));
        long[] local = new long[global.length];
        Arrays.fill(local, 1);
        for (int i = 0; i < global.length; i++) {
            long[] d = divisors(global[i], room);
            local[i] = d[d.length - 1];
            room /= local[i];
            if (local[i] != global[i]) {
                break;      // a partial dimension: growing a later one would break contiguity
            }
        }
        return local;
    }

    /** The divisors of {@code n} up to {@code cap}, ascending (1 always among them). */
    static long[] divisors(long n, long cap) {
        List<Long> small = new ArrayList<>();
        List<Long> large = new ArrayList<>();
        for (long d = 1; d * d <= n; d++) {
            if (n % d == 0) {
                small.add(d);
                if (d != n / d) {
                    large.add(0, n / d);
                }
            }
        }
        small.addAll(large);
        return small.stream().mapToLong(Long::longValue).filter(d -> d <= cap).toArray();
    }
}
