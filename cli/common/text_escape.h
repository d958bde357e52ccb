/* text_escape.h — text from files (class names, metadata, paths) shown, never obeyed: control
 * characters written as \xHH, so that a model or a data file cannot retitle the terminal, clear
 * the screen or forge lines of output (cli/common/text_escape.c). */
#ifndef CLI_TEXT_ESCAPE_H
#define CLI_TEXT_ESCAPE_H

#include <stddef.h>
#include <stdio.h>

/* Whether `text` holds a byte that text_escape would rewrite (C0, DEL, a UTF-8 C1 control). */
int cli_has_control(const char *text);

/* Copies `text` into out [size] (NUL-terminated, cut at a character boundary when it does not
 * fit) with every C0 control byte (0x00-0x1f), DEL (0x7f) and UTF-8 C1 control (U+0080-U+009F,
 * bytes C2 80-C2 9F, the 8-bit CSI among them) written as \xHH, one per byte; the rest,
 * backslashes included, is copied as it is. Returns out. */
char *cli_escape_control(char *out, size_t size, const char *text);

/* Writes `text` to `out` escaped as cli_escape_control does, however long it is. */
void cli_fputs_escaped(FILE *out, const char *text);

#endif
