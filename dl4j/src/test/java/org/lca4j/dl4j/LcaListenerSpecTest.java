package org.lca4j.dl4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeSet;
import org.deeplearning4j.datasets.iterator.utilty.ListDataSetIterator;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.conf.constraint.MaxNormConstraint;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.optimize.api.BaseTrainingListener;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lca4j.core.StepLca;
import org.lca4j.data.LabeledSet;
import org.lca4j.data.SyntheticData;
import org.lca4j.train.RunSummary;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.learning.config.Nesterovs;
import org.nd4j.linalg.learning.config.Sgd;

/**
 * The DL4J listener against the specification's definitions (docs/LCA.md): L_R is the mean data
 * loss with no regularization term, g_b is the gradient of the batch's MEAN loss whatever DL4J's
 * minibatch setting, and a last step without b_{t+1} is dropped from every estimator alike.
 */
class LcaListenerSpecTest {
    private static final int DIM = 20, CLASSES = 4, ROWS = 1000, BATCH = 50;
    private static final ObjectMapper JSON = new ObjectMapper();

    private static LabeledSet data() {
        return SyntheticData.teacher(new Random(1), ROWS, DIM, CLASSES);
    }

    private static List<DataSet> batches(int size) {
        LabeledSet s = data();
        float[][] x = new float[ROWS][DIM];
        float[][] y = new float[ROWS][CLASSES];
        for (int i = 0; i < ROWS; i++) {
            System.arraycopy(s.x(), i * DIM, x[i], 0, DIM);
            y[i][s.y()[i]] = 1f;
        }
        return new DataSet(Nd4j.createFromArray(x), Nd4j.createFromArray(y)).batchBy(size);
    }

    private static MultiLayerNetwork net(IUpdater updater, double l2, boolean miniBatch) {
        return LcaListenerTest.net(updater, l2, miniBatch);
    }

    /** Mean softmax cross-entropy over all ROWS at θ, in double from the network's own probabilities: no regularization term. */
    private static double meanDataLoss(MultiLayerNetwork shape, INDArray theta) {
        return meanDataLoss(shape, theta, ROWS);
    }

    /** The same over the first {@code rows} rows. */
    private static double meanDataLoss(MultiLayerNetwork shape, INDArray theta, int rows) {
        MultiLayerNetwork n = shape.clone();
        n.setParams(theta.dup());
        LabeledSet s = data();
        float[][] x = new float[rows][DIM];
        for (int i = 0; i < rows; i++) System.arraycopy(s.x(), i * DIM, x[i], 0, DIM);
        INDArray p = n.output(Nd4j.createFromArray(x), false);
        double loss = 0;
        for (int i = 0; i < rows; i++) loss -= Math.log(p.getDouble(i, s.y()[i]));
        return loss / rows;
    }

    /** θ after every step, read by a listener that runs after LcaListener's. */
    private static final class Thetas extends BaseTrainingListener {
        final List<float[]> after = new ArrayList<>();

        @Override
        public void iterationDone(Model model, int iteration, int epoch) {
            after.add(model.params().toFloatVector());
        }
    }

    @Test
    void exactLcaOfARegularizedNetworkIsOfTheDataLossAlone(@TempDir Path dir) throws Exception {
        // DL4J's score adds the L2 term; its gradient does not (the updater applies L2). L_R must be
        // the data loss, or the loss change holds a term no allocation explains.
        exactLcaConserves(net(new Sgd(0.1), 0.05, true), dir);
    }

