/* error.c — status names and error messages. */
#include "core/error.h"

#include <stdarg.h>
#include <stdio.h>

dn_status dni_fail(dn_error *err, dn_status status, const char *fmt, ...) {
    if (err != NULL) {
        va_list args;
        va_start(args, fmt);
        err->status = status;
        vsnprintf(err->message, sizeof err->message, fmt, args);
        va_end(args);
    }
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
    }
    return "unknown status";
}

const char *dn_version(void) { return DN_VERSION_STRING; }
