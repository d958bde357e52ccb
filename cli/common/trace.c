/* trace.c — the Model Pipeline Trace, rendered as text from real numbers of a run. */
#include "common/trace.h"

#include <math.h>
#include <string.h>

enum { CHART_WIDTH = 48 };

const char *cli_trace_layer_type(dn_layer_kind kind) {
    switch (kind) {
    case DN_LAYER_DENSE: return "Dense";
    case DN_LAYER_DROPOUT: return "Dropout";
    case DN_LAYER_ALPHA_DROPOUT: return "AlphaDropout"; /* Keras' class names */
    case DN_LAYER_GAUSSIAN_DROPOUT: return "GaussianDropout";
    case DN_LAYER_GAUSSIAN_NOISE: return "GaussianNoise";
    }
    return "?";
}

void cli_trace_row(FILE *out, const float *row, size_t n) {
    fputc('[', out);
    if (n <= 4) {
        for (size_t j = 0; j < n; ++j) fprintf(out, "%s%.2f", j ? ", " : "", (double)row[j]);
    } else {
        fprintf(out, "%.2f, %.2f, %.2f, ..., %.2f", (double)row[0], (double)row[1],
                (double)row[2], (double)row[n - 1]);
    }
    fputc(']', out);
}

static void rule(FILE *out, char c) {
    for (int i = 0; i < 65; ++i) fputc(c, out);
    fputc('\n', out);
}

void cli_trace_summary(FILE *out, const dn_model *model) {
    fprintf(out, "Model: \"sequential\"\n");
    rule(out, '_');
    fprintf(out, " %-27s %-25s %s\n", "Layer (type)", "Output Shape", "Param #");
    rule(out, '=');
    size_t total = 0;
    for (size_t i = 0; i < dn_model_layer_count(model); ++i) {
        dn_layer_info info;
        if (dn_model_layer_info(model, i, &info, NULL) != DN_OK) continue;
        char left[64], shape[32];
        snprintf(left, sizeof left, "%s (%s)", info.name, cli_trace_layer_type(info.kind));
        snprintf(shape, sizeof shape, "(None, %zu)", info.outputs);
        fprintf(out, " %-27s %-25s %zu\n", left, shape, info.param_count);
        total += info.param_count;
    }
    rule(out, '=');
    fprintf(out, "Total params: %zu\nTrainable params: %zu\nNon-trainable params: 0\n", total, total);
    rule(out, '_');
}

void cli_trace_loss_chart(FILE *out, const dn_epoch_metrics *h, size_t epochs) {
    double max = 0.0;
    for (size_t i = 0; i < epochs; ++i) max = h[i].loss > max ? h[i].loss : max;
    fprintf(out, "Loss (training, one bar per epoch)\n");
    for (size_t i = 0; i < epochs; ++i) {
        int bar = max > 0.0 ? (int)lround(h[i].loss / max * CHART_WIDTH) : 0;
        if (bar < 1) bar = 1;
        fprintf(out, " %6.4f |", h[i].loss);
        for (int k = 0; k < bar; ++k) fputc('*', out);
        fprintf(out, "  epoch %zu\n", h[i].epoch);
    }
}

/* The gap between training and validation accuracy, as a phrase. */
static void describe_gap(const dn_epoch_metrics *m, char *buf, size_t size) {
    if (!m->has_validation || isnan(m->accuracy)) {
        buf[0] = '\0';
        return;
    }
    double gap = m->accuracy - m->val_accuracy;
    if (gap <= 0.0)
        snprintf(buf, size, "; validation %+.3f above training (dropout is active only in training)",
                 -gap);
    else if (gap <= 0.05)
        snprintf(buf, size, "; train/val gap %.3f: generalising", gap);
    else
        snprintf(buf, size, "; train/val gap %.3f: overfitting begins", gap);
}

void cli_trace_observation(const dn_epoch_metrics *h, size_t i, char *buf, size_t size) {
    char gap[128];
    describe_gap(&h[i], gap, sizeof gap);
    if (i == 0) {
        snprintf(buf, size, "first pass: loss %.3f%s", h[i].loss, gap);
        return;
    }
    double change = (h[i].loss - h[i - 1].loss) / h[i - 1].loss * 100.0;
    const char *trend = change < -1.0 ? "loss falls" : change > 1.0 ? "loss RISES" : "loss flat";
    char val[96] = "";
    if (h[i].has_validation && h[i].val_loss > h[i - 1].val_loss && change < 0.0)
        snprintf(val, sizeof val, "; val_loss up %.3f", h[i].val_loss - h[i - 1].val_loss);
    snprintf(buf, size, "%s %.1f%%%s%s", trend, fabs(change), val, gap);
}

static void print_metric(FILE *out, double v, int width) {
    if (isnan(v)) fprintf(out, " %-*s |", width, "-");
    else fprintf(out, " %-*.4f |", width, v);
}

