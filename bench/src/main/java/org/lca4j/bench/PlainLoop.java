package org.lca4j.bench;

/** The per-step LCA work as the plainest Java: one thread, one loop per layer over float[] arrays. */
final class PlainLoop {
    private final Model m;
    private final double[] cumulative;

    PlainLoop(Model m) {
        this.m = m;
        this.cumulative = new double[m.params()];
    }

    void step(double[] sums, long[] helped, long[] hurt) {
        float[] g = m.gradient(), a = m.before(), b = m.after();
        for (int l = 0; l < sums.length; l++) {
            int from = (int) m.layout().layer(l).offset(), to = from + (int) m.layout().layer(l).size();
            double s = 0;
            long neg = 0, pos = 0;
            for (int i = from; i < to; i++) {
                double x = g[i] * ((double) b[i] - a[i]);
                s += x;
                neg += x < 0 ? 1 : 0;
                pos += x > 0 ? 1 : 0;
                cumulative[i] += x;
            }
            sums[l] = s;
            helped[l] = neg;
            hurt[l] = pos;
        }
    }
}
