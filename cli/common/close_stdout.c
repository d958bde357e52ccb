/* close_stdout.c — standard output flushed and checked at exit (close_stdout.h). */
#include "common/close_stdout.h"

#include "common/cli_error.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

int cli_close_stdout(int code) {
    errno = 0;
    int failed = fflush(stdout) != 0 || ferror(stdout);
    int cause = errno;
    /* EBADF with nothing pending: stdout was closed before the program started (as coreutils). */
    if (fclose(stdout) != 0 && !failed && errno != EBADF) {
        failed = 1;
        cause = errno;
    }
    if (!failed) return code;
    cli_error(-1, "write error on standard output: %s",
              cause ? strerror(cause) : "an earlier write failed");
    return code == 0 ? 1 : code;
}
