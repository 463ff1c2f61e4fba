package dev.clnn.reference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The model benchmark's absolute tolerance follows the scale of the outputs, and never drops below plaidbench's. */
class TolerancesTest {

    @Test
    void benchAtolScalesWithTheLargestOutput() {
        assertEquals(Tolerances.BENCH_ATOL, Tolerances.benchAtol(new float[] {0.01f, -0.02f}), 0f);
        assertEquals(2e-4f, Tolerances.benchAtol(new float[] {3f, -20f, 0f}), 1e-9f);
        assertEquals(Tolerances.BENCH_ATOL, Tolerances.benchAtol(new float[0]), 0f);
    }

    @Test
    void aRoundingErrorNearZeroPassesBesideLargeLogitsButARealErrorDoesNot() {
        float[] reference = {12f, -8f, 1e-6f};
        float[] rounded = {12.000001f, -8f, 3.5e-5f};
        float[] wrong = {12f, -8f, 0.01f};
        float atol = Tolerances.benchAtol(reference);
        assertFalse(Comparison.of(rounded, reference, Tolerances.BENCH_RTOL, Tolerances.BENCH_ATOL).passed());
        assertTrue(Comparison.of(rounded, reference, Tolerances.BENCH_RTOL, atol).passed());
        assertFalse(Comparison.of(wrong, reference, Tolerances.BENCH_RTOL, atol).passed());
    }
}
