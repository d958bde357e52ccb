/* number_text.c — locale-independent decimal text for floats and unsigned integers. */
#include "core/number_text.h"

#include <ctype.h>
#include <errno.h>
#include <locale.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { MAX_NUMBER_TEXT = 64 };

/* The C library's decimal point in the current locale ("." in the "C" locale). */
static const char *decimal_point(void) {
    const struct lconv *lc = localeconv();
    return (lc && lc->decimal_point && lc->decimal_point[0]) ? lc->decimal_point : ".";
}

/* Copies `text` into `buf` with every '.' replaced by the locale's decimal point, so strtof and
 * strtod read it as the "C" locale would. Returns 0 when it does not fit. */
static int localise(const char *text, size_t len, char *buf, size_t size) {
    const char *point = decimal_point();
    size_t point_len = strlen(point), used = 0;
    for (size_t i = 0; i < len; ++i) {
        const char *piece = text[i] == '.' ? point : text + i;
        size_t piece_len = text[i] == '.' ? point_len : 1;
        if (used + piece_len >= size) return 0;
        memcpy(buf + used, piece, piece_len);
        used += piece_len;
    }
    buf[used] = '\0';
    return 1;
}

/* Undoes the locale in printf output: the locale's decimal point becomes '.'. */
static void delocalise(char *buf) {
    const char *point = decimal_point();
    size_t point_len = strlen(point);
    if (point_len == 1 && point[0] == '.') return;
    char *at = strstr(buf, point);
    if (at == NULL) return;
    *at = '.';
    memmove(at + 1, at + point_len, strlen(at + point_len) + 1);
}

int dni_parse_float(const char *text, size_t len, float *out) {
    char buf[MAX_NUMBER_TEXT];
    /* strtof would skip leading white space; the caller decides where a number may have it. */
    if (len == 0 || isspace((unsigned char)text[0]) || !localise(text, len, buf, sizeof buf))
        return 0;
    char *end;
    errno = 0;
    float f = strtof(buf, &end);
    if (end == buf || *end != '\0') return 0;
    /* Overflow only: an underflow to a subnormal or zero still gives the nearest float. */
    if (errno == ERANGE && isinf(f)) return 0;
    *out = f;
    return 1;
}

/* Whether `text` reads back as exactly f through strtof and through strtod then a cast. */
static int reads_back(const char *text, float f) {
    float as_float;
    char buf[MAX_NUMBER_TEXT];
    if (!dni_parse_float(text, strlen(text), &as_float) ||
        !localise(text, strlen(text), buf, sizeof buf))
        return 0;
    float via_double = (float)strtod(buf, NULL);
    return memcmp(&as_float, &f, sizeof f) == 0 && memcmp(&via_double, &f, sizeof f) == 0;
}

void dni_format_float(char buf[DN_FLOAT_TEXT_SIZE], float f) {
    for (int digits = 1; digits <= 9; ++digits) {
        snprintf(buf, DN_FLOAT_TEXT_SIZE, "%.*g", digits, (double)f);
        delocalise(buf);
        if (reads_back(buf, f)) return;
    }
    /* 17 digits identify the double exactly, and f is exactly a double. */
    snprintf(buf, DN_FLOAT_TEXT_SIZE, "%.17g", (double)f);
    delocalise(buf);
}

int dni_parse_uint(const char *text, size_t len, uint64_t max, uint64_t *out) {
    if (len == 0) return 0;
    uint64_t v = 0;
    for (size_t i = 0; i < len; ++i) {
        if (text[i] < '0' || text[i] > '9') return 0;
        unsigned digit = (unsigned)(text[i] - '0');
        if (digit > max || v > (max - digit) / 10) return 0;
        v = v * 10 + digit;
    }
    *out = v;
    return 1;
}
