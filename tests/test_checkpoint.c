/* test_checkpoint.c — checkpoints through the library: stopping after any epoch, saving, loading
 * and fitting on gives the parameters of an uninterrupted run bit for bit; the caller's state
 * round-trips; the checksum catches damage in the data and in the metadata. */
#include "test.h"

#include "dropnet.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum { EPOCHS = 5 };

static dn_dataset *blobs(void) {
    dn_dataset *d = NULL;
    dn_error err;
    if (dn_dataset_create_synthetic(&d, 300, 12, 3, 11, &err) != DN_OK) return NULL;
    return d;
}

/* A model with every kind of state a resume must carry: Adam moments, dropout masks keyed by
 * step, Gaussian noise, DropConnect, max-norm, shuffling keyed by epoch. */
static dn_model *fresh_model(void) {
    dn_model *m = NULL;
    dn_error err;
    dn_optimizer_config adam = dn_optimizer_defaults(DN_OPTIMIZER_ADAM);
    dn_regularization reg = {1e-4f, 3.0f};
    if (dn_model_from_spec(&m, 12, "dropout:0.2,dense:24:relu:dropconnect=0.3,gaussian_noise:0.1,"
                           "dropout:0.5,dense:3:softmax", &err) != DN_OK ||
        dn_model_compile(m, DN_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY, &adam, 5, &err) != DN_OK ||
        dn_model_set_regularization(m, &reg, &err) != DN_OK) {
        dn_model_free(m);
        return NULL;
    }
    return m;
}

static dn_fit_config config(size_t initial_epoch) {
    dn_fit_config c = dn_fit_defaults();
    c.epochs = EPOCHS;
    c.batch_size = 32;
    c.validation_split = 0.2;
    c.initial_epoch = initial_epoch;
    return c;
}

TEST(checkpoint_after_any_epoch_resumes_bit_identically) {
    dn_error err;
    dn_dataset *data = blobs();
    dn_model *whole = fresh_model();
    CHECK(data != NULL && whole != NULL);
    if (data == NULL || whole == NULL) goto done;
    dn_fit_config all = config(0);
    CHECK_OK(dn_model_fit(whole, data, &all, NULL, NULL, NULL, &err), &err);
    size_t n = dn_model_param_count(whole);
    char path[] = "/tmp/dropnet-ckpt-XXXXXX";
    int fd = mkstemp(path);
    CHECK(fd >= 0);
    if (fd >= 0) close(fd);
    for (size_t stop = 1; stop < EPOCHS; ++stop) {
        dn_model *first = fresh_model(), *resumed = NULL;
        dn_fit_config part = config(0);
        part.epochs = stop;
        CHECK_OK(dn_model_fit(first, data, &part, NULL, NULL, NULL, &err), &err);
        CHECK_OK(dn_model_save_checkpoint(first, path, NULL, &err), &err);
        dn_checkpoint_state state;
        CHECK_OK(dn_model_load_checkpoint(&resumed, path, &state, &err), &err);
        if (resumed == NULL) {
            dn_model_free(first);
            continue;
        }
        CHECK(state.text == NULL && state.values == NULL && state.count == 0);
        CHECK(dn_model_epochs_done(resumed) == stop);
        CHECK(dn_model_step(resumed) == dn_model_step(first));
        dn_fit_config rest = config((size_t)dn_model_epochs_done(resumed));
        dn_epoch_metrics history[EPOCHS];
        memset(history, 0, sizeof history);
        CHECK_OK(dn_model_fit(resumed, data, &rest, NULL, NULL, history, &err), &err);
        CHECK(history[stop - 1].epoch == 0 && history[stop].epoch == stop + 1);
        CHECK_MSG(memcmp(dn_model_params(resumed), dn_model_params(whole), n * sizeof(float)) == 0,
                  "stopped after epoch %zu: resumed weights differ from the uninterrupted run", stop);
        dn_model_free(first);
        dn_model_free(resumed);
    }
    /* Without the optimizer state (a plain model file) Adam restarts: the weights differ. */
    dn_model *first = fresh_model(), *reloaded = NULL;
    dn_fit_config part = config(0);
    part.epochs = 2;
    CHECK_OK(dn_model_fit(first, data, &part, NULL, NULL, NULL, &err), &err);
    CHECK_OK(dn_model_save(first, path, &err), &err);
    CHECK_OK(dn_model_load(&reloaded, path, &err), &err);
    if (reloaded != NULL) {
        dn_fit_config rest = config(2);
        CHECK_OK(dn_model_fit(reloaded, data, &rest, NULL, NULL, NULL, &err), &err);
        CHECK(memcmp(dn_model_params(reloaded), dn_model_params(whole), n * sizeof(float)) != 0);
    }
    dn_model_free(first);
    dn_model_free(reloaded);
    unlink(path);
done:
    dn_model_free(whole);
    dn_dataset_free(data);
}

