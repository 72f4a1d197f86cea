package org.lca4j.study;

/** Streaming Pearson correlation and sign agreement of (exact, estimate) pairs; co-moments à la Welford keep it stable over millions of pairs. */
public final class Correlation {
    private long n;
    private double meanX;
    private double meanY;
    private double m2x;
    private double m2y;
    private double cxy;
    private long signed;
    private long agree;

    public void add(double exact, double estimate) {
        n++;
        double dx = exact - meanX;
        meanX += dx / n;
        double dy = estimate - meanY;
        meanY += dy / n;
        m2x += dx * (exact - meanX);
        m2y += dy * (estimate - meanY);
        cxy += dx * (estimate - meanY);
        if (exact != 0) {
            signed++;
            if ((exact < 0 && estimate < 0) || (exact > 0 && estimate > 0)) agree++;
        }
    }

    public long count() {
        return n;
    }

    /** Pearson r, or null when either side is constant. */
    public Double pearson() {
        if (n < 2 || m2x <= 0 || m2y <= 0) return null;
        return cxy / Math.sqrt(m2x * m2y);
    }

    /** Share of pairs with exact ≠ 0 where both say helped or both say hurt (docs/LCA.md). */
    public Double signAgreement() {
        return signed == 0 ? null : agree / (double) signed;
    }
}
