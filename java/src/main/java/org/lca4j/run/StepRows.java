package org.lca4j.run;

import java.util.Map;
import org.lca4j.core.ParamLayout;
import org.lca4j.core.StepLca;
import org.lca4j.exact.ExactLca;
import org.lca4j.train.RunContext;
import org.lca4j.train.StepEvent;
import org.lca4j.train.Trainer;

/**
 * The text of layers.csv and steps.csv: each file's header, and one step's rows (README,
 * "Outputs"). steps.csv has the val_* columns only when the run computes exact LCA on the
 * validation split, so their number is fixed for the whole file.
 */
final class StepRows {
    static final String LAYERS_HEADER = "step,estimator,layer,lca,helped_fraction\n";
    private final ParamLayout layout;
    private final boolean validationColumns;

    StepRows(RunContext c) {
        this.layout = c.layout();
        this.validationColumns = c.accumulators().containsKey(Trainer.EXACT_VALIDATION);
    }

    String stepsHeader() {
        return "step,batch_loss,loss_before,loss_after,loss_change,lca,splits,error"
                + (validationColumns ? ",val_loss_before,val_loss_after,val_loss_change,val_lca,val_splits,val_error" : "") + ",step_ms\n";
    }

    /** One row per estimator and layer. */
    String layerRows(StepEvent e) {
        StringBuilder rows = new StringBuilder();
        for (Map.Entry<String, StepLca> en : e.lca().entrySet()) {
            StepLca s = en.getValue();
            for (int l = 0; l < layout.layerCount(); l++) {
                rows.append(e.step()).append(',').append(en.getKey()).append(',').append(layout.layer(l).name()).append(',')
                        .append(s.lca(l)).append(',').append(s.helpedFraction(l)).append('\n');
            }
        }
        return rows.toString();
    }

    String stepRow(StepEvent e) {
        StringBuilder row = new StringBuilder().append(e.step()).append(',').append(csv(e.batchLoss()));
        appendExact(row, e.exact());
        if (validationColumns) appendExact(row, e.validation());
        return row.append(',').append(e.nanos() / 1_000_000.0).append('\n').toString();
    }

    /** A step without exact LCA keeps its columns, empty. */
    private static void appendExact(StringBuilder row, ExactLca.Step s) {
        if (s == null) {
            row.append(",,,,,,");
            return;
        }
        row.append(',').append(s.lossBefore()).append(',').append(s.lossAfter()).append(',').append(s.lossChange())
                .append(',').append(s.lca().total()).append(',').append(s.splits()).append(',').append(s.error());
    }

    /** An unknown value (a replayed trajectory has no batch loss) is an empty cell, not "NaN". */
    private static String csv(double v) {
        return Double.isNaN(v) ? "" : Double.toString(v);
    }
}
