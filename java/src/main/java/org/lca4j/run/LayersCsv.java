package org.lca4j.run;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** Reads layers.csv back, e.g. to compare a post-hoc analysis with the numbers recorded in training. */
public final class LayersCsv {
    private LayersCsv() {
    }

    /** Per-step per-layer LCA of one estimator, keyed "step/layer", in file order. */
    public static Map<String, Double> read(Path file, String estimator) throws IOException {
        Map<String, Double> out = new LinkedHashMap<>();
        try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String header = r.readLine();
            if (header == null || !header.startsWith("step,estimator,layer,lca")) {
                throw new IOException(file + ": not an lca4j layers.csv (header is " + header + ")");
            }
            String line;
            int n = 1;
            while ((line = r.readLine()) != null) {
                n++;
                String[] f = line.split(",", -1);
                if (f.length < 5) throw new IOException(file + ":" + n + ": expected 5 fields, found " + f.length);
                if (!f[1].equals(estimator)) continue;
                try {
                    out.put(f[0] + "/" + f[2], Double.parseDouble(f[3]));
                } catch (NumberFormatException e) {
                    throw new IOException(file + ":" + n + ": bad LCA value '" + f[3] + "'");
                }
            }
        }
        return out;
    }

    /** How two sets of per-step per-layer values agree on the keys they share. */
    public record Agreement(int compared, int onlyInFirst, double maxAbsDifference, double maxAbsValue, boolean identical) {
    }

    public static Agreement compare(Map<String, Double> a, Map<String, Double> b) {
        int compared = 0, missing = 0;
        double maxDiff = 0, maxAbs = 0;
        boolean identical = true;
        for (Map.Entry<String, Double> e : a.entrySet()) {
            Double other = b.get(e.getKey());
            if (other == null) {
                missing++;
                continue;
            }
            compared++;
            maxDiff = Math.max(maxDiff, Math.abs(e.getValue() - other));
            maxAbs = Math.max(maxAbs, Math.abs(e.getValue()));
            identical &= Double.doubleToLongBits(e.getValue()) == Double.doubleToLongBits(other);
        }
        return new Agreement(compared, missing, maxDiff, maxAbs, identical && compared > 0);
    }
}
