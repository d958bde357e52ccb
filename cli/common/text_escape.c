/* text_escape.c — control characters written as \xHH (text_escape.h). */
#include "common/text_escape.h"

#include <string.h>

/* How many bytes at `c` form one control character to escape (0: none). */
static size_t control_at(const unsigned char *c) {
    if (*c < 0x20 || *c == 0x7f) return 1;
    if (c[0] == 0xc2 && c[1] >= 0x80 && c[1] <= 0x9f) return 2; /* U+0080-U+009F */
    return 0;
}

int cli_has_control(const char *text) {
    for (const unsigned char *c = (const unsigned char *)text; *c; ++c)
        if (control_at(c)) return 1;
    return 0;
}

char *cli_escape_control(char *out, size_t size, const char *text) {
    static const char hex[] = "0123456789abcdef";
    if (size == 0) return out;
    size_t n = 0;
    for (const unsigned char *c = (const unsigned char *)text; *c;) {
        size_t k = control_at(c);
        if (k == 0) {
            if (n + 1 >= size) break;
            out[n++] = (char)*c++;
            continue;
        }
        if (n + 4 * k >= size) break;
        for (size_t i = 0; i < k; ++i, ++c) {
            out[n++] = '\\';
            out[n++] = 'x';
            out[n++] = hex[*c >> 4];
            out[n++] = hex[*c & 15];
        }
    }
    /* A cut never leaves half of a UTF-8 character: drop continuation bytes and their lead. */
    if (n > 0 && text[0] != '\0' && ((unsigned char)out[n - 1] & 0x80)) {
        size_t end = n;
        while (end > 0 && ((unsigned char)out[end - 1] & 0xc0) == 0x80) --end;
        if (end > 0 && ((unsigned char)out[end - 1] & 0xc0) == 0xc0) {
            unsigned char lead = (unsigned char)out[end - 1];
            size_t want = lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : 2;
            if (n - (end - 1) < want) n = end - 1;
        }
    }
    out[n] = '\0';
    return out;
}

void cli_fputs_escaped(FILE *out, const char *text) {
    for (const unsigned char *c = (const unsigned char *)text; *c;) {
        size_t k = control_at(c);
        if (k == 0) {
            fputc(*c++, out);
            continue;
        }
        for (size_t i = 0; i < k; ++i, ++c) fprintf(out, "\\x%02x", *c);
    }
}
