package org.lca4j.train;

import java.util.Arrays;

/**
 * Which training rows make up batch b_t: a fresh seeded shuffle each epoch, cut into full batches
 * (a last partial batch is dropped so every step sees the same batch size).
 */
public final class BatchOrder {
    private final Seeds seeds;
    private final int rows;
    private final int batchSize;
    private final int batchesPerEpoch;
    private int cachedEpoch = -1;
    private int[] cachedPerm;

    public BatchOrder(Seeds seeds, int rows, int batchSize) {
        if (batchSize <= 0) throw new IllegalArgumentException("--batch must be positive, got " + batchSize);
        if (batchSize > rows) throw new IllegalArgumentException("--batch " + batchSize + " is larger than the training set (" + rows + " rows)");
        this.seeds = seeds;
        this.rows = rows;
        this.batchSize = batchSize;
        this.batchesPerEpoch = rows / batchSize;
    }

    public int batchesPerEpoch() {
        return batchesPerEpoch;
    }

    public int batchSize() {
        return batchSize;
    }

    /** Row indices of batch b_t; step t past the first epoch continues into the next epoch's shuffle. */
    public int[] batch(long step) {
        int epoch = (int) (step / batchesPerEpoch);
        int k = (int) (step % batchesPerEpoch);
        if (epoch != cachedEpoch) {
            cachedPerm = org.lca4j.data.DataSources.permutation(rows, seeds.stream("batch-order", epoch));
            cachedEpoch = epoch;
        }
        return Arrays.copyOfRange(cachedPerm, k * batchSize, (k + 1) * batchSize);
    }
}
