/* cmd_compare.c — `dropnet compare`: the page's claim measured. Trains the same network twice,
 * with its dropout layers and with every rate set to 0 (same seed, data and settings), and
 * shows train and held-out accuracy and their gap side by side, per epoch and final. */
#include "commands.h"
#include "common/cli_error.h"
#include "common/output_check.h"
#include "common/trace.h"
#include "parallel/parallel.h"
#include "report/report_train.h"
#include "train/build.h"
#include "train/fit.h"
#include "train/job.h"
#include "train/settings.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

typedef cli_report_gap epoch_accuracy; /* train and held-out accuracy, as the report draws them */

/* After each epoch: accuracy on the training rows at inference (dropout off, so the two runs are
 * measured alike) and on the held-out set (--test, else the validation split). */
typedef struct accuracy_probe {
    dn_model *model;
    const cli_train_job *job;
    epoch_accuracy *per_epoch;
    int failed;
} accuracy_probe;

static int probe_epoch(const dn_event *ev, void *user) {
    accuracy_probe *p = user;
    if (ev->kind != DN_EVENT_EPOCH_END) return 0;
    epoch_accuracy *a = &p->per_epoch[ev->epoch - 1];
    dn_error err;
    if (dn_model_evaluate(p->model, cli_train_fitted_rows(p->job), NULL, &a->train, &err) != DN_OK) {
        cli_error(-1, "%s", err.message);
        return p->failed = 1;
    }
    a->held_out = ev->metrics->val_accuracy;
    if (p->job->test && dn_model_evaluate(p->model, p->job->test, NULL, &a->held_out, &err) != DN_OK) {
        cli_error(-1, "%s", err.message);
        return p->failed = 1;
    }
    return 0;
}

/* Trains one variant; history [epochs]. With `report` (the run with dropout), the report watches
 * fit before the probe, and the trained model is handed to *keep instead of freed. */
static int train_variant(const cli_train_settings *s, cli_train_job *job, int zero_rates,
                         cli_epoch_log *log, epoch_accuracy *per_epoch, dn_epoch_metrics *history,
                         cli_report *report, dn_model **keep) {
    dn_model *model = NULL;
    if (cli_train_build(s, job, zero_rates, &model) != 0) return -1;
    accuracy_probe probe = {.model = model, .job = job, .per_epoch = per_epoch};
    dn_callback observer = probe_epoch;
    void *observer_user = &probe;
    if (report) {
        report->watched = model;
        report->next = probe_epoch;
        report->next_user = &probe;
        observer = cli_report_observe;
        observer_user = report;
    }
    int code = cli_train_fit(s, job, model, zero_rates ? "without dropout: " : "with dropout:    ",
                             log, observer, observer_user, history, NULL);
    if (report) report->next = NULL; /* the probe ends here */
    if (code == 0 && keep) *keep = model;
    else dn_model_free(model);
    return code;
}

static void print_traces(const cli_train_settings *s, const dn_epoch_metrics *with,
                         const dn_epoch_metrics *without) {
    printf("\n== with dropout ==");
    cli_trace_training(stdout, with, s->epochs);
    printf("\n== without dropout (every rate 0) ==");
    cli_trace_training(stdout, without, s->epochs);
}

static void print_row(const char *label, const epoch_accuracy *with, const epoch_accuracy *without) {
    printf(" %-6s | %9.4f | %9.4f | %+7.4f | %9.4f | %9.4f | %+7.4f\n", label, with->train,
           with->held_out, with->train - with->held_out, without->train, without->held_out,
           without->train - without->held_out);
}

static void print_table(const cli_train_settings *s, const epoch_accuracy *with,
                        const epoch_accuracy *without) {
    const char *held = s->test ? "test" : "val";
    printf("\ntrain accuracy at inference vs %s accuracy; gap = train - %s\n", held, held);
    printf(" %-6s | %-37s | %s\n", "", "with dropout", "without dropout (every rate 0)");
    printf(" %-6s | %9s | %9s | %7s | %9s | %9s | %7s\n", "epoch", "train", held, "gap", "train",
           held, "gap");
    for (size_t e = 0; e < s->epochs; ++e) {
        char label[24];
        snprintf(label, sizeof label, "%zu", e + 1);
        print_row(label, &with[e], &without[e]);
    }
    const epoch_accuracy *a = &with[s->epochs - 1], *b = &without[s->epochs - 1];
    print_row("final", a, b);
    double gap_with = a->train - a->held_out, gap_without = b->train - b->held_out;
    printf("\ndropout %s the train-%s gap: %.4f with, %.4f without; %s accuracy %.4f with, %.4f "
           "without\n", gap_with < gap_without ? "narrows" : "does not narrow", held, gap_with,
           gap_without, held, a->held_out, b->held_out);
}

