/* error.c — status names and error messages. */
#include "core/error.h"

#include "core/message_text.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

dn_status dni_fail(dn_error *err, dn_status status, const char *fmt, ...) {
    if (err == NULL) return status;
    /* Formatted in full first (the message may quote err->message itself, and a long path must
     * not push the cause out of the fixed buffer), then shaped to fit. */
    char stack[2048], *raw = stack;
    va_list args, again;
    va_start(args, fmt);
    va_copy(again, args);
    int n = vsnprintf(stack, sizeof stack, fmt, args);
    if (n >= (int)sizeof stack && (raw = malloc((size_t)n + 1)) != NULL)
        vsnprintf(raw, (size_t)n + 1, fmt, again);
    if (raw == NULL) raw = stack; /* no memory: the cut text */
    va_end(again);
    va_end(args);
    err->status = status;
    if (n < 0) snprintf(err->message, sizeof err->message, "(unprintable message)");
    else dni_message_shape(raw, err->message, sizeof err->message);
    if (raw != stack) free(raw);
    return status;
}

void dni_clear_error(dn_error *err) {
    if (err != NULL) {
        err->status = DN_OK;
        err->message[0] = '\0';
    }
}

const char *dn_status_name(dn_status status) {
    switch (status) {
    case DN_OK: return "ok";
    case DN_ERR_ARGUMENT: return "argument error";
    case DN_ERR_MEMORY: return "out of memory";
    case DN_ERR_IO: return "i/o error";
    case DN_ERR_FORMAT: return "format error";
    case DN_ERR_SHAPE: return "shape error";
    case DN_ERR_NUMERIC: return "numeric error";
    case DN_ERR_STATE: return "state error";
    case DN_ERR_STOPPED: return "stopped";
    case DN_ERR_CANCELLED: return "cancelled";
    }
    return "unknown status";
}

const char *dn_version(void) { return DN_VERSION_STRING; }
