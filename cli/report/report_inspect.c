/* report_inspect.c — the report's sections that look inside the trained model: the dropout mask
 * of a training batch, prediction traces, the confusion matrix and the weight histograms. */
#include "report/report_inspect.h"

#include "common/model_data.h"
#include "common/trace.h"
#include "report/report_chart.h"
#include "report/report_grid.h"
#include "report/report_html.h"
#include "report/report_sections.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

enum { NAME_SIZE = 64 };

/* ---- dropout mask ------------------------------------------------------------------------- */

static void mask_figure(FILE *out, const cli_report *r, const cli_report_mask *m) {
    dn_layer_info info;
    dn_model_layer_info(r->model, m->layer, &info, NULL);
    size_t total = m->rows * m->cols;
    double observed = total ? (double)m->dropped / (double)total : 0.0, rate = (double)m->rate;
    fputs("<h3>", out);
    cli_html_printf(out, "%s (layer %zu of %zu), rate %g: %zu examples × %zu units", info.name,
                   m->layer + 1, dn_model_layer_count(r->model), rate, m->rows, m->cols);
    fputs("</h3>\n<div class=\"pair\">\n<figure>\n", out);
    cli_chart_mask(out, m->keep, m->rows, m->cols, "dropout keep mask of the first training batch");
    fputs("<figcaption>Each row is one example of the batch, each column one unit of the layer's "
          "output. Black: dropped (set to 0). White: kept (multiplied by ", out);
    fprintf(out, "1/(1 − %g) = %.4g).</figcaption>\n</figure>\n<div class=\"numbers\">\n", rate,
            1.0 / (1.0 - rate));
    cli_chart_bar bars[2] = {{"dropped in this batch", observed, 1, ""},
                            {"configured rate", rate, 0, ""}};
    snprintf(bars[0].note, sizeof bars[0].note, "(%zu of %zu)", m->dropped, total);
    cli_chart_bars(out, bars, 2, 1.0, 1, "dropped fraction against the configured rate");
    double sd = sqrt((double)total * rate * (1.0 - rate));
    fprintf(out, "<p class=\"mask-count\">Dropped <strong>%zu of %zu</strong> values = <strong>%.1f "
                 "%%</strong> (configured rate %g %%). Each value is dropped independently with "
                 "probability %g, so the count varies from batch to batch: %.1f expected, give or "
                 "take %.1f (one standard deviation).</p>\n",
            m->dropped, total, observed * 100.0, rate * 100.0, rate, (double)total * rate, sd);
    fputs("</div>\n</div>\n", out);
}

void cli_report_section_masks(FILE *out, const cli_report *r) {
    cli_report_section_open(out, "mask", "3. Dropout mask of one training batch",
                           "What dropout did to the first batch of the first epoch: a fresh random "
                           "mask every step, drawn from the seed, the layer and the step number.");
    if (r->mask_note != NULL) {
        fputs("<p class=\"note\">", out);
        cli_html_text(out, r->mask_note);
        fputs("</p>\n", out);
    } else if (!r->captured)
        fputs("<p class=\"note\">No training batch ran (0 epochs), so there is no mask.</p>\n", out);
    else if (r->mask_count == 0)
        fputs("<p class=\"note\">This model has no dropout layer: nothing was dropped.</p>\n", out);
    for (size_t i = 0; i < r->mask_count; ++i) mask_figure(out, r, &r->masks[i]);
    fputs("</section>\n", out);
}

/* ---- prediction traces -------------------------------------------------------------------- */

/* Which examples to trace: the first two and the first mistake after them (a wrong prediction
 * teaches more), else the third. Returns how many were chosen. */
static size_t choose_examples(const cli_report *r, const float *y, size_t outputs, size_t *rows) {
    size_t total = dn_dataset_rows(r->examples), n = 0;
    for (size_t i = 0; i < total && n < 2; ++i) rows[n++] = i;
    if (total <= 2) return n;
    rows[n] = 2;
    for (size_t i = 2; i < total; ++i) {
        int label = dn_dataset_label(r->examples, i);
        if (label >= 0 && dn_predicted_class(y + i * outputs, outputs) != (size_t)label) {
            rows[n] = i;
            break;
        }
    }
    return n + 1;
}