/* After both runs' epoch lines, --log gets compare's own table, one line per run and epoch:
 * {"compare":"with_dropout"|"without_dropout","epoch":E,"train_accuracy":…,"test_accuracy":…,
 * "gap":…} (val_accuracy when the held-out set is the validation split). scripts/compare_table.py
 * turns these lines into the README's table, so that table is this run's, not a copy. */
static void log_table(cli_epoch_log *out, const cli_train_settings *s, const epoch_accuracy *with,
                      const epoch_accuracy *without) {
    FILE *log = out->file;
    if (log == NULL || out->failed) return;
    const char *held = s->test ? "test_accuracy" : "val_accuracy";
    for (int run = 0; run < 2; ++run) {
        const epoch_accuracy *a = run == 0 ? with : without;
        for (size_t e = 0; e < s->epochs; ++e)
            fprintf(log, "{\"compare\":\"%s\",\"epoch\":%zu,\"train_accuracy\":%.9g,\"%s\":%.9g,"
                    "\"gap\":%.9g}\n", run == 0 ? "with_dropout" : "without_dropout", e + 1,
                    a[e].train, held, a[e].held_out, a[e].train - a[e].held_out);
    }
    cli_epoch_log_flush(out);
}

int cli_cmd_compare(int argc, char **argv) {
    cli_train_settings s;
    int exit_code;
    if (cli_train_parse(&s, "compare",
                        "Trains the network twice — with its dropout layers and with every rate 0 — on "
                        "the same data and seed,\nand prints both runs' train and held-out accuracy and "
                        "their gap per epoch. Options as for train.",
                        "--train DATA (--test DATA | --val-split F) --model SPEC [options]", 0, argc,
                        argv, &exit_code) != 0)
        return exit_code;
    if (s.report && cli_report_check_path(s.report, "compare") != 0) return 2;
    const cli_named_file outputs[] = {{"--log", s.log}, {"--report", s.report}};
    cli_named_file inputs[CLI_TRAIN_INPUT_COUNT];
    cli_train_inputs(&s, inputs);
    if (cli_check_outputs("compare", outputs, CLI_COUNT(outputs), inputs, CLI_TRAIN_INPUT_COUNT) != 0)
        return 2;
    if (s.test == NULL && s.val_split == 0.0f)
        return cli_error(2, "compare: give --test DATA or --val-split F to measure the gap on");
    if (s.epochs == 0) return cli_error(2, "compare: --epochs must be > 0");

    cli_train_job job;
    if (cli_train_load(&s, &job) != 0) return 1;
    if (job.regression) { /* compare's table is accuracy: a regression run has none */
        cli_train_job_free(&job);
        return cli_error(1, "compare: %s holds a regression target, and compare measures "
                            "classification accuracy: train with --val-split and read val_r2, "
                            "or give --task classification", s.train);
    }
    epoch_accuracy *with = calloc(s.epochs, sizeof *with), *without = calloc(s.epochs, sizeof *without);
    dn_epoch_metrics *history = calloc(2 * s.epochs, sizeof *history); /* [with | without] */
    cli_epoch_log log = {.file = NULL};
    cli_report report;
    cli_report_init(&report, "compare", argc, argv);
    dn_model *kept = NULL; /* the run with dropout, for --report */
    int code = with && without && history ? cli_epoch_log_open(&log, cli_parallel_is_root() ? s.log : NULL) /* rank 0 logs */
                                          : cli_error(-1, "out of memory");
    if (code == 0)
        code = train_variant(&s, &job, 0, &log, with, history, s.report ? &report : NULL,
                             s.report ? &kept : NULL);
    if (code == 0) code = train_variant(&s, &job, 1, &log, without, history + s.epochs, NULL, NULL);
    if (code == 0) print_table(&s, with, without);
    if (code == 0) log_table(&log, &s, with, without);
    if (code == 0 && s.trace) print_traces(&s, history, history + s.epochs);
    if (code == 0 && s.report && cli_parallel_is_root()) { /* MPI: rank 0 writes */
        report.baseline = history + s.epochs;
        report.gap = with;
        report.baseline_gap = without;
        report.held_out_name = s.test ? "test" : "validation";
        code = cli_report_write_training(&report, &s, &job, kept, history);
    }
    if (cli_epoch_log_close(&log) != 0) code = -1;
    cli_report_free(&report);
    dn_model_free(kept);
    free(history);
    free(with);
    free(without);
    cli_train_job_free(&job);
    return code == 0 ? 0 : 1;
}