void cli_trace_epoch_table(FILE *out, const dn_epoch_metrics *h, size_t epochs) {
    fprintf(out, " epoch | loss   | accuracy | val_loss | val_accuracy | observation\n");
    fprintf(out, "-------+--------+----------+----------+--------------+------------\n");
    for (size_t i = 0; i < epochs; ++i) {
        char obs[256];
        cli_trace_observation(h, i, obs, sizeof obs);
        fprintf(out, " %-5zu |", h[i].epoch);
        print_metric(out, h[i].loss, 6);
        print_metric(out, h[i].accuracy, 8);
        print_metric(out, h[i].val_loss, 8);
        print_metric(out, h[i].val_accuracy, 12);
        fprintf(out, " %s\n", obs);
    }
}

size_t cli_trace_image_side(size_t features) {
    size_t side = (size_t)llround(sqrt((double)features));
    return side >= 8 && side * side == features ? side : 0;
}

void cli_trace_image(FILE *out, const float *pixels, size_t side) {
    static const char ramp[] = " .:-=+*#%@";
    float lo = pixels[0], hi = pixels[0];
    for (size_t i = 1; i < side * side; ++i) {
        lo = pixels[i] < lo ? pixels[i] : lo;
        hi = pixels[i] > hi ? pixels[i] : hi;
    }
    for (size_t r = 0; r < side; ++r) {
        fputs("   ", out);
        for (size_t c = 0; c < side; ++c) {
            double t = hi > lo ? (pixels[r * side + c] - lo) / (hi - lo) : 0.0;
            char ch = ramp[(int)lround(t * (double)(sizeof ramp - 2))];
            fputc(ch, out);
            fputc(ch, out);
        }
        fputc('\n', out);
    }
}

void cli_trace_training(FILE *out, const dn_epoch_metrics *h, size_t epochs) {
    if (epochs == 0) return;
    fprintf(out, "\nTraining trace — epoch by epoch (training figures with dropout on, validation "
                 "with it off)\n");
    cli_trace_loss_chart(out, h, epochs);
    fputc('\n', out);
    cli_trace_epoch_table(out, h, epochs);
}

static void trace_layer(FILE *out, const dn_model *model, size_t i) {
    dn_layer_info info;
    dn_model_layer_info(model, i, &info, NULL);
    size_t cols;
    const float *y = dn_model_activation(model, i + 1, NULL, &cols);
    char title[64];
    if (info.kind == DN_LAYER_DROPOUT) {
        snprintf(title, sizeof title, "Dropout(%g) (inference)", (double)info.rate);
        fprintf(out, " Layer %-3zu %-26s passes values through unchanged: ", i + 2, title);
        cli_trace_row(out, y, cols);
        fputc('\n', out);
        return;
    }
    snprintf(title, sizeof title, "Dense(%zu, %s)", info.outputs, dn_activation_name(info.activation));
    fprintf(out, " Layer %-3zu %-26s ", i + 2, title);
    cli_trace_row(out, y, cols);
    if (info.activation == DN_ACT_SOFTMAX) {
        double sum = 0.0;
        for (size_t j = 0; j < cols; ++j) sum += y[j];
        fprintf(out, "  probabilities, sum %.4f", sum);
    } else if (info.activation == DN_ACT_RELU) {
        size_t zeros = 0;
        for (size_t j = 0; j < cols; ++j) zeros += y[j] == 0.0f;
        fprintf(out, "  x·W + b, then relu: %zu of %zu units zero", zeros, cols);
    } else {
        fprintf(out, "  x·W + b, then %s", dn_activation_name(info.activation));
    }
    fputc('\n', out);
}

int cli_trace_layers(FILE *out, dn_model *model, const float *x, dn_error *err) {
    if (dn_model_forward(model, x, 1, DN_MODE_INFERENCE, 0, NULL, err) != DN_OK) return -1;
    size_t inputs;
    const float *in = dn_model_activation(model, 0, NULL, &inputs);
    fprintf(out, " Layer %-3d %-26s ", 1, "Input");
    cli_trace_row(out, in, inputs);
    fprintf(out, "  %zu features\n", inputs);
    size_t layers = dn_model_layer_count(model);
    for (size_t i = 0; i < layers; ++i) trace_layer(out, model, i);
    return 0;
}

int cli_trace_prediction(FILE *out, dn_model *model, const float *x, int true_label, dn_error *err) {
    if (cli_trace_layers(out, model, x, err) != 0) return -1;
    size_t layers = dn_model_layer_count(model), outputs;
    const float *p = dn_model_activation(model, layers, NULL, &outputs);
    /* A single sigmoid unit is p(class 1): class 1 above 0.5, with p(class 0) = 1 − p. */
    size_t predicted = dn_predicted_class(p, outputs);
    double confidence = outputs == 1 ? (predicted ? p[0] : 1.0 - p[0]) : p[predicted];
    const char *name = dn_model_class_name(model, predicted); /* NULL: classes are numbers */
    if (name) fprintf(out, " Predicted class %s (p = %.3f)", name, confidence);
    else fprintf(out, " Predicted class %zu (p = %.3f)", predicted, confidence);
    const char *truth = true_label >= 0 ? dn_model_class_name(model, (size_t)true_label) : NULL;
    if (truth) fprintf(out, ", true class %s: %s", truth, (int)predicted == true_label ? "correct" : "wrong");
    else if (true_label >= 0)
        fprintf(out, ", true class %d: %s", true_label,
                (int)predicted == true_label ? "correct" : "wrong");
    fputc('\n', out);
    return (int)predicted;
}
