/* checkpoint.c — the checkpoint directory: naming, writing with retention, locking, finding the
 * newest valid file (see checkpoint.h). */
#include "train/checkpoint.h"

#include "common/cli_error.h"
#include "common/interrupt.h"
#include "train/checkpoint_state.h"
#include "train/model_file_budget.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

static const char PREFIX[] = "checkpoint-", SUFFIX[] = ".safetensors", TMP_MARK[] = ".tmp.";
enum { EPOCH_DIGITS = 6 }; /* the width written: more digits once a run passes 999,999 epochs */

/* Whether `name` is "checkpoint-N.safetensors", N decimal digits of any width (the writer pads
 * to six and goes wider past 999,999 epochs); N, which must fit in a size_t, in *epoch. */
static int epoch_of_name(const char *name, size_t *epoch) {
    size_t prefix = sizeof PREFIX - 1, len = strlen(name), suffix = sizeof SUFFIX - 1;
    if (strncmp(name, PREFIX, prefix) != 0 || len <= prefix + suffix ||
        strcmp(name + len - suffix, SUFFIX) != 0)
        return 0;
    *epoch = 0;
    for (size_t i = prefix; i < len - suffix; ++i) {
        if (name[i] < '0' || name[i] > '9') return 0;
        size_t digit = (size_t)(name[i] - '0');
        if (*epoch > (SIZE_MAX - digit) / 10) return 0;
        *epoch = *epoch * 10 + digit;
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

/* One file named like a checkpoint. */
typedef struct entry {
    size_t epoch;
    char name[256];
} entry;

static int by_epoch_descending(const void *a, const void *b) {
    size_t x = ((const entry *)a)->epoch, y = ((const entry *)b)->epoch;
    return x < y ? 1 : x > y ? -1 : 0;
}

/* Every file in `dir` named like a checkpoint, newest first (*out malloc'ed, may be NULL when
 * *count is 0); -1 when the directory cannot be read. */
static int list_checkpoints(const char *dir, entry **out, size_t *count) {
    DIR *d = opendir(dir);
    *out = NULL;
    *count = 0;
    if (d == NULL) return -1;
    size_t slots = 0;
    for (struct dirent *e; (e = readdir(d)) != NULL;) {
        size_t epoch;
        if (!epoch_of_name(e->d_name, &epoch) || strlen(e->d_name) >= sizeof(*out)->name) continue;
        if (*count == slots) {
            entry *grown = realloc(*out, (slots = slots ? 2 * slots : 16) * sizeof *grown);
            if (grown == NULL) {
                closedir(d);
                return -1;
            }
            *out = grown;
        }
        (*out)[*count].epoch = epoch;
        snprintf((*out)[*count].name, sizeof (*out)->name, "%s", e->d_name);
        (*count)++;
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
    entry *found;
    size_t count;
    if (list_checkpoints(dir, &found, &count) != 0)
        return cli_error(-1, "cannot read checkpoint directory %s: %s", dir, strerror(errno));
    free(found);
    if (count > 0 && !resuming)
        return cli_error(-1, "checkpoint directory %s already holds checkpoints; add --resume "
                            "%s to continue that run, or choose an empty directory", dir, dir);
    return 0;
}

/* Whether `path` is a regular file (after symlinks): a FIFO or device named like a checkpoint
 * would block or never end when read. */
static int is_regular(const char *path) {
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

/* Loads dir/e->name as the checkpoint of epoch e->epoch. Returns 1 when it is one; else warns
 * and returns 0, with *damaged set when it is a checkpoint that fails (not a stranger's file). */
static int load_one(const char *dir, const entry *e, dn_model **model, dn_checkpoint_state *state,
                    char path[CLI_CHECKPOINT_PATH_SIZE], int *damaged) {
    dn_error err;
    *damaged = 0;
    snprintf(path, CLI_CHECKPOINT_PATH_SIZE, "%s/%s", dir, e->name);
    if (!is_regular(path)) {
        cli_warning("skipping %s: not a regular file", path);
        return 0;
    }
    if (dn_model_load_checkpoint(model, path, state, &err) != DN_OK) {
        *damaged = 1;
        cli_warning("skipping checkpoint %s: %s", path, err.message);
        return 0;
    }
    const char *why = NULL;
    char text[160];
    if (state->text == NULL) {
        why = "a model file, not a checkpoint of dropnet train (it holds no training state)";
    } else if (dn_model_epochs_done(*model) != e->epoch) {
        *damaged = 1;
        snprintf(text, sizeof text, "its name says epoch %zu but it holds %llu epochs done",
                 e->epoch, (unsigned long long)dn_model_epochs_done(*model));
        why = text;
    }
    if (why == NULL) return 1;
    cli_warning("skipping %s: %s", path, why);
    dn_model_free(*model);
    *model = NULL;
    dn_checkpoint_state_free(state);
    return 0;
}

int cli_checkpoint_find(const char *dir, dn_model **model, dn_checkpoint_state *state,
                       char path[CLI_CHECKPOINT_PATH_SIZE], const cli_checkpoint_budget *budget) {
    *model = NULL;
    if (strlen(dir) + 64 > CLI_CHECKPOINT_PATH_SIZE)
        return cli_error(-1, "--resume: directory path is too long (%zu bytes)", strlen(dir));
    entry *found;
    size_t count, damaged = 0;
    if (list_checkpoints(dir, &found, &count) != 0)
        return cli_error(-1, "--resume: cannot read directory %s: %s", dir,
                            errno ? strerror(errno) : "out of memory");
    for (size_t i = 0; i < count; ++i) {
        int bad;
        snprintf(path, CLI_CHECKPOINT_PATH_SIZE, "%s/%s", dir, found[i].name);
        if (is_regular(path) && budget != NULL &&
            cli_model_file_fits("checkpoint", path, budget->bytes_left, budget->max_memory) != 0) {
            free(found);
            return -1;
        }
        if (load_one(dir, &found[i], model, state, path, &bad)) {
            free(found);
            return 0;
        }
        damaged += (size_t)bad;
    }
    free(found);
    /* Damaged checkpoints are an error (not a silent fresh start); other files only warnings. */
    if (damaged > 0)
        return cli_error(-1, "--resume: none of the %zu checkpoints in %s loads (see the "
                            "warnings above)", damaged, dir);
    path[0] = '\0'; /* a fresh start: nothing resumed */
    printf("--resume: no checkpoint in %s yet; starting from epoch 1\n", dir);
    return 0;
}

/* Removes every checkpoint older than the newest `keep` up to epoch `done`, the one just
 * written. Newer files can only be ones a resume skipped as damaged: they are not counted, so
 * they never push out a good checkpoint (and are overwritten when the run gets there). Only
 * regular files are counted and removed. */
static void prune(const char *dir, size_t keep, size_t done) {
    entry *found;
    size_t count, kept = 0;
    if (list_checkpoints(dir, &found, &count) != 0) return;
    for (size_t i = 0; i < count; ++i) {
        char path[CLI_CHECKPOINT_PATH_SIZE];
        snprintf(path, sizeof path, "%s/%s", dir, found[i].name);
        if (found[i].epoch > done || !is_regular(path)) continue;
        if (kept < keep) kept++;
        else unlink(path);
    }
    free(found);
}

/* Writes the checkpoint of epoch `done`. A failure (a full disk, say) is a warning: training
 * goes on, the next checkpoint tries again, and the run's --out is still saved at the end. */
static void write_checkpoint(cli_checkpointer *c, size_t done) {
    cli_controls *controls = c->controls;
    dn_checkpoint_extra extra;
    char path[CLI_CHECKPOINT_PATH_SIZE];
    path_of(path, c->dir, done);
    dn_error err = {.status = DN_ERR_MEMORY, .message = "out of memory"};
    dn_status st = DN_ERR_MEMORY;
    if (cli_checkpoint_state_make(c->history, done, controls, dn_model_param_count(controls->model),
                                  c->data, &extra) == 0) {
        st = dn_model_save_checkpoint(controls->model, path, &extra, &err);
        cli_checkpoint_state_release(&extra);
    }
    if (st != DN_OK) {
        c->failures++;
        cli_warning("checkpoint of epoch %zu not written (%s); training goes on, the next "
                    "checkpoint tries again", done, err.message);
        return;
    }
    cli_interrupt_note_checkpoint(path, done);
    prune(c->dir, c->keep, done);
}

int cli_checkpoint_callback(const dn_event *event, void *user) {
    cli_checkpointer *c = user;
    int stop = cli_controls_callback(event, c->controls);
    if (event->kind != DN_EVENT_EPOCH_END || c->controls->failed) return stop;
    c->history[event->epoch - 1] = *event->metrics;
    /* An interrupted run stops here: its last complete epoch gets a checkpoint. */
    int due = event->epoch % c->every == 0 || event->epoch == c->epochs ||
              c->controls->stopped_early || cli_interrupt_signal() != 0;
    if (due) write_checkpoint(c, event->epoch);
    return stop;
}
