/* interrupt.h — Ctrl-C as real tools handle it (cli/common/interrupt.c). The first SIGINT or
 * SIGTERM only sets a flag: training stops after the current batch, the command saves what it
 * has and exits 128 + the signal's number (130 for Ctrl-C) saying what was saved. A second one
 * removes the temporary files of a write under way and exits at once. */
#ifndef CLI_INTERRUPT_H
#define CLI_INTERRUPT_H

#include <signal.h>
#include <stddef.h>

/* Installs the handlers for SIGINT and SIGTERM (train calls it before loading anything). */
void cli_interrupt_install(void);

/* The signal received (SIGINT, SIGTERM), or 0. */
int cli_interrupt_signal(void);

/* The flag itself, for dn_fit_config.cancel (non-zero once a signal came). */
const volatile sig_atomic_t *cli_interrupt_flag(void);

/* The exit status of an interrupted command: 128 + the signal (130 for SIGINT). */
int cli_interrupt_status(void);

/* The newest checkpoint written in this run (path, epoch), for the message at an interrupt;
 * called by the checkpoint writer after each successful write. */
void cli_interrupt_note_checkpoint(const char *path, size_t epoch);
const char *cli_interrupt_last_checkpoint(size_t *epoch);

#endif
