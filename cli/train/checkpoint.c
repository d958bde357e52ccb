/* checkpoint.c — the checkpoint directory: naming, writing with retention, locking, finding the
 * newest valid file (see checkpoint.h). */
#include "train/checkpoint.h"

#include "common/cli_error.h"
#include "train/checkpoint_state.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

static const char PREFIX[] = "checkpoint-", SUFFIX[] = ".safetensors", TMP_MARK[] = ".tmp.";
enum { EPOCH_DIGITS = 6 };

/* Whether `name` is "checkpoint-NNNNNN.safetensors"; its epoch count in *epoch. */
static int epoch_of_name(const char *name, size_t *epoch) {
    size_t prefix = sizeof PREFIX - 1, len = strlen(name);
    if (strncmp(name, PREFIX, prefix) != 0 || len != prefix + EPOCH_DIGITS + sizeof SUFFIX - 1 ||
        strcmp(name + prefix + EPOCH_DIGITS, SUFFIX) != 0)
        return 0;
    *epoch = 0;
    for (size_t i = prefix; i < prefix + EPOCH_DIGITS; ++i) {
        if (name[i] < '0' || name[i] > '9') return 0;
        *epoch = *epoch * 10 + (size_t)(name[i] - '0');
    }
    return 1;
}

/* A temporary file that an atomic write of a checkpoint left behind (killed before the rename). */
static int is_leftover(const char *name) {
    return strncmp(name, PREFIX, sizeof PREFIX - 1) == 0 && strstr(name, TMP_MARK) != NULL;
}

static void path_of(char path[CLI_CHECKPOINT_PATH_SIZE], const char *dir, size_t epoch) {
    snprintf(path, CLI_CHECKPOINT_PATH_SIZE, "%s/%s%0*zu%s", dir, PREFIX, EPOCH_DIGITS, epoch, SUFFIX);
}

static int by_epoch_descending(const void *a, const void *b) {
    size_t x = *(const size_t *)a, y = *(const size_t *)b;
    return x < y ? 1 : x > y ? -1 : 0;
}

/* The epochs of every checkpoint in `dir`, newest first (*out malloc'ed, may be NULL when
 * *count is 0); -1 when the directory cannot be read. */
static int list_checkpoints(const char *dir, size_t **out, size_t *count) {
    DIR *d = opendir(dir);
    *out = NULL;
    *count = 0;
    if (d == NULL) return -1;
    size_t slots = 0;
    for (struct dirent *e; (e = readdir(d)) != NULL;) {
        size_t epoch;
        if (!epoch_of_name(e->d_name, &epoch)) continue;
        if (*count == slots) {
            size_t *grown = realloc(*out, (slots = slots ? 2 * slots : 16) * sizeof *grown);
            if (grown == NULL) {
                closedir(d);
                return -1;
            }
            *out = grown;
        }
        (*out)[(*count)++] = epoch;
    }
    closedir(d);
    if (*count > 1) qsort(*out, *count, sizeof **out, by_epoch_descending);
    return 0;
}

/* Removes the files a killed atomic write left: they are never complete. */
static void remove_leftovers(const char *dir) {
    DIR *d = opendir(dir);
    if (d == NULL) return;
    for (struct dirent *e; (e = readdir(d)) != NULL;) {
        if (!is_leftover(e->d_name)) continue;
        char path[CLI_CHECKPOINT_PATH_SIZE];
        int len = snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        if (len > 0 && (size_t)len < sizeof path) unlink(path);
    }
    closedir(d);
}

