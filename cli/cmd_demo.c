/* cmd_demo.c — `dropnet demo`: the seed page's pipeline, trained for real and traced.
 *
 * The pipeline of learn/demo_pipeline.h (1000 rows × 20 features in 3 classes → Dropout(rate) →
 * Dense(10, relu) → Dense(3, softmax), the last 20 % held out for validation), then the four
 * sections of the Model Pipeline Trace: summary, data flow, training trace, prediction trace. Every number comes from this run. */
#include "commands.h"
#include "common/cli_error.h"
#include "common/epoch_log.h"
#include "common/output_check.h"
#include "common/options.h"
#include "common/trace.h"
#include "learn/demo_pipeline.h"
#include "report/report.h"
#include "report/report_page.h"

#include "dropnet.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { MAX_EPOCHS = 100000 };

typedef struct demo_settings {
    uint64_t seed;
    size_t epochs, batch;
    float rate, learning_rate;
    const char *log_path;
    const char *report_path; /* --report FILE.html */
    cli_report *report;       /* filled during and after the run when report_path is set */
} demo_settings;

/* The first training batch as it flowed through the network, for the data-flow section. */
typedef struct demo_capture {
    int done;
    size_t dataset_row;      /* which example the sample row is */
    float *rows[4];          /* row 0 of the input and of each layer's output */
    size_t widths[4];
    size_t batch_dropped, batch_elements, row_dropped;
    uint8_t *mask;           /* [batch × features] */
    cli_epoch_log log;
} demo_capture;

static void capture_first_batch(const dn_event *ev, dn_model *model, demo_capture *cap) {
    cap->dataset_row = ev->batch_index[0];
    for (size_t i = 0; i < 4; ++i) {
        size_t cols;
        const float *a = dn_model_activation(model, i, NULL, &cols);
        memcpy(cap->rows[i], a, cols * sizeof(float));
    }
    cap->batch_elements = ev->batch_rows * CLI_DEMO_FEATURES;
    dn_model_dropout_mask(model, 0, cap->mask, &cap->batch_dropped, NULL);
    cap->row_dropped = 0;
    for (size_t j = 0; j < CLI_DEMO_FEATURES; ++j) cap->row_dropped += !cap->mask[j];
    cap->done = 1;
}

typedef struct demo_observer {
    dn_model *model;
    demo_capture *capture;
    cli_report *report; /* NULL without --report */
} demo_observer;

static int observe(const dn_event *ev, void *user) {
    demo_observer *obs = user;
    if (ev->kind == DN_EVENT_BATCH_END && !obs->capture->done)
        capture_first_batch(ev, obs->model, obs->capture);
    if (obs->report) cli_report_capture(obs->report, obs->model, ev);
    if (ev->kind == DN_EVENT_EPOCH_END) cli_epoch_log_write(&obs->capture->log, ev->metrics);
    return 0;
}

static void print_stage(int number, const char *title, size_t in, size_t out, const char *what) {
    printf(" %d %-22s %4d × %-3zu → %4d × %-3zu %s\n", number, title, CLI_DEMO_ROWS, in,
           CLI_DEMO_ROWS, out, what);
}

static void print_sample(const float *row, size_t n) {
    printf("   %-22s ", "");
    cli_trace_row(stdout, row, n);
    printf("\n");
}

static void print_data_flow(const demo_settings *s, const demo_capture *cap) {
    char what[160];
    printf("\n2. Data flow — 4 stages (sample: example #%zu, the first row of the first training "
           "batch)\n", cap->dataset_row);
    print_stage(1, "Data input", CLI_DEMO_FEATURES, CLI_DEMO_FEATURES,
                "raw features: 20 measurements per example");
    print_sample(cap->rows[0], CLI_DEMO_FEATURES);
    snprintf(what, sizeof what, "zero %g%% of inputs at random, scale survivors by 1/(1-%g) = %.4g",
             (double)s->rate * 100.0, (double)s->rate, 1.0 / (1.0 - (double)s->rate));
    print_stage(2, "Dropout (training)", CLI_DEMO_FEATURES, CLI_DEMO_FEATURES, what);
    print_sample(cap->rows[1], CLI_DEMO_FEATURES);
    printf("   %-22s this row: %zu of %d dropped; this batch: %zu of %zu dropped = %.1f%% "
           "(rate %g%%)\n", "", cap->row_dropped, CLI_DEMO_FEATURES, cap->batch_dropped,
           cap->batch_elements, 100.0 * (double)cap->batch_dropped / (double)cap->batch_elements,
           (double)s->rate * 100.0);
    print_stage(3, "Dense(10, relu)", CLI_DEMO_FEATURES, CLI_DEMO_HIDDEN,
                "weighted sum x·W + b, then relu");
    print_sample(cap->rows[2], CLI_DEMO_HIDDEN);
    print_stage(4, "Dense(3, softmax)", CLI_DEMO_HIDDEN, CLI_DEMO_CLASSES,
                "class probabilities for 3 classes");
    print_sample(cap->rows[3], CLI_DEMO_CLASSES);
}

