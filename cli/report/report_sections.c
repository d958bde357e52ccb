/* report_sections.c — the report's pipeline, training and reproduction sections. */
#include "report/report_sections.h"

#include "common/options.h"
#include "common/trace.h"
#include "report/report_chart.h"
#include "report/report_html.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

enum { BOX_W = 182, BOX_H = 100, BOX_GAP = 30, ROW_GAP = 44, PER_ROW = 5 };

void cli_report_section_open(FILE *out, const char *id, const char *title, const char *note) {
    fprintf(out, "<section id=\"%s\">\n<h2>", id);
    cli_html_text(out, title);
    fputs("</h2>\n", out);
    if (note) {
        fputs("<p class=\"note\">", out);
        cli_html_text(out, note);
        fputs("</p>\n", out);
    }
}

/* ---- pipeline ----------------------------------------------------------------------------- */

typedef struct stage_text {
    const char *kind; /* CSS class: input, dropout, dense */
    char name[64], detail[64], shape[32], params[48];
} stage_text;

static stage_text describe_stage(const dn_model *m, size_t stage) {
    stage_text t = {"input", "", "", "", ""};
    if (stage == 0) {
        size_t in = dn_model_input_size(m), side = cli_trace_image_side(in);
        snprintf(t.name, sizeof t.name, "Input");
        if (side) snprintf(t.detail, sizeof t.detail, "%zu × %zu image", side, side);
        else snprintf(t.detail, sizeof t.detail, "%zu features%s", in,
                      dn_model_get_standardization(m, NULL, NULL) ? ", standardised" : "");
        snprintf(t.shape, sizeof t.shape, "(None, %zu)", in);
        snprintf(t.params, sizeof t.params, "0 params");
        return t;
    }
    dn_layer_info info;
    dn_model_layer_info(m, stage - 1, &info, NULL);
    snprintf(t.name, sizeof t.name, "%s (%s)", info.name, cli_trace_layer_type(info.kind));
    snprintf(t.shape, sizeof t.shape, "(None, %zu)", info.outputs);
    if (info.kind == DN_LAYER_DROPOUT) {
        t.kind = "dropout";
        snprintf(t.detail, sizeof t.detail, "rate %g, kept ×%.4g", (double)info.rate,
                 1.0 / (1.0 - (double)info.rate));
        snprintf(t.params, sizeof t.params, "0 params");
    } else {
        t.kind = "dense";
        snprintf(t.detail, sizeof t.detail, "%zu units, %s", info.outputs,
                 dn_activation_name(info.activation));
        snprintf(t.params, sizeof t.params, "%zu params (%zu×%zu + %zu)", info.param_count,
                 info.inputs, info.outputs, info.outputs);
        if (strlen(t.params) > 27) /* bytes (× is two): what fits the box; the table has the rest */
            snprintf(t.params, sizeof t.params, "%zu params", info.param_count);
    }
    return t;
}

static void stage_xy(size_t i, double *x, double *y) {
    *x = 16.0 + (double)(i % PER_ROW) * (BOX_W + BOX_GAP);
    *y = 12.0 + (double)(i / PER_ROW) * (BOX_H + ROW_GAP);
}

static void draw_stage(FILE *out, const dn_model *m, size_t i) {
    stage_text t = describe_stage(m, i);
    double x, y;
    stage_xy(i, &x, &y);
    fprintf(out, "<g class=\"stage %s\">", t.kind);
    fprintf(out, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%d\" height=\"%d\" rx=\"7\"/>", x, y, BOX_W, BOX_H);
    cli_svg_text(out, x + 10, y + 22, "start", "name", "%zu. %s", i + 1, t.name);
    cli_svg_text(out, x + 10, y + 44, "start", "detail", "%s", t.detail);
    cli_svg_text(out, x + 10, y + 64, "start", "detail", "shape %s", t.shape);
    cli_svg_text(out, x + 10, y + 84, "start", "detail", "%s", t.params);
    fputs("</g>\n", out);
}

