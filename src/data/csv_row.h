/* csv_row.h — CSV lines, cells and numbers (internal to the CSV loader). */
#ifndef DN_DATA_CSV_ROW_H
#define DN_DATA_CSV_ROW_H

#include "dropnet.h"

#include <stddef.h>

/* Walks the lines of a NUL-terminated text buffer without modifying it. */
typedef struct dn_csv_cursor {
    char *next;      /* start of the next unread line */
    char *end;       /* end of the text */
    size_t line;     /* 1-based number of the line last returned (0 before the first) */
} dn_csv_cursor;

dn_csv_cursor dni_csv_cursor_make(char *text, size_t len);

/* The next line that is not blank (spaces and tabs only): its start and its length without the
 * line break (LF or CRLF). Returns 0 at the end of the text. */
int dni_csv_next_line(dn_csv_cursor *cursor, char **line, size_t *len);

/* An upper bound on the cells dni_csv_split finds in a line: its delimiters + 1 (one inside
 * quotes counts too, so a malformed line can never split into more cells than this). */
size_t dni_csv_max_cells(const char *line, size_t len, char delimiter);

/* The delimiters of a line outside double quotes. */
size_t dni_csv_count_delimiter(const char *line, size_t len, char delimiter);

/* The delimiter of a file from its first two lines (line2 NULL when there is one line), among
 * ',' ';' tab '|' (docs/DATA.md "Delimiters"): the one that line 1 holds (outside quotes) as
 * often as line 2 does, the most frequent such one, ties to the earlier in that list; a line 1
 * that holds none of them is ','. */
char dni_csv_detect_delimiter(const char *line1, size_t len1, const char *line2, size_t len2);

/* The delimiter as the user would type it for --delimiter: "," ";" "|" or "\t". */
const char *dni_csv_delimiter_name(char delimiter);

/* Splits a line in place at `delimiter` into NUL-terminated cells: spaces and tabs (other than
 * the delimiter) around a cell are dropped,
 * a "quoted" cell loses its quotes and "" becomes ". The first `capacity` cells go to cells[];
 * *count receives the number of cells even when it exceeds `capacity`. The byte after the line
 * (its line break or the text's NUL) is overwritten. DN_ERR_FORMAT for an unterminated quote or
 * text after a closing quote, reported as "path:line:column:". */
dn_status dni_csv_split(char *line, size_t len, char delimiter, char **cells, size_t capacity,
                        size_t *count, const char *path, size_t line_no, dn_error *err);

typedef enum dn_csv_number {
    DN_CSV_NUMBER = 0,     /* a finite float */
    DN_CSV_EMPTY,          /* an empty cell */
    DN_CSV_NOT_A_NUMBER,   /* text that strtod does not consume entirely */
    DN_CSV_NOT_FINITE      /* nan, inf, or beyond the float range */
} dn_csv_number;

/* Parses a whole cell as a float with strtod; *out is written only for DN_CSV_NUMBER. */
dn_csv_number dni_csv_parse_float(const char *cell, float *out);

/* Parses a whole cell with strtod; DN_CSV_NOT_FINITE for nan/inf and double overflow. */
dn_csv_number dni_csv_parse_double(const char *cell, double *out);

/* The "expected a number" error for a feature cell that parse_float rejected. */
dn_status dni_csv_number_error(dn_csv_number kind, const char *cell, const char *path,
                               size_t line_no, size_t column, dn_error *err);

#endif
