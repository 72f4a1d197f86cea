package org.lca4j.report;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Optional;
import org.lca4j.io.Staged;

/**
 * Writes a run directory's study report: {@code report.html}, one self-contained file (no scripts, no network,
 * figures embedded as PNG). Every number is read or computed from the run's files.
 */
public final class ReportWriter {
    /** How a Debian or Ubuntu machine gets the fonts the figures need. */
    public static final String FONTS_INSTALL = "apt-get install fontconfig fonts-dejavu-core";

    static {
        System.setProperty("java.awt.headless", "true");
    }

    private ReportWriter() {
    }

    /**
     * Renders the report of {@code runDir}, replacing any earlier one.
     *
     * @return the path of report.html
     * @throws IOException if run.json or layers.csv is missing or unreadable (the message names the file), or writing fails
     */
    public static Path write(Path runDir) throws IOException {
        System.setProperty("java.awt.headless", "true");
        return write(runDir, new Charts());
    }

    /**
     * Why reports written by this JVM have no figures (it cannot draw text here: no usable fonts), or empty when they
     * have them. The tables and numbers are written either way.
     */
    public static Optional<String> figuresLeftOut() {
        return new Charts().unavailable();
    }

    static Path write(Path runDir, Charts charts) throws IOException {
        RunData d = RunData.load(runDir);
        String body = charts.unavailable().map(ReportWriter::leftOutNote).orElse("") + HeaderSection.render(d, charts)
                + LayerSection.render(d, charts) + ParameterSection.render(d, charts) + PaperSection.render(d, charts) + CostSection.render(d);
        Path html = runDir.resolve("report.html");
        String page = page(d, body);
        try {
            Staged.write(html, tmp -> Files.writeString(tmp, page, StandardCharsets.UTF_8, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE))
                    .commitOrDiscard();
        } catch (IOException e) {
            // A full disk says only "No space left on device": name the file (Staged leaves no half page).
            throw new IOException("cannot write " + html + ": " + e.getMessage(), e);
        }
        return html;
    }

    private static String leftOutNote(String why) {
        return Html.note("Figures left out: this Java could not draw text on this machine (" + why + "). Install fontconfig and a font"
                + " (Debian, Ubuntu: " + FONTS_INSTALL + "), then run the command again; the tables below"
                + " are complete.");
    }

    private static String page(RunData d, String body) {
        Path dirName = d.dir().toAbsolutePath().normalize().getFileName();
        String name = dirName == null ? "run" : dirName.toString();
        return """
                <!DOCTYPE html>
                <html lang="en">
                <head>
                <meta charset="utf-8">
                <title>LCA study report: %1$s</title>
                <style>
                body { font-family: system-ui, sans-serif; margin: 2em auto; max-width: 1400px; padding: 0 1em; color: #222; }
                h1 { margin-bottom: 0.2em; } h2 { border-bottom: 1px solid #ccc; margin-top: 2em; } h3 { margin-bottom: 0.3em; }
                nav a { margin-right: 1.2em; }
                table { border-collapse: collapse; margin: 0.6em 0 1.2em; font-size: 0.9em; }
                th, td { border: 1px solid #ddd; padding: 0.25em 0.6em; text-align: right; }
                th { background: #f4f4f4; } tr th:first-child { text-align: left; }
                table.kv td { text-align: left; }
                tr.best th, tr.best td { font-weight: bold; background: #eef6ee; }
                figure { margin: 0.4em; } img { max-width: 100%%; height: auto; }
                .row, .grid { display: flex; flex-wrap: wrap; align-items: flex-start; }
                .note { color: #8a5a00; background: #fff8e6; padding: 0.4em 0.8em; border-left: 3px solid #e0a800; }
                .small { font-size: 0.85em; color: #555; } dt { font-weight: bold; float: left; clear: left; margin-right: 0.5em; }
                </style>
                </head>
                <body>
                <h1>LCA study report: %1$s</h1>
                <p class="small">Loss Change Allocation: A<sub>t,i</sub> = Δθ<sub>t,i</sub> × path-averaged gradient; negative = helped.
                Estimators are compared with exact LCA on the same trajectory.</p>
                <nav><a href="#run">Run</a><a href="#layers">1. Per layer</a><a href="#parameters">2. Per parameter</a>
                <a href="#paper">3. Paper's views</a><a href="#cost">4. Cost vs quality</a></nav>
                %2$s</body>
                </html>
                """.formatted(Html.esc(name), body);
    }
}
