package org.lca4j.run;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.InetAddress;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Which process writes a run directory, so a reader can tell a run still training from one whose
 * process was killed outright (SIGKILL, a power cut): only those leave run.json at "running", as
 * every other ending closes the records. The pid alone would be reused; its start time pins it.
 */
public final class RunProcess {
    private RunProcess() {
    }

    /** run.json's "process" entry for this JVM. */
    static Map<String, Object> current() {
        ProcessHandle self = ProcessHandle.current();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("pid", self.pid());
        m.put("host", host());
        self.info().startInstant().ifPresent(t -> m.put("process_started", t.toString()));
        return m;
    }

    /**
     * For a run.json whose status is "running": why its process is known to be gone, or empty when
     * it may still be training (it is alive, or it ran on another host, or run.json predates this
     * record).
     */
    public static Optional<String> gone(JsonNode run) {
        if (!run.path("status").asText("").equals("running")) return Optional.empty();
        JsonNode p = run.path("process");
        if (!p.path("pid").canConvertToLong() || !p.path("host").asText("").equals(host())) return Optional.empty();
        long pid = p.path("pid").asLong();
        Optional<ProcessHandle> h = ProcessHandle.of(pid);
        boolean same = h.isPresent() && h.get().isAlive()
                && (!p.path("process_started").isTextual()
                        || h.get().info().startInstant().map(t -> t.toString().equals(p.path("process_started").asText())).orElse(true));
        if (same) return Optional.empty();
        return Optional.of("its process (pid " + pid + ") ended without closing the records, as a kill -9 or a crash of the JVM does");
    }

    private static String host() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (java.io.IOException e) {
            return "unknown";
        }
    }
}
