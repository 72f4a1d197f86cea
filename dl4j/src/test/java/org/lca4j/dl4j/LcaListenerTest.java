package org.lca4j.dl4j;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.deeplearning4j.datasets.iterator.utilty.ListDataSetIterator;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lca4j.core.ParamLayout;
import org.lca4j.data.LabeledSet;
import org.lca4j.data.SyntheticData;
import org.lca4j.train.RunSummary;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.learning.config.Nesterovs;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/** The listener as a DL4J user adds it: a small MLP on the synthetic teacher data. */
class LcaListenerTest {
    static final int DIM = 20, CLASSES = 4, ROWS = 1000, BATCH = 50;

    static List<DataSet> batches() {
        LabeledSet s = SyntheticData.teacher(new Random(1), ROWS, DIM, CLASSES);
        float[][] x = new float[ROWS][DIM];
        float[][] y = new float[ROWS][CLASSES];
        for (int i = 0; i < ROWS; i++) {
            System.arraycopy(s.x(), i * DIM, x[i], 0, DIM);
            y[i][s.y()[i]] = 1f;
        }
        DataSet all = new DataSet(Nd4j.createFromArray(x), Nd4j.createFromArray(y));
        return all.batchBy(BATCH);
    }

    private static MultiLayerNetwork net(IUpdater updater) {
        return net(updater, 0, true);
    }

    /** The tests' 20-16-4 ReLU MLP, float32, seeded; {@code l2} > 0 adds weight decay. */
    static MultiLayerNetwork net(IUpdater updater, double l2, boolean miniBatch) {
        NeuralNetConfiguration.Builder b = builder(updater).miniBatch(miniBatch);
        if (l2 > 0) b.l2(l2);
        return net(b);
    }

    /** The tests' network settings: float32, seeded, ReLU init. */
    static NeuralNetConfiguration.Builder builder(IUpdater updater) {
        return new NeuralNetConfiguration.Builder().seed(7).dataType(DataType.FLOAT).updater(updater).weightInit(WeightInit.RELU);
    }

    /** The 20-16-4 MLP on {@code b}'s settings. */
    static MultiLayerNetwork net(NeuralNetConfiguration.Builder b) {
        MultiLayerConfiguration conf = b.list()
                .layer(new DenseLayer.Builder().nIn(DIM).nOut(16).activation(Activation.RELU).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(16).nOut(CLASSES).activation(Activation.SOFTMAX).build())
                .build();
        MultiLayerNetwork n = new MultiLayerNetwork(conf);
        n.init();
        return n;
    }

    static float[] train(MultiLayerNetwork n, org.deeplearning4j.optimize.api.TrainingListener... listeners) {
        if (listeners.length > 0) n.setListeners(listeners);
        DataSetIterator it = new ListDataSetIterator<>(batches(), 1); // one 50-row DataSet per step
        n.fit(it);
        return n.params().toFloatVector();
    }

