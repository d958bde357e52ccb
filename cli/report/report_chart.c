/* report_chart.c — line charts, bar rows, histograms and value strips as inline SVG. */
#include "report/report_chart.h"

#include "report/report_axis.h"
#include "report/report_html.h"

#include <math.h>
#include <string.h>

enum { LINE_WIDTH = 560, LINE_PLOT_HEIGHT = 240, LEGEND_ROW = 18, STRIP_MAX = 256 };

/* ---- line chart --------------------------------------------------------------------------- */

/* The marker of look 0..3: circle, square, triangle, diamond; hollow for dashed series. The
 * element is left open so the caller can put a <title> inside. */
static const char *marker_open(FILE *out, int look, int hollow, double x, double y) {
    const char *fill = hollow ? " hollow" : "";
    switch (look & 3) {
    case 0:
        fprintf(out, "<circle class=\"m c0%s\" cx=\"%.2f\" cy=\"%.2f\" r=\"3.6\">", fill, x, y);
        return "</circle>";
    case 1:
        fprintf(out, "<rect class=\"m c1%s\" x=\"%.2f\" y=\"%.2f\" width=\"7\" height=\"7\">", fill,
                x - 3.5, y - 3.5);
        return "</rect>";
    case 2:
        fprintf(out, "<path class=\"m c2%s\" d=\"M%.2f %.2fL%.2f %.2fL%.2f %.2fZ\">", fill, x, y - 4.5,
                x + 4.5, y + 3.5, x - 4.5, y + 3.5);
        return "</path>";
    default:
        fprintf(out, "<path class=\"m c3%s\" d=\"M%.2f %.2fL%.2f %.2fL%.2f %.2fL%.2f %.2fZ\">", fill,
                x, y - 4.5, x + 4.5, y, x, y + 4.5, x - 4.5, y);
        return "</path>";
    }
}

typedef struct line_frame {
    double left, right, top, bottom;
    size_t n;
    cli_axis y;
} line_frame;

static double epoch_x(const line_frame *f, size_t i) {
    if (f->n <= 1) return (f->left + f->right) / 2.0;
    return f->left + (double)i / (double)(f->n - 1) * (f->right - f->left);
}

/* Epoch ticks: 1, then multiples of a nice step up to n (leaving out one that would crowd 1). */
static void draw_epoch_axis(FILE *out, const line_frame *f, const char *label, double label_y) {
    size_t step = (size_t)cli_axis_nice_step((double)(f->n > 1 ? f->n - 1 : 1) / 8.0, 1);
    for (size_t e = 1; e <= f->n; e = e == 1 && step > 1 ? step : e + step) {
        if (e > 1 && (double)(e - 1) < 0.75 * (double)step) continue;
        double x = epoch_x(f, e - 1);
        if (e > 1) cli_svg_line(out, x, f->bottom, x, f->top, "grid");
        cli_svg_line(out, x, f->bottom, x, f->bottom + 4, "axis");
        cli_svg_text(out, x, f->bottom + 17, "middle", "tick", "%zu", e);
    }
    cli_svg_line(out, f->left, f->bottom, f->right, f->bottom, "axis");
    cli_svg_text(out, (f->left + f->right) / 2.0, label_y, "middle", "axis-label", "%s", label);
}

static void y_range(const cli_line_chart *c, double *lo, double *hi) {
    *lo = c->from_zero ? 0.0 : INFINITY;
    *hi = c->from_zero ? 0.0 : -INFINITY;
    for (size_t s = 0; s < c->series_count; ++s)
        for (size_t i = 0; i < c->n; ++i) {
            double v = c->series[s].y[i];
            if (!isfinite(v)) continue;
            *lo = v < *lo ? v : *lo;
            *hi = v > *hi ? v : *hi;
        }
}