/* The arrow from stage i to stage i + 1: straight within a row, bent down to the next row. */
static void draw_flow(FILE *out, size_t i) {
    double x0, y0, x1, y1;
    stage_xy(i, &x0, &y0);
    stage_xy(i + 1, &x1, &y1);
    if (y1 == y0)
        fprintf(out, "<path class=\"flow\" marker-end=\"url(#dn-arrow)\" d=\"M%.1f %.1fH%.1f\"/>\n",
                x0 + BOX_W, y0 + BOX_H / 2.0, x1 - 2.0);
    else
        fprintf(out, "<path class=\"flow\" marker-end=\"url(#dn-arrow)\" d=\"M%.1f %.1fV%.1fH%.1fV%.1f\"/>\n",
                x0 + BOX_W / 2.0, y0 + BOX_H, y0 + BOX_H + ROW_GAP / 2.0, x1 + BOX_W / 2.0, y1 - 2.0);
}

static void pipeline_table(FILE *out, const dn_model *m) {
    fputs("<table class=\"summary\">\n<tr><th class=\"text\">Layer (type)</th><th>Input</th>"
          "<th>Output shape</th><th>Param #</th><th class=\"text\">In training / at inference</th></tr>\n", out);
    size_t total = 0;
    for (size_t i = 0; i < dn_model_layer_count(m); ++i) {
        dn_layer_info info;
        dn_model_layer_info(m, i, &info, NULL);
        total += info.param_count;
        fputs("<tr><td class=\"text\">", out);
        cli_html_printf(out, "%s (%s)", info.name, cli_trace_layer_type(info.kind));
        fprintf(out, "</td><td>%zu</td><td>(None, %zu)</td><td>%zu</td><td class=\"text\">",
                info.inputs, info.outputs, info.param_count);
        if (info.kind == DN_LAYER_DROPOUT)
            fprintf(out, "zeroes each value with probability %g and scales survivors by 1/(1 − %g) "
                         "= %.4g / passes values through unchanged", (double)info.rate,
                    (double)info.rate, 1.0 / (1.0 - (double)info.rate));
        else
            fprintf(out, "x·W + b, then %s (same in both)", dn_activation_name(info.activation));
        fputs("</td></tr>\n", out);
    }
    fprintf(out, "<tr><th class=\"text\">Total params</th><th></th><th></th><th>%zu</th><th></th></tr>\n"
                 "</table>\n", total);
}

void cli_report_section_pipeline(FILE *out, const cli_report *r) {
    cli_report_section_open(out, "pipeline", "1. Pipeline",
                           "Each stage with the shape of its output (None = any number of examples) "
                           "and its trainable parameters.");
    size_t stages = dn_model_layer_count(r->model) + 1;
    size_t across = stages < PER_ROW ? stages : PER_ROW, rows = (stages + PER_ROW - 1) / PER_ROW;
    double width = 32.0 + (double)across * (BOX_W + BOX_GAP) - BOX_GAP;
    double height = 24.0 + (double)rows * (BOX_H + ROW_GAP) - ROW_GAP;
    cli_svg_begin(out, width, height, "chart pipeline", "the model's stages from input to output");
    for (size_t i = 0; i + 1 < stages; ++i) draw_flow(out, i);
    for (size_t i = 0; i < stages; ++i) draw_stage(out, r->model, i);
    cli_svg_end(out);
    pipeline_table(out, r->model);
    fputs("</section>\n", out);
}

/* ---- training ----------------------------------------------------------------------------- */

typedef enum metric_field { LOSS, ACCURACY, VAL_LOSS, VAL_ACCURACY, MAE, VAL_MAE } metric_field;

/* The run's history: 0 the run (with dropout), 1 compare's baseline. */
static const dn_epoch_metrics *run_history(const cli_report *r, int run) {
    return run == 0 ? r->history : r->baseline;
}

/* Epoch i's value of `f` in run `run`; NaN where it does not exist. A regression run's MAE is in
 * the target's units, kept apart from the fit history (only run 0: compare is for classifiers). */
