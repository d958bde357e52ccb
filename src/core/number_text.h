/* number_text.h — numbers as text in files and spec strings, independent of the C locale
 * (internal). strtod and printf follow LC_NUMERIC, which an application may set to a locale whose
 * decimal point is ','; dropnet's texts always use '.'. */
#ifndef DN_CORE_NUMBER_TEXT_H
#define DN_CORE_NUMBER_TEXT_H

#include <stddef.h>
#include <stdint.h>

/* Room for any text dni_format_float writes ("-1.23456789012345678e-308" and a NUL). */
enum { DN_FLOAT_TEXT_SIZE = 32 };

/* Writes the shortest "%.{1..9}g" text of the finite `f` that reads back as exactly `f`, both as
 * a float and as a double rounded to float (what JSON parsers do); "%.17g" when none does. */
void dni_format_float(char buf[DN_FLOAT_TEXT_SIZE], float f);

/* Reads all of `text` (no surrounding spaces) as a float. Returns 0 when it is not a number or is
 * outside the float range. */
int dni_parse_float(const char *text, size_t len, float *out);

/* Reads all of `text` as decimal digits (no sign). Returns 0 when empty, not digits, or above
 * `max`. */
int dni_parse_uint(const char *text, size_t len, uint64_t max, uint64_t *out);

#endif
