package org.lca4j.dl4j;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.deeplearning4j.datasets.iterator.utilty.ListDataSetIterator;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.conf.BackpropType;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.LSTM;
import org.deeplearning4j.nn.conf.layers.RnnOutputLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.optimize.api.BaseTrainingListener;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lca4j.train.RunSummary;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.learning.config.Nesterovs;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/**
 * Variable-length sequences with feature and label masks: exact LCA's passes on R use R's masks, and
 * next_batch's pass on the training batch leaves that batch's masks as DL4J set them.
 */
class LcaListenerMasksTest {
    private static final int IN = 3, CLASSES = 2, STEPS = 10, ROWS = 64;

    /** Sequences of 3 to 10 steps, zero-padded to 10; the label at step t is whether feature 0 is positive there. */
    private static DataSet sequences() {
        Random r = new Random(3);
        INDArray x = Nd4j.zeros(DataType.FLOAT, ROWS, IN, STEPS), y = Nd4j.zeros(DataType.FLOAT, ROWS, CLASSES, STEPS);
        INDArray mask = Nd4j.zeros(DataType.FLOAT, ROWS, STEPS);
        for (int i = 0; i < ROWS; i++) {
            int length = 3 + r.nextInt(STEPS - 2);
            for (int t = 0; t < length; t++) {
                for (int f = 0; f < IN; f++) x.putScalar(new int[] {i, f, t}, r.nextGaussian());
                y.putScalar(new int[] {i, x.getDouble(i, 0, t) > 0 ? 1 : 0, t}, 1);
                mask.putScalar(i, t, 1);
            }
        }
        return new DataSet(x, y, mask, mask.dup());
    }

    private static List<DataSet> batches(int size) {
        DataSet all = sequences();
        List<DataSet> out = new ArrayList<>();
        for (int from = 0; from < ROWS; from += size) {
            org.nd4j.linalg.indexing.INDArrayIndex rows = NDArrayIndex.interval(from, Math.min(ROWS, from + size));
            out.add(new DataSet(all.getFeatures().get(rows, NDArrayIndex.all(), NDArrayIndex.all()).dup(),
                    all.getLabels().get(rows, NDArrayIndex.all(), NDArrayIndex.all()).dup(),
                    all.getFeaturesMaskArray().get(rows, NDArrayIndex.all()).dup(), all.getLabelsMaskArray().get(rows, NDArrayIndex.all()).dup()));
        }
        return out;
    }

    private static MultiLayerNetwork rnn() {
        MultiLayerNetwork n = new MultiLayerNetwork(LcaListenerTest.builder(new Nesterovs(0.05, 0.9)).list()
                .layer(new LSTM.Builder().nIn(IN).nOut(6).activation(Activation.TANH).build())
                .layer(new RnnOutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(6).nOut(CLASSES).activation(Activation.SOFTMAX).build())
                .build());
        n.init();
        return n;
    }

    /** The LSTM and RnnOutputLayer of {@link #rnn()} as a ComputationGraph (its vertices: seq → lstm → out). */
    private static ComputationGraph rnnGraph() {
        return rnnGraph(LcaListenerTest.builder(new Nesterovs(0.05, 0.9)).graphBuilder());
    }

    private static ComputationGraph rnnGraph(ComputationGraphConfiguration.GraphBuilder b) {
        ComputationGraph g = new ComputationGraph(b.addInputs("seq")
                .addLayer("lstm", new LSTM.Builder().nOut(6).activation(Activation.TANH).build(), "seq")
                .addLayer("out", new RnnOutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(CLASSES).activation(Activation.SOFTMAX).build(), "lstm")
                .setOutputs("out").setInputTypes(InputType.recurrent(IN)).build());
        g.init();
        return g;
    }

    /** The masks each layer holds when the gradient is computed, as a listener after LcaListener reads them; its gradient and score; θ after each step. */
    private static final class Masks extends BaseTrainingListener {
        final List<Double> seen = new ArrayList<>();
        final List<INDArray> after = new ArrayList<>();

        @Override
        public void iterationDone(Model model, int iteration, int epoch) {
            after.add(model.params().dup());
        }

        @Override
        public void onGradientCalculation(Model model) {
            for (org.deeplearning4j.nn.api.Layer l : model instanceof ComputationGraph g ? g.getLayers() : ((MultiLayerNetwork) model).getLayers()) {
                seen.add(l.getMaskArray() == null ? -1 : l.getMaskArray().sumNumber().doubleValue());
            }
            seen.add(model.gradient().gradient().sumNumber().doubleValue());
            seen.add(model.score());
        }
    }

    private static float[] train(Model n, TrainingListener... listeners) {
        n.setListeners(listeners);
        if (n instanceof ComputationGraph g) g.fit(new ListDataSetIterator<>(batches(8), 1));
        else ((MultiLayerNetwork) n).fit(new ListDataSetIterator<>(batches(8), 1));
        return n.params().toFloatVector();
    }

    /** Mean over sequences of the summed cross-entropy at their unmasked steps, in double from the network's probabilities. */
    private static double maskedMeanLoss(MultiLayerNetwork shape, INDArray theta) {
        MultiLayerNetwork n = shape.clone();
        n.setParams(theta.dup());
        DataSet all = sequences();
        return maskedMeanLoss(n.output(all.getFeatures(), false, all.getFeaturesMaskArray(), all.getLabelsMaskArray()));
    }