static double field_of(const cli_report *r, int run, size_t i, metric_field f) {
    const dn_epoch_metrics *m = &run_history(r, run)[i];
    switch (f) {
    case LOSS: return m->loss;
    case ACCURACY: return m->accuracy;
    case VAL_LOSS: return m->has_validation ? m->val_loss : NAN;
    case VAL_ACCURACY: return m->has_validation ? m->val_accuracy : NAN;
    case MAE: return run == 0 && r->train_reg_history ? r->train_reg_history[i].mae : NAN;
    case VAL_MAE: return run == 0 && r->val_history ? r->val_history[i].mae : NAN;
    }
    return NAN;
}

/* The column `f` of a run, into `values` [r->epochs]; returns 1 when any value is finite. */
static int column(const cli_report *r, int run, metric_field f, double *values) {
    int any = 0;
    for (size_t i = 0; i < r->epochs; ++i) {
        values[i] = field_of(r, run, i, f);
        any |= isfinite(values[i]) != 0;
    }
    return any;
}

/* 1 when run `run` has a finite value of `f` in some epoch. */
static int any_value(const cli_report *r, int run, metric_field f) {
    for (size_t i = 0; i < r->epochs; ++i)
        if (isfinite(field_of(r, run, i, f))) return 1;
    return 0;
}

/* A table cell with 4 decimals, as the text trace prints them; "–" for a missing value. */
static void cell(FILE *out, double v) {
    if (isfinite(v)) {
        fprintf(out, "<td>%.4f</td>", v);
    } else {
        fputs("<td>–</td>", out);
    }
}

/* The epoch table of run `run`: loss and accuracy with the text trace's observation; a regression
 * run has MAE (the log's val_mae, and its mae where it holds one) where a classifier has
 * accuracy, and no column that would be empty in every row. */
static void epoch_table(FILE *out, const cli_report *r, int run, const char *caption,
                        const char *id) {
    const dn_epoch_metrics *h = run_history(r, run);
    int regression = r->target != NULL;
    metric_field fields[4] = {LOSS, regression ? MAE : ACCURACY, VAL_LOSS,
                              regression ? VAL_MAE : VAL_ACCURACY};
    static const char *const names[2][4] = {{"loss", "accuracy", "val_loss", "val_accuracy"},
                                            {"loss", "mae", "val_loss", "val_mae"}};
    int shown[4];
    fprintf(out, "<h3>");
    cli_html_text(out, caption);
    fprintf(out, "</h3>\n<table class=\"epochs\" id=\"%s\">\n<tr><th>epoch</th>", id);
    for (size_t k = 0; k < 4; ++k) {
        shown[k] = !regression || k == 0 || any_value(r, run, fields[k]);
        if (shown[k]) fprintf(out, "<th>%s</th>", names[regression][k]);
    }
    fputs("<th class=\"text\">observation</th></tr>\n", out);
    for (size_t i = 0; i < r->epochs; ++i) {
        char obs[256];
        cli_trace_observation(h, i, obs, sizeof obs);
        fprintf(out, "<tr><td>%zu</td>", h[i].epoch);
        for (size_t k = 0; k < 4; ++k)
            if (shown[k]) cell(out, field_of(r, run, i, fields[k]));
        fputs("<td class=\"text\">", out);
        cli_html_text(out, obs);
        fputs("</td></tr>\n", out);
    }
    fputs("</table>\n", out);
}

/* A figure with one chart of `train_field` / `val_field` for one or two runs; nothing at all
 * when neither has a value (a regression run has no accuracy: no empty chart takes its place). */
