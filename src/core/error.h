/* error.h — filling a dn_error with a formatted message (internal). */
#ifndef DN_CORE_ERROR_H
#define DN_CORE_ERROR_H

#include "dropnet.h"

#if defined(__GNUC__)
#define DN_PRINTF(fmt_index, first_arg) __attribute__((format(printf, fmt_index, first_arg)))
#else
#define DN_PRINTF(fmt_index, first_arg)
#endif

/* Records `status` and the formatted message in `err` (when not NULL) and returns `status`, so a
 * failing path reads `return dni_fail(err, DN_ERR_ARGUMENT, "units must be > 0");`. */
dn_status dni_fail(dn_error *err, dn_status status, const char *fmt, ...) DN_PRINTF(3, 4);

/* Marks `err` (when not NULL) as successful with an empty message. */
void dni_clear_error(dn_error *err);

#endif