static void draw_band(FILE *out, const line_frame *f, const cli_line_chart *c, const cli_chart_band *b) {
    const double *up = c->series[b->upper].y, *low = c->series[b->lower].y;
    for (size_t i = 0; i < c->n; ++i)
        if (!isfinite(up[i]) || !isfinite(low[i])) return; /* only whole runs are shaded */
    fprintf(out, "<path class=\"band%s\" d=\"", b->hatched ? " hatch" : "");
    double half = c->n == 1 ? 6.0 : 0.0; /* one epoch: a narrow bar instead of a line */
    for (size_t i = 0; i < c->n; ++i)
        fprintf(out, "%c%.2f %.2f", i ? 'L' : 'M', epoch_x(f, i) - half, cli_axis_at(&f->y, up[i]));
    if (half > 0.0) fprintf(out, "L%.2f %.2f", epoch_x(f, 0) + half, cli_axis_at(&f->y, up[0]));
    for (size_t i = c->n; i-- > 0;) {
        fprintf(out, "L%.2f %.2f", epoch_x(f, i) + half, cli_axis_at(&f->y, low[i]));
        if (half > 0.0) fprintf(out, "L%.2f %.2f", epoch_x(f, i) - half, cli_axis_at(&f->y, low[i]));
    }
    fputs("Z\">", out);
    cli_svg_title(out, "%s", b->name);
    fputs("</path>\n", out);
}

static void draw_series(FILE *out, const line_frame *f, const cli_chart_series *s) {
    fprintf(out, "<path class=\"line c%d%s\" d=\"", s->look & 3, s->dashed ? " dash" : "");
    int pen_down = 0;
    for (size_t i = 0; i < f->n; ++i) {
        if (!isfinite(s->y[i])) {
            pen_down = 0;
            continue;
        }
        fprintf(out, "%c%.2f %.2f", pen_down ? 'L' : 'M', epoch_x(f, i), cli_axis_at(&f->y, s->y[i]));
        pen_down = 1;
    }
    fputs("\"/>\n", out);
    if (f->n > 60) return; /* markers would merge into a thick line */
    for (size_t i = 0; i < f->n; ++i) {
        if (!isfinite(s->y[i])) continue;
        const char *close = marker_open(out, s->look, s->dashed, epoch_x(f, i),
                                        cli_axis_at(&f->y, s->y[i]));
        cli_svg_title(out, "%s, epoch %zu: %.4f", s->name, i + 1, s->y[i]);
        fprintf(out, "%s\n", close);
    }
}

/* Legend items laid out left to right, wrapping; returns the number of rows (draws when out). */
static int legend(FILE *out, const cli_line_chart *c, double left, double right, double top) {
    double x = left;
    int row = 0;
    for (size_t i = 0; i < c->series_count + c->band_count; ++i) {
        const char *name = i < c->series_count ? c->series[i].name : c->bands[i - c->series_count].name;
        double width = 44.0 + 6.6 * (double)strlen(name);
        if (x > left && x + width > right) {
            x = left;
            row++;
        }
        double y = top + row * LEGEND_ROW;
        if (out && i < c->series_count) {
            const cli_chart_series *s = &c->series[i];
            fprintf(out, "<path class=\"line c%d%s\" d=\"M%.1f %.1fh28\"/>", s->look & 3,
                    s->dashed ? " dash" : "", x, y);
            fputs(marker_open(out, s->look, s->dashed, x + 14, y), out);
        } else if (out) {
            const cli_chart_band *b = &c->bands[i - c->series_count];
            fprintf(out, "<rect class=\"band%s\" x=\"%.1f\" y=\"%.1f\" width=\"28\" height=\"11\"/>",
                    b->hatched ? " hatch" : "", x, y - 5.5);
        }
        if (out) cli_svg_text(out, x + 34, y + 4, "start", "legend", "%s", name);
        x += width;
    }
    return row + 1;
}

