/* progress.c — Keras-like per-epoch progress, live on a terminal, plain in a pipe. */
#include "train/progress.h"

#include "common/epoch_log.h"

#include <math.h>
#include <time.h>
#include <unistd.h>

enum { BAR_WIDTH = 30 };

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

void cli_progress_init(cli_progress *p, FILE *out, cli_epoch_log *log) {
    *p = (cli_progress){.out = out, .live = out != NULL && isatty(fileno(out)), .log = log};
}

static void metric(FILE *out, const char *name, double v) {
    if (!isnan(v)) fprintf(out, " - %s: %.4f", name, v);
}

static void draw_bar(cli_progress *p, const dn_event *ev) {
    double t = now();
    if (ev->batch != ev->batches && t - p->last_draw < 0.1) return;
    p->last_draw = t;
    double elapsed = t - p->epoch_start;
    double eta = elapsed / (double)ev->batch * (double)(ev->batches - ev->batch);
    int filled = (int)((double)ev->batch / (double)ev->batches * BAR_WIDTH);
    fprintf(p->out, "\r%s%zu/%zu [", p->prefix ? p->prefix : "", ev->batch, ev->batches);
    for (int i = 0; i < BAR_WIDTH; ++i) fputc(i < filled ? '=' : i == filled ? '>' : '.', p->out);
    fprintf(p->out, "] - ETA %.0fs", eta);
    metric(p->out, "loss", ev->loss);
    metric(p->out, "accuracy", ev->accuracy);
    fputs("\033[K", p->out);
    fflush(p->out);
}

static void epoch_line(cli_progress *p, const dn_event *ev, const cli_regression_metrics *val) {
    const dn_epoch_metrics *m = ev->metrics;
    if (p->live) fputc('\r', p->out);
    fprintf(p->out, "%sEpoch %zu/%zu - %.1fs", p->prefix ? p->prefix : "", ev->epoch, ev->epochs,
            m->seconds);
    metric(p->out, "loss", m->loss);
    metric(p->out, "accuracy", m->accuracy);
    metric(p->out, "val_loss", m->val_loss);
    metric(p->out, "val_accuracy", m->val_accuracy);
    if (val != NULL) {
        fprintf(p->out, " - val_mae: %.4g - val_rmse: %.4g", val->mae, val->rmse);
        metric(p->out, "val_r2", val->r2);
    }
    fputs(p->live ? "\033[K\n" : "\n", p->out);
    fflush(p->out);
}

int cli_progress_callback(const dn_event *ev, void *user) {
    cli_progress *p = user;
    if (ev->kind == DN_EVENT_EPOCH_BEGIN) p->epoch_start = p->last_draw = now();
    if (p->out != NULL && p->live && ev->kind == DN_EVENT_BATCH_END) draw_bar(p, ev);
    if (ev->kind == DN_EVENT_EPOCH_END) {
        cli_regression_metrics val, *have = NULL;
        if (p->target != NULL && p->val != NULL && p->model != NULL &&
            cli_regression_evaluate(p->model, p->val, p->target, 1, &val) == 0)
            have = &val;
        if (have != NULL && p->val_history != NULL && ev->epoch >= 1 && ev->epoch <= p->epochs)
            p->val_history[ev->epoch - 1] = val;
        if (p->out != NULL) epoch_line(p, ev, have);
        if (p->log != NULL) cli_epoch_log_write_metrics(p->log, ev->metrics, have);
    }
    return p->next != NULL ? p->next(ev, p->next_user) : 0;
}
