package org.lca4j.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/** Flat indices to layers and readable positions, and the whole-model helped share, checked by hand. */
class ParamLayoutTest {
    // a: 2×3 at [0,6), b: 3 at [6,9), c: 1 at [9,10), d: 2×2 at [10,14)
    private static final ParamLayout LAYOUT = ParamLayout.builder().add("a", 2, 3).add("b", 3).add("c", 1).add("d", 2, 2).build();

    @Test
    void everyFlatIndexMapsToItsLayerIncludingTheFirstAndLastOfEach() {
        int[] expected = {0, 0, 0, 0, 0, 0, 1, 1, 1, 2, 3, 3, 3, 3};
        assertEquals(expected.length, LAYOUT.size());
        for (int i = 0; i < expected.length; i++) assertEquals(expected[i], LAYOUT.layerOf(i), "flat index " + i);
        assertEquals("a[0,0]", LAYOUT.describe(0));
        assertEquals("a[1,2]", LAYOUT.describe(5));
        assertEquals("b[0]", LAYOUT.describe(6));
        assertEquals("b[2]", LAYOUT.describe(8));
        assertEquals("c[0]", LAYOUT.describe(9));
        assertEquals("d[0,0]", LAYOUT.describe(10));
        assertEquals("d[1,0]", LAYOUT.describe(12));
        assertEquals("d[1,1]", LAYOUT.describe(13));
        assertThrows(IndexOutOfBoundsException.class, () -> LAYOUT.layerOf(14));
        assertThrows(IndexOutOfBoundsException.class, () -> LAYOUT.layerOf(-1));
    }

    @Test
    void helpedSharesUseTheirDocumentedDenominators() {
        StepLca s = new StepLca(0, LAYOUT, new double[] {-1, 0.5, 0, -2}, new long[] {4, 1, 0, 2}, new long[] {1, 2, 0, 1});
        // Whole model: 4 + 1 + 0 + 2 = 7 helped of 14 parameters.
        assertEquals(0.5, s.helpedFraction(), 0);
        assertEquals(4 / 6.0, s.helpedFraction(0), 0);
        assertEquals(1 / 3.0, s.helpedFraction(1), 0);
        // Of the nonzero ones: layer 0 has 4 of 5, layer 2 has none at all.
        assertEquals(0.8, s.helpedFractionOfNonzero(0), 0);
        assertEquals(Double.NaN, s.helpedFractionOfNonzero(2));
        assertEquals(-2.5, s.total(), 0);
    }
}
