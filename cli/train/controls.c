/* controls.c — learning-rate schedules, momentum ramp and early stopping as one fit observer. */
#include "train/controls.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int parse_fraction(const char *text, double low, int low_open, double high, int high_open,
                          double *out) {
    char *end;
    double v = strtod(text, &end);
    if (end == text || (*end != '\0' && *end != ':') || !isfinite(v)) return 0;
    if (v < low || (low_open && v == low) || v > high || (high_open && v == high)) return 0;
    *out = v;
    return 1;
}

int cli_schedule_parse(const char *text, cli_schedule_spec *out, char *message, size_t size) {
    cli_schedule_spec s = {.kind = CLI_SCHEDULE_CONSTANT, .factor = 1.0f, .every = 1};
    double f;
    unsigned long n;
    char *end;
    if (strncmp(text, "exp:", 4) == 0 && parse_fraction(text + 4, 0, 1, 1, 0, &f) &&
        !strchr(text + 4, ':')) {
        s.kind = CLI_SCHEDULE_EXP;
        s.factor = (float)f;
    } else if (strncmp(text, "step:", 5) == 0 && (n = strtoul(text + 5, &end, 10)) >= 1 &&
               end != text + 5 && *end == ':' && parse_fraction(end + 1, 0, 1, 1, 0, &f) &&
               !strchr(end + 1, ':')) {
        s.kind = CLI_SCHEDULE_STEP;
        s.every = n;
        s.factor = (float)f;
    } else if (strcmp(text, "cosine") == 0) {
        s.kind = CLI_SCHEDULE_COSINE;
    } else if (strncmp(text, "cosine:", 7) == 0 && parse_fraction(text + 7, 0, 0, 1, 1, &f) &&
               !strchr(text + 7, ':')) {
        s.kind = CLI_SCHEDULE_COSINE;
        s.min_fraction = (float)f;
    } else {
        snprintf(message, size, "--lr-schedule expects exp:F, step:N:F, cosine or cosine:M "
                 "(F in (0, 1], N >= 1, M in [0, 1)), got '%s'", text);
        return -1;
    }
    *out = s;
    return 0;
}

double cli_schedule_rate(const cli_schedule_spec *s, double initial, size_t epoch, size_t epochs) {
    double e = (double)(epoch - 1);
    switch (s->kind) {
    case CLI_SCHEDULE_CONSTANT: return initial;
    case CLI_SCHEDULE_EXP: return initial * pow(s->factor, e);
    case CLI_SCHEDULE_STEP: return initial * pow(s->factor, floor(e / (double)s->every));
    case CLI_SCHEDULE_COSINE: {
        double progress = epochs > 1 ? e / (double)epochs : 0.0;
        double cosine = 0.5 * (1.0 + cos(3.14159265358979323846 * progress));
        return initial * (s->min_fraction + (1.0 - s->min_fraction) * cosine);
    }
    }
    return initial;
}

int cli_momentum_ramp_parse(const char *text, cli_momentum_ramp *out, char *message, size_t size) {
    double from, to;
    const char *second = strchr(text, ':'), *third = second ? strchr(second + 1, ':') : NULL;
    char *end;
    unsigned long n = third ? strtoul(third + 1, &end, 10) : 0;
    if (!second || !third || !parse_fraction(text, 0, 0, 1, 1, &from) ||
        !parse_fraction(second + 1, 0, 0, 1, 1, &to) || n < 1 || *end != '\0') {
        snprintf(message, size, "--momentum-ramp expects FROM:TO:N with FROM and TO in [0, 1) and "
                 "N >= 1 epochs, got '%s'", text);
        return -1;
    }
    *out = (cli_momentum_ramp){.on = 1, .from = (float)from, .to = (float)to, .epochs = n};
    return 0;
}

double cli_momentum_ramp_value(const cli_momentum_ramp *r, size_t epoch) {
    if (r->epochs <= 1 || epoch >= r->epochs) return r->to;
    return r->from + (r->to - r->from) * (double)(epoch - 1) / (double)(r->epochs - 1);
}

/* Whether `value` improves on the best so far (the first epoch always does). */
static int improves(const cli_controls *c, double value) {
    if (c->best_epoch == 0) return 1;
    return c->monitor_accuracy ? value > c->best_value : value < c->best_value;
}

static int watch(cli_controls *c, const dn_epoch_metrics *m) {
    double value = c->monitor_accuracy ? m->val_accuracy : m->val_loss;
    size_t n = dn_model_param_count(c->model);
    if (c->best == NULL && (c->best = malloc(n * sizeof *c->best)) == NULL) return c->failed = 1;
    if (improves(c, value)) {
        memcpy(c->best, dn_model_params(c->model), n * sizeof *c->best);
        c->best_value = value;
        c->best_epoch = m->epoch;
        c->waited = 0;
        return 0;
    }
    /* As Keras: `patience` epochs in a row without improvement stop the run (patience 0: the first). */
    if (++c->waited >= c->patience) return c->stopped_early = 1;
    return 0;
}

int cli_controls_callback(const dn_event *event, void *user) {
    cli_controls *c = user;
    if (event->kind == DN_EVENT_EPOCH_BEGIN) {
        double rate = cli_schedule_rate(&c->schedule, c->initial_rate, event->epoch, c->epochs);
        /* A rate that underflows to 0 would be refused: keep a tiny positive one. */
        if (dn_model_set_learning_rate(c->model, rate > 1e-30 ? (float)rate : 1e-30f, NULL) != DN_OK)
            return c->failed = 1;
        if (c->ramp.on &&
            dn_model_set_momentum(c->model, (float)cli_momentum_ramp_value(&c->ramp, event->epoch),
                                  NULL) != DN_OK)
            return c->failed = 1;
    }
    int stop = c->next != NULL ? c->next(event, c->next_user) : 0;
    if (!stop && event->kind == DN_EVENT_EPOCH_END && c->early_stopping)
        stop = watch(c, event->metrics);
    return stop;
}

dn_status cli_controls_finish(cli_controls *c, dn_status fit_status) {
    if (c->best != NULL && c->best_epoch > 0 && (fit_status == DN_OK || c->stopped_early))
        memcpy(dn_model_params(c->model), c->best, dn_model_param_count(c->model) * sizeof *c->best);
    free(c->best);
    c->best = NULL;
    return c->stopped_early && fit_status == DN_ERR_STOPPED ? DN_OK : fit_status;
}
