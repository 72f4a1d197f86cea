package org.lca4j.dl4j;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.lca4j.dl4j.LcaListenerTest.BATCH;
import static org.lca4j.dl4j.LcaListenerTest.CLASSES;
import static org.lca4j.dl4j.LcaListenerTest.DIM;
import static org.lca4j.dl4j.LcaListenerTest.ROWS;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.deeplearning4j.datasets.iterator.utilty.ListDataSetIterator;
import org.deeplearning4j.earlystopping.EarlyStoppingConfiguration;
import org.deeplearning4j.earlystopping.saver.InMemoryModelSaver;
import org.deeplearning4j.earlystopping.scorecalc.DataSetLossCalculatorCG;
import org.deeplearning4j.earlystopping.termination.MaxEpochsTerminationCondition;
import org.deeplearning4j.earlystopping.trainer.EarlyStoppingGraphTrainer;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.graph.ElementWiseVertex;
import org.deeplearning4j.nn.conf.graph.MergeVertex;
import org.deeplearning4j.nn.conf.graph.SubsetVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.CenterLossOutputLayer;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.conf.layers.misc.FrozenLayerWithBackprop;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.transferlearning.FineTuneConfiguration;
import org.deeplearning4j.nn.transferlearning.TransferLearning;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lca4j.train.RunSummary;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.nd4j.linalg.dataset.api.MultiDataSetPreProcessor;
import org.nd4j.linalg.dataset.api.iterator.MultiDataSetIterator;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.learning.config.Nesterovs;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/** The listener on a DL4J ComputationGraph: the same records, estimators, guarantees and refusals as on a MultiLayerNetwork. */
class LcaListenerGraphTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** in → dense (20-16, ReLU) → out (16-4, softmax): the MultiLayerNetwork tests' MLP as a graph. */
    private static ComputationGraph chain(IUpdater updater) {
        return graph(LcaListenerTest.builder(updater).graphBuilder().addInputs("in")
                .addLayer("dense", new DenseLayer.Builder().nIn(DIM).nOut(16).activation(Activation.RELU).build(), "in")
                .addLayer("out", output(16), "dense").setOutputs("out").build());
    }

    private static OutputLayer output(int nIn) {
        return new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(nIn).nOut(CLASSES).activation(Activation.SOFTMAX).build();
    }

    private static ComputationGraph graph(ComputationGraphConfiguration conf) {
        ComputationGraph g = new ComputationGraph(conf);
        g.init();
        return g;
    }

    /** Mean cross-entropy of a one-output graph over {@code data} at θ, in double from its own probabilities. */
    private static double meanCrossEntropy(ComputationGraph shape, INDArray theta, List<MultiDataSet> data) {
        return meanLoss(shape, theta, data, LcaListenerGraphTest::crossEntropy);
    }

    /** One row's loss from the graph's outputs for its batch. */
    private interface RowLoss {
        double of(INDArray[] outputs, MultiDataSet batch, int row);
    }

    /** The first output's cross-entropy at one row, against the first labels. */
    private static double crossEntropy(INDArray[] outputs, MultiDataSet batch, int row) {
        return -Math.log(outputs[0].getDouble(row, batch.getLabels(0).getRow(row).argMax().getInt(0)));
    }

    /** The mean over {@code data}'s rows of {@code loss}, at θ, in double from the graph's outputs (inference mode). */
    private static double meanLoss(ComputationGraph shape, INDArray theta, List<MultiDataSet> data, RowLoss loss) {
        ComputationGraph g = shape.clone();
        g.setParams(theta.dup());
        double sum = 0;
        long rows = 0;
        for (MultiDataSet d : data) {
            INDArray[] out = g.output(false, d.getFeatures());
            for (int i = 0; i < out[0].size(0); i++) sum += loss.of(out, d, i);
            rows += out[0].size(0);
        }
        return sum / rows;
    }

    static List<MultiDataSet> asMulti(List<DataSet> data) {
        return data.stream().map(org.deeplearning4j.nn.graph.util.ComputationGraphUtil::toMultiDataSet).toList();
    }

    private static float[] train(ComputationGraph g, TrainingListener... listeners) {
        g.setListeners(listeners);
        g.fit(new ListDataSetIterator<>(LcaListenerTest.batches(), 1));
        return g.params().toFloatVector();
    }

    @Test
    void exactLcaOnAGraphConservesTheLossAndLeavesTrainingUntouched(@TempDir Path dir) throws Exception {
        ComputationGraph withLca = chain(new Nesterovs(0.05, 0.9));
        INDArray theta0 = withLca.params().dup();
        LcaListener listener = graphRun(dir.resolve("graph")).build();
        LcaListenerTest.Seen withSeen = new LcaListenerTest.Seen(), withoutSeen = new LcaListenerTest.Seen();
        float[] a = train(withLca, listener, withSeen);
        RunSummary s = listener.finish();
        float[] b = train(chain(new Nesterovs(0.05, 0.9)), withoutSeen);
        assertArrayEquals(b, a, "training with the listener must be bit-identical to training without it");
        assertEquals(withoutSeen.values, withSeen.values, "what a later listener reads: gradient and score");

        assertEquals(ROWS / BATCH - 1, s.steps());
        List<MultiDataSet> all = asMulti(LcaListenerTest.batches());
        assertEquals(meanCrossEntropy(withLca, theta0, all), s.conservation().initialLoss(), 1e-5, "L_R(θ_0)");
        assertTrue(s.conservation().relError() <= 1e-3, "conservation rel error " + s.conservation().relError());
        assertTrue(Math.abs(s.conservation().totalLossChange()) > 0.05, "the loss moved: " + s.conservation().totalLossChange());

        Path d = dir.resolve("graph");
        JsonNode run = JSON.readTree(d.resolve("run.json").toFile());
        assertEquals("complete", run.path("status").asText());
        assertEquals("DL4J ComputationGraph", run.path("config").path("model").asText());
        assertEquals(List.of("dense_W", "dense_b", "out_W", "out_b"), listener.layout().names());
        assertEquals("[16, 20]", java.util.Arrays.toString(listener.layout().layer(0).shape()));
        List<String> rows = Files.readAllLines(d.resolve("layers.csv"));
        for (String e : List.of("exact", "same_batch", "next_batch_end", "next_batch")) {
            assertEquals(19 * 4, rows.stream().filter(r -> r.contains("," + e + ",")).count(), e);
        }
        assertTrue(run.path("summary").path("estimators").path("next_batch").path("layer_pearson_r").isNumber());

        // The same files, headers and run.json fields as the same run on the MultiLayerNetwork, layer names aside.
        LcaListener mln = graphRun(dir.resolve("mln")).build();
        MultiLayerNetwork n = LcaListenerTest.net(new Nesterovs(0.05, 0.9), 0, true);
        n.setListeners(mln);
        n.fit(new ListDataSetIterator<>(LcaListenerTest.batches(), 1));
        mln.finish();
        assertEquals(files(dir.resolve("mln")), files(d));
        for (String csv : List.of("layers.csv", "steps.csv")) {
            assertEquals(Files.readAllLines(dir.resolve("mln").resolve(csv)).get(0), Files.readAllLines(d.resolve(csv)).get(0), csv);
        }
        assertEquals(fields(JSON.readTree(dir.resolve("mln/run.json").toFile())), fields(run));
    }

    @Test
    void thetaAfterAGraphsStepIsTheOneAfterItsWeightConstraints(@TempDir Path dir) {
        // A graph's fit() runs the same StochasticGradientDescent.optimize: constraints after iterationDone.
        ComputationGraph g = graph(LcaListenerTest.builder(new Sgd(0.1)).constrainWeights(new org.deeplearning4j.nn.conf.constraint.MaxNormConstraint(0.3, 1))
                .graphBuilder().addInputs("in")
                .addLayer("dense", new DenseLayer.Builder().nIn(DIM).nOut(16).activation(Activation.RELU).build(), "in")
                .addLayer("out", output(16), "dense").setOutputs("out").build());
        LcaListener listener = LcaListener.builder(dir).estimators(LcaListener.SAME_BATCH).exact(new ListDataSetIterator<>(LcaListenerTest.batches(), 250))
                .report(false).build();
        train(g, listener);
        RunSummary s = listener.finish();
        assertEquals(ROWS / BATCH, s.steps(), "without a next-batch estimator every step, the last one too");
        assertEquals(meanCrossEntropy(g, g.params(), asMulti(LcaListenerTest.batches())), s.conservation().finalLoss(), 1e-5, "L_R(θ_T) of the graph as trained");
        assertTrue(s.conservation().relError() <= 1e-3, String.valueOf(s.conservation()));
    }

    private static LcaListener.Builder graphRun(Path out) {
        return LcaListener.builder(out).estimators(LcaListener.SAME_BATCH, LcaListener.NEXT_BATCH_END, LcaListener.NEXT_BATCH)
                .exact(new ListDataSetIterator<>(LcaListenerTest.batches(), 200)).expectedSteps(ROWS / BATCH);
    }

    /** A run directory's files, the MultiLayerNetwork's layer names (0_W, 1_b) given as the graph's (dense_W, out_b). */
    private static TreeSet<String> files(Path dir) throws IOException {
        try (Stream<Path> all = Files.walk(dir)) {
            return all.filter(Files::isRegularFile).map(p -> layerName(dir.relativize(p).toString())).collect(java.util.stream.Collectors.toCollection(TreeSet::new));
        }
    }

    private static String layerName(String s) {
        return s.replaceAll("(^|/)0_", "$1dense_").replaceAll("(^|/)1_", "$1out_");
    }

    /** run.json's field names, nested, with the type of each value: its format without its numbers. */
    private static Object fields(JsonNode n) {
        if (n.isObject()) {
            Map<String, Object> out = new TreeMap<>();
            n.fields().forEachRemaining(e -> out.put(layerName(e.getKey()), fields(e.getValue())));
            return out;
        }
        if (n.isArray()) return n.isEmpty() ? List.of() : List.of(fields(n.get(0)));
        return n.getNodeType().toString();
    }

    /** A MultiDataSetIterator over a list, resettable, as DL4J users write one. */
    record ListMultiIterator(List<MultiDataSet> batches, int[] at) implements MultiDataSetIterator {
        ListMultiIterator(List<MultiDataSet> batches) {
            this(batches, new int[1]);
        }

        @Override
        public MultiDataSet next(int num) {
            return next();
        }

        @Override
        public MultiDataSet next() {
            return batches.get(at[0]++);
        }

        @Override
        public boolean hasNext() {
            return at[0] < batches.size();
        }

        @Override
        public void setPreProcessor(MultiDataSetPreProcessor p) {
            throw new UnsupportedOperationException();
        }

        @Override
        public MultiDataSetPreProcessor getPreProcessor() {
            return null;
        }

        @Override
        public boolean resetSupported() {
            return true;
        }

        @Override
        public boolean asyncSupported() {
            return false;
        }

        @Override
        public void reset() {
            at[0] = 0;
        }
    }

    /** Fits {@code withLca} on {@code train} with the listener and {@code without} (a fresh copy) without; asserts the two bit-identical; the run's summary. */
    private static RunSummary fitWithAndWithout(ComputationGraph withLca, ComputationGraph without, List<MultiDataSet> train, LcaListener listener) {
        withLca.setListeners(listener);
        withLca.fit(new ListMultiIterator(train));
        RunSummary s = listener.finish();
        without.fit(new ListMultiIterator(train));
        assertArrayEquals(without.params().toFloatVector(), withLca.params().toFloatVector(), "training bit-identical with and without the listener");
        return s;
    }

    /** Each batch's 20 features as two inputs of 10. */
    private static List<MultiDataSet> twoInputs(List<DataSet> data) {
        List<MultiDataSet> out = new ArrayList<>();
        for (DataSet d : data) {
            INDArray x = d.getFeatures();
            out.add(new org.nd4j.linalg.dataset.MultiDataSet(new INDArray[] {x.get(NDArrayIndex.all(), NDArrayIndex.interval(0, 10)).dup(),
                    x.get(NDArrayIndex.all(), NDArrayIndex.interval(10, DIM)).dup()}, new INDArray[] {d.getLabels()}));
        }
        return out;
    }

    /**
     * Two inputs, a dense layer on each, merged into the output layer; the vertices added output
     * first, so the parameter table (in the order they were added) is not the order DL4J lays the
     * parameters out in (topological).
     */
    private static ComputationGraph merge() {
        return graph(LcaListenerTest.builder(new Nesterovs(0.05, 0.9)).graphBuilder().addInputs("left", "right")
                .addLayer("out", output(16), "merge")
                .addVertex("merge", new MergeVertex(), "l", "r")
                .addLayer("r", new DenseLayer.Builder().nIn(10).nOut(8).activation(Activation.RELU).build(), "right")
                .addLayer("l", new DenseLayer.Builder().nIn(10).nOut(8).activation(Activation.RELU).build(), "left")
                .setOutputs("out").build());
    }

    @Test
    void aMergeOfTwoInputsIsRecordedFromMultiDataSetIterators(@TempDir Path dir) {
        ComputationGraph withLca = merge();
        INDArray theta0 = withLca.params().dup();
        List<MultiDataSet> train = twoInputs(LcaListenerTest.batches()), reference = twoInputs(new DataSet(
                Nd4j.vstack(LcaListenerTest.batches().stream().map(DataSet::getFeatures).toArray(INDArray[]::new)),
                Nd4j.vstack(LcaListenerTest.batches().stream().map(DataSet::getLabels).toArray(INDArray[]::new))).batchBy(250));
        LcaListener listener = LcaListener.builder(dir).estimators(LcaListener.SAME_BATCH, LcaListener.NEXT_BATCH)
                .exact(new ListMultiIterator(reference)).report(false).build();
        RunSummary s = fitWithAndWithout(withLca, merge(), train, listener);

        assertEquals(ROWS / BATCH - 1, s.steps());
        assertEquals(meanCrossEntropy(withLca, theta0, reference), s.conservation().initialLoss(), 1e-5, "L_R(θ_0)");
        assertTrue(s.conservation().relError() <= 1e-3, "conservation rel error " + s.conservation().relError());
        assertEquals(new TreeSet<>(List.of("l_W", "l_b", "r_W", "r_b", "out_W", "out_b")), new TreeSet<>(listener.layout().names()));
        assertEquals(List.of("out_W", "out_b"), listener.layout().names().subList(4, 6), "laid out as DL4J lays them out: the output layer last");
    }

    /** A shared trunk and two heads with their own losses: the classes (softmax, cross-entropy) and the first two features (identity, MSE). */
    private static ComputationGraph twoHeads() {
        return graph(LcaListenerTest.builder(new Nesterovs(0.05, 0.9)).l2(1e-2).graphBuilder().addInputs("in")
                .addLayer("trunk", dense(DIM, 12), "in")
                .addLayer("cls", output(12), "trunk")
                .addLayer("reg", new OutputLayer.Builder(LossFunctions.LossFunction.MSE).nIn(12).nOut(2).activation(Activation.IDENTITY).build(), "trunk")
                .setOutputs("cls", "reg").build());
    }

    /** Each batch with two label arrays: its classes, and its first two features as regression targets. */
    private static List<MultiDataSet> twoTargets(List<DataSet> data) {
        return data.stream().<MultiDataSet>map(d -> new org.nd4j.linalg.dataset.MultiDataSet(new INDArray[] {d.getFeatures()},
                new INDArray[] {d.getLabels(), d.getFeatures().get(NDArrayIndex.all(), NDArrayIndex.interval(0, 2)).dup()})).toList();
    }

    /** The heads' mean losses over {@code data} at θ, summed, in double from the graph's outputs: cross-entropy, and squared error over the two targets' mean. */
    private static double twoHeadLoss(ComputationGraph shape, INDArray theta, List<MultiDataSet> data) {
        return meanLoss(shape, theta, data, (out, d, i) -> crossEntropy(out, d, i)
                + (Math.pow(out[1].getDouble(i, 0) - d.getLabels(1).getDouble(i, 0), 2) + Math.pow(out[1].getDouble(i, 1) - d.getLabels(1).getDouble(i, 1), 2)) / 2);
    }

    @Test
    void aGraphWithTwoOutputsHasForLrTheSumOfItsOutputsMeanLosses(@TempDir Path dir) throws Exception {
        ComputationGraph withLca = twoHeads();
        INDArray theta0 = withLca.params().dup();
        List<MultiDataSet> train = twoTargets(LcaListenerTest.batches()), reference = twoTargets(List.of(DataSet.merge(LcaListenerTest.batches())));
        LcaListener listener = graphRun(dir).exact(new ListMultiIterator(reference)).report(false).build();
        RunSummary s = fitWithAndWithout(withLca, twoHeads(), train, listener);

        assertEquals(twoHeadLoss(withLca, theta0, reference), s.conservation().initialLoss(), 1e-5, "L_R(θ_0): cross-entropy plus MSE");
        // DL4J's own score of R at θ_0, which adds its L2 term (here not small) once, less that term.
        ComputationGraph at0 = withLca.clone();
        at0.setParams(theta0);
        assertTrue(at0.calcRegularizationScore(true) > 0.1, "L2 term " + at0.calcRegularizationScore(true));
        assertEquals(at0.score(reference.get(0)) - at0.calcRegularizationScore(true), s.conservation().initialLoss(), 1e-5, "DL4J's score less its L2 term");
        assertTrue(s.conservation().relError() <= 1e-3, String.valueOf(s.conservation()));

        assertEquals(ROWS / BATCH - 1, s.steps());
        List<String> rows = Files.readAllLines(dir.resolve("layers.csv"));
        for (String e : List.of("exact", "same_batch", "next_batch_end", "next_batch")) {
            assertEquals(19 * 6, rows.stream().filter(r -> r.contains("," + e + ",")).count(), e + ": trunk, cls and reg, W and b, every recorded step");
        }
        JsonNode estimators = JSON.readTree(dir.resolve("run.json").toFile()).path("summary").path("estimators");
        for (String e : List.of("same_batch", "next_batch_end", "next_batch")) assertTrue(estimators.path(e).path("layer_pearson_r").isNumber(), e);
    }

    @Test
    void everyKindOfFitCallRepeatedIsOneRunWithContinuousSteps(@TempDir Path dir) throws Exception {
        ComputationGraph g = chain(new Sgd(0.1));
        INDArray theta0 = g.params().dup();
        List<Long> steps = new ArrayList<>();
        // expectedSteps below the steps taken: the study covers those, the run all of them.
        LcaListener listener = LcaListener.builder(dir).estimators(LcaListener.SAME_BATCH).exact(new ListDataSetIterator<>(LcaListenerTest.batches(), 250))
                .expectedSteps(10).onStep((t, lca) -> steps.add(t)).report(false).build();
        g.setListeners(listener);
        List<DataSet> d = LcaListenerTest.batches();
        List<MultiDataSet> m = asMulti(d);
        g.fit(new ListDataSetIterator<>(d.subList(0, 4), 1), 2);
        g.fit(new ListMultiIterator(m.subList(4, 8)));
        g.fit(d.get(8));
        g.fit(m.get(9));
        g.fit(m.get(10).getFeatures(), m.get(10).getLabels());
        g.fit(new ListMultiIterator(m.subList(11, 14)), 2);
        RunSummary s = listener.finish();

        assertEquals(8 + 4 + 3 + 6, g.getIterationCount(), "DL4J's optimizer steps");
        assertEquals(java.util.stream.LongStream.range(0, g.getIterationCount()).boxed().toList(), steps, "every step once, numbered on across the calls");
        assertEquals(g.getIterationCount(), s.steps(), "without a next-batch estimator every step, the last one too");
        assertEquals(5, g.getEpochCount(), "the iterator calls' epochs: 2 + 1 + 2");
        List<MultiDataSet> all = asMulti(LcaListenerTest.batches());
        assertEquals(meanCrossEntropy(g, theta0, all), s.conservation().initialLoss(), 1e-5, "L_R(θ_0)");
        assertEquals(meanCrossEntropy(g, g.params(), all), s.conservation().finalLoss(), 1e-5, "L_R(θ_T), after the last call");
        assertTrue(s.conservation().relError() <= 1e-3, String.valueOf(s.conservation()));
        JsonNode run = JSON.readTree(dir.resolve("run.json").toFile());
        assertEquals("complete", run.path("status").asText());
        assertTrue(run.path("summary").path("estimators").path("same_batch").path("layer_pearson_r").isNumber(), "the study of the first 10 steps");
        assertEquals(steps.size() + 1, Files.readAllLines(dir.resolve("steps.csv")).size(), "steps.csv: a header and every step");
    }

    @Test
    void earlyStoppingAConvolutionalGraphFedThroughDl4jsPreprocessors(@TempDir Path dir) {
        // The 20 features as a 4×5 image: DL4J puts a preprocessor before the convolution (flat → image) and the output layer (image → flat).
        java.util.function.Supplier<ComputationGraph> cnn = () -> graph(LcaListenerTest.builder(new Nesterovs(0.05, 0.9)).graphBuilder().addInputs("img")
                .addLayer("conv", new ConvolutionLayer.Builder(3, 3).nOut(2).activation(Activation.RELU).build(), "img")
                .addLayer("pool", new SubsamplingLayer.Builder(2, 2).stride(2, 2).build(), "conv")
                .addLayer("out", new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(CLASSES).activation(Activation.SOFTMAX).build(), "pool")
                .setOutputs("out").setInputTypes(InputType.convolutionalFlat(4, 5, 1)).build());
        java.util.function.Consumer<ComputationGraph> earlyStopping = g -> {
            EarlyStoppingConfiguration<ComputationGraph> es = new EarlyStoppingConfiguration.Builder<ComputationGraph>()
                    .epochTerminationConditions(new MaxEpochsTerminationCondition(2))
                    .scoreCalculator(new DataSetLossCalculatorCG(new ListDataSetIterator<>(LcaListenerTest.batches(), 250), true))
                    .modelSaver(new InMemoryModelSaver<>()).build();
            new EarlyStoppingGraphTrainer(es, g, new ListDataSetIterator<>(LcaListenerTest.batches().subList(0, 5), 1)).fit();
        };
        ComputationGraph withLca = cnn.get(), without = cnn.get();
        INDArray theta0 = withLca.params().dup();
        LcaListener listener = LcaListener.builder(dir).estimators(LcaListener.SAME_BATCH).exact(new ListDataSetIterator<>(LcaListenerTest.batches(), 250))
                .report(false).build();
        withLca.setListeners(listener);
        earlyStopping.accept(withLca);
        RunSummary s = listener.finish();
        earlyStopping.accept(without);
        assertArrayEquals(without.params().toFloatVector(), withLca.params().toFloatVector(), "training bit-identical with and without the listener");
        assertTrue(((org.deeplearning4j.nn.conf.graph.LayerVertex) withLca.getConfiguration().getVertices().get("conv")).getPreProcessor() != null, "a preprocessor before conv");

        assertEquals(2 * 5, s.steps(), "two epochs of 5 steps, the last one recorded too");
        assertEquals(meanCrossEntropy(withLca, theta0, asMulti(LcaListenerTest.batches())), s.conservation().initialLoss(), 1e-5, "L_R(θ_0)");
        assertTrue(s.conservation().relError() <= 1e-3, String.valueOf(s.conservation()));
        assertEquals(List.of("conv_b", "conv_W", "out_W", "out_b"), listener.layout().names(), "DL4J lays a convolution's bias out before its kernel");
    }

    @Test
    void aGraphsBatchNormStatisticsGetNoLcaAndItsDropoutIsRefusedForExtraPasses(@TempDir Path dir) {
        ComputationGraph bn = graph(LcaListenerTest.builder(new Sgd(0.1)).graphBuilder().addInputs("in")
                .addLayer("dense", new DenseLayer.Builder().nIn(DIM).nOut(16).activation(Activation.RELU).build(), "in")
                .addLayer("bn", new BatchNormalization.Builder().nOut(16).build(), "dense")
                .addLayer("out", output(16), "bn").setOutputs("out").build());
        LcaListener listener = LcaListener.builder(dir.resolve("bn")).estimators(LcaListener.SAME_BATCH).report(false).build();
        train(bn, listener);
        double[] totals = listener.finish().layerTotals().get(LcaListener.SAME_BATCH);
        List<String> names = listener.layout().names();
        assertEquals(0.0, totals[names.indexOf("bn_mean")]);
        assertEquals(0.0, totals[names.indexOf("bn_log10stdev")]);
        assertTrue(totals[names.indexOf("bn_gamma")] != 0 && totals[names.indexOf("bn_beta")] != 0, "gamma and beta are trained");

        ComputationGraph dropout = graph(LcaListenerTest.builder(new Sgd(0.1)).graphBuilder().addInputs("in")
                .addLayer("dense", new DenseLayer.Builder().nIn(DIM).nOut(16).activation(Activation.RELU).dropOut(0.5).build(), "in")
                .addLayer("out", output(16), "dense").setOutputs("out").build());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> train(dropout, LcaListener.builder(dir.resolve("dropout")).estimators(LcaListener.NEXT_BATCH).build()));
        assertTrue(e.getMessage().startsWith("layer dense (DenseLayer with dropout) changes state in its forward pass"), e.getMessage());
    }

    /**
     * Two branches of the input (one with dropout, then batch norm), added, a subset of one merged
     * back in: in → a (dropout) → bn ─┐
     *              in → b ──────────── sum (add) ─ merge → out
     *                   └─ half (subset 0..3) ───┘
     */
    private static ComputationGraph branches() {
        return graph(LcaListenerTest.builder(new Nesterovs(0.05, 0.9)).graphBuilder().addInputs("in")
                .addLayer("a", new DenseLayer.Builder().nIn(DIM).nOut(8).activation(Activation.RELU).dropOut(0.5).build(), "in")
                .addLayer("bn", new BatchNormalization.Builder().nOut(8).build(), "a")
                .addLayer("b", new DenseLayer.Builder().nIn(DIM).nOut(8).activation(Activation.TANH).build(), "in")
                .addVertex("sum", new ElementWiseVertex(ElementWiseVertex.Op.Add), "bn", "b")
                .addVertex("half", new SubsetVertex(0, 3), "b")
                .addVertex("merge", new MergeVertex(), "sum", "half")
                .addLayer("out", output(12), "merge").setOutputs("out").build());
    }

    /** {@link #branches()} with a and bn frozen by TransferLearning, the rest fine-tuned with weight decay. */
    private static ComputationGraph transferLearned() {
        return new TransferLearning.GraphBuilder(branches()).fineTuneConfiguration(new FineTuneConfiguration.Builder().updater(new Nesterovs(0.05, 0.9)).weightDecay(1e-2).build())
                .setFeatureExtractor("bn").build();
    }

    @Test
    void aTransferLearnedGraphsFrozenDropoutAndBatchNormAllowExactLcaAndGetNone(@TempDir Path dir) {
        // A frozen layer's forward pass runs in inference mode: its dropout draws nothing and its batch
        // norm moves no statistics, so extra passes change nothing (they used to be refused, the layers
        // read through the wrapped layer's own configuration).
        ComputationGraph withLca = transferLearned();
        INDArray theta0 = withLca.params().dup();
        Map<String, INDArray> before = new java.util.HashMap<>();
        withLca.paramTable().forEach((k, v) -> before.put(k, v.dup()));
        LcaListener listener = LcaListener.builder(dir).estimators(LcaListener.SAME_BATCH, LcaListener.NEXT_BATCH_END, LcaListener.NEXT_BATCH)
                .exact(new ListDataSetIterator<>(LcaListenerTest.batches(), 250)).report(false).build();
        LcaListenerTest.Seen withSeen = new LcaListenerTest.Seen(), withoutSeen = new LcaListenerTest.Seen();
        float[] a = train(withLca, listener, withSeen);
        RunSummary s = listener.finish();
        assertArrayEquals(train(transferLearned(), withoutSeen), a, "training bit-identical with and without the listener");
        assertEquals(withoutSeen.values, withSeen.values, "what a later listener reads: gradient and score");

        // Every parameter DL4J holds, in its flat order; the vertices without parameters hold none.
        assertEquals(new TreeSet<>(withLca.paramTable().keySet()), new TreeSet<>(listener.layout().names()));
        assertEquals(ROWS / BATCH - 1, s.steps());
        assertEquals(meanCrossEntropy(withLca, theta0, asMulti(LcaListenerTest.batches())), s.conservation().initialLoss(), 1e-5, "L_R(θ_0) without the weight decay term");
        assertTrue(s.conservation().relError() <= 1e-3, String.valueOf(s.conservation()));
        for (String name : listener.layout().names()) {
            boolean frozen = name.startsWith("a_") || name.startsWith("bn_");
            assertEquals(frozen, withLca.getParam(name).equals(before.get(name)), name + " frozen: θ unchanged");
            for (Map.Entry<String, double[]> e : s.layerTotals().entrySet()) {
                double total = e.getValue()[listener.layout().names().indexOf(name)];
                assertTrue(frozen ? total == 0 : total != 0, e.getKey() + " " + name + ": " + total);
            }
        }
    }

    private static DenseLayer dense(int nIn, int nOut) {
        return new DenseLayer.Builder().nIn(nIn).nOut(nOut).activation(Activation.RELU).build();
    }

    @Test
    void aRegularizedFrozenLayerWithBackpropThatDl4jMovesHasItsLossChangeAllocatedByExactLca(@TempDir Path dir) {
        // DL4J zeroes a FrozenLayerWithBackprop's gradient but applies the wrapped layer's L2, so its
        // parameters shrink while their gradient reads 0; exact LCA used to leave that loss change out.
        java.util.function.Supplier<NeuralNetConfiguration.Builder> l2 = () -> LcaListenerTest.builder(new Nesterovs(0.05, 0.9)).l2(1e-2);
        java.util.function.Supplier<ComputationGraph> graph = () -> graph(l2.get().graphBuilder().addInputs("in").addLayer("dense", dense(DIM, 12), "in")
                .addLayer("fb", new FrozenLayerWithBackprop(dense(12, 10)), "dense").addLayer("out", output(10), "fb").setOutputs("out").build());
        java.util.function.Supplier<MultiLayerNetwork> mln = () -> {
            MultiLayerNetwork n = new MultiLayerNetwork(l2.get().list().layer(dense(DIM, 12)).layer(new FrozenLayerWithBackprop(dense(12, 10))).layer(output(10)).build());
            n.init();
            return n;
        };
        for (String kind : List.of("graph", "mln")) {
            org.deeplearning4j.nn.api.Model n = kind.equals("graph") ? graph.get() : mln.get();
            String fb = kind.equals("graph") ? "fb_W" : "1_W";
            INDArray fb0 = n.getParam(fb).dup();
            LcaListener listener = LcaListener.builder(dir.resolve(kind)).estimators(LcaListener.SAME_BATCH)
                    .exact(new ListDataSetIterator<>(LcaListenerTest.batches(), 250)).report(false).build();
            if (n instanceof ComputationGraph g) train(g, listener);
            else LcaListenerTest.train((MultiLayerNetwork) n, listener);
            RunSummary s = listener.finish();
            assertTrue(n.getParam(fb).sub(fb0).norm2Number().doubleValue() > 0.1, kind + ": DL4J's L2 moved the frozen layer");
            assertTrue(s.conservation().relError() <= 1e-3, kind + " " + s.conservation());
            int l = listener.layout().names().indexOf(fb);
            assertEquals(0.0, s.layerTotals().get(LcaListener.SAME_BATCH)[l], kind + ": same_batch reads DL4J's gradient, 0 for a frozen layer");
            assertTrue(s.layerTotals().get(LcaListener.EXACT)[l] != 0, kind + ": exact allocates what moving the frozen layer changed");
        }
    }

    @Test
    void aCenterLossOutputsClassCentersAreAllocatedByTheirLossGradientNotDl4jsCenterUpdate(@TempDir Path dir) {
        // DL4J's face-recognition graphs end in a CenterLossOutputLayer: cross-entropy plus λ/2·|x − c_y|²
        // over the layer's input x. DL4J moves the centers c by an update of its own (α-weighted means),
        // which its gradient buffer holds where the loss gradient would be.
        double lambda = 0.5;
        ComputationGraph g = graph(LcaListenerTest.builder(new Nesterovs(0.05, 0.9)).graphBuilder().addInputs("in").addLayer("dense", dense(DIM, 8), "in")
                .addLayer("out", new CenterLossOutputLayer.Builder().lossFunction(LossFunctions.LossFunction.MCXENT).activation(Activation.SOFTMAX)
                        .nIn(8).nOut(CLASSES).alpha(0.1).lambda(lambda).build(), "dense").setOutputs("out").build());
        INDArray theta0 = g.params().dup(), centers0 = g.getParam("out_cL").dup();
        LcaListener listener = LcaListener.builder(dir).estimators(LcaListener.SAME_BATCH).exact(new ListDataSetIterator<>(LcaListenerTest.batches(), 250))
                .report(false).build();
        train(g, listener);
        RunSummary s = listener.finish();

        // L_R(θ_0) from the graph's own outputs, in double: mean cross-entropy plus λ/2 · mean |x − c_y|².
        ComputationGraph at0 = g.clone();
        at0.setParams(theta0);
        DataSet all = DataSet.merge(LcaListenerTest.batches());
        INDArray x = at0.feedForward(all.getFeatures(), false).get("dense");
        double centerTerm = 0;
        for (int i = 0; i < ROWS; i++) {
            int y = all.getLabels().getRow(i).argMax().getInt(0);
            centerTerm += lambda / 2 * Math.pow(x.getRow(i).sub(centers0.getRow(y)).norm2Number().doubleValue(), 2) / ROWS;
        }
        assertTrue(centerTerm > 0.05, "the center term counts: " + centerTerm);
        assertEquals(meanCrossEntropy(g, theta0, asMulti(LcaListenerTest.batches())) + centerTerm, s.conservation().initialLoss(), 1e-5, "L_R(θ_0)");
        assertTrue(g.getParam("out_cL").sub(centers0).norm2Number().doubleValue() > 0.01, "DL4J moved the centers");
        assertTrue(s.conservation().relError() <= 1e-3, String.valueOf(s.conservation()));
        assertTrue(s.layerTotals().get(LcaListener.EXACT)[listener.layout().names().indexOf("out_cL")] != 0, "the centers' share of the loss change");
    }

    @Test
    void aFloat64GraphAndASecondNetworkAreRefusedInOneLine(@TempDir Path dir) {
        ComputationGraph doubles = graph(LcaListenerTest.builder(new Sgd(0.1)).dataType(DataType.DOUBLE).graphBuilder().addInputs("in")
                .addLayer("out", output(DIM), "in").setOutputs("out").build());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> train(doubles, LcaListener.builder(dir.resolve("double")).build()));
        assertTrue(e.getMessage().contains("float32") && e.getMessage().contains("DOUBLE") && !e.getMessage().contains("\n"), e.getMessage());

        LcaListener listener = LcaListener.builder(dir.resolve("two")).report(false).build();
        train(chain(new Sgd(0.1)), listener);
        IllegalStateException two = assertThrows(IllegalStateException.class, () -> train(chain(new Sgd(0.1)), listener));
        assertTrue(two.getMessage().startsWith("LcaListener records the network it first saw (ComputationGraph@")
                && two.getMessage().endsWith("give each network its own listener"), two.getMessage());
        assertEquals(ROWS / BATCH - 1, listener.finish().steps());
    }
}
