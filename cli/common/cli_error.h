/* cli_error.h — how the dropnet tool reports an error: one line, "dropnet: error: MESSAGE", on
 * stderr, and the exit status the caller passes on. */
#ifndef CLI_ERROR_H
#define CLI_ERROR_H

#include <stddef.h>

/* Prints "dropnet: error: MESSAGE" on stderr, control characters in it escaped (\x1b) (or into the capture buffer, see below); returns
 * `code`, so that a command can `return cli_error(2, ...)`. */
int cli_error(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Prints "dropnet: warning: MESSAGE" on stderr (escaped as cli_error; nothing while capturing). */
void cli_warning(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Sends the message of every later cli_error into buffer [size] (NUL-terminated, the last one
 * only) instead of stderr; buffer NULL goes back to stderr. For harnesses that check messages
 * (fuzz/fuzz_cli.c) without printing them. */
void cli_error_capture(char *buffer, size_t size);

/* Names where the errors come from, "dropnet: error: CONTEXT: MESSAGE" (warnings stay as they
 * are); "" or NULL: nothing. An MPI job's rank 0 sets "rank 0 on HOST" (cli/main.c), so that an
 * error only its node has (a file it cannot read) says so, as the other ranks' errors do. */
void cli_error_context(const char *context);

#endif