static void print_training(const dn_epoch_metrics *h, size_t epochs) {
    printf("\n3. Training trace — epoch by epoch (training figures with dropout on, validation "
           "with it off)\n");
    cli_trace_loss_chart(stdout, h, epochs);
    printf("\n");
    cli_trace_epoch_table(stdout, h, epochs);
}

static int print_prediction(dn_model *model, const dn_dataset *data, size_t row) {
    float x[CLI_DEMO_FEATURES];
    dn_error err;
    printf("\n4. Prediction trace — validation example #%zu, dropout off (inference)\n", row);
    if (dn_dataset_get_row(data, row, x, &err) != DN_OK ||
        cli_trace_prediction(stdout, model, x, dn_dataset_label(data, row), &err) < 0)
        return cli_error(-1, "%s", err.message);
    return 0;
}

/* --report: the page for this run; its traced and counted rows are the validation split. */
static int write_report(const demo_settings *s, dn_model *model, const dn_dataset *data,
                        const dn_epoch_metrics *history, size_t train_rows) {
    cli_report *r = s->report;
    dn_error err;
    if (dn_dataset_slice(data, train_rows, CLI_DEMO_ROWS, &r->owned_examples, &err) != DN_OK)
        return cli_error(-1, "%s", err.message);
    r->model = model;
    r->examples = r->owned_examples;
    r->examples_first = train_rows;
    r->history = history;
    r->epochs = s->epochs;
    snprintf(r->data_text, sizeof r->data_text, "the seed page's synthetic data: %d rows × %d "
             "features, %d classes · %zu train / %zu validation (last 20 %%)", CLI_DEMO_ROWS,
             CLI_DEMO_FEATURES, CLI_DEMO_CLASSES, train_rows, CLI_DEMO_ROWS - train_rows);
    cli_report_set(r, "model", "dropout:%g,dense:%d:relu,dense:%d:softmax", (double)s->rate,
                  CLI_DEMO_HIDDEN, CLI_DEMO_CLASSES);
    cli_report_set(r, "epochs", "%zu", s->epochs);
    cli_report_set(r, "batch", "%zu", s->batch);
    cli_report_set(r, "optimizer", "adam, lr %g", (double)s->learning_rate);
    if (cli_report_write(r, s->report_path) != 0) return -1;
    printf("\nReport written to %s\n", s->report_path);
    return 0;
}

static int run_demo(const demo_settings *s, demo_capture *cap) {
    dn_error err;
    dn_dataset *data = NULL;
    dn_model *model = NULL;
    dn_epoch_metrics *history = calloc(s->epochs ? s->epochs : 1, sizeof *history);
    int code = -1;
    if (history == NULL) {
        cli_error(-1, "out of memory");
        goto done;
    }
    if (cli_demo_data(&data, s->seed, &err) != DN_OK ||
        cli_demo_model(&model, s->rate, s->learning_rate, s->seed, &err) != DN_OK) {
        cli_error(-1, "%s", err.message);
        goto done;
    }
    if (cli_epoch_log_open(&cap->log, s->log_path) != 0) goto done;
    dn_fit_config fit = cli_demo_fit(s->epochs, s->batch);
    demo_observer obs = {.model = model, .capture = cap,
                         .report = s->report_path ? s->report : NULL};
    if (dn_model_fit(model, data, &fit, observe, &obs, history, &err) != DN_OK) {
        cli_error(-1, "%s", err.message);
        goto done;
    }
    size_t train_rows = (size_t)floor(CLI_DEMO_ROWS * (1.0 - CLI_DEMO_VALIDATION_SPLIT));
    printf("dropnet %s — Model Pipeline Trace: Dropout layers\n", dn_version());
    printf("seed %llu · %d rows × %d features · %d classes · %zu train / %zu validation (last "
           "20%%) · Adam lr %g · batch %zu · %zu epochs\n\n1. Model summary\n",
           (unsigned long long)s->seed, CLI_DEMO_ROWS, CLI_DEMO_FEATURES, CLI_DEMO_CLASSES,
           train_rows, CLI_DEMO_ROWS - train_rows, (double)s->learning_rate, s->batch, s->epochs);
    cli_trace_summary(stdout, model);
    if (cap->done) print_data_flow(s, cap);
    if (s->epochs > 0) {
        print_training(history, s->epochs);
        const dn_epoch_metrics *last = &history[s->epochs - 1];
        printf("\nFinal validation accuracy %.4f (val_loss %.4f)\n", last->val_accuracy,
               last->val_loss);
    }
    code = print_prediction(model, data, train_rows);
    if (code == 0 && s->report_path) code = write_report(s, model, data, history, train_rows);
done:
    if (cli_epoch_log_close(&cap->log) != 0) code = -1;
    free(history);
    dn_model_free(model);
    dn_dataset_free(data);
    return code;
}