void cli_chart_line(FILE *out, const cli_line_chart *c) {
    line_frame f = {64.0, LINE_WIDTH - 18.0, 0.0, 0.0, c->n, {0.0, 1.0, 1.0, 0, 0.0, 0.0}};
    int rows = legend(NULL, c, f.left, f.right, 0.0);
    f.top = 14.0 + rows * LEGEND_ROW;
    f.bottom = f.top + LINE_PLOT_HEIGHT;
    double height = f.bottom + 48.0;
    double lo, hi;
    y_range(c, &lo, &hi);
    f.y = cli_axis_make(lo, hi, 5, 0, f.bottom, f.top);
    cli_svg_begin(out, LINE_WIDTH, height, "chart line-chart", c->label);
    cli_axis_draw_y(out, &f.y, f.left, f.right, 16.0, c->y_label);
    draw_epoch_axis(out, &f, c->x_label, f.bottom + 40.0);
    for (size_t b = 0; b < c->band_count; ++b) draw_band(out, &f, c, &c->bands[b]);
    for (size_t s = 0; s < c->series_count; ++s) draw_series(out, &f, &c->series[s]);
    legend(out, c, f.left, f.right, 12.0);
    cli_svg_end(out);
}

/* ---- bars --------------------------------------------------------------------------------- */

void cli_chart_bars(FILE *out, const cli_chart_bar *bars, size_t n, double max, int percent,
                   const char *label) {
    /* Text widths estimated at 7.2 units a character (12.5 px sans-serif). */
    size_t longest_label = 0, longest_note = 0;
    for (size_t i = 0; i < n; ++i) {
        longest_label = strlen(bars[i].label) > longest_label ? strlen(bars[i].label) : longest_label;
        longest_note = strlen(bars[i].note) > longest_note ? strlen(bars[i].note) : longest_note;
    }
    const double row = 22.0, span = 250.0;
    double x0 = 16.0 + 7.2 * (double)(longest_label < 30 ? longest_label : 30);
    double width = x0 + span + 8.0 + 7.2 * (double)(10 + longest_note);
    cli_svg_begin(out, width, row * (double)n + 8.0, "chart bars", label);
    for (size_t i = 0; i < n; ++i) {
        const cli_chart_bar *b = &bars[i];
        double y = 4.0 + row * (double)i, v = isfinite(b->value) && b->value > 0.0 ? b->value : 0.0;
        double w = max > 0.0 ? v / max * span : 0.0;
        cli_svg_text(out, x0 - 8.0, y + 14.0, "end", b->emphasis ? "label strong" : "label", "%s",
                    b->label);
        cli_svg_rect(out, x0, y + 3.0, span, 14.0, "bar-track", NULL);
        fprintf(out, "<rect class=\"bar%s\" x=\"%.1f\" y=\"%.1f\" width=\"%.2f\" height=\"14\">",
                b->emphasis ? " strong" : "", x0, y + 3.0, w);
        cli_svg_title(out, "%s: %.6f", b->label, b->value);
        fputs("</rect>\n", out);
        if (percent)
            cli_svg_text(out, x0 + span + 8.0, y + 14.0, "start", "value", "%.1f %%%s%s",
                        b->value * 100.0, b->note[0] ? "  " : "", b->note);
        else
            cli_svg_text(out, x0 + span + 8.0, y + 14.0, "start", "value", "%.4f%s%s", b->value,
                        b->note[0] ? "  " : "", b->note);
    }
    cli_svg_end(out);
}

/* ---- histogram ---------------------------------------------------------------------------- */

static void value_range(const float *v, size_t n, double *lo, double *hi) {
    *lo = INFINITY;
    *hi = -INFINITY;
    for (size_t i = 0; i < n; ++i) {
        *lo = v[i] < *lo ? v[i] : *lo;
        *hi = v[i] > *hi ? v[i] : *hi;
    }
    if (n == 0) *lo = *hi = 0.0;
}

