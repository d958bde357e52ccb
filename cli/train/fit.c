/* fit.c — a training command's fit: progress, --log, training controls (schedule, momentum
 * ramp, early stopping) and checkpoints chained as observers around dn_model_fit. */
#include "train/fit.h"

#include "common/cli_error.h"
#include "common/interrupt.h"
#include "parallel/parallel.h"
#include "train/checkpoint.h"
#include "train/controls.h"
#include "train/progress.h"
#include "train/resume.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static int report_fit_end(const cli_train_settings *s, cli_controls *controls, dn_status st,
                          const dn_error *err, int *numeric_failure) {
    st = cli_controls_finish(controls, st);
    if (controls->failed) return cli_error(-1, "training controls failed (out of memory)");
    if (numeric_failure != NULL) *numeric_failure = st == DN_ERR_NUMERIC;
    if (st != DN_OK) return cli_error(-1, "training failed: %s", err->message);
    if (controls->stopped_early)
        printf("early stopping after epoch %zu: best %s %.4f at epoch %zu, weights restored\n",
               controls->best_epoch + controls->waited, s->monitor, controls->best_value,
               controls->best_epoch);
    return 0;
}

int cli_train_fit(const cli_train_settings *s, const cli_train_job *job, dn_model *model,
                 const char *prefix, cli_epoch_log *log, dn_callback extra, void *extra_user,
                 dn_epoch_metrics *history, int *numeric_failure) {
    if (numeric_failure != NULL) *numeric_failure = 0;
    if (s->epochs == 0) return 0;
    cli_progress progress;
    cli_progress_init(&progress, stdout, log);
    progress.prefix = prefix;
    progress.next = extra;
    progress.next_user = extra_user;
    if (job->regression) { /* validation MAE/RMSE/R² every epoch */
        progress.model = model;
        progress.val = job->val;
        progress.target = &job->target;
        progress.val_history = job->val_history;
        progress.epochs = s->epochs;
    }
    dn_fit_config fit = dn_fit_defaults();
    fit.epochs = s->epochs;
    fit.batch_size = s->batch;
    fit.shuffle = !s->no_shuffle;
    fit.validation_data = job->val; /* --val-data, or the rows --val-split held out (job.c) */
    fit.reproducible = s->reproducible;
    fit.block_rows = s->block_rows;
    fit.reducer = cli_parallel_reducer(); /* NULL outside an MPI job of 2 or more ranks */
    fit.cancel = cli_interrupt_flag(); /* Ctrl-C: fit stops before the next batch */
    cli_controls controls = {0};
    controls.model = model;
    controls.initial_rate = cli_train_optimizer(s).learning_rate; /* not the model's: a resumed one
                                                               holds its last scheduled rate */
    controls.epochs = s->epochs;
    controls.schedule = (cli_schedule_spec){.kind = CLI_SCHEDULE_EXP, .factor = s->lr_decay, .every = 1};
    if (s->lr_schedule) cli_schedule_parse(s->lr_schedule, &controls.schedule, NULL, 0);
    if (s->momentum_ramp) cli_momentum_ramp_parse(s->momentum_ramp, &controls.ramp, NULL, 0);
    controls.early_stopping = s->patience != SIZE_MAX;
    controls.patience = s->patience;
    controls.monitor_accuracy = strcmp(s->monitor, "val_accuracy") == 0;
    controls.next = cli_progress_callback;
    controls.next_user = &progress;
    /* Rank 0 alone writes checkpoints; every rank runs the same controls. */
    const char *dir = cli_parallel_is_root() ? (s->checkpoint ? s->checkpoint : s->resume) : NULL;
    cli_checkpointer writer = {.dir = dir,
                               .every = s->checkpoint_every, .keep = s->checkpoint_keep,
                               .epochs = s->epochs, .controls = &controls, .history = history,
                               .data = job->data_fingerprint};
    dn_callback observer = writer.dir ? cli_checkpoint_callback : cli_controls_callback;
    void *observer_user = writer.dir ? (void *)&writer : (void *)&controls;
    if (job->resumed_path[0] != '\0') { /* set only when --resume found a checkpoint */
        if (cli_train_restore_resumed(s, job, model, log, &controls, history) != 0) {
            free(controls.best);
            return -1;
        }
        fit.initial_epoch = (size_t)dn_model_epochs_done(model);
    }
    dn_error err = {.status = DN_OK, .message = ""};
    dn_status st = DN_OK;
    if (!controls.stopped_early) /* a run that stopped early is finished */
        st = dn_model_fit(model, cli_train_fitted_rows(job), &fit, observer, observer_user, history, &err);
    if (st == DN_ERR_CANCELLED) {
        free(controls.best); /* Ctrl-C: the weights as they are, not early stopping's best */
        return CLI_FIT_INTERRUPTED;
    }
    return report_fit_end(s, &controls, st, &err, numeric_failure);
}
