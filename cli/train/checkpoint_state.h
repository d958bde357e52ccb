/* checkpoint_state.h — the CLI's own state inside a checkpoint (cli/train/checkpoint_state.c):
 * the epoch history, early stopping's counters and best weights, and the data's fingerprint. The
 * text stays small whatever the run's length; the history travels in the values tensor. */
#ifndef CLI_CHECKPOINT_STATE_H
#define CLI_CHECKPOINT_STATE_H

#include "train/controls.h"

#include "dropnet.h"

#include <stddef.h>

/* The CLI's state as a checkpoint's extra: the history of epochs 1..done, early stopping (its
 * best weights [params] when it holds them) and `data` (a fingerprint, may be NULL). Fills
 * *extra with malloc'ed text and values (release with cli_checkpoint_state_release); returns 0,
 * or -1 when out of memory. */
int cli_checkpoint_state_make(const dn_epoch_metrics *history, size_t done,
                              const cli_controls *controls, size_t params, const char *data,
                              dn_checkpoint_extra *extra);
void cli_checkpoint_state_release(dn_checkpoint_extra *extra);

/* Reads a loaded checkpoint's state back: history [epochs] (epochs 1..done), the controls'
 * counters and, when the checkpoint holds them, the best weights (controls->best, malloc'ed
 * [params]); the data fingerprint into data [data_size] ("" when none was recorded). Returns 0,
 * or -1 with a message when the state is missing or malformed. Checkpoints of the older form
 * (history as a JSON array in the text) are read too. */
int cli_checkpoint_state_parse(const dn_checkpoint_state *state, dn_epoch_metrics *history,
                               size_t epochs, size_t done, size_t params, cli_controls *controls,
                               char *data, size_t data_size, char *message, size_t size);

#endif