static void trace_input(FILE *out, const cli_report *r, size_t row, const float *x) {
    size_t cols;
    const float *in = dn_model_activation(r->model, 0, NULL, &cols);
    size_t side = cli_trace_image_side(cols);
    fputs("<li><strong>Input</strong> — ", out);
    if (side) fprintf(out, "a %zu × %zu image (%zu values)", side, side, cols);
    else fprintf(out, "%zu features", cols);
    if (dn_model_get_standardization(r->model, NULL, NULL)) fputs(", after standardisation", out);
    fputs(" <span class=\"row\">", out);
    cli_trace_row(out, in, cols);
    fputs("</span>\n", out);
    char label[96];
    snprintf(label, sizeof label, "input of %s example #%zu", r->examples_name, r->examples_first + row);
    if (side) cli_chart_image(out, x, side, 168.0, label);
    else cli_chart_strip(out, in, cols, label);
    fputs("</li>\n", out);
}

/* The output probabilities as bars: one per class (two for a single sigmoid unit). */
static void probability_bars(FILE *out, const cli_report *r, const float *y, size_t outputs,
                             size_t predicted, int truth) {
    size_t classes = outputs == 1 ? 2 : outputs;
    cli_chart_bar *bars = calloc(classes, sizeof *bars);
    if (bars == NULL) return;
    for (size_t c = 0; c < classes; ++c) {
        char name[NAME_SIZE];
        snprintf(bars[c].label, sizeof bars[c].label, "%s", cli_class_label(r->model, c, name, sizeof name));
        bars[c].value = outputs == 1 ? (c ? y[0] : 1.0f - y[0]) : y[c];
        bars[c].emphasis = c == predicted;
        snprintf(bars[c].note, sizeof bars[c].note, "%s%s%s", c == predicted ? "predicted" : "",
                 c == predicted && (int)c == truth ? ", " : "", (int)c == truth ? "true class" : "");
    }
    cli_chart_bars(out, bars, classes, 1.0, 0, "class probabilities");
    free(bars);
}

static void trace_layer(FILE *out, const cli_report *r, size_t i, int truth) {
    dn_layer_info info;
    dn_model_layer_info(r->model, i, &info, NULL);
    size_t cols;
    const float *y = dn_model_activation(r->model, i + 1, NULL, &cols);
    int last = i + 1 == dn_model_layer_count(r->model);
    fputs("<li><strong>", out);
    if (info.kind == DN_LAYER_DROPOUT) {
        cli_html_printf(out, "%s: Dropout(%g), at inference", info.name, (double)info.rate);
        fputs("</strong> passes values through unchanged ", out);
    } else {
        size_t zeros = 0;
        for (size_t j = 0; j < cols; ++j) zeros += y[j] == 0.0f;
        cli_html_printf(out, "%s: Dense(%zu, %s)", info.name, cols, dn_activation_name(info.activation));
        fprintf(out, "</strong> x·W + b, then %s", dn_activation_name(info.activation));
        if (info.activation == DN_ACT_RELU) fprintf(out, ": %zu of %zu units zero", zeros, cols);
        fputc(' ', out);
    }
    fputs("<span class=\"row\">", out);
    cli_trace_row(out, y, cols);
    fputs("</span>\n", out);
    int probabilities = last && (info.activation == DN_ACT_SOFTMAX ||
                                 (info.activation == DN_ACT_SIGMOID && cols == 1));
    size_t side = cli_trace_image_side(cols);
    if (probabilities) probability_bars(out, r, y, cols, dn_predicted_class(y, cols), truth);
    else if (side && cols == dn_model_input_size(r->model)) cli_chart_image(out, y, side, 168.0, info.name);
    else cli_chart_strip(out, y, cols, info.name);
    fputs("</li>\n", out);
}