    @Test
    void exactLcaThroughTheListenerConservesTheLossAndLeavesTrainingUntouched(@TempDir Path dir) throws Exception {
        MultiLayerNetwork withLca = net(new Nesterovs(0.05, 0.9));
        LcaListener listener = LcaListener.builder(dir).estimators(LcaListener.SAME_BATCH, LcaListener.NEXT_BATCH_END, LcaListener.NEXT_BATCH)
                .exact(new ListDataSetIterator<>(batches(), 200)).expectedSteps(ROWS / BATCH).description("20-16-4 MLP, Nesterovs").build();
        Seen withSeen = new Seen(), withoutSeen = new Seen();
        float[] a = train(withLca, listener, withSeen);
        RunSummary s = listener.finish();
        float[] b = train(net(new Nesterovs(0.05, 0.9)), withoutSeen);
        assertArrayEquals(b, a, "training with the listener must be bit-identical to training without it");
        // A listener after it sees the score and gradient it would see without it: the order of listeners does not matter.
        assertEquals(withoutSeen.values, withSeen.values);

        // The last step has no b_{t+1} for next_batch_end and next_batch: it is dropped from every estimator alike.
        assertEquals(ROWS / BATCH - 1, s.steps());
        assertTrue(s.conservation().relError() <= 1e-3, "conservation rel error " + s.conservation().relError());
        assertTrue(Math.abs(s.conservation().totalLossChange()) > 0.05, "the loss moved: " + s.conservation().totalLossChange());

        JsonNode run = new ObjectMapper().readTree(dir.resolve("run.json").toFile());
        assertEquals("complete", run.path("status").asText());
        assertEquals("deeplearning4j 1.0.0-M2.1", run.path("config").path("framework").asText());
        assertEquals(ROWS, run.path("data").path("reference_rows").asInt(), run.path("data").toString());
        assertEquals("0_W", run.path("layers").get(0).path("name").asText());
        // ./lca analyze recomputes lca4j's own MLP from a trajectory: it says why a DL4J run has none.
        java.io.IOException noTrajectory = org.junit.jupiter.api.Assertions.assertThrows(java.io.IOException.class, () -> org.lca4j.run.Trajectory.load(dir));
        assertTrue(noTrajectory.getMessage().contains("is a DL4J listener run, which has no trajectory"), noTrajectory.getMessage());
        List<String> rows = Files.readAllLines(dir.resolve("layers.csv"));
        // 19 of the 20 steps × 4 parameter arrays for every estimator: none records the last step.
        assertEquals(19 * 4, rows.stream().filter(r -> r.contains(",exact,")).count());
        assertEquals(19 * 4, rows.stream().filter(r -> r.contains(",same_batch,")).count());
        assertEquals(19 * 4, rows.stream().filter(r -> r.contains(",next_batch_end,")).count());
        assertEquals(19 * 4, rows.stream().filter(r -> r.contains(",next_batch,")).count());
        // The study: each estimator judged against exact, as ./lca demo reports it.
        assertEquals(List.of("same_batch", "next_batch_end", "next_batch"), iterator(run.path("summary").path("estimators").fieldNames()));
        assertTrue(run.path("summary").path("estimators").path("next_batch").path("layer_pearson_r").isNumber());
        assertTrue(run.path("summary").path("best_by_cost").has("0") && run.path("summary").path("best_by_cost").has("1"));
        String html = Files.readString(dir.resolve("report.html"));
        assertTrue(html.contains("<section id=\"cost\">") && html.contains("fig-scatter-next_batch"), "report with the study and per-parameter scatter");
    }

    /** What a listener reads from the network: its gradient when computed, its score after the step. */
    static final class Seen extends org.deeplearning4j.optimize.api.BaseTrainingListener {
        final List<Double> values = new java.util.ArrayList<>();

        @Override
        public void onGradientCalculation(org.deeplearning4j.nn.api.Model model) {
            values.add(model.gradient().gradient().sumNumber().doubleValue());
            values.add(model.score());
        }

        @Override
        public void iterationDone(org.deeplearning4j.nn.api.Model model, int iteration, int epoch) {
            values.add(model.score());
        }
    }

    private static List<String> iterator(java.util.Iterator<String> it) {
        List<String> out = new java.util.ArrayList<>();
        it.forEachRemaining(out::add);
        return out;
    }

    @Test
    void sameBatchNeverHurtsUnderPlainSgdWhileExactDoes(@TempDir Path dir) {
        MultiLayerNetwork n = net(new Sgd(0.1));
        long[] hurtSteps = new long[2];
        LcaListener listener = LcaListener.builder(dir).estimators(LcaListener.SAME_BATCH).exact(new ListDataSetIterator<>(batches(), 250))
                .report(false).onStep((t, lca) -> {
                    for (int l = 0; l < lca.get(LcaListener.SAME_BATCH).lca().length; l++) {
                        // Every parameter with A ≠ 0 helped: helped fraction 1.0 over nonzero A, per step and layer.
                        if (lca.get(LcaListener.SAME_BATCH).helpedFractionOfNonzero(l) != 1.0) hurtSteps[0]++;
                        if (lca.get(LcaListener.EXACT).hurtCount(l) > 0) hurtSteps[1]++;
                    }
                }).build();
        train(n, listener);
        ParamLayout layout = listener.layout();
        int hurtExact = 0, hurtSame = 0, helpedSame = 0;
        for (int l = 0; l < layout.layerCount(); l++) {
            for (double v : listener.accumulator(LcaListener.SAME_BATCH).cumulative(l)) {
                if (v > 0) hurtSame++;
                if (v < 0) helpedSame++;
            }
            for (double v : listener.accumulator(LcaListener.EXACT).cumulative(l)) if (v > 0) hurtExact++;
        }
        listener.finish();
        // Under plain SGD, Δθ = −lr·g, so g·Δθ ≤ 0 for every parameter at every step.
        assertEquals(0, hurtSteps[0], "steps×layers where same_batch had a parameter that hurt");
        assertTrue(hurtSteps[1] > 0, "exact finds parameters that hurt at some steps");
        assertEquals(0, hurtSame);
        assertTrue(helpedSame > layout.size() / 2, "most parameters helped: " + helpedSame);
        assertTrue(hurtExact > 0, "exact LCA finds parameters that hurt");
    }

