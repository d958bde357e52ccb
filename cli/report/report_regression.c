/* report_regression.c — the report's regression section: per-epoch validation metrics and
 * predicted against actual on the held-out rows. */
#include "report/report_regression.h"

#include "report/report_html.h"
#include "report/report_sections.h"

#include <math.h>
#include <stdlib.h>

enum { SHOWN_ROWS = 10 };

/* A number with 4 decimals, as the epoch lines print them; "–" when it does not exist. */
static void cell(FILE *out, double v) {
    if (isfinite(v)) fprintf(out, "<td>%.4f</td>", v);
    else fputs("<td>–</td>", out);
}

static void metric_cells(FILE *out, const cli_regression_metrics *m) {
    cell(out, m->mae);
    cell(out, m->rmse);
    cell(out, m->r2);
}

/* Every epoch's validation MAE, RMSE and R² (and the training rows' first, where the log holds
 * them: a log from elsewhere than train). */
static void epoch_table(FILE *out, const cli_report *r) {
    size_t shown = 0;
    for (size_t i = 0; r->val_history != NULL && i < r->epochs; ++i) shown += isfinite(r->val_history[i].mae) != 0;
    if (shown == 0) {
        fputs("<p class=\"note\">No per-epoch metrics: the run had no validation rows (its log "
              "holds no val_mae, val_rmse or val_r2).</p>\n", out);
        return;
    }
    const cli_regression_metrics *train = r->train_reg_history;
    fprintf(out, "<table class=\"epochs\" id=\"regression-epochs\">\n<tr><th>epoch</th>%s<th>val_mae</th>"
            "<th>val_rmse</th><th>val_r2</th></tr>\n",
            train ? "<th>mae</th><th>rmse</th><th>r2</th>" : "");
    for (size_t i = 0; i < r->epochs; ++i) {
        if (!isfinite(r->val_history[i].mae)) continue; /* before a resumed run's first epoch */
        fprintf(out, "<tr><td>%zu</td>", i + 1);
        if (train) metric_cells(out, &train[i]);
        metric_cells(out, &r->val_history[i]);
        fputs("</tr>\n", out);
    }
    fputs("</table>\n", out);
}

/* The final model's metrics on the held-out rows (as train's test line and eval compute them)
 * and its first predictions `y` (in the target's units) next to the truth. */
static void held_out(FILE *out, const cli_report *r, const float *y) {
    size_t n = dn_dataset_rows(r->examples);
    const float *t = dn_dataset_target_values(r->examples);
    cli_regression_metrics m;
    if (cli_regression_evaluate(r->model, r->examples, r->target, r->targets_scaled, &m) == 0) {
        fprintf(out, "<p class=\"regression-total\">On the %zu %s examples at inference: MAE "
                     "<strong>%.4f</strong>, RMSE <strong>%.4f</strong>, R² <strong>", n,
                r->examples_name, m.mae, m.rmse);
        if (isfinite(m.r2)) fprintf(out, "%.4f", m.r2);
        else fputs("– (a constant truth)", out);
        fputs("</strong>.</p>\n", out);
    }
    fputs("<table id=\"regression-rows\">\n"
          "<tr><th>row</th><th>actual</th><th>predicted</th><th>error</th></tr>\n", out);
    for (size_t i = 0; i < n && i < SHOWN_ROWS; ++i) {
        double truth = r->targets_scaled ? (double)t[i] * r->target->std + r->target->mean : t[i];
        fprintf(out, "<tr><td>%zu</td>", r->examples_first + i);
        cell(out, truth);
        cell(out, y[i]);
        cell(out, (double)y[i] - truth);
        fputs("</tr>\n", out);
    }
    fprintf(out, "</table>\n<p class=\"note\">The first %zu of the %zu rows (row: the example's "
                 "number among the data rows, from 0, as in a classifier's trace).</p>\n", n < SHOWN_ROWS ? n : (size_t)SHOWN_ROWS,
            n);
}

void cli_report_section_regression_epochs(FILE *out, const cli_report *r) {
    cli_report_section_open(out, "regression", "4. Regression metrics, epoch by epoch",
                           "Mean absolute error, root mean squared error and R² (1 − residual / "
                           "total sum of squares, scikit-learn's r2_score) of the validation rows "
                           "at inference after every epoch, in the target's units, as the --log "
                           "holds them (and the training rows' mae, rmse and r2 first, where a "
                           "log has them). The loss above is on the standardised target.");
    epoch_table(out, r);
    fputs("</section>\n", out);
}

dn_status cli_report_section_regression_rows(FILE *out, const cli_report *r, dn_error *err) {
    cli_report_section_open(out, "predicted", "5. Predicted against actual",
                           "The final model on the held-out rows at inference (dropout off).");
    dn_status st = DN_OK;
    size_t n = r->examples != NULL ? dn_dataset_rows(r->examples) : 0;
    if (n == 0 || r->target == NULL || dn_dataset_target_values(r->examples) == NULL ||
        dn_model_output_size(r->model) != 1) {
        fputs("<p class=\"note\">No held-out rows with targets.</p>\n", out);
    } else {
        float *y = malloc(n * sizeof *y);
        st = y != NULL ? dn_model_predict_dataset(r->model, r->examples, y, err) : DN_ERR_MEMORY;
        if (st == DN_OK) {
            cli_target_unscale(r->target, y, n);
            held_out(out, r, y);
        }
        free(y);
    }
    fputs("</section>\n", out);
    return st;
}