static dn_status trace_example(FILE *out, const cli_report *r, size_t row, float *x, dn_error *err) {
    dn_status st = dn_dataset_get_row(r->examples, row, x, err);
    if (st == DN_OK) st = dn_model_forward(r->model, x, 1, DN_MODE_INFERENCE, 0, NULL, err);
    if (st != DN_OK) return st;
    int truth = dn_dataset_label(r->examples, row);
    size_t layers = dn_model_layer_count(r->model), outputs;
    const float *y = dn_model_activation(r->model, layers, NULL, &outputs);
    size_t predicted = dn_predicted_class(y, outputs);
    char name[NAME_SIZE], truth_buf[NAME_SIZE];
    const char *truth_name = truth >= 0 ? cli_class_label(r->model, (size_t)truth, truth_buf,
                                                             sizeof truth_buf) : NULL;
    fprintf(out, "<div class=\"example\" id=\"example-%zu\">\n<h3>", r->examples_first + row);
    cli_html_printf(out, "%s example #%zu", r->examples_name, r->examples_first + row);
    if (truth_name) cli_html_printf(out, ", true class %s", truth_name);
    fputs("</h3>\n<ol class=\"trace\">\n", out);
    trace_input(out, r, row, x);
    for (size_t i = 0; i < layers; ++i) trace_layer(out, r, i, truth);
    fputs("</ol>\n<p class=\"verdict\">", out);
    float p = outputs == 1 ? (predicted ? y[0] : 1.0f - y[0]) : y[predicted];
    cli_html_printf(out, "Predicted class %s (p = %.3f)", cli_class_label(r->model, predicted, name,
                                                                            sizeof name), (double)p);
    if (truth_name) {
        const char *verdict = predicted == (size_t)truth ? "correct" : "wrong";
        cli_html_printf(out, ", true class %s: ", truth_name);
        fprintf(out, "<span class=\"verdict-%s\">%s</span>", verdict, verdict);
    }
    fputs("</p>\n</div>\n", out);
    return DN_OK;
}

dn_status cli_report_section_predictions(FILE *out, const cli_report *r, dn_error *err) {
    cli_report_section_open(out, "predictions", "4. Prediction trace",
                           "A few examples the model did not train on, through every layer at "
                           "inference (dropout off), ending in the class probabilities. Chosen: "
                           "the first two, and the first mistake after them if there is one.");
    if (r->examples == NULL || dn_dataset_rows(r->examples) == 0) {
        fputs("<p class=\"note\">No examples to trace.</p>\n</section>\n", out);
        return DN_OK;
    }
    size_t rows = dn_dataset_rows(r->examples), outputs = dn_model_output_size(r->model);
    float *y = malloc(rows * outputs * sizeof *y);
    float *x = malloc(dn_model_input_size(r->model) * sizeof *x);
    dn_status st = y && x ? dn_model_predict_dataset(r->model, r->examples, y, err) : DN_ERR_MEMORY;
    size_t chosen[CLI_REPORT_EXAMPLES], n = st == DN_OK ? choose_examples(r, y, outputs, chosen) : 0;
    for (size_t i = 0; i < n && st == DN_OK; ++i) st = trace_example(out, r, chosen[i], x, err);
    free(y);
    free(x);
    fputs("</section>\n", out);
    return st;
}

/* ---- confusion matrix --------------------------------------------------------------------- */

static void confusion_table(FILE *out, const uint64_t *m, size_t classes, const char *const *names) {
    fputs("<details><summary>The counts as a table</summary>\n<table class=\"confusion\">\n"
          "<tr><th class=\"text\">true \\ predicted</th>", out);
    for (size_t p = 0; p < classes; ++p) {
        fputs("<th>", out);
        cli_html_text(out, names[p]);
        fputs("</th>", out);
    }
    fputs("</tr>\n", out);
    for (size_t t = 0; t < classes; ++t) {
        fputs("<tr><th class=\"text\">", out);
        cli_html_text(out, names[t]);
        fputs("</th>", out);
        for (size_t p = 0; p < classes; ++p) fprintf(out, "<td>%llu</td>", (unsigned long long)m[t * classes + p]);
        fputs("</tr>\n", out);
    }
    fputs("</table>\n</details>\n", out);
}

static void confusion_figure(FILE *out, const cli_report *r, const uint64_t *m, size_t classes,
                             char (*buf)[NAME_SIZE], const char **names) {
    uint64_t total = 0, diagonal = 0;
    for (size_t t = 0; t < classes; ++t) {
        names[t] = cli_class_label(r->model, t, buf[t], NAME_SIZE);
        diagonal += m[t * classes + t];
        for (size_t p = 0; p < classes; ++p) total += m[t * classes + p];
    }
    fputs("<figure>\n", out);
    cli_chart_heatmap(out, m, classes, names, "confusion matrix heat map");
    fputs("<figcaption>Rows: true class; columns: predicted class. A cell's shade is its share of "
          "the row (darker = more); the outlined diagonal holds the correct predictions.</figcaption>\n"
          "</figure>\n", out);
    fprintf(out, "<p class=\"confusion-total\">Accuracy on the %llu %s examples: <strong>%.4f"
                 "</strong> (%llu on the diagonal).</p>\n", (unsigned long long)total,
            r->examples_name, total ? (double)diagonal / (double)total : 0.0,
            (unsigned long long)diagonal);
    confusion_table(out, m, classes, names);
}