int cli_checkpoint_open_dir(const char *dir, int resuming, int *lock_fd) {
    *lock_fd = -1;
    /* Room for "/checkpoint-NNNNNN.safetensors.tmp.XXXXXX" after it in every path made here. */
    if (strlen(dir) + 64 > CLI_CHECKPOINT_PATH_SIZE)
        return cli_error(-1, "checkpoint directory path is too long (%zu bytes)", strlen(dir));
    if (mkdir(dir, 0755) != 0 && errno != EEXIST)
        return cli_error(-1, "cannot create checkpoint directory %s: %s", dir, strerror(errno));
    char lock[CLI_CHECKPOINT_PATH_SIZE];
    snprintf(lock, sizeof lock, "%s/.lock", dir);
    int fd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0)
        return cli_error(-1, "cannot write in checkpoint directory %s: %s", dir, strerror(errno));
    if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
        close(fd);
        return cli_error(-1, "checkpoint directory %s is in use by another dropnet train", dir);
    }
    *lock_fd = fd;
    remove_leftovers(dir);
    size_t *epochs, count;
    if (list_checkpoints(dir, &epochs, &count) != 0)
        return cli_error(-1, "cannot read checkpoint directory %s: %s", dir, strerror(errno));
    free(epochs);
    if (count > 0 && !resuming)
        return cli_error(-1, "checkpoint directory %s already holds checkpoints; add --resume "
                            "%s to continue that run, or choose an empty directory", dir, dir);
    return 0;
}

int cli_checkpoint_find(const char *dir, dn_model **model, dn_checkpoint_state *state,
                       char path[CLI_CHECKPOINT_PATH_SIZE]) {
    *model = NULL;
    if (strlen(dir) + 64 > CLI_CHECKPOINT_PATH_SIZE)
        return cli_error(-1, "--resume: directory path is too long (%zu bytes)", strlen(dir));
    size_t *epochs, count;
    if (list_checkpoints(dir, &epochs, &count) != 0)
        return cli_error(-1, "--resume: cannot read directory %s: %s", dir,
                            errno ? strerror(errno) : "out of memory");
    for (size_t i = 0; i < count; ++i) {
        dn_error err;
        path_of(path, dir, epochs[i]);
        if (dn_model_load_checkpoint(model, path, state, &err) == DN_OK) {
            free(epochs);
            return 0;
        }
        fprintf(stderr, "dropnet: warning: skipping checkpoint %s: %s\n", path, err.message);
    }
    free(epochs);
    if (count > 0)
        return cli_error(-1, "--resume: none of the %zu checkpoints in %s loads (see the "
                            "warnings above)", count, dir);
    printf("--resume: no checkpoint in %s yet; starting from epoch 1\n", dir);
    return 0;
}

/* Removes every checkpoint older than the newest `keep` up to epoch `done`, the one just
 * written. Newer files can only be ones a resume skipped as damaged: they are not counted, so
 * they never push out a good checkpoint (and are overwritten when the run gets there). */
static void prune(const char *dir, size_t keep, size_t done) {
    size_t *epochs, count, first = 0;
    if (list_checkpoints(dir, &epochs, &count) != 0) return;
    while (first < count && epochs[first] > done) first++;
    for (size_t i = count - first > keep ? first + keep : count; i < count; ++i) {
        char path[CLI_CHECKPOINT_PATH_SIZE];
        path_of(path, dir, epochs[i]);
        unlink(path);
    }
    free(epochs);
}

static int write_checkpoint(cli_checkpointer *c, size_t done) {
    cli_controls *controls = c->controls;
    char *text = cli_checkpoint_state_text(c->history, done, controls);
    dn_checkpoint_extra extra = {.text = text};
    if (controls->early_stopping && controls->best != NULL) {
        extra.values = controls->best;
        extra.count = dn_model_param_count(controls->model);
    }
    char path[CLI_CHECKPOINT_PATH_SIZE];
    path_of(path, c->dir, done);
    dn_error err = {.status = DN_ERR_MEMORY, .message = "out of memory"};
    dn_status st = text ? dn_model_save_checkpoint(controls->model, path, &extra, &err) : DN_ERR_MEMORY;
    free(text);
    if (st != DN_OK) {
        c->failed = 1;
        return cli_error(-1, "checkpoint: %s", err.message);
    }
    prune(c->dir, c->keep, done);
    return 0;
}

int cli_checkpoint_callback(const dn_event *event, void *user) {
    cli_checkpointer *c = user;
    int stop = cli_controls_callback(event, c->controls);
    if (event->kind != DN_EVENT_EPOCH_END || c->controls->failed) return stop;
    c->history[event->epoch - 1] = *event->metrics;
    int due = event->epoch % c->every == 0 || event->epoch == c->epochs || c->controls->stopped_early;
    if (due && write_checkpoint(c, event->epoch) != 0) return 1;
    return stop;
}
