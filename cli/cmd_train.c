/* cmd_train.c — `dropnet train`: fit a model on a dataset and save it. */
#include "commands.h"
#include "common/cli_error.h"
#include "common/interrupt.h"
#include "common/output_check.h"
#include "common/trace.h"
#include "parallel/parallel.h"
#include "report/report_train.h"
#include "train/build.h"
#include "train/fit.h"
#include "train/job.h"
#include "train/settings.h"
#include "train/train_json.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The test set's metrics after training: printed, and logged when --log is given. */
static int evaluate_test(dn_model *model, const cli_train_job *job, cli_epoch_log *log,
                         cli_set_metrics *out) {
    if (cli_train_metrics(model, job, job->test, out) != 0) return -1;
    cli_train_print_test(out);
    cli_epoch_log_write_test(log, out->loss, out->accuracy, out->regression ? &out->reg : NULL);
    return 0;
}

/* After a numeric failure fit restored the model of the failing epoch's start: keep that work
 * (never the broken weights); the command still fails, since training did not finish. */
static void save_last_good(const dn_model *model, const char *out, dn_precision store) {
    if (!cli_parallel_is_root()) return; /* one writer */
    dn_error err;
    if (dn_model_save_as(model, out, store, &err) != DN_OK) {
        cli_error(-1, "%s", err.message);
        return;
    }
    fprintf(stderr, "dropnet: saved the last good model (%llu epochs done) to %s\n",
            (unsigned long long)dn_model_epochs_done(model), out);
}

/* Ctrl-C (or SIGTERM) came: say what was saved, and exit 128 + the signal (130 for SIGINT). */
static int interrupted(const dn_model *model, const char *out, int saved) {
    int signo = cli_interrupt_signal();
    const char *name = signo == SIGINT ? "SIGINT" : signo == SIGTERM ? "SIGTERM" : "a signal";
    size_t epoch;
    const char *checkpoint = cli_interrupt_last_checkpoint(&epoch);
    char resume[4200] = "";
    if (checkpoint != NULL)
        snprintf(resume, sizeof resume, "; the newest checkpoint, %s, resumes exactly from epoch "
                 "%zu", checkpoint, epoch);
    if (saved)
        fprintf(stderr, "dropnet: interrupted by %s: saved %s (%llu complete epochs, %llu "
                "training steps)%s\n", name, out, (unsigned long long)dn_model_epochs_done(model),
                (unsigned long long)dn_model_step(model), resume);
    else
        fprintf(stderr, "dropnet: interrupted by %s: nothing saved to %s%s\n", name, out, resume);
    return cli_interrupt_status();
}

int cli_cmd_train(int argc, char **argv) {
    cli_train_settings s;
    int exit_code;
    if (cli_train_parse(&s, "train",
                        "Trains a network on DATA and saves it as a safetensors file. Per-epoch "
                        "progress as Keras prints it:\na live bar on a terminal, one line per epoch "
                        "otherwise.",
                        "--train DATA --model SPEC --out FILE [options]", 1, argc, argv,
                        &exit_code) != 0)
        return exit_code;
    if (s.report && cli_report_check_path(s.report, "train") != 0) return 2;
    /* Before anything is read or written: no output may be an input. --init is read completely
     * before --out is written, so `--init m --out m` replaces m by design; --log and --report
     * over it would only destroy it. */
    const char *json = s.json && strcmp(s.json, "-") != 0 ? s.json : NULL; /* "-": stdout */
    const cli_named_file outputs[] = {{"--out", s.out}, {"--log", s.log}, {"--report", s.report},
                                      {"--json", json}};
    cli_named_file inputs[CLI_TRAIN_INPUT_COUNT];
    cli_train_inputs(&s, inputs);
    if (cli_check_outputs("train", outputs, CLI_COUNT(outputs), inputs, CLI_TRAIN_INPUT_COUNT - 1) != 0 ||
        cli_check_outputs("train", outputs + 1, 3, inputs + 3, 1) != 0)
        return 2;

    /* From here, Ctrl-C stops training and saves (common/interrupt.h). Not in an MPI job of
     * several ranks: there SIGTERM is mpirun ending the job (a rank failed or died, or Ctrl-C on
     * mpirun), the ranks could not agree on a batch to stop at, and nothing may be saved; the
     * default handler ends the process, removing a temporary file under way. */
    if (cli_parallel_size() == 1) cli_interrupt_install();
    cli_train_job job;
    if (cli_train_load(&s, &job) != 0) return cli_interrupt_signal() ? cli_interrupt_status() : 1;
    dn_model *model = NULL;
    cli_epoch_log log = {.file = NULL};
    dn_epoch_metrics *history = calloc(s.epochs ? s.epochs : 1, sizeof *history);
    cli_report report; /* --report: watches fit for the first batch's masks */
    cli_report_init(&report, "train", argc, argv);
    int numeric_failure = 0, saved = 0;
    int code = history ? cli_train_build(&s, &job, 0, &model) : cli_error(-1, "out of memory");
    report.watched = model;
    code = cli_parallel_all_ok(code); /* every rank built its model, before rank 0 opens --log */
    if (code == 0) code = cli_epoch_log_open(&log, cli_parallel_is_root() ? s.log : NULL) /* rank 0 logs */;
    if (code == 0 && !cli_interrupt_signal())
        code = cli_train_fit(&s, &job, model, NULL, &log, s.report ? cli_report_observe : NULL,
                             &report, history, &numeric_failure);
    int stopped = code == CLI_FIT_INTERRUPTED || (code == 0 && cli_interrupt_signal());
    if (code == CLI_FIT_INTERRUPTED) code = 0;
    if (numeric_failure) { /* code is -1: fit printed the failure */
        save_last_good(model, s.out, s.store);
        goto finish;
    }
    /* Interrupted: the model as it is goes to --out at once; no test, trace or report. */
    if (code == 0 && !stopped && s.trace) cli_trace_training(stdout, history, s.epochs);
    cli_set_metrics test;
    if (code == 0 && !stopped && job.test) code = evaluate_test(model, &job, &log, &test);
    dn_error err;
    int writer = cli_parallel_is_root(); /* in an MPI job, rank 0 writes the files */
    saved = code == 0 && (!writer || (code = dn_model_save_as(model, s.out, s.store, &err) != DN_OK
                                                 ? cli_error(-1, "%s", err.message) : 0) == 0);
    if (saved && !stopped) printf("saved %s (%zu parameters)\n", s.out, dn_model_param_count(model));
    if (code == 0 && !stopped && writer && s.json)
        code = cli_train_write_json(s.json, &s, &job, model, job.test ? &test : NULL);
    if (code == 0 && !stopped && writer && s.report)
        code = cli_report_write_training(&report, &s, &job, model, history);
finish:
    if (cli_epoch_log_close(&log) != 0) code = -1; /* the model is saved; the run still fails */
    if (cli_interrupt_signal()) code = interrupted(model, s.out, saved);
    cli_report_free(&report);
    free(history);
    dn_model_free(model);
    cli_train_job_free(&job);
    return code == 0 ? 0 : code > 0 ? code : 1;
}
