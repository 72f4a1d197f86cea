package org.lca4j.run;

import java.nio.file.Path;

/** Names of the files in a run directory; README "Outputs" documents each. */
public final class RunFiles {
    public static final String RUN_JSON = "run.json";
    public static final String LAYERS_CSV = "layers.csv";
    public static final String STEPS_CSV = "steps.csv";
    public static final String CUMULATIVE_DIR = "cumulative";
    /** In the cumulative directory: {"steps": n}, how many steps the cumulative files hold. */
    public static final String CUMULATIVE_STEPS = "steps.json";
    public static final String TRAJECTORY_DIR = "trajectory";
    public static final String MODEL_JSON = "model.json";
    public static final String THETA_NPY = "theta.npy";
    public static final String REF_X_NPY = "ref_x.npy";
    public static final String REF_Y_NPY = "ref_y.npy";
    public static final String ANALYSIS_DIR = "analysis";
    public static final String SAMPLES_DIR = "samples";
    public static final String SAMPLE_INDICES_NPY = "indices.npy";
    public static final String REPORT_HTML = "report.html";
    /** Disk space held while a run records, given back at its end so run.json can always say how it ended. */
    public static final String RESERVE = ".lca4j-reserve";

    private RunFiles() {
    }

    public static Path cumulative(Path run, String estimator, String layer) {
        return run.resolve(CUMULATIVE_DIR).resolve(estimator).resolve(layer + ".npy");
    }
}