void cli_chart_histogram(FILE *out, const float *values, size_t n, size_t bins,
                        const char *x_label, const char *label) {
    enum { MAX_BINS = 64 };
    size_t counts[MAX_BINS] = {0}, top = 1;
    bins = bins < 1 ? 1 : bins > MAX_BINS ? MAX_BINS : bins;
    double lo, hi;
    value_range(values, n, &lo, &hi);
    double width = hi > lo ? (hi - lo) / (double)bins : 1.0;
    for (size_t i = 0; i < n; ++i) {
        size_t b = (size_t)(((double)values[i] - lo) / width);
        counts[b < bins ? b : bins - 1]++;
    }
    for (size_t b = 0; b < bins; ++b) top = counts[b] > top ? counts[b] : top;
    const double left = 60.0, right = 448.0, plot_top = 12.0, bottom = 196.0;
    cli_axis x = cli_axis_make(lo, hi > lo ? hi : lo + 1.0, 5, 0, left, right);
    cli_axis y = cli_axis_make(0.0, (double)top, 4, 1, bottom, plot_top);
    cli_svg_begin(out, 460.0, 240.0, "chart histogram", label);
    cli_axis_draw_y(out, &y, left, right, 14.0, "count");
    cli_axis_draw_x(out, &x, bottom, bottom, 234.0, x_label);
    for (size_t b = 0; b < bins; ++b) {
        double a = cli_axis_at(&x, lo + width * (double)b), z = cli_axis_at(&x, lo + width * (double)(b + 1));
        double h = bottom - cli_axis_at(&y, (double)counts[b]);
        fprintf(out, "<rect class=\"bar\" x=\"%.2f\" y=\"%.2f\" width=\"%.2f\" height=\"%.2f\">",
                a, bottom - h, z - a > 1.0 ? z - a - 0.6 : z - a, h);
        cli_svg_title(out, "[%.4f, %.4f): %zu", lo + width * (double)b, lo + width * (double)(b + 1),
                     counts[b]);
        fputs("</rect>\n", out);
    }
    cli_svg_end(out);
}

/* ---- strip -------------------------------------------------------------------------------- */

void cli_chart_strip(FILE *out, const float *values, size_t n, const char *label) {
    size_t shown = n < STRIP_MAX ? n : STRIP_MAX;
    double bar = shown ? 480.0 / (double)shown : 1.0;
    bar = bar > 14.0 ? 14.0 : bar < 1.8 ? 1.8 : bar;
    double lo, hi;
    value_range(values, shown, &lo, &hi);
    lo = lo < 0.0 ? lo : 0.0;
    hi = hi > 0.0 ? hi : 0.0;
    if (hi - lo < 1e-12) hi = lo + 1.0;
    const double left = 58.0, top = 6.0, bottom = 62.0;
    cli_axis y = {lo, hi, hi - lo, 2, bottom, top};
    double width = left + bar * (double)shown + 12.0;
    cli_svg_begin(out, width < 200.0 ? 200.0 : width, 70.0, "chart strip", label);
    cli_svg_text(out, left - 6.0, top + 8.0, "end", "tick", "%.2f", hi);
    cli_svg_text(out, left - 6.0, bottom, "end", "tick", "%.2f", lo);
    double zero = cli_axis_at(&y, 0.0);
    for (size_t j = 0; j < shown; ++j) {
        double v = values[j], yv = cli_axis_at(&y, v);
        fprintf(out, "<rect class=\"bar%s\" x=\"%.2f\" y=\"%.2f\" width=\"%.2f\" height=\"%.2f\">",
                v < 0.0 ? " neg" : "", left + bar * (double)j, v < 0.0 ? zero : yv,
                bar > 3.0 ? bar - 1.0 : bar, fabs(zero - yv));
        if (shown <= 64) cli_svg_title(out, "unit %zu: %.4f", j, v);
        fputs("</rect>", out);
    }
    fputc('\n', out);
    cli_svg_line(out, left, zero, left + bar * (double)shown, zero, "axis");
    cli_svg_end(out);
}
