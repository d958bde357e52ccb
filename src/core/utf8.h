/* utf8.h — UTF-8 validation (internal). safetensors headers must be UTF-8, so every string that
 * can end up in one is checked when it enters a model, and every header when it is read. */
#ifndef DN_CORE_UTF8_H
#define DN_CORE_UTF8_H

#include <stddef.h>

/* The offset of the first byte of `s` [n] that does not belong to a well-formed UTF-8 sequence
 * (RFC 3629: no overlong forms, no surrogates, nothing above U+10FFFF), or n when all are fine. */
size_t dni_utf8_invalid_at(const char *s, size_t n);

#endif
