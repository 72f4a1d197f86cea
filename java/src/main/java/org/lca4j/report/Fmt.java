package org.lca4j.report;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
import java.math.MathContext;
import java.util.Locale;

/** Numbers as the report prints them: 3 significant digits, plain between 1e-3 and 1e6, else 1.23e-5; undefined is "—". */
final class Fmt {
    static final String MISSING = "—";
    private static final MathContext THREE = new MathContext(3);

    private Fmt() {
    }

    static String num(double v) {
        if (Double.isNaN(v)) return MISSING;
        if (Double.isInfinite(v)) return v > 0 ? "∞" : "-∞";
        if (v == 0) return "0";
        double a = Math.abs(v);
        if (a >= 1e-3 && a < 1e6) return new BigDecimal(v).round(THREE).stripTrailingZeros().toPlainString();
        String s = String.format(Locale.ROOT, "%.2e", v); // 1.23e-05
        int e = s.indexOf('e');
        String mantissa = s.substring(0, e).replaceAll("\\.?0+$", "");
        return mantissa + "e" + Integer.parseInt(s.substring(e + 1));
    }

    /** A JSON value: numbers formatted, text as is (escaped later), null or missing as "—". */
    static String num(JsonNode n) {
        if (n == null || n.isNull() || n.isMissingNode()) return MISSING;
        if (n.isNumber()) return num(n.asDouble());
        return n.isValueNode() ? n.asText() : n.toString();
    }

    /** A JSON number as a double; NaN when null, missing or not a number. */
    static double value(JsonNode n) {
        return n != null && n.isNumber() ? n.asDouble() : Double.NaN;
    }

    /** A fraction as a percentage with 3 significant digits. */
    static String percent(double v) {
        return Double.isFinite(v) ? num(100 * v) + "%" : MISSING;
    }
}