    /**
     * Trains n one epoch with same_batch and exact LCA on all ROWS, and checks L_R(θ_0) and L_R(θ_T)
     * against the network's mean cross-entropy (no regularization term) and conservation.
     */
    private static RunSummary exactLcaConserves(MultiLayerNetwork n, Path dir) throws Exception {
        INDArray theta0 = n.params().dup();
        LcaListener listener = LcaListener.builder(dir).estimators(LcaListener.SAME_BATCH).exact(new ListDataSetIterator<>(batches(250), 1))
                .report(false).build();
        n.setListeners(listener);
        n.fit(new ListDataSetIterator<>(batches(BATCH), 1));
        RunSummary s = listener.finish();
        assertEquals(meanDataLoss(n, theta0), s.conservation().initialLoss(), 1e-5, "L_R(θ_0): mean cross-entropy, no L2 term");
        assertEquals(meanDataLoss(n, n.params()), s.conservation().finalLoss(), 1e-5, "L_R(θ_T) of the network as trained");
        assertTrue(s.conservation().relError() <= 1e-3, String.valueOf(s.conservation()));
        return s;
    }

    @Test
    void theBatchLossIsTheBatchsMeanDataLoss(@TempDir Path dir) throws Exception {
        // DL4J's score adds the L2 term and, under miniBatch(false), sums over the rows; steps.csv's
        // batch_loss is the batch's mean data loss, as loss_before is over R.
        MultiLayerNetwork n = net(new Sgd(0.002), 0.05, false);
        INDArray theta0 = n.params().dup();
        LcaListener listener = LcaListener.builder(dir).estimators(LcaListener.SAME_BATCH).report(false).build();
        n.setListeners(listener);
        n.fit(new ListDataSetIterator<>(batches(BATCH), 1));
        RunSummary s = listener.finish();
        List<String> steps = Files.readAllLines(dir.resolve("steps.csv"));
        assertEquals("step,batch_loss", steps.get(0).substring(0, 15));
        assertEquals(meanDataLoss(n, theta0, BATCH), Double.parseDouble(steps.get(1).split(",")[1]), 1e-5, "step 0: batch 0 at θ_0");
        assertTrue(s.finalBatchLoss() < 2 * meanDataLoss(n, theta0, BATCH), "final_batch_loss: " + s.finalBatchLoss());
    }

    @Test
    void estimatorsUseTheMeanBatchGradientAndExactTheMeanLossWithoutMinibatchDivision(@TempDir Path dir) throws Exception {
        // miniBatch(false): DL4J steps on the summed gradient and reports a summed score. Under plain
        // SGD Δθ = −lr·Σ_rows ∇ℓ = −lr·B·g_b, so same_batch's A = g_b·Δθ = −Δθ²/(lr·B) per parameter.
        double lr = 0.002;
        MultiLayerNetwork n = net(new Sgd(lr), 0, false);
        float[] theta0 = n.params().toFloatVector();
        INDArray theta0Array = n.params().dup();
        List<StepLca> sameBatch = new ArrayList<>();
        LcaListener listener = LcaListener.builder(dir).estimators(LcaListener.SAME_BATCH).exact(new ListDataSetIterator<>(batches(250), 1))
                .report(false).onStep((t, lca) -> sameBatch.add(lca.get(LcaListener.SAME_BATCH))).build();
        Thetas thetas = new Thetas();
        n.setListeners(listener, thetas);
        n.fit(new ListDataSetIterator<>(batches(BATCH), 1));
        RunSummary s = listener.finish();
        assertEquals(ROWS / BATCH, sameBatch.size());
        var layout = listener.layout();
        for (int t = 0; t < sameBatch.size(); t++) {
            float[] before = t == 0 ? theta0 : thetas.after.get(t - 1), after = thetas.after.get(t);
            for (int l = 0; l < layout.layerCount(); l++) {
                double expected = 0;
                for (long k = 0; k < layout.layer(l).size(); k++) {
                    int i = (int) (layout.layer(l).offset() + k);
                    double d = (double) after[i] - before[i];
                    expected -= d * d / (lr * BATCH);
                }
                assertEquals(expected, sameBatch.get(t).lca(l), 1e-3 * Math.abs(expected) + 1e-12, "same_batch at step " + t + ", " + layout.layer(l).name());
            }
        }
        assertEquals(meanDataLoss(n, theta0Array), s.conservation().initialLoss(), 1e-5, "L_R is the mean loss over R");
        assertTrue(s.conservation().relError() <= 1e-3, "conservation rel error " + s.conservation().relError());
    }

