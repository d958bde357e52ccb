/* message_text.h — making an error message safe to print and short enough to keep its cause
 * (internal). */
#ifndef DN_CORE_MESSAGE_TEXT_H
#define DN_CORE_MESSAGE_TEXT_H

#include <stddef.h>

/* Writes `raw` into out[size] (size >= 64) as one printable line: every control byte (C0 and
 * DEL) becomes "\xNN", so a hostile file name or class name cannot move the cursor, retitle the
 * terminal or fake a line. When the result does not fit, the longest space-separated words (in
 * practice the paths) are cut in the middle to "...", at UTF-8 character boundaries, before
 * anything else, so the cause at the end of the message survives. */
void dni_message_shape(const char *raw, char *out, size_t size);

#endif
