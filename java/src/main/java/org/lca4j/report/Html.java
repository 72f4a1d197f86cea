package org.lca4j.report;

import java.util.List;
import java.util.Optional;

/** Small HTML helpers; every piece of text from a file goes through {@link #esc}. */
final class Html {
    private Html() {
    }

    static String esc(String s) {
        if (s == null) return "";
        StringBuilder b = new StringBuilder(s.length() + 16);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '&' -> b.append("&amp;");
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '"' -> b.append("&quot;");
                case '\'' -> b.append("&#39;");
                default -> b.append(c);
            }
        }
        return b.toString();
    }

    /** A figure for a chart, or a note when the chart had nothing to plot. */
    static String figure(Optional<Charts.Image> image, String alt) {
        if (image.isPresent() && image.get().leftOut()) return note("Figure left out (" + alt + "): see the note at the top of the page.");
        return image.map(i -> "<figure id=\"fig-" + esc(i.name()) + "\"><img src=\"" + i.src() + "\" alt=\"" + esc(alt) + "\"></figure>\n")
                .orElseGet(() -> note("No finite values to plot for " + alt + "."));
    }

    static String note(String text) {
        return "<p class=\"note\">" + esc(text) + "</p>\n";
    }

    /** A number printed for people, with its full value in {@code data-value} for tools and tests. */
    static String value(String id, double v, String shown) {
        return "<span id=\"" + esc(id) + "\" data-value=\"" + v + "\">" + esc(shown) + "</span>";
    }

    /** A table header row from plain-text labels. */
    static String headerRow(List<String> labels) {
        StringBuilder b = new StringBuilder("<tr>");
        for (String l : labels) b.append("<th>").append(esc(l)).append("</th>");
        return b.append("</tr>\n").toString();
    }

    /** A table row from plain-text cells; the first is a row header. */
    static String row(List<String> cells, boolean bold) {
        StringBuilder b = new StringBuilder(bold ? "<tr class=\"best\">" : "<tr>");
        for (int i = 0; i < cells.size(); i++) {
            String c = esc(cells.get(i));
            if (i == 0) b.append("<th>").append(bold ? "<strong>" + c + "</strong>" : c).append("</th>");
            else b.append("<td>").append(c).append("</td>");
        }
        return b.append("</tr>\n").toString();
    }
}
