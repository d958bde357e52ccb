/* checkpoint.h — `train --checkpoint DIR` and `--resume DIR`.
 *
 * A checkpoint directory holds checkpoint-NNNNNN.safetensors files, NNNNNN the epochs done, each
 * written atomically by dn_model_save_checkpoint (temporary file, fsync, rename, fsync of the
 * directory). Beside the library's state (weights, optimizer state, step, epochs) the CLI keeps
 * its own in the checkpoint: the epoch history (for --log, --trace and the report) and early
 * stopping's counters and best weights. Resuming loads the newest file that verifies (checksum
 * and all), warning about each one skipped. One run at a time per directory (a lock file). */
#ifndef CLI_CHECKPOINT_H
#define CLI_CHECKPOINT_H

#include "train/controls.h"

#include "dropnet.h"

#include <stddef.h>

enum { CLI_CHECKPOINT_PATH_SIZE = 4096 };

/* The writer: a fit observer placed before the training controls. */
typedef struct cli_checkpointer {
    const char *dir;
    size_t every;               /* epochs between checkpoints; the last epoch always gets one */
    size_t keep;                /* newest checkpoints kept */
    size_t epochs;              /* of the whole run */
    cli_controls *controls;      /* early stopping state to save and the next observer */
    dn_epoch_metrics *history;  /* [epochs], filled as epochs end */
    const char *data;           /* the data's fingerprint recorded in each checkpoint, or NULL */
    size_t failures;            /* checkpoints that could not be written (each warned about) */
} cli_checkpointer;

/* The dn_callback for dn_model_fit with a cli_checkpointer as `user`: forwards every event to the
 * controls, then at the end of every `every`-th epoch (and the last, and an early stop) writes a
 * checkpoint and removes those beyond `keep`. A failed write is a warning on stderr (failures
 * counts them): training goes on and the next checkpoint tries again. */
int cli_checkpoint_callback(const dn_event *event, void *user);

/* Creates `dir` when missing, takes its lock (*lock_fd, close it at exit) and removes temporary
 * files a killed write left. Without `resuming`, a directory that already holds checkpoints is
 * refused. Prints and returns -1 on error. */
int cli_checkpoint_open_dir(const char *dir, int resuming, int *lock_fd);

/* --max-memory for the checkpoint a resume loads: the bytes left after the data (0: no limit)
 * and the option as given, for the message. */
typedef struct cli_checkpoint_budget {
    size_t bytes_left;
    const char *max_memory;
} cli_checkpoint_budget;

/* The newest checkpoint in `dir` that loads, its path in `path`; *model is NULL when the
 * directory holds none (a fresh start). Names of any width are recognised
 * (checkpoint-1234567.safetensors past 999,999 epochs). Skipped with a warning on stderr: a file
 * that is not a regular file (never opened: a FIFO would block), a model file that is not a
 * checkpoint of dropnet train, a damaged one, one whose name and epochs done disagree; if every
 * checkpoint (not counting the first two kinds) fails, prints an error and returns -1. A file
 * that needs more than budget->bytes_left to load (read from its header, before its tensors) is
 * refused (error). */
int cli_checkpoint_find(const char *dir, dn_model **model, dn_checkpoint_state *state,
                       char path[CLI_CHECKPOINT_PATH_SIZE], const cli_checkpoint_budget *budget);

#endif