TEST(checkpoint_keeps_the_callers_state_and_initial_epoch_is_checked) {
    dn_error err;
    dn_model *m = fresh_model(), *back = NULL;
    dn_dataset *data = blobs();
    CHECK(m != NULL && data != NULL);
    if (m == NULL || data == NULL) goto done;
    const float values[4] = {1.5f, -0.0f, 3.25e-7f, 1e30f};
    dn_checkpoint_extra extra = {"{\"waited\": 2, \"note\": \"é\"}", values, 4};
    char path[] = "/tmp/dropnet-ckpt-XXXXXX";
    int fd = mkstemp(path);
    if (fd >= 0) close(fd);
    CHECK_OK(dn_model_save_checkpoint(m, path, &extra, &err), &err);
    dn_checkpoint_state state;
    CHECK_OK(dn_model_load_checkpoint(&back, path, &state, &err), &err);
    CHECK(state.text != NULL && strcmp(state.text, extra.text) == 0);
    CHECK(state.count == 4 && state.values != NULL &&
          memcmp(state.values, values, sizeof values) == 0);
    dn_checkpoint_state_free(&state);
    CHECK(state.text == NULL && state.values == NULL);
    dn_model_free(back);
    back = NULL;
    /* dn_model_load reads a checkpoint too, ignoring the caller's part. */
    CHECK_OK(dn_model_load(&back, path, &err), &err);
    dn_model_free(back);
    dn_checkpoint_extra bad = {NULL, NULL, 3};
    CHECK(dn_model_save_checkpoint(m, path, &bad, &err) == DN_ERR_ARGUMENT);
    dn_fit_config c = config(EPOCHS + 1);
    CHECK(dn_model_fit(m, data, &c, NULL, NULL, NULL, &err) == DN_ERR_ARGUMENT);
    CHECK(strstr(err.message, "initial_epoch 6") != NULL);
    unlink(path);
done:
    dn_model_free(m);
    dn_dataset_free(data);
}

/* Replaces the first occurrence of `from` by `to` (same length) in the file. */
static int replace_text(const char *path, const char *from, const char *to) {
    FILE *f = fopen(path, "r+b");
    if (f == NULL) return 0;
    static char buf[1 << 16];
    size_t n = fread(buf, 1, sizeof buf, f);
    char *at = NULL;
    for (size_t i = 0; i + strlen(from) <= n && at == NULL; ++i)
        if (memcmp(buf + i, from, strlen(from)) == 0) at = buf + i;
    if (at != NULL) {
        fseek(f, at - buf, SEEK_SET);
        fwrite(to, 1, strlen(to), f);
    }
    fclose(f);
    return at != NULL;
}

TEST(checksum_catches_a_flipped_weight_and_an_edited_step) {
    dn_error err;
    dn_model *m = fresh_model(), *back = NULL;
    char path[] = "/tmp/dropnet-ckpt-XXXXXX";
    int fd = mkstemp(path);
    if (fd >= 0) close(fd);
    CHECK(m != NULL);
    if (m == NULL) return;
    CHECK_OK(dn_model_save_checkpoint(m, path, NULL, &err), &err);
    CHECK_OK(dn_model_load(&back, path, &err), &err);
    dn_model_free(back);
    back = NULL;
    CHECK(dn_test_flip_byte(path, -6, SEEK_END)); /* a bit of optimizer.v: still a finite float */
    CHECK(dn_model_load(&back, path, &err) == DN_ERR_FORMAT);
    CHECK_MSG(strstr(err.message, "checksum mismatch") != NULL, "got: %s", err.message);
    CHECK(strstr(err.message, path) != NULL);

    CHECK_OK(dn_model_save(m, path, &err), &err); /* plain model files carry it too */
    CHECK(replace_text(path, "\"dropnet.step\":\"0\"", "\"dropnet.step\":\"7\""));
    CHECK(dn_model_load(&back, path, &err) == DN_ERR_FORMAT);
    CHECK_MSG(strstr(err.message, "checksum mismatch") != NULL, "got: %s", err.message);
    unlink(path);
    dn_model_free(m);
    dn_model_free(back);
}
