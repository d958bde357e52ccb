/* cli_error.c — the tool's error line (cli_error.h). */
#include "common/cli_error.h"

#include "common/text_escape.h"

#include <stdarg.h>
#include <stdio.h>

static char *capture_buffer;
static size_t capture_size;
static char context_[160];

void cli_error_context(const char *context) {
    snprintf(context_, sizeof context_, "%s", context ? context : "");
}

void cli_error_capture(char *buffer, size_t size) {
    capture_buffer = size > 0 ? buffer : NULL;
    capture_size = size;
}

/* "dropnet: LEVEL: MESSAGE" on stderr, the message's control characters escaped. */
static void print_line(const char *level, const char *fmt, va_list args) {
    /* Paths, class names and library messages may carry control bytes from a file: the message
     * is shown with them escaped (text_escape.h), never obeyed by the terminal. */
    char message[4096];
    vsnprintf(message, sizeof message, fmt, args);
    fprintf(stderr, "dropnet: %s: ", level);
    if (context_[0] && level[0] == 'e') fprintf(stderr, "%s: ", context_); /* errors only */
    cli_fputs_escaped(stderr, message);
    fputc('\n', stderr);
}

int cli_error(int code, const char *fmt, ...) {
    va_list args;
    va_start(args, fmt);
    if (capture_buffer != NULL) vsnprintf(capture_buffer, capture_size, fmt, args);
    else print_line("error", fmt, args);
    va_end(args);
    return code;
}

void cli_warning(const char *fmt, ...) {
    va_list args;
    va_start(args, fmt);
    if (capture_buffer == NULL) print_line("warning", fmt, args);
    va_end(args);
}
