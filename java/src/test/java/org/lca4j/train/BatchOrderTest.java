package org.lca4j.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** Batches are full, each epoch is a fresh shuffle of every row, and the order depends on the seed only. */
class BatchOrderTest {
    @Test
    void everyEpochTakesEachRowExactlyOnceInANewOrder() {
        int rows = 12, batch = 3;
        BatchOrder order = new BatchOrder(new Seeds(7), rows, batch);
        assertEquals(4, order.batchesPerEpoch());
        int[][] epochs = new int[6][];
        for (int e = 0; e < epochs.length; e++) {
            int[] seen = new int[rows];
            int[] inOrder = new int[rows];
            for (int k = 0; k < 4; k++) {
                int[] b = order.batch(e * 4L + k);
                assertEquals(batch, b.length);
                for (int j = 0; j < batch; j++) {
                    assertTrue(b[j] >= 0 && b[j] < rows, "row " + b[j]);
                    seen[b[j]]++;
                    inOrder[k * batch + j] = b[j];
                }
            }
            for (int r = 0; r < rows; r++) assertEquals(1, seen[r], "epoch " + e + ": row " + r);
            epochs[e] = inOrder;
        }
        for (int e = 1; e < epochs.length; e++) assertFalse(Arrays.equals(epochs[0], epochs[e]), "epoch " + e + " repeats epoch 0's order");
        // Asked again, out of order, by a new instance: the same batches.
        BatchOrder again = new BatchOrder(new Seeds(7), rows, batch);
        for (long t : new long[] {13, 2, 23, 0}) assertArrayEquals(order.batch(t), again.batch(t), "step " + t);
    }

    @Test
    void aLastPartialBatchIsDropped() {
        BatchOrder order = new BatchOrder(new Seeds(3), 11, 3);
        assertEquals(3, order.batchesPerEpoch());
        for (int e = 0; e < 4; e++) {
            boolean[] seen = new boolean[11];
            for (int k = 0; k < 3; k++) {
                for (int r : order.batch(e * 3L + k)) {
                    assertFalse(seen[r], "epoch " + e + " takes row " + r + " twice");
                    seen[r] = true;
                }
            }
        }
    }
}