    @Test
    void theTrainingIteratorItselfCanBeTheExactReference(@TempDir Path dir) {
        // The README's "e.g. the training set": reading it inside fit() used to exhaust the iterator
        // fit was running on, so training stopped silently after its first step.
        MultiLayerNetwork withLca = net(new Nesterovs(0.05, 0.9));
        DataSetIterator trainIterator = new ListDataSetIterator<>(batches(), 1);
        LcaListener listener = LcaListener.builder(dir).exact(trainIterator).report(false).build();
        withLca.setListeners(listener);
        withLca.fit(trainIterator);
        RunSummary s = listener.finish();
        // Every step trained (θ as without the listener); all but the last, which has no b_{t+1}, recorded.
        assertEquals(ROWS / BATCH - 1, s.steps());
        assertArrayEquals(train(net(new Nesterovs(0.05, 0.9))), withLca.params().toFloatVector());
        assertTrue(s.conservation().relError() < 1e-3, String.valueOf(s.conservation()));
    }

    @Test
    void networksWithDropoutAreRefusedForExtraPasses(@TempDir Path dir) {
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().seed(7).dataType(DataType.FLOAT).updater(new Sgd(0.1)).list()
                .layer(new DenseLayer.Builder().nIn(DIM).nOut(16).activation(Activation.RELU).dropOut(0.5).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(16).nOut(CLASSES).activation(Activation.SOFTMAX).build())
                .build();
        MultiLayerNetwork n = new MultiLayerNetwork(conf);
        n.init();
        LcaListener listener = LcaListener.builder(dir).exact(new ListDataSetIterator<>(batches(), 200)).build();
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> train(n, listener));
        assertTrue(e.getMessage().contains("layer 0") && e.getMessage().contains("dropout"), e.getMessage());
        // Refused at the first step, before the run directory was written: finish() must not claim a failed record.
        org.junit.jupiter.api.Assertions.assertFalse(java.nio.file.Files.exists(dir.resolve("run.json")));
        IllegalStateException again = org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class, listener::finish);
        assertTrue(again.getMessage().contains("before anything was recorded") && !again.getMessage().contains("recorded as failed"), again.getMessage());
    }

    @Test
    void weightNoiseIsRefusedForExtraPassesAndRecordedWithoutThem(@TempDir Path dir) {
        // DropConnect draws the weights anew in every training-mode pass from ND4J's random stream:
        // extra passes would move that stream, so training would differ, and L_R would be random.
        java.util.function.Supplier<MultiLayerNetwork> noisy = () -> {
            MultiLayerNetwork n = new MultiLayerNetwork(builder(new Sgd(0.1)).list()
                    .layer(new DenseLayer.Builder().nIn(DIM).nOut(16).activation(Activation.RELU).weightNoise(new org.deeplearning4j.nn.conf.weightnoise.DropConnect(0.5)).build())
                    .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(16).nOut(CLASSES).activation(Activation.SOFTMAX).build()).build());
            n.init();
            return n;
        };
        for (var b : List.of(LcaListener.builder(dir.resolve("exact")).exact(new ListDataSetIterator<>(batches(), 200)),
                LcaListener.builder(dir.resolve("next")).estimators(LcaListener.NEXT_BATCH))) {
            IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> train(noisy.get(), b.build()));
            assertEquals("layer 0 (DenseLayer with weight noise DropConnect) changes state in its forward pass, so exact LCA and next_batch would change training;"
                    + " use same_batch and next_batch_end only", e.getMessage());
        }
        LcaListener free = LcaListener.builder(dir.resolve("free")).report(false).build();
        train(noisy.get(), free);
        assertEquals(ROWS / BATCH - 1, free.finish().steps());
    }

    @Test
    void truncatedBpttIsRefusedForExtraPasses(@TempDir Path dir) {
        // Its stored RNN state would be moved by the extra passes, and its gradients are of one segment.
        MultiLayerNetwork n = new MultiLayerNetwork(builder(new Sgd(0.1)).list()
                .layer(new org.deeplearning4j.nn.conf.layers.LSTM.Builder().nIn(3).nOut(4).build())
                .layer(new org.deeplearning4j.nn.conf.layers.RnnOutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(4).nOut(2).activation(Activation.SOFTMAX).build())
                .backpropType(org.deeplearning4j.nn.conf.BackpropType.TruncatedBPTT).tBPTTLength(5).build());
        n.init();
        INDArray labels = Nd4j.zeros(DataType.FLOAT, 2, 2, 10); // [examples, classes, time]: class 0 throughout
        labels.get(NDArrayIndex.all(), NDArrayIndex.point(0), NDArrayIndex.all()).assign(1);
        DataSet d = new DataSet(Nd4j.rand(DataType.FLOAT, 2, 3, 10), labels);
        n.setListeners(LcaListener.builder(dir).estimators(LcaListener.NEXT_BATCH).build());
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> n.fit(d));
        assertTrue(e.getMessage().startsWith("truncated BPTT (backpropType TruncatedBPTT)") && e.getMessage().endsWith("use same_batch and next_batch_end only"), e.getMessage());
    }

    @Test
    void batchNormsRunningStatisticsGetNoLca(@TempDir Path dir) {
        // DL4J moves a batch norm layer's running mean and log10 std by an update it writes into the
        // gradient buffer; the training loss does not depend on them, so their A is 0, not g·Δθ of that update.
        MultiLayerConfiguration conf = LcaListenerTest.builder(new Nesterovs(0.05, 0.9)).list()
                .layer(new DenseLayer.Builder().nIn(DIM).nOut(16).activation(Activation.RELU).build())
                .layer(new org.deeplearning4j.nn.conf.layers.BatchNormalization.Builder().nOut(16).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(16).nOut(CLASSES).activation(Activation.SOFTMAX).build())
                .build();
        MultiLayerNetwork n = new MultiLayerNetwork(conf);
        n.init();
        LcaListener listener = LcaListener.builder(dir).report(false).build();
        train(n, listener);
        RunSummary s = listener.finish();
        List<String> names = listener.layout().names();
        for (String e : List.of(LcaListener.SAME_BATCH, LcaListener.NEXT_BATCH_END)) {
            double[] totals = s.layerTotals().get(e);
            assertEquals(0.0, totals[names.indexOf("1_mean")], e + " 1_mean");
            assertEquals(0.0, totals[names.indexOf("1_log10stdev")], e + " 1_log10stdev");
            assertTrue(totals[names.indexOf("1_gamma")] != 0 && totals[names.indexOf("1_beta")] != 0, e + " gamma and beta are trained");
        }
    }

    @Test
    void unsupportedModelsAreRefusedInOneLineNamingWhat(@TempDir Path dir) throws Exception {
        MultiLayerNetwork doubles = net(builder(new Sgd(0.1)).dataType(DataType.DOUBLE));
        doubles.setListeners(LcaListener.builder(dir.resolve("double")).build());
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> doubles.fit(new ListDataSetIterator<>(batches(), 1)));
        assertTrue(e.getMessage().contains("float32") && e.getMessage().contains("DOUBLE") && !e.getMessage().contains("\n"), e.getMessage());

        // One listener on two networks: the second is refused, and the first one's run stays whole.
        MultiLayerNetwork first = net(new Sgd(0.1)), second = net(new Sgd(0.1));
        LcaListener listener = LcaListener.builder(dir.resolve("two")).report(false).build();
        train(first, listener);
        IllegalStateException two = org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class, () -> train(second, listener));
        assertTrue(two.getMessage().startsWith("LcaListener records the network it first saw (MultiLayerNetwork@")
                && two.getMessage().endsWith("give each network its own listener"), two.getMessage());
        assertEquals(ROWS / BATCH - 1, listener.finish().steps());
    }

    @Test
    void aNanInsideFitLeavesAWholeRunDirectoryMarkedFailed(@TempDir Path dir) throws Exception {
        MultiLayerNetwork n = net(new Sgd(0.1));
        Path out = dir.resolve("run");
        LcaListener listener = LcaListener.builder(out).report(false).build();
        n.setListeners(listener);
        List<DataSet> data = batches();
        n.fit(new ListDataSetIterator<>(data.subList(0, 3), 1));
        data.get(3).getFeatures().putScalar(0, 0, Double.NaN); // the next batch's gradient is NaN
        RuntimeException e = org.junit.jupiter.api.Assertions.assertThrows(RuntimeException.class,
                () -> n.fit(new ListDataSetIterator<>(data.subList(3, 5), 1)));
        assertTrue(String.valueOf(e.getMessage()).contains("NaN"), e.getMessage());
        var run = new com.fasterxml.jackson.databind.ObjectMapper().readTree(out.resolve("run.json").toFile());
        org.junit.jupiter.api.Assertions.assertEquals("failed", run.path("status").asText());
        try (var files = java.nio.file.Files.walk(out)) {
            List<String> names = files.map(p -> p.getFileName().toString()).toList();
            assertTrue(names.stream().noneMatch(f -> f.endsWith(".tmp") || f.equals(".lca4j-reserve")), names.toString());
        }
        listener.close(); // nothing more to do, and no error
        IllegalStateException again = org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class, listener::finish);
        assertTrue(again.getMessage().contains("failed during fit()"), again.getMessage());
    }

    /** A listener that throws, as DL4J or user code can inside fit(). */
    private static final class Thrower extends org.deeplearning4j.optimize.api.BaseTrainingListener {
        private final boolean inGradient;
        private final int at;

        Thrower(boolean inGradient, int at) {
            this.inGradient = inGradient;
            this.at = at;
        }

        @Override
        public void onGradientCalculation(org.deeplearning4j.nn.api.Model model) {
            if (inGradient && ((MultiLayerNetwork) model).getIterationCount() == at) throw new IllegalStateException("user code failed");
        }

        @Override
        public void iterationDone(org.deeplearning4j.nn.api.Model model, int iteration, int epoch) {
            if (!inGradient && iteration == at) throw new IllegalStateException("user code failed");
        }
    }

    @Test
    void aFitThatThrowsElsewhereIsRecordedAsFailedNotComplete(@TempDir Path dir) throws Exception {
        // try-with-resources around fit(DataSetIterator): another listener throws after step 2's update.
        MultiLayerNetwork n = net(new Sgd(0.1));
        Path out = dir.resolve("epoch");
        org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class, () -> {
            try (LcaListener listener = LcaListener.builder(out).report(false).build()) {
                n.setListeners(listener, new Thrower(false, 2));
                n.fit(new ListDataSetIterator<>(batches(), 1));
            }
        });
        JsonNode run = new ObjectMapper().readTree(out.resolve("run.json").toFile());
        assertEquals("failed", run.path("status").asText());
        assertEquals("fit() did not return normally: it stopped inside epoch 0 after 3 steps (an exception inside fit()?)", run.path("error").asText());

        // fit(DataSet), which has no epochs: the exception comes between a step's gradient and its update; finish() says so.
        MultiLayerNetwork m = net(new Sgd(0.1));
        LcaListener listener = LcaListener.builder(dir.resolve("step")).estimators(LcaListener.SAME_BATCH).report(false).build();
        m.setListeners(listener, new Thrower(true, 1));
        List<DataSet> data = batches();
        m.fit(data.get(0));
        org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class, () -> m.fit(data.get(1)));
        IllegalStateException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class, listener::finish);
        assertEquals("the run failed during fit() and is recorded as failed in " + dir.resolve("step") + ": fit() did not return normally: "
                + "it stopped inside step 1, between its gradient and its update (an exception inside fit()?)", e.getMessage());
        assertEquals("failed", new ObjectMapper().readTree(dir.resolve("step/run.json").toFile()).path("status").asText());
    }

    @Test
    void theLastStepsOnStepCallbackMayStillReadTheAccumulators(@TempDir Path dir) throws Exception {
        // The last step is recorded in finish(): its callback reads the sums as every other step's does.
        MultiLayerNetwork n = net(new Sgd(0.1));
        LcaListener[] listener = new LcaListener[1];
        List<Double> firstWeight = new java.util.ArrayList<>();
        listener[0] = LcaListener.builder(dir).estimators(LcaListener.SAME_BATCH).report(false)
                .onStep((t, lca) -> firstWeight.add(listener[0].accumulator(LcaListener.SAME_BATCH).cumulative(0)[0])).build();
        train(n, listener[0]);
        assertEquals(ROWS / BATCH, listener[0].finish().steps());
        assertEquals(ROWS / BATCH, firstWeight.size());
        assertEquals("complete", new ObjectMapper().readTree(dir.resolve("run.json").toFile()).path("status").asText());
    }

    @Test
    void afterFinishTheAccumulatorsAreReleasedAndSaySoOnEveryBackend(@TempDir Path dir) {
        MultiLayerNetwork n = net(new Sgd(0.1));
        LcaListener listener = LcaListener.builder(dir.resolve("run")).report(false).build();
        train(n, listener);
        org.junit.jupiter.api.Assertions.assertEquals(listener.layout().layer(0).size(), listener.accumulator("same_batch").cumulative(0).length);
        listener.finish();
        IllegalStateException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class, () -> listener.accumulator("same_batch"));
        assertTrue(e.getMessage().contains("cumulative") && e.getMessage().contains("before finish()"), e.getMessage());
    }

    @Test
    void aDirectoryThatHoldsARunIsRefusedWhenTheListenerIsBuilt(@TempDir Path dir) throws Exception {
        java.nio.file.Files.writeString(dir.resolve("run.json"), "{}");
        java.io.UncheckedIOException e = org.junit.jupiter.api.Assertions.assertThrows(java.io.UncheckedIOException.class,
                () -> LcaListener.builder(dir).build());
        assertTrue(e.getMessage().contains(dir.toString()) && e.getMessage().contains("already holds files (run.json)"), e.getMessage());
        assertEquals("{}", java.nio.file.Files.readString(dir.resolve("run.json")));
    }

    @Test
    void badOptionsAreRefusedWhenTheListenerIsBuiltNotInsideFit(@TempDir Path dir) {
        // Named by the builder method the user called, not by the command line's flag (--device) they never saw.
        for (var bad : List.<java.util.function.UnaryOperator<LcaListener.Builder>>of(b -> b.device("gpu"), b -> b.device(null), b -> b.tol(0), b -> b.maxSplits(3))) {
            IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> bad.apply(LcaListener.builder(dir)).build());
            assertTrue(e.getMessage().matches("LcaListener\\.Builder\\.(device|tol|maxSplits) (must be .*, got '?(gpu|0.0|3)'?|is null; give auto, cpu or cuda)"), e.getMessage());
        }
        if (org.lca4j.cuda.CudaDevice.probe().available()) return; // only a machine without CUDA refuses device cuda
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> LcaListener.builder(dir).device("cuda").build());
        assertTrue(e.getMessage().startsWith("device cuda is not usable: ") && e.getMessage().endsWith("; use .device(\"cpu\"), or .device(\"auto\") to fall back to the CPU")
                && !e.getMessage().contains("--"), e.getMessage());
    }

    @Test
    void aReferenceSetTheNetworkCannotTakeIsNamedAsSuch(@TempDir Path dir) throws Exception {
        DataSet threeClasses = new DataSet(Nd4j.rand(DataType.FLOAT, 10, DIM), Nd4j.zeros(DataType.FLOAT, 10, 3));
        LcaListener listener = LcaListener.builder(dir).exact(new ListDataSetIterator<>(List.of(threeClasses), 10)).report(false).build();
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> train(net(new Sgd(0.1)), listener));
        assertEquals("exact LCA's reference set, batch 1 of 1: Labels and preOutput must have equal shapes: got shapes [10, 3] vs [10, 4]", e.getMessage());
        assertEquals("failed", new ObjectMapper().readTree(dir.resolve("run.json").toFile()).path("status").asText());
    }

    @Test
    void theLayoutFollowsDl4jsParamTable() {
        ParamLayout layout = Dl4jParams.layout(net(new Sgd(0.1)));
        assertEquals(List.of("0_W", "0_b", "1_W", "1_b"), layout.names());
        assertEquals("[16, 20]", java.util.Arrays.toString(layout.layer(0).shape()));
        assertEquals(16 * 20 + 16 + 4 * 16 + 4, layout.size());
    }
}
