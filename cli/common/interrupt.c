/* interrupt.c — the first SIGINT/SIGTERM asks training to stop; the second ends the process
 * (interrupt.h). */
#include "common/interrupt.h"

#include "dropnet.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

static volatile sig_atomic_t received;
static char last_checkpoint[4096];
static size_t last_checkpoint_epoch;

static void on_signal(int signo) {
    if (received != 0) {
        /* The temporary file of a write under way goes too (async-signal-safe). */
        dn_remove_temp_files();
        _exit(128 + signo);
    }
    received = signo;
    /* Said at once (write(2) is async-signal-safe); what was saved is said at the end. */
    static const char note[] = "\ndropnet: interrupted: stopping after the current batch and "
                               "saving (press Ctrl-C again to quit at once)\n";
    ssize_t ignored = write(STDERR_FILENO, note, sizeof note - 1);
    (void)ignored;
}

void cli_interrupt_install(void) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESTART; /* a write under way finishes rather than failing with EINTR */
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
}

int cli_interrupt_signal(void) {
    return received;
}

const volatile sig_atomic_t *cli_interrupt_flag(void) {
    return &received;
}

int cli_interrupt_status(void) {
    return 128 + received;
}

void cli_interrupt_note_checkpoint(const char *path, size_t epoch) {
    snprintf(last_checkpoint, sizeof last_checkpoint, "%s", path);
    last_checkpoint_epoch = epoch;
}

const char *cli_interrupt_last_checkpoint(size_t *epoch) {
    *epoch = last_checkpoint_epoch;
    return last_checkpoint[0] ? last_checkpoint : NULL;
}
