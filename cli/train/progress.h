/* progress.h — what a training command shows while it trains, and what it logs.
 *
 * Keras-style: on a terminal a live bar with ETA, redrawn at most ten times a second; otherwise
 * one plain line per epoch. The --log file receives one JSON object per epoch. */
#ifndef CLI_PROGRESS_H
#define CLI_PROGRESS_H

#include "common/epoch_log.h"
#include "common/regression.h"

#include "dropnet.h"

#include <stdio.h>

typedef struct cli_progress {
    FILE *out;          /* where progress goes (stdout), or NULL for silence */
    int live;           /* redraw a bar in place (out is a terminal) */
    cli_epoch_log *log; /* JSON lines, or NULL */
    const char *prefix; /* e.g. "with dropout: ", may be NULL */
    double epoch_start, last_draw;
    /* Regression (all three set, else NULL): each epoch also shows and logs the validation
     * rows' MAE, RMSE and R² in the target's units (val holds standardised targets). */
    dn_model *model;
    const dn_dataset *val;
    const cli_target_scale *target;
    cli_regression_metrics *val_history; /* [epochs] or NULL: each epoch's metrics kept (epoch
                                            e at e − 1) for the report */
    size_t epochs;
    /* An extra observer run after the above (e.g. compare's per-epoch evaluation). */
    dn_callback next;
    void *next_user;
} cli_progress;

/* Progress on `out` (live when it is a terminal), logging to `log` (may be NULL). */
void cli_progress_init(cli_progress *p, FILE *out, cli_epoch_log *log);

/* The dn_callback to pass to dn_model_fit with a cli_progress as `user`. */
int cli_progress_callback(const dn_event *event, void *user);

#endif
