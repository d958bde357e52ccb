/* report_html.c — escaping and SVG elements for the HTML report. */
#include "report/report_html.h"

#include <math.h>
#include <stdarg.h>

enum { TEXT_BUFFER = 1024 };

void cli_html_text(FILE *out, const char *text) {
    for (const char *c = text; *c; ++c) {
        switch (*c) {
        case '&': fputs("&amp;", out); break;
        case '<': fputs("&lt;", out); break;
        case '>': fputs("&gt;", out); break;
        case '"': fputs("&quot;", out); break;
        case '\'': fputs("&#39;", out); break;
        case '\n': case '\t': fputc(*c, out); break;
        /* Other C0 controls and DEL are not allowed in HTML text: shown as \xHH. */
        default:
            if ((unsigned char)*c < 0x20 || *c == 0x7f) fprintf(out, "\\x%02x", (unsigned char)*c);
            else fputc(*c, out);
        }
    }
}

/* The printf-formatted text (up to TEXT_BUFFER − 1 bytes), escaped: what the printf-style
 * writers below share. */
__attribute__((format(printf, 2, 0))) static void html_vprintf(FILE *out, const char *fmt,
                                                                va_list args) {
    char buf[TEXT_BUFFER];
    vsnprintf(buf, sizeof buf, fmt, args);
    cli_html_text(out, buf);
}

void cli_html_printf(FILE *out, const char *fmt, ...) {
    va_list args;
    va_start(args, fmt);
    html_vprintf(out, fmt, args);
    va_end(args);
}

void cli_svg_begin(FILE *out, double width, double height, const char *cls, const char *label) {
    fprintf(out, "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"%s\" viewBox=\"0 0 %.0f %.0f\" "
                 "width=\"%.0f\" height=\"%.0f\" role=\"img\" aria-label=\"",
            cls, width, height, width, height);
    cli_html_text(out, label);
    fputs("\">\n", out);
}

void cli_svg_end(FILE *out) { fputs("</svg>\n", out); }

static void text_open(FILE *out, double x, double y, const char *anchor, const char *cls) {
    fprintf(out, "<text x=\"%.1f\" y=\"%.1f\"", x, y);
    if (anchor && anchor[0] && anchor[0] != 's') fprintf(out, " text-anchor=\"%s\"", anchor);
    if (cls) fprintf(out, " class=\"%s\"", cls);
    fputc('>', out);
}

void cli_svg_text(FILE *out, double x, double y, const char *anchor, const char *cls,
                 const char *fmt, ...) {
    va_list args;
    text_open(out, x, y, anchor, cls);
    va_start(args, fmt);
    html_vprintf(out, fmt, args);
    va_end(args);
    fputs("</text>\n", out);
}

void cli_svg_vtext(FILE *out, double x, double y, const char *cls, const char *text) {
    fprintf(out, "<text transform=\"translate(%.1f %.1f) rotate(-90)\" text-anchor=\"middle\"", x, y);
    if (cls) fprintf(out, " class=\"%s\"", cls);
    fputc('>', out);
    cli_html_text(out, text);
    fputs("</text>\n", out);
}

void cli_svg_rect(FILE *out, double x, double y, double w, double h, const char *cls,
                 const char *fill) {
    fprintf(out, "<rect x=\"%.2f\" y=\"%.2f\" width=\"%.2f\" height=\"%.2f\"", x, y, w, h);
    if (cls) fprintf(out, " class=\"%s\"", cls);
    if (fill) fprintf(out, " fill=\"%s\"", fill);
    fputs("/>", out);
}

void cli_svg_line(FILE *out, double x1, double y1, double x2, double y2, const char *cls) {
    fprintf(out, "<line x1=\"%.2f\" y1=\"%.2f\" x2=\"%.2f\" y2=\"%.2f\" class=\"%s\"/>\n", x1, y1,
            x2, y2, cls);
}

void cli_svg_title(FILE *out, const char *fmt, ...) {
    va_list args;
    fputs("<title>", out);
    va_start(args, fmt);
    html_vprintf(out, fmt, args);
    va_end(args);
    fputs("</title>", out);
}

static int channel(double v) {
    if (!(v > 0.0)) return 0;
    if (v >= 1.0) return 255;
    return (int)lround(v * 255.0);
}

const char *cli_html_grey(double v, char *buf) {
    int g = channel(v);
    snprintf(buf, 8, "#%02x%02x%02x", g, g, g);
    return buf;
}

const char *cli_html_shade(double v, char *buf) {
    /* From white (255, 255, 255) to #08306b, the dark end of ColorBrewer's "Blues". */
    double t = v < 0.0 ? 0.0 : v > 1.0 ? 1.0 : v;
    snprintf(buf, 8, "#%02x%02x%02x", channel((255.0 - t * (255.0 - 8.0)) / 255.0),
             channel((255.0 - t * (255.0 - 48.0)) / 255.0),
             channel((255.0 - t * (255.0 - 107.0)) / 255.0));
    return buf;
}
