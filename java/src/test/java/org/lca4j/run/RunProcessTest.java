package org.lca4j.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Telling a run still training from one whose process was killed before it could close its records. */
class RunProcessTest {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private static ObjectNode run(String status) {
        ObjectNode run = MAPPER.createObjectNode().put("status", status);
        run.set("process", MAPPER.valueToTree(RunProcess.current()));
        return run;
    }

    /** The pid of a process that has ended. */
    private static long deadPid() throws Exception {
        Process p = new ProcessBuilder("true").start();
        p.waitFor();
        return p.pid();
    }

    @Test
    void aRunningRunOfALiveProcessIsStillTraining() {
        assertEquals(Optional.empty(), RunProcess.gone(run("running")));
    }

    @Test
    void aRunningRunWhoseProcessEndedIsNamedAsKilled() throws Exception {
        ObjectNode run = run("running");
        long pid = deadPid();
        ((ObjectNode) run.get("process")).put("pid", pid);
        Optional<String> gone = RunProcess.gone(run);
        assertTrue(gone.isPresent() && gone.get().contains("pid " + pid), gone.toString());
    }

    @Test
    void aReusedPidIsToldApartByItsStartTime() {
        ObjectNode run = run("running");
        ((ObjectNode) run.get("process")).put("process_started", "2001-01-01T00:00:00Z");
        assertTrue(RunProcess.gone(run).isPresent(), "this JVM is not the process that started the run in 2001");
    }

    @Test
    void onlyARunningRunOnThisHostIsJudged() throws Exception {
        ObjectNode ended = run("complete");
        ((ObjectNode) ended.get("process")).put("pid", deadPid());
        assertFalse(RunProcess.gone(ended).isPresent(), "a closed run's process has ended normally");
        ObjectNode elsewhere = run("running");
        ((ObjectNode) elsewhere.get("process")).put("pid", deadPid()).put("host", "another-host-" + System.nanoTime());
        assertFalse(RunProcess.gone(elsewhere).isPresent(), "a process on another host cannot be looked up");
        assertFalse(RunProcess.gone(MAPPER.createObjectNode().put("status", "running")).isPresent(), "no process recorded");
    }
}