    @Test
    void thetaAfterAStepIsTheOneAfterDl4jsWeightConstraints(@TempDir Path dir) throws Exception {
        // DL4J applies weight constraints after iterationDone: θ read there is not the θ training goes
        // on from, so exact LCA's steps did not chain and its final L_R was not the network's.
        RunSummary s = exactLcaConserves(LcaListenerTest.net(LcaListenerTest.builder(new Sgd(0.1)).constrainWeights(new MaxNormConstraint(0.3, 1))), dir);
        assertEquals(ROWS / BATCH, s.steps(), "without a next-batch estimator every step, the last one too");
    }

    @Test
    void theLastStepIsDroppedFromEveryEstimatorAlike(@TempDir Path dir) throws Exception {
        // The last step has no b_{t+1}: next_batch_end and next_batch cannot have it, so no estimator
        // (exact, same_batch) may count it either, in layers.csv, in the totals or in the cumulative sums.
        MultiLayerNetwork n = net(new Nesterovs(0.05, 0.9), 0, true);
        LcaListener listener = LcaListener.builder(dir).estimators(LcaListener.SAME_BATCH, LcaListener.NEXT_BATCH_END, LcaListener.NEXT_BATCH)
                .exact(new ListDataSetIterator<>(batches(200), 1)).expectedSteps(ROWS / BATCH).build();
        n.setListeners(listener);
        n.fit(new ListDataSetIterator<>(batches(BATCH), 1));
        RunSummary s = listener.finish();

        Map<String, TreeSet<Integer>> steps = new LinkedHashMap<>();
        Map<String, Map<String, Double>> sums = new LinkedHashMap<>();
        for (String row : Files.readAllLines(dir.resolve("layers.csv")).subList(1, Files.readAllLines(dir.resolve("layers.csv")).size())) {
            String[] f = row.split(",");
            steps.computeIfAbsent(f[1], k -> new TreeSet<>()).add(Integer.parseInt(f[0]));
            sums.computeIfAbsent(f[1], k -> new LinkedHashMap<>()).merge(f[2], Double.parseDouble(f[3]), Double::sum);
        }
        assertEquals(new TreeSet<>(List.of("same_batch", "next_batch_end", "next_batch", "exact")), new TreeSet<>(steps.keySet()));
        for (String e : steps.keySet()) assertEquals(steps.get("exact"), steps.get(e), e + " covers the same steps as exact");
        assertEquals(ROWS / BATCH - 1, steps.get("exact").size(), "every step but the last");

        JsonNode run = JSON.readTree(dir.resolve("run.json").toFile());
        JsonNode totals = run.path("summary").path("layer_totals");
        for (String e : sums.keySet()) {
            for (Map.Entry<String, Double> l : sums.get(e).entrySet()) {
                double total = totals.path(e).path(l.getKey()).asDouble();
                assertEquals(l.getValue(), total, 1e-12 * Math.abs(total) + 1e-15, e + " " + l.getKey() + ": layer total = Σ of its recorded steps");
            }
        }
        // Per-parameter cumulative sums (what param_cumulative_* compare) over the same steps too.
        for (String e : sums.keySet()) {
            double[] cum = org.lca4j.io.Npy.read(org.lca4j.run.RunFiles.cumulative(dir, e, "0_b")).asDoubles();
            double sum = 0;
            for (double v : cum) sum += v;
            assertEquals(sums.get(e).get("0_b"), sum, 1e-9 * Math.abs(sum) + 1e-15, e + " cumulative 0_b");
        }
        assertEquals(ROWS / BATCH - 1, s.steps());
        assertTrue(s.conservation().relError() <= 1e-3, "conservation over the recorded steps: " + s.conservation().relError());
    }
}
