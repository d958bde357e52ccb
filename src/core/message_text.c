/* message_text.c — escaping control bytes and cutting long words in error messages. */
#include "core/message_text.h"

#include <stdlib.h>
#include <string.h>

enum { DN_WORD_KEEP = 24 }; /* a cut word keeps at least this many bytes, "..." included */

static int is_control(unsigned char c) { return c < 0x20 || c == 0x7f; }
static int is_continuation(unsigned char c) { return (c & 0xC0) == 0x80; }

/* `raw` with control bytes as "\xNN", in a new buffer (NULL when out of memory). */
static char *escape_controls(const char *raw) {
    static const char hex[] = "0123456789abcdef";
    size_t n = strlen(raw);
    char *out = malloc(4 * n + 1), *w = out;
    if (out == NULL) return NULL;
    for (const unsigned char *c = (const unsigned char *)raw; *c; ++c) {
        if (!is_control(*c)) {
            *w++ = (char)*c;
            continue;
        }
        *w++ = '\\';
        *w++ = 'x';
        *w++ = hex[*c >> 4];
        *w++ = hex[*c & 15];
    }
    *w = '\0';
    return out;
}

/* The longest space-separated word of `text`: its start and length. */
static size_t longest_word(const char *text, size_t *start) {
    size_t best = 0, i = 0;
    *start = 0;
    while (text[i]) {
        while (text[i] == ' ') ++i;
        size_t s = i;
        while (text[i] && text[i] != ' ') ++i;
        if (i - s > best) {
            best = i - s;
            *start = s;
        }
    }
    return best;
}

/* Cuts the word text[start..start+len) to `keep` bytes: its head, "...", its tail. */
static void cut_word(char *text, size_t start, size_t len, size_t keep) {
    const unsigned char *u = (const unsigned char *)text;
    size_t head = (keep - 3) / 2, tail = start + len - (keep - 3 - head);
    while (head > 0 && is_continuation(u[start + head])) --head;
    while (tail < start + len && is_continuation(u[tail])) ++tail;
    memcpy(text + start + head, "...", 3);
    memmove(text + start + head + 3, text + tail, strlen(text + tail) + 1);
}

void dni_message_shape(const char *raw, char *out, size_t size) {
    char *text = escape_controls(raw);
    if (text == NULL) { /* no memory: the raw text, cut, is still better than nothing */
        size_t n = strlen(raw) < size - 1 ? strlen(raw) : size - 1;
        for (size_t i = 0; i < n; ++i) out[i] = is_control((unsigned char)raw[i]) ? '?' : raw[i];
        out[n] = '\0';
        return;
    }
    size_t total = strlen(text);
    while (total > size - 1) {
        size_t start, len = longest_word(text, &start);
        if (len <= DN_WORD_KEEP) break;
        size_t excess = total - (size - 1);
        size_t keep = len - excess > DN_WORD_KEEP && len > excess ? len - excess : DN_WORD_KEEP;
        cut_word(text, start, len, keep);
        total = strlen(text);
    }
    if (total > size - 1) { /* many long words: keep the start, mark the cut */
        size_t n = size - 4;
        while (n > 0 && is_continuation((unsigned char)text[n])) --n;
        memcpy(text + n, "...", 4);
    }
    memcpy(out, text, strlen(text) + 1);
    free(text);
}
