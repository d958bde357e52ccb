/* report_html.h — the HTML and SVG primitives the report is written with.
 *
 * Every text that comes from outside (file names, class names, settings) goes through
 * cli_html_text, so a class called "<b>" cannot break the page. Coordinates are SVG user units;
 * each figure has a viewBox and scales to the page width by CSS. */
#ifndef CLI_REPORT_HTML_H
#define CLI_REPORT_HTML_H

#include <stddef.h>
#include <stdio.h>

/* Writes `text` with &, <, >, " and ' escaped. */
void cli_html_text(FILE *out, const char *text);

/* printf into a buffer, then cli_html_text: formatted text that may contain outside strings. */
void cli_html_printf(FILE *out, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* <svg class="cls" viewBox="0 0 w h" width="w" height="h" role="img" aria-label="label">. */
void cli_svg_begin(FILE *out, double width, double height, const char *cls, const char *label);
void cli_svg_end(FILE *out);

/* <text x y text-anchor class>formatted, escaped text</text>; anchor "start", "middle", "end". */
void cli_svg_text(FILE *out, double x, double y, const char *anchor, const char *cls,
                 const char *fmt, ...) __attribute__((format(printf, 6, 7)));

/* The same, rotated by -90° about (x, y): a vertical axis label. */
void cli_svg_vtext(FILE *out, double x, double y, const char *cls, const char *text);

/* <rect> with an optional class and an optional fill colour (NULL: from the class). */
void cli_svg_rect(FILE *out, double x, double y, double w, double h, const char *cls,
                 const char *fill);

/* <line> with a class. */
void cli_svg_line(FILE *out, double x1, double y1, double x2, double y2, const char *cls);

/* <title>formatted text</title>: the tooltip of the element it is inside of. */
void cli_svg_title(FILE *out, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* "#rrggbb" for a grey of brightness v in [0, 1] (clamped) into buf [8]. */
const char *cli_html_grey(double v, char *buf);

/* "#rrggbb" between white (v = 0) and the report's dark blue (v = 1) into buf [8]: one hue whose
 * lightness alone carries the value, so a grey-scale print keeps the order. */
const char *cli_html_shade(double v, char *buf);

#endif
