/* controls.h — training controls built only from public calls, as Keras callbacks are:
 * a learning-rate schedule (LearningRateScheduler), a momentum ramp (Srivastava et al. 2014,
 * momentum rising linearly over the first epochs) and early stopping that restores the best
 * weights (EarlyStopping with restore_best_weights=True). One fit observer applies all three,
 * then passes every event on to the next observer. */
#ifndef CLI_CONTROLS_H
#define CLI_CONTROLS_H

#include "dropnet.h"

#include <stddef.h>

typedef enum cli_schedule_kind {
    CLI_SCHEDULE_CONSTANT = 0,
    CLI_SCHEDULE_EXP,    /* lr0 · f^(e−1) */
    CLI_SCHEDULE_STEP,   /* lr0 · f^⌊(e−1)/n⌋ */
    CLI_SCHEDULE_COSINE  /* lr0 · (m + (1−m)·½(1 + cos(π(e−1)/E))), Keras CosineDecay per epoch */
} cli_schedule_kind;

typedef struct cli_schedule_spec {
    cli_schedule_kind kind;
    float factor;       /* exp, step */
    size_t every;       /* step: epochs per step */
    float min_fraction; /* cosine: the final rate as a fraction of lr0 (Keras alpha) */
} cli_schedule_spec;

/* Parses "exp:F", "step:N:F", "cosine" or "cosine:M" (F in (0, 1], N ≥ 1, M in [0, 1)).
 * Returns 0, or -1 with a message on a malformed text. */
int cli_schedule_parse(const char *text, cli_schedule_spec *out, char *message, size_t size);

/* The rate for 1-based epoch `epoch` of `epochs`. */
double cli_schedule_rate(const cli_schedule_spec *spec, double initial, size_t epoch, size_t epochs);

typedef struct cli_momentum_ramp {
    int on;
    float from, to;  /* in [0, 1) */
    size_t epochs;   /* ≥ 1: epoch 1 uses `from`, epoch `epochs`+ uses `to` */
} cli_momentum_ramp;

/* Parses "FROM:TO:N". Returns 0, or -1 with a message on a malformed text. */
int cli_momentum_ramp_parse(const char *text, cli_momentum_ramp *out, char *message, size_t size);

/* The momentum of 1-based epoch `epoch`. */
double cli_momentum_ramp_value(const cli_momentum_ramp *ramp, size_t epoch);

/* The observer's state. Fill the settings, zero the rest; call cli_controls_finish after fit. */
typedef struct cli_controls {
    dn_model *model;
    double initial_rate;
    size_t epochs;
    cli_schedule_spec schedule;
    cli_momentum_ramp ramp;
    size_t patience;        /* early stopping: epochs without improvement before stopping */
    int early_stopping;     /* on/off */
    int monitor_accuracy;   /* 1: val_accuracy (higher is better), 0: val_loss */
    dn_callback next;
    void *next_user;
    /* state */
    float *best;            /* parameters of the best epoch so far */
    double best_value;
    size_t best_epoch, waited;
    int stopped_early, failed;
} cli_controls;

/* The dn_callback to pass to dn_model_fit with a cli_controls as `user`. */
int cli_controls_callback(const dn_event *event, void *user);

/* After fit: restores the best weights when early stopping monitored the run, frees the state.
 * Returns the status fit should be taken to have: DN_OK for a stop that early stopping made. */
dn_status cli_controls_finish(cli_controls *c, dn_status fit_status);

#endif
