/* csv_row.c — CSV lines, cells and numbers: the lexical layer under the CSV loader. */
#include "data/csv_row.h"

#include "core/error.h"

#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Cells are quoted in messages up to this many bytes, so one huge cell cannot hide the rest. */
enum { DN_CSV_QUOTE_MAX = 40 };

static int is_blank(char c) { return c == ' ' || c == '\t'; }

dn_csv_cursor dni_csv_cursor_make(char *text, size_t len) {
    return (dn_csv_cursor){text, text + len, 0};
}

int dni_csv_next_line(dn_csv_cursor *cursor, char **line, size_t *len) {
    while (cursor->next < cursor->end) {
        char *start = cursor->next;
        char *newline = memchr(start, '\n', (size_t)(cursor->end - start));
        char *stop = newline ? newline : cursor->end;
        cursor->next = newline ? newline + 1 : cursor->end;
        cursor->line++;
        if (stop > start && stop[-1] == '\r') stop--;
        char *p = start;
        while (p < stop && is_blank(*p)) p++;
        if (p == stop) continue; /* blank lines carry no row */
        *line = start;
        *len = (size_t)(stop - start);
        return 1;
    }
    return 0;
}

size_t dni_csv_max_cells(const char *line, size_t len, char delimiter) {
    size_t count = 1;
    for (size_t i = 0; i < len; ++i) count += line[i] == delimiter;
    return count;
}

size_t dni_csv_count_delimiter(const char *line, size_t len, char delimiter) {
    size_t count = 0;
    int quoted = 0;
    for (size_t i = 0; i < len; ++i) {
        if (line[i] == '"') quoted = !quoted; /* "" inside quotes toggles twice: no change */
        else if (!quoted && line[i] == delimiter) count++;
    }
    return count;
}

char dni_csv_detect_delimiter(const char *line1, size_t len1, const char *line2, size_t len2) {
    static const char candidates[] = {',', ';', '\t', '|'};
    char best = 0;
    size_t best_count = 0;
    int best_consistent = 0;
    for (size_t k = 0; k < sizeof candidates; ++k) {
        size_t n = dni_csv_count_delimiter(line1, len1, candidates[k]);
        if (n == 0) continue;
        int consistent = line2 == NULL || dni_csv_count_delimiter(line2, len2, candidates[k]) == n;
        if (consistent > best_consistent || (consistent == best_consistent && n > best_count)) {
            best = candidates[k];
            best_count = n;
            best_consistent = consistent;
        }
    }
    return best ? best : ',';
}

/* Unquotes the cell whose opening quote is at line[*pos], writing it back in place from its
 * start, and leaves *pos on the comma or end after it. Returns where the NUL goes. */
static dn_status split_quoted(char *line, size_t len, size_t *pos, char **nul_at, char delimiter,
                              const char *path, size_t line_no, size_t column, dn_error *err) {
    size_t i = *pos + 1;
    char *w = line + *pos;
    for (;;) {
        if (i >= len)
            return dni_fail(err, DN_ERR_FORMAT, "%s:%zu:%zu: expected a closing \" in a quoted "
                            "cell, found the end of the line", path, line_no, column);
        if (line[i] == '"') {
            if (i + 1 < len && line[i + 1] == '"') {
                *w++ = '"';
                i += 2;
                continue;
            }
            i++;
            break;
        }
        *w++ = line[i++];
    }
    while (i < len && line[i] != delimiter && is_blank(line[i])) i++;
    if (i < len && line[i] != delimiter)
        return dni_fail(err, DN_ERR_FORMAT, "%s:%zu:%zu: expected \"%s\" after a closing quote, "
                        "found \"%c\"", path, line_no, column, dni_csv_delimiter_name(delimiter),
                        line[i]);
    *pos = i;
    *nul_at = w;
    return DN_OK;
}

const char *dni_csv_delimiter_name(char delimiter) {
    switch (delimiter) {
    case '\t': return "\\t";
    case ';': return ";";
    case '|': return "|";
    default: return ",";
    }
}

dn_status dni_csv_split(char *line, size_t len, char delimiter, char **cells, size_t capacity,
                        size_t *count, const char *path, size_t line_no, dn_error *err) {
    size_t pos = 0, n = 0;
    for (;;) {
        /* A tab delimiter is never trimmed as a blank: it separates (empty) cells. */
        while (pos < len && line[pos] != delimiter && is_blank(line[pos])) pos++;
        char *start = line + pos, *nul_at = start;
        if (pos < len && line[pos] == '"') {
            dn_status st = split_quoted(line, len, &pos, &nul_at, delimiter, path, line_no, n + 1,
                                        err);
            if (st != DN_OK) return st;
        } else {
            while (pos < len && line[pos] != delimiter) pos++;
            nul_at = line + pos;
            while (nul_at > start && is_blank(nul_at[-1])) nul_at--;
        }
        int more = pos < len; /* line[pos] is the delimiter */
        *nul_at = '\0';       /* may overwrite that comma, after `more` has been read */
        if (n < capacity) cells[n] = start;
        n++;
        if (!more) break;
        pos++;
    }
    *count = n;
    return DN_OK;
}

dn_csv_number dni_csv_parse_double(const char *cell, double *out) {
    if (*cell == '\0') return DN_CSV_EMPTY;
    char *end;
    double v = strtod(cell, &end);
    if (end == cell || *end != '\0') return DN_CSV_NOT_A_NUMBER;
    if (!isfinite(v)) return DN_CSV_NOT_FINITE; /* "nan", "inf", and overflow to HUGE_VAL */
    *out = v;
    return DN_CSV_NUMBER;
}

dn_csv_number dni_csv_parse_float(const char *cell, float *out) {
    double v;
    dn_csv_number kind = dni_csv_parse_double(cell, &v);
    if (kind != DN_CSV_NUMBER) return kind;
    /* Converting a double beyond the float range is undefined behaviour, so test first. Values
     * below FLT_MAX + half an ulp (0x1.ffffffp127) round to FLT_MAX, as strtof would: that keeps
     * "3.4028235e38", the shortest text of FLT_MAX (what numpy prints). */
    if (fabs(v) >= 0x1.ffffffp127) return DN_CSV_NOT_FINITE;
    *out = fabs(v) > FLT_MAX ? (v > 0 ? FLT_MAX : -FLT_MAX) : (float)v;
    return DN_CSV_NUMBER;
}

dn_status dni_csv_number_error(dn_csv_number kind, const char *cell, const char *path,
                               size_t line_no, size_t column, dn_error *err) {
    const char *more = strlen(cell) > DN_CSV_QUOTE_MAX ? "..." : "";
    if (kind == DN_CSV_EMPTY)
        return dni_fail(err, DN_ERR_FORMAT, "%s:%zu:%zu: expected a number, found an empty cell",
                        path, line_no, column);
    if (kind == DN_CSV_NOT_FINITE)
        return dni_fail(err, DN_ERR_FORMAT,
                        "%s:%zu:%zu: expected a finite number, found \"%.*s%s\"",
                       path, line_no, column, DN_CSV_QUOTE_MAX, cell, more);
    return dni_fail(err, DN_ERR_FORMAT, "%s:%zu:%zu: expected a number, found \"%.*s%s\"", path,
                    line_no, column, DN_CSV_QUOTE_MAX, cell, more);
}
