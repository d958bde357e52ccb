/* temp_registry.c — the temporary files being written, removable from a signal handler.
 *
 * A fixed table, no allocation: a signal handler may run in the middle of malloc. A slot is
 * claimed with an atomic compare-and-swap (so two threads saving at once never share one), filled,
 * then published; dn_remove_temp_files only reads published slots and calls unlink(), which is
 * async-signal-safe. A slot unpublished after its file was renamed can at worst make the handler
 * unlink a name that no longer exists, which fails harmlessly. */
#include "io/output_path.h"
#include "io/temp_registry.h"

#include <errno.h>
#include <signal.h>
#include <stdatomic.h>
#include <string.h>
#include <unistd.h>

enum { DN_TEMP_SLOTS = 16, DN_TEMP_PATH_SIZE = DN_OUTPUT_PATH_MAX + 32 };
enum { SLOT_FREE = 0, SLOT_FILLING, SLOT_LIVE };

static atomic_int slot_state[DN_TEMP_SLOTS];
static char slot_path[DN_TEMP_SLOTS][DN_TEMP_PATH_SIZE];

int dni_temp_register(const char *tmp) {
    size_t n = strlen(tmp);
    if (n >= DN_TEMP_PATH_SIZE) return -1;
    for (int i = 0; i < DN_TEMP_SLOTS; ++i) {
        int expected = SLOT_FREE;
        if (!atomic_compare_exchange_strong(&slot_state[i], &expected, SLOT_FILLING)) continue;
        memcpy(slot_path[i], tmp, n + 1);
        atomic_store(&slot_state[i], SLOT_LIVE);
        return i;
    }
    return -1;
}

void dni_temp_unregister(int slot) {
    if (slot >= 0 && slot < DN_TEMP_SLOTS) atomic_store(&slot_state[slot], SLOT_FREE);
}

void dn_remove_temp_files(void) {
    int saved = errno; /* a handler must leave errno as it found it */
    for (int i = 0; i < DN_TEMP_SLOTS; ++i)
        if (atomic_load(&slot_state[i]) == SLOT_LIVE) unlink(slot_path[i]);
    errno = saved;
}

/* Removes the temporary files, then dies of the same signal as it would have without us. */
static void cleanup_and_reraise(int sig) {
    dn_remove_temp_files();
    signal(sig, SIG_DFL);
    raise(sig);
}

/* The signals whose default action ends the process and that a process can catch. */
static const int DN_FATAL_SIGNALS[] = {SIGHUP,  SIGINT,  SIGQUIT, SIGTERM, SIGPIPE, SIGALRM,
                                       SIGUSR1, SIGUSR2, SIGXCPU, SIGXFSZ, SIGVTALRM, SIGPROF};

int dn_install_temp_cleanup(void) {
    int installed = 0;
    for (size_t i = 0; i < sizeof DN_FATAL_SIGNALS / sizeof DN_FATAL_SIGNALS[0]; ++i) {
        struct sigaction old, act;
        if (sigaction(DN_FATAL_SIGNALS[i], NULL, &old) != 0 || old.sa_handler != SIG_DFL ||
            (old.sa_flags & SA_SIGINFO))
            continue; /* ignored or handled by the application: its choice stands */
        memset(&act, 0, sizeof act);
        act.sa_handler = cleanup_and_reraise;
        sigemptyset(&act.sa_mask);
        if (sigaction(DN_FATAL_SIGNALS[i], &act, NULL) == 0) ++installed;
    }
    return installed;
}