    private static double maskedMeanLoss(ComputationGraph shape, INDArray theta) {
        ComputationGraph g = shape.clone();
        g.setParams(theta.dup());
        DataSet all = sequences();
        return maskedMeanLoss(g.output(false, new INDArray[] {all.getFeatures()}, new INDArray[] {all.getFeaturesMaskArray()},
                new INDArray[] {all.getLabelsMaskArray()})[0]);
    }

    /** As {@link #maskedMeanLoss(MultiLayerNetwork, INDArray)}, from the probabilities [sequence, class, step] of every sequence. */
    private static double maskedMeanLoss(INDArray p) {
        DataSet all = sequences();
        double loss = 0;
        for (int i = 0; i < ROWS; i++) {
            for (int t = 0; t < STEPS; t++) {
                if (all.getLabelsMaskArray().getDouble(i, t) == 0) continue;
                int c = all.getLabels().getDouble(i, 1, t) == 1 ? 1 : 0;
                loss -= Math.log(p.getDouble(i, c, t));
            }
        }
        return loss / ROWS;
    }

    @Test
    void exactLcaUsesTheReferenceMasksAndTrainingKeepsItsOwn(@TempDir Path dir) {
        exactLcaOnMaskedSequences(rnn(), LcaListenerMasksTest::rnn, t -> maskedMeanLoss(rnn(), t), dir);
    }

    @Test
    void aGraphsLstmOnMaskedSequencesToo(@TempDir Path dir) {
        exactLcaOnMaskedSequences(rnnGraph(), LcaListenerMasksTest::rnnGraph, t -> maskedMeanLoss(rnnGraph(), t), dir);
    }

    @Test
    void aGraphsTruncatedBpttIsRecordedSegmentBySegmentByTheFreeEstimatorsAndRefusedForExact(@TempDir Path dir) {
        java.util.function.Supplier<ComputationGraph> tbptt = () -> rnnGraph(LcaListenerTest.builder(new Sgd(0.1)).graphBuilder()
                .backpropType(BackpropType.TruncatedBPTT).tBPTTForwardLength(4).tBPTTBackwardLength(4));
        ComputationGraph withLca = tbptt.get();
        LcaListener listener = LcaListener.builder(dir.resolve("free")).report(false).build();
        Masks with = new Masks(), without = new Masks();
        float[] a = train(withLca, listener, with);
        RunSummary s = listener.finish();
        assertArrayEquals(train(tbptt.get(), without), a, "training bit-identical with and without the listener");
        assertEquals(without.seen, with.seen, "each segment's masks, gradient and score, as a later listener reads them");
        // DL4J steps once per segment of 4 time steps: 3 per batch of 10-step sequences; the last has no next segment.
        assertEquals(ROWS / 8 * 3, withLca.getIterationCount());
        assertEquals(ROWS / 8 * 3 - 1, s.steps());
        // Plain SGD: each segment's step is −lr·g of that segment's gradient g, so g·Δθ ≤ 0 in every layer.
        for (double total : s.layerTotals().get(LcaListener.SAME_BATCH)) assertTrue(total < 0, "same_batch " + total);

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> train(tbptt.get(), LcaListener.builder(dir.resolve("exact")).exact(new ListDataSetIterator<>(batches(24), 1)).build()));
        assertTrue(e.getMessage().startsWith("truncated BPTT (backpropType TruncatedBPTT)") && !e.getMessage().contains("\n"), e.getMessage());
    }

    /** Training {@code withLca} with exact LCA and next_batch, and a fresh network without them; L_R at θ as {@code loss} computes it. */
    private static void exactLcaOnMaskedSequences(Model withLca, java.util.function.Supplier<Model> fresh, java.util.function.ToDoubleFunction<INDArray> loss, Path dir) {
        INDArray theta0 = withLca.params().dup();
        // R in batches of 24 (the last one 16), training in batches of 8: R's masks are not training's.
        LcaListener listener = LcaListener.builder(dir).estimators(LcaListener.SAME_BATCH, LcaListener.NEXT_BATCH_END, LcaListener.NEXT_BATCH)
                .exact(new ListDataSetIterator<>(batches(24), 1)).report(false).build();
        Masks with = new Masks(), without = new Masks();
        float[] a = train(withLca, listener, with);
        RunSummary s = listener.finish();
        float[] b = train(fresh.get(), without);
        assertArrayEquals(b, a, "training with exact LCA and next_batch must be bit-identical to training without them");
        assertEquals(without.seen, with.seen, "the training batch's masks, gradient and score, as a later listener reads them");

        assertEquals(ROWS / 8 - 1, s.steps());
        assertEquals(loss.applyAsDouble(theta0), s.conservation().initialLoss(), 1e-5, "L_R(θ_0) over R's unmasked steps");
        // The last step has no b_{t+1}: the recorded steps end where the one before it ended.
        assertEquals(loss.applyAsDouble(with.after.get((int) s.steps() - 1)), s.conservation().finalLoss(), 1e-5, "L_R at the last recorded θ");
        assertTrue(s.conservation().relError() <= 1e-3, String.valueOf(s.conservation()));
    }
}
