/* checkpoint_state.h — the CLI's own state inside a checkpoint (cli/train/checkpoint_state.c):
 * the epoch history and early stopping's counters, as text. */
#ifndef CLI_CHECKPOINT_STATE_H
#define CLI_CHECKPOINT_STATE_H

#include "train/controls.h"

#include "dropnet.h"

#include <stddef.h>

/* The CLI's state as checkpoint text: the history of epochs 1..done and early stopping. */
char *cli_checkpoint_state_text(const dn_epoch_metrics *history, size_t done,
                               const cli_controls *controls);

/* Reads that text back into history [epochs] and the controls' counters (not the best weights,
 * which travel as the checkpoint's values). Returns 0, or -1 with a message when malformed. */
int cli_checkpoint_state_parse(const char *text, dn_epoch_metrics *history, size_t epochs,
                              size_t done, cli_controls *controls, char *message, size_t size);

#endif