dn_status cli_report_section_confusion(FILE *out, const cli_report *r, dn_error *err) {
    cli_report_section_open(out, "confusion", "5. Confusion matrix",
                           "How the held-out examples were classified at inference.");
    size_t outputs = dn_model_output_size(r->model), classes = outputs == 1 ? 2 : outputs;
    if (r->examples == NULL || dn_dataset_classes(r->examples) == 0 ||
        dn_model_loss(r->model) == DN_LOSS_MEAN_SQUARED_ERROR ||
        dn_model_loss(r->model) == DN_LOSS_MEAN_ABSOLUTE_ERROR) {
        fputs("<p class=\"note\">Not a classification with labelled examples: no matrix.</p>\n"
              "</section>\n", out);
        return DN_OK;
    }
    uint64_t *m = calloc(classes * classes, sizeof *m);
    char (*buf)[NAME_SIZE] = calloc(classes, sizeof *buf);
    const char **names = calloc(classes, sizeof *names);
    dn_status st = m && buf && names ? dn_model_confusion_matrix(r->model, r->examples, m, err)
                                     : DN_ERR_MEMORY;
    if (st == DN_OK) confusion_figure(out, r, m, classes, buf, names);
    free(m);
    free(buf);
    free(names);
    fputs("</section>\n", out);
    return st;
}

/* ---- weights ------------------------------------------------------------------------------ */

typedef struct summary {
    double min, max, mean, std;
} summary;

static summary summarise(const float *v, size_t n) {
    summary s = {INFINITY, -INFINITY, 0.0, 0.0};
    for (size_t i = 0; i < n; ++i) {
        s.min = v[i] < s.min ? v[i] : s.min;
        s.max = v[i] > s.max ? v[i] : s.max;
        s.mean += v[i];
    }
    s.mean /= (double)(n ? n : 1);
    for (size_t i = 0; i < n; ++i) s.std += ((double)v[i] - s.mean) * ((double)v[i] - s.mean);
    s.std = sqrt(s.std / (double)(n ? n : 1));
    return s;
}

static void weight_figure(FILE *out, const float *params, const dn_layer_info *info) {
    const float *kernel = params + info->param_offset, *bias = kernel + info->inputs * info->outputs;
    size_t n = info->inputs * info->outputs;
    summary k = summarise(kernel, n), b = summarise(bias, info->outputs);
    char label[96];
    snprintf(label, sizeof label, "histogram of the %s kernel weights", info->name);
    fputs("<figure>\n<h3>", out);
    cli_html_printf(out, "%s: kernel %zu × %zu = %zu weights", info->name, info->inputs, info->outputs, n);
    fputs("</h3>\n", out);
    cli_chart_histogram(out, kernel, n, n < 120 ? 12 : 30, "weight value", label);
    double limit = sqrt(6.0 / (double)(info->inputs + info->outputs));
    fprintf(out, "<figcaption class=\"weights\">min %.4f · max %.4f · mean %.4f · std %.4f "
                 "(glorot_uniform drew the initial weights from ±%.4f). Bias: %zu values, mean %.4f, range [%.4f, %.4f]."
                 "</figcaption>\n</figure>\n", k.min, k.max, k.mean, k.std, limit, info->outputs,
            b.mean, b.min, b.max);
}

void cli_report_section_weights(FILE *out, const cli_report *r) {
    cli_report_section_open(out, "weights", "6. Weights of each dense layer",
                           "The distribution of each kernel after training. Dropout layers have no "
                           "weights.");
    const float *params = dn_model_params(r->model);
    fputs("<div class=\"figures\">\n", out);
    for (size_t i = 0; params && i < dn_model_layer_count(r->model); ++i) {
        dn_layer_info info;
        if (dn_model_layer_info(r->model, i, &info, NULL) == DN_OK && info.kind == DN_LAYER_DENSE)
            weight_figure(out, params, &info);
    }
    fputs("</div>\n</section>\n", out);
}
