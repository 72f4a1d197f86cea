package org.lca4j.nn;

import org.lca4j.data.LabeledSet;
import org.lca4j.exact.Objective;

/**
 * L_R and g_R over a whole labeled set, in fixed-size chunks (bounded memory) summed in a fixed
 * order, so the result does not depend on anything but θ, the set and the BLAS ({@link Mlp}).
 */
public final class SetObjective implements Objective {
    /** Rows per chunk of the fixed-order sum; the GPU objective sums over the same chunks. */
    public static final int CHUNK_ROWS = 2048;
    private final Mlp mlp;
    private final LabeledSet set;
    private final Mlp.Workspace ws;

    public SetObjective(Mlp mlp, LabeledSet set) {
        checkFits(mlp, set);
        this.mlp = mlp;
        this.set = set;
        this.ws = mlp.workspace(Math.min(CHUNK_ROWS, set.n()));
    }

    /** Refuses a set the model cannot read, naming both sides; every objective and gradient source on a set checks this. */
    public static void checkFits(Mlp mlp, LabeledSet set) {
        if (set.dim() != mlp.inputs()) {
            throw new IllegalArgumentException("data has " + set.dim() + " features per example but the model's input width is " + mlp.inputs());
        }
        if (set.classes() > mlp.classes()) {
            throw new IllegalArgumentException("data has " + set.classes() + " classes but the model has " + mlp.classes() + " outputs");
        }
    }

    @Override
    public double lossAndGradient(float[] theta, float[] grad) {
        return run(theta, grad).lossSum() / set.n();
    }

    /** Mean loss and accuracy without a gradient. */
    public Mlp.Eval evaluate(float[] theta) {
        return run(theta, null);
    }

    private Mlp.Eval run(float[] theta, float[] grad) {
        float scale = 1f / set.n();
        double loss = 0;
        int correct = 0;
        for (int r0 = 0; r0 < set.n(); r0 += ws.capacity()) {
            int rows = Math.min(ws.capacity(), set.n() - r0);
            Mlp.Eval e = mlp.evaluate(theta, set.x(), r0, set.y(), rows, grad, scale, r0 > 0, ws);
            loss += e.lossSum();
            correct += e.correct();
        }
        return new Mlp.Eval(loss, correct);
    }

    @Override
    public int size() {
        return set.n();
    }

    public LabeledSet set() {
        return set;
    }
}
