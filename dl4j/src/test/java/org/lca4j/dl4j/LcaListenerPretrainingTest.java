package org.lca4j.dl4j;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.lca4j.dl4j.LcaListenerTest.BATCH;
import static org.lca4j.dl4j.LcaListenerTest.CLASSES;
import static org.lca4j.dl4j.LcaListenerTest.DIM;
import static org.lca4j.dl4j.LcaListenerTest.ROWS;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import org.deeplearning4j.datasets.iterator.utilty.ListDataSetIterator;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.variational.GaussianReconstructionDistribution;
import org.deeplearning4j.nn.conf.layers.variational.VariationalAutoencoder;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lca4j.train.RunSummary;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/** Layerwise pretraining (pretrain(), here of a VAE layer) calls the listener with the layer as the model. */
class LcaListenerPretrainingTest {
    private static MultiLayerNetwork vaeClassifier() {
        MultiLayerNetwork n = new MultiLayerNetwork(LcaListenerTest.builder(new Sgd(0.05)).list()
                .layer(vae())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(8).nOut(CLASSES).activation(Activation.SOFTMAX).build())
                .build());
        n.init();
        return n;
    }

    private static VariationalAutoencoder vae() {
        return new VariationalAutoencoder.Builder().nIn(DIM).nOut(8).encoderLayerSizes(12).decoderLayerSizes(12).activation(Activation.TANH)
                .reconstructionDistribution(new GaussianReconstructionDistribution(Activation.IDENTITY)).build();
    }

    private static float[] pretrainThenFit(MultiLayerNetwork n, TrainingListener... listeners) {
        n.setListeners(listeners);
        n.pretrain(new ListDataSetIterator<>(LcaListenerTest.batches(), 1));
        n.fit(new ListDataSetIterator<>(LcaListenerTest.batches(), 1));
        return n.params().toFloatVector();
    }

    @Test
    void pretrainingBeforeFitIsLeftOutAndAfterItStopsTheRunInOneLine(@TempDir Path dir) throws Exception {
        MultiLayerNetwork n = vaeClassifier();
        LcaListener listener = LcaListener.builder(dir.resolve("run")).estimators(LcaListener.SAME_BATCH)
                .exact(new ListDataSetIterator<>(LcaListenerTest.batches(), 250)).report(false).build();
        float[] with = pretrainThenFit(n, listener);
        assertArrayEquals(pretrainThenFit(vaeClassifier()), with, "pretraining and training as without the listener");
        // Only fit()'s steps (the last one waits for finish()), from the pretrained θ.
        assertEquals(ROWS / BATCH - 1, listener.accumulator(LcaListener.SAME_BATCH).steps());

        IllegalStateException e = assertThrows(IllegalStateException.class, () -> n.pretrain(new ListDataSetIterator<>(LcaListenerTest.batches(), 1)));
        assertEquals("LcaListener does not record layerwise pretraining (pretrain() or pretrainLayer(), here of layer0, a VariationalAutoencoder), and"
                + " pretraining after recorded steps would move θ between them: pretrain before the first fit(), or record the fit() after it with a new listener",
                e.getMessage());
        assertEquals("failed", new ObjectMapper().readTree(dir.resolve("run/run.json").toFile()).path("status").asText());

        LcaListener fresh = LcaListener.builder(dir.resolve("fresh")).estimators(LcaListener.SAME_BATCH)
                .exact(new ListDataSetIterator<>(LcaListenerTest.batches(), 250)).report(false).build();
        n.setListeners(fresh);
        n.fit(new ListDataSetIterator<>(LcaListenerTest.batches(), 1));
        RunSummary s = fresh.finish();
        assertEquals(ROWS / BATCH, s.steps());
        assertTrue(s.conservation().relError() <= 1e-3, String.valueOf(s.conservation()));
    }

    @Test
    void aGraphsPretrainingIsLeftOutToo(@TempDir Path dir) {
        java.util.function.Supplier<ComputationGraph> graph = () -> {
            ComputationGraph g = new ComputationGraph(LcaListenerTest.builder(new Sgd(0.05)).graphBuilder().addInputs("in").addLayer("vae", vae(), "in")
                    .addLayer("out", new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(8).nOut(CLASSES).activation(Activation.SOFTMAX).build(), "vae")
                    .setOutputs("out").build());
            g.init();
            return g;
        };
        float[][] theta = new float[2][];
        LcaListener listener = LcaListener.builder(dir).estimators(LcaListener.SAME_BATCH).report(false).build();
        for (int run = 0; run < 2; run++) {
            ComputationGraph g = graph.get();
            if (run == 0) g.setListeners(listener);
            g.pretrain(new ListDataSetIterator<>(LcaListenerTest.batches(), 1));
            g.fit(new ListDataSetIterator<>(LcaListenerTest.batches(), 1));
            theta[run] = g.params().toFloatVector();
        }
        assertArrayEquals(theta[1], theta[0], "pretraining and training as without the listener");
        assertEquals(ROWS / BATCH, listener.finish().steps(), "fit()'s steps only");
    }
}