int cli_cmd_demo(int argc, char **argv) {
    demo_settings s = {.seed = CLI_DEMO_SEED, .epochs = CLI_DEMO_EPOCHS, .batch = CLI_DEMO_BATCH,
                       .rate = CLI_DEMO_RATE, .learning_rate = CLI_DEMO_LEARNING_RATE};
    const cli_option options[] = {
        {"seed", CLI_OPT_U64, &s.seed, "N", "seed for data, initialisation, shuffling and masks (42)"},
        {"epochs", CLI_OPT_SIZE, &s.epochs, "N", "training epochs (5)"},
        {"rate", CLI_OPT_FLOAT, &s.rate, "R", "dropout rate in [0, 1) (0.2)"},
        {"batch", CLI_OPT_SIZE, &s.batch, "N", "batch size (32)"},
        {"lr", CLI_OPT_FLOAT, &s.learning_rate, "X", "Adam learning rate (0.005: Keras' 0.001 needs more than 5 epochs here)"},
        {"log", CLI_OPT_STRING, &s.log_path, "FILE", "write one JSON object per epoch to FILE"},
        {"report", CLI_OPT_STRING, &s.report_path, "FILE", "write an HTML report of the run (docs/REPORT.md)"},
    };
    const cli_command cmd = {
        .name = "demo",
        .summary = "Generates the seed page's data (1000 rows × 20 features, 3 classes, last 20% for "
                   "validation),\ntrains Dropout(0.2) → Dense(10, relu) → Dense(3, softmax) and prints the "
                   "Model Pipeline Trace.",
        .usage = "[--seed N] [--epochs N] [--rate R] [--batch N] [--lr X] [--log FILE] "
                 "[--report FILE]",
        .options = options,
        .option_count = CLI_COUNT(options),
    };
    int exit_code;
    if (cli_parse_command(&cmd, argc, argv, &exit_code) != 0) return exit_code;
    if (!(s.rate >= 0.0f && s.rate < 1.0f))
        return cli_error(2, "demo: --rate must be in [0, 1), got %g", (double)s.rate);
    if (s.batch == 0) return cli_error(2, "demo: --batch must be > 0");
    if (s.epochs > MAX_EPOCHS) return cli_error(2, "demo: --epochs must be <= %d", MAX_EPOCHS);
    if (!(s.learning_rate > 0.0f)) return cli_error(2, "demo: --lr must be > 0, got %g", (double)s.learning_rate);
    if (s.report_path && cli_report_check_path(s.report_path, "demo") != 0) return 2;
    const cli_named_file outputs[] = {{"--log", s.log_path}, {"--report", s.report_path}};
    if (cli_check_outputs("demo", outputs, CLI_COUNT(outputs), NULL, 0) != 0) return 2;

    float rows[4][CLI_DEMO_FEATURES];
    uint8_t *mask = malloc(s.batch * CLI_DEMO_FEATURES);
    if (mask == NULL) return cli_error(1, "out of memory");
    demo_capture cap = {.rows = {rows[0], rows[1], rows[2], rows[3]},
                        .widths = {CLI_DEMO_FEATURES, CLI_DEMO_FEATURES, CLI_DEMO_HIDDEN,
                                   CLI_DEMO_CLASSES},
                        .mask = mask};
    cli_report report;
    cli_report_init(&report, "demo", argc, argv);
    s.report = &report;
    int code = run_demo(&s, &cap);
    cli_report_free(&report);
    free(mask);
    return code == 0 ? 0 : 1;
}