static void metric_chart(FILE *out, const cli_report *r, metric_field train_field,
                         metric_field val_field, const char *what, const char *title, double *buf) {
    size_t n = r->epochs, count = 0;
    cli_chart_series s[4];
    static const char *const names[2][2] = {{"with dropout: training", "with dropout: validation"},
                                            {"without dropout: training", "without dropout: validation"}};
    for (int run = 0; run < 2 && run_history(r, run); ++run) {
        double *train = buf + (size_t)(2 * run) * n, *val = train + n;
        int compare = r->baseline != NULL;
        if (column(r, run, train_field, train))
            s[count++] = (cli_chart_series){compare ? names[run][0] : "training (dropout active)",
                                           train, run, 0};
        if (column(r, run, val_field, val))
            s[count++] = (cli_chart_series){compare ? names[run][1] : "validation (dropout off)",
                                           val, compare ? run : 1, 1};
    }
    if (count == 0) return;
    int dashed = 0, solid = 0;
    for (size_t i = 0; i < count; ++i) {
        dashed |= s[i].dashed;
        solid |= !s[i].dashed;
    }
    char label[96];
    snprintf(label, sizeof label, "%s per epoch", what);
    cli_line_chart chart = {.label = label, .x_label = "epoch", .y_label = what, .n = n,
                            .series = s, .series_count = count,
                            .from_zero = train_field == LOSS || train_field == MAE};
    fputs("<figure>\n", out);
    cli_chart_line(out, &chart);
    fprintf(out, "<figcaption>%s per epoch. %s%s</figcaption>\n</figure>\n", title,
            solid ? "Solid: training, measured while dropout is active" : "Dashed: validation, "
            "with dropout off (the run recorded no training value)",
            !solid ? "." : dashed ? "; dashed: validation, with dropout off." : " (no validation split).");
}

static void gap_table(FILE *out, const cli_report *r) {
    const char *held = r->held_out_name ? r->held_out_name : "held-out";
    fprintf(out, "<table class=\"gap\" id=\"gap-table\">\n<tr><th></th><th colspan=\"3\">with dropout</th>"
                 "<th colspan=\"3\">without dropout (every rate 0)</th></tr>\n<tr><th>epoch</th>"
                 "<th>train</th><th>%s</th><th>gap</th><th>train</th><th>%s</th><th>gap</th></tr>\n",
            held, held);
    for (size_t e = 0; e < r->epochs; ++e) {
        const cli_report_gap *a = &r->gap[e], *b = &r->baseline_gap[e];
        fprintf(out, "<tr><td>%zu</td><td>%.4f</td><td>%.4f</td><td>%+.4f</td><td>%.4f</td>"
                     "<td>%.4f</td><td>%+.4f</td></tr>\n", e + 1, a->train, a->held_out,
                a->train - a->held_out, b->train, b->held_out, b->train - b->held_out);
    }
    fputs("</table>\n", out);
}

/* compare: train accuracy at inference vs held-out accuracy, both runs, the gaps shaded. */
static void gap_chart(FILE *out, const cli_report *r, double *buf) {
    size_t n = r->epochs;
    const char *held = r->held_out_name ? r->held_out_name : "held-out";
    const cli_report_gap *runs[2] = {r->gap, r->baseline_gap};
    char names[4][64];
    cli_chart_series s[4];
    for (int run = 0; run < 2; ++run) {
        double *train = buf + (size_t)(2 * run) * n, *held_out = train + n;
        for (size_t e = 0; e < n; ++e) {
            train[e] = runs[run][e].train;
            held_out[e] = runs[run][e].held_out;
        }
        const char *who = run == 0 ? "with dropout" : "without dropout";
        snprintf(names[2 * run], sizeof names[0], "%s: train", who);
        snprintf(names[2 * run + 1], sizeof names[0], "%s: %s", who, held);
        s[2 * run] = (cli_chart_series){names[2 * run], train, run, 0};
        s[2 * run + 1] = (cli_chart_series){names[2 * run + 1], held_out, run, 1};
    }
    cli_chart_band bands[2] = {{.upper = 0, .lower = 1, .hatched = 0, .name = "gap with dropout"},
                               {.upper = 2, .lower = 3, .hatched = 1, .name = "gap without dropout"}};
    cli_line_chart chart = {
        .label = "overfitting gap: train vs held-out accuracy, with and without dropout",
        .x_label = "epoch", .y_label = "accuracy", .n = n, .series = s, .series_count = 4,
        .bands = bands, .band_count = CLI_COUNT(bands)};
    fputs("<h3>The overfitting gap, with and without dropout</h3>\n<figure>\n", out);
    cli_chart_line(out, &chart);
    fprintf(out, "<figcaption>Accuracy on the training rows measured at inference (dropout off, so "
                 "both runs are measured alike) and on the %s rows. The shaded area is the gap "
                 "train − %s: tinted with dropout, hatched without.</figcaption>\n</figure>\n",
            held, held);
    const cli_report_gap *a = &r->gap[n - 1], *b = &r->baseline_gap[n - 1];
    double with = a->train - a->held_out, without = b->train - b->held_out;
    fprintf(out, "<p><strong>Dropout %s the gap</strong>: after epoch %zu it is %.4f with dropout "
                 "and %.4f without; %s accuracy %.4f with, %.4f without.</p>\n",
            with < without ? "narrows" : "does not narrow", n, with, without, held, a->held_out,
            b->held_out);
    gap_table(out, r);
}

