/* test_cancel.c — the cancellation hook of dn_model_fit (dn_fit_config.cancel, issue 12). */
#include "test.h"

#include "dropnet.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static dn_model *small_model(void) {
    dn_model *m = NULL;
    dn_error err;
    CHECK_OK(dn_model_from_spec(&m, 6, "dense:8:relu,dropout:0.3,dense:3:softmax", &err), &err);
    if (m != NULL)
        CHECK_OK(dn_model_compile(m, DN_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY, NULL, 7, &err), &err);
    return m;
}

typedef struct {
    size_t at_batch;               /* global batch count at which to act */
    size_t seen;
    volatile sig_atomic_t *flag;   /* set it (cancel), or NULL: return "stop" */
    int by_signal;                 /* set it from a real SIGUSR1 handler */
} stopper;

static volatile sig_atomic_t signal_flag;
static void on_usr1(int sig) {
    (void)sig;
    signal_flag = 1;
}

static int after_batches(const dn_event *ev, void *user) {
    stopper *s = user;
    if (ev->kind != DN_EVENT_BATCH_END || ++s->seen != s->at_batch) return 0;
    if (s->by_signal) raise(SIGUSR1);
    else if (s->flag != NULL) *s->flag = 1;
    return s->flag == NULL && !s->by_signal;
}

TEST(fit_cancel_stops_between_batches_with_a_saveable_model) {
    dn_dataset *d = NULL;
    dn_error err;
    CHECK_OK(dn_dataset_create_synthetic(&d, 200, 6, 3, 1, &err), &err);
    dn_model *cancelled = small_model(), *stopped = small_model();
    if (d == NULL || cancelled == NULL || stopped == NULL) goto done;
    dn_fit_config c = dn_fit_defaults();
    c.epochs = 3;
    c.batch_size = 32; /* 7 batches per epoch: batch 10 is batch 3 of epoch 2 */

    /* Reference: a callback that asks to stop after the same batch (DN_ERR_STOPPED). */
    stopper ref = {10, 0, NULL, 0};
    CHECK(dn_model_fit(stopped, d, &c, after_batches, &ref, NULL, &err) == DN_ERR_STOPPED);

    /* The flag set by a real signal handler during batch 10: fit ends before batch 11. */
    signal_flag = 0;
    void (*old)(int) = signal(SIGUSR1, on_usr1);
    c.cancel = &signal_flag;
    stopper s = {10, 0, NULL, 1};
    dn_status st = dn_model_fit(cancelled, d, &c, after_batches, &s, NULL, &err);
    signal(SIGUSR1, old);
    CHECK(st == DN_ERR_CANCELLED && err.status == DN_ERR_CANCELLED);
    CHECK_MSG(strstr(err.message, "epoch 2 after batch 3 of 7") != NULL, "got %s", err.message);
    CHECK(s.seen == 10 && dn_model_step(cancelled) == 10 && dn_model_epochs_done(cancelled) == 1);
    /* Same parameters as the reference, bit for bit: no half-applied update. */
    CHECK(memcmp(dn_model_params(cancelled), dn_model_params(stopped),
                 dn_model_param_count(stopped) * sizeof(float)) == 0);

    /* Saveable, and the saved model is that model. */
    char path[] = "/tmp/dn-cancel-XXXXXX";
    int fd = mkstemp(path);
    if (CHECK(fd >= 0)) {
        close(fd);
        CHECK_OK(dn_model_save(cancelled, path, &err), &err);
        dn_model *back = NULL;
        CHECK_OK(dn_model_load(&back, path, &err), &err);
        if (back)
            CHECK(memcmp(dn_model_params(back), dn_model_params(cancelled),
                         dn_model_param_count(back) * sizeof(float)) == 0 &&
                  dn_model_step(back) == 10);
        dn_model_free(back);
        unlink(path);
    }

    /* Already set: not a single batch runs. */
    uint64_t step = dn_model_step(cancelled);
    CHECK(dn_model_fit(cancelled, d, &c, NULL, NULL, NULL, &err) == DN_ERR_CANCELLED);
    CHECK(dn_model_step(cancelled) == step);
done:
    dn_model_free(cancelled);
    dn_model_free(stopped);
    dn_dataset_free(d);
}
