package org.lca4j.run;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lca4j.train.TrainConfig;
import org.lca4j.train.Trainer;

/** The trajectory directory training writes for {@code lca analyze}. */
class TrajectoryTest {
    @TempDir
    Path tmp;

    @Test
    void modelJsonIsWrittenInOneOrderSoTheSameRunGivesTheSameBytes() throws Exception {
        Path out = tmp.resolve("run");
        TrainConfig cfg = TrainConfig.builder().model("20,16,4").data("synthetic").syntheticSize(600).batch(50).steps(3).seed(5)
                .estimators(List.of("exact")).saveTrajectory(true).out(out).build();
        Trainer.run(cfg, new RunRecorder(out, Map.of()));
        JsonNode reference = Json.read(out.resolve(RunFiles.TRAJECTORY_DIR).resolve(RunFiles.MODEL_JSON)).path("reference");
        List<String> keys = new ArrayList<>();
        reference.fieldNames().forEachRemaining(keys::add);
        // Map.of iterates in an order drawn afresh by every JVM, so each run wrote these keys differently.
        assertEquals(List.of("note", "rows", "x", "y"), keys);
        assertEquals(3 + 1, Trajectory.load(out).rows(), "θ_0 … θ_3");
    }
}