void cli_report_section_training(FILE *out, const cli_report *r) {
    int regression = r->target != NULL;
    cli_report_section_open(out, "training", "2. Training, epoch by epoch",
                           regression ? "Loss and mean absolute error after every epoch. Training "
                           "figures are means over the epoch's batches with dropout active; "
                           "validation runs at inference, so early on it can look better than "
                           "training. The loss is on the standardised target, the MAE in the "
                           "target's units."
                                      : "Loss and accuracy after every epoch. Training figures are "
                           "means over the epoch's batches with dropout active; validation runs "
                           "at inference, so early on it can look better than training.");
    double *buf = r->epochs ? calloc(4 * r->epochs, sizeof *buf) : NULL;
    if (buf == NULL) {
        fputs("<p class=\"note\">No epochs were trained, so there are no curves.</p>\n</section>\n", out);
        return;
    }
    fputs("<div class=\"figures\">\n", out);
    metric_chart(out, r, LOSS, VAL_LOSS, "loss", "Loss", buf);
    if (regression) metric_chart(out, r, MAE, VAL_MAE, "MAE", "Mean absolute error", buf);
    else metric_chart(out, r, ACCURACY, VAL_ACCURACY, "accuracy", "Accuracy", buf);
    fputs("</div>\n", out);
    if (r->gap && r->baseline_gap) gap_chart(out, r, buf);
    free(buf);
    epoch_table(out, r, 0, r->baseline ? "With dropout" : "Every epoch", "epochs");
    if (r->baseline) epoch_table(out, r, 1, "Without dropout (every rate 0)", "epochs-baseline");
    fputs("</section>\n", out);
}

/* ---- reproduce ---------------------------------------------------------------------------- */

void cli_report_section_settings(FILE *out, const cli_report *r) {
    cli_report_section_open(out, "reproduce", "7. Reproduce this run",
                           "The same command, seed and version give the same numbers: one seed "
                           "fixes the data order, the initial weights and every dropout mask.");
    fputs("<pre class=\"command\">", out);
    cli_html_text(out, r->command_line);
    fputs("</pre>\n<table class=\"settings\">\n", out);
    fprintf(out, "<tr><th class=\"text\">dropnet version</th><td class=\"text\">%s</td></tr>\n"
                 "<tr><th class=\"text\">seed</th><td class=\"text\">%llu</td></tr>\n",
            dn_version(), (unsigned long long)dn_model_seed(r->model));
    for (size_t i = 0; i < r->setting_count; ++i) {
        fputs("<tr><th class=\"text\">", out);
        cli_html_text(out, r->settings[i].key);
        fputs("</th><td class=\"text\">", out);
        cli_html_text(out, r->settings[i].value);
        fputs("</td></tr>\n", out);
    }
    fputs("</table>\n", out);
    /* the playground (docs/PLAYGROUND.md) opens on the seed pipeline, the demo's own settings */
    fputs("<p>Train it live: <code>dropnet play --out playground.html</code> (after <code>make "
          "web</code>) writes the <a href=\"playground.html\">playground</a>, one page that runs "
          "this engine in the browser: change the rates and watch the gap move, every mask shown. "
          "The link opens it when it sits next to this report.</p>\n</section>\n", out);
}
