package org.lca4j.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.lca4j.data.LabeledSet;
import org.lca4j.estimate.Estimator.Point;
import org.lca4j.exact.ExactLca;
import org.lca4j.nn.BatchGradient;
import org.lca4j.nn.Mlp;
import org.lca4j.nn.SetObjective;
import org.lca4j.nn.Sgd;

/**
 * Each point is taken where docs/LCA.md says, and k batches are averaged. The training set repeats one
 * row, so every batch has the same gradient: a point's value then depends only on where it is taken,
 * and the mean of k batches must equal that one gradient.
 */
class TrainingPointsTest {
    private final Mlp mlp = new Mlp(4, 5, 3);
    private final LabeledSet same = repeated(40);
    private final int dim = mlp.parameterCount();

    private static LabeledSet repeated(int n) {
        float[] row = {0.5f, -1f, 2f, 0.25f};
        float[] x = new float[n * row.length];
        for (int i = 0; i < n; i++) System.arraycopy(row, 0, x, i * row.length, row.length);
        int[] y = new int[n];
        Arrays.fill(y, 1);
        return LabeledSet.of(x, y, row.length, 3);
    }

    /** g(θ) on the repeated row, evaluated on its own. */
    private float[] g(float[] theta) {
        float[] out = new float[dim];
        new BatchGradient(mlp, same, 1).gradient(theta, new int[] {0}, out);
        return out;
    }

    private TrainingPoints points(int k, float[] before, float[] after, float[] trainGrad, float[] trainingNext) {
        TrainingPoints p = new TrainingPoints(new BatchGradient(mlp, same, 8), new SetObjective(mlp, same), same.n(), 8, k, new Seeds(1), dim,
                new Sgd(0.1, 0));
        p.reset(3, before, after, trainGrad, null, new int[] {0, 1, 2, 3, 4, 5, 6, 7}, trainingNext, null, 0);
        return p;
    }

    private static void close(float[] expected, float[] actual, String what) {
        for (int i = 0; i < expected.length; i++) assertEquals(expected[i], actual[i], 1e-5 * (1 + Math.abs(expected[i])), what + " [" + i + "]");
    }

    @Test
    void pointsAreTakenAtTheStartTheMiddleAndTheEndOfTheStep() {
        float[] before = mlp.initHeNormal(new Random(2)), after = before.clone();
        Random r = new Random(3);
        for (int i = 0; i < dim; i++) after[i] += (float) (0.3 * r.nextGaussian());
        float[] mid = new float[dim];
        ExactLca.pointOnStep(before, after, 0.5, mid);
        float[] train = new float[dim];
        for (int k : new int[] {1, 3}) {
            TrainingPoints p = points(k, before, after, train, null);
            assertSame(train, p.trainStart());
            close(g(before), p.nextStart(), "next_start, k=" + k);
            close(g(mid), p.nextMid(), "next_mid, k=" + k);
            close(g(after), p.nextEnd(), "next_end on the last step, k=" + k);
            close(g(before), p.fullStart(), "full_start, k=" + k);
            assertEquals(k, p.evals(Point.NEXT_START));
            assertEquals(-1, p.evals(Point.FULL_START));
            assertEquals(0.2, p.batchFraction(), 0);
            assertEquals((double) after[5] - before[5], p.delta(5), 0);
        }
    }

    @Test
    void theNextEndAveragesTrainingsOwnGradientWithTheExtraBatches() {
        float[] before = mlp.initHeNormal(new Random(4)), after = before.clone();
        for (int i = 0; i < dim; i++) after[i] *= 0.9f;
        float[] trainingNext = new float[dim];
        Arrays.fill(trainingNext, 3f);
        // k = 1: training's gradient at θ_{t+1} is the point itself, no evaluation.
        assertSame(trainingNext, points(1, before, after, new float[dim], trainingNext).nextEnd());
        // k = 2: (training's + one extra batch's) / 2, one evaluation spent.
        TrainingPoints p = points(2, before, after, new float[dim], trainingNext);
        float[] end = g(after), expected = new float[dim];
        for (int i = 0; i < dim; i++) expected[i] = (3f + end[i]) / 2;
        close(expected, p.nextEnd(), "next_end, k=2");
        assertEquals(1, p.evals(Point.NEXT_END));
        assertArrayEquals(p.nextEnd(), p.nextEnd(), "evaluated once per step");
    }
}
