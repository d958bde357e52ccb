/* close_stdout.h — standard output checked at exit, as coreutils' close_stdout does: what a
 * command printed is flushed and its errors reported (cli/common/close_stdout.c). */
#ifndef CLI_CLOSE_STDOUT_H
#define CLI_CLOSE_STDOUT_H

/* Flushes and closes stdout. When that fails (or an earlier write to it failed: a full disk,
 * /dev/full, a closed pipe), prints "write error on standard output: REASON" and returns 1 if
 * `code` was 0; otherwise returns `code`. Call once, as the command's exit status is returned. */
int cli_close_stdout(int code);

#endif
