/* report_axis.h — linear axes for the report's charts: "nice" ticks (1, 2 or 5 × 10^k),
 * mapping values to SVG coordinates, and drawing ticks, gridlines and axis labels. */
#ifndef CLI_REPORT_AXIS_H
#define CLI_REPORT_AXIS_H

#include <stdio.h>

typedef struct cli_axis {
    double lo, hi;     /* the range shown: data range widened to whole ticks */
    double step;       /* distance between ticks */
    int decimals;      /* for tick labels */
    double from, to;   /* SVG coordinates of lo and hi (to < from for a y axis) */
} cli_axis;

/* The 1, 2 or 5 × 10^k step nearest above `raw` (at least 1 when `integer`). */
double cli_axis_nice_step(double raw, int integer);

/* An axis covering [lo, hi] (swapped if needed; widened when empty) with about `ticks` ticks;
 * `integer` keeps the step whole (epochs, counts). */
cli_axis cli_axis_make(double lo, double hi, int ticks, int integer, double from, double to);

/* The coordinate of value v. */
double cli_axis_at(const cli_axis *a, double v);

/* Ticks, labels and horizontal gridlines from x0 to x1 for a y axis at x0; the axis label is
 * written vertically left of the tick labels, at x = label_x. */
void cli_axis_draw_y(FILE *out, const cli_axis *a, double x0, double x1, double label_x,
                    const char *label);

/* Ticks and labels for an x axis at y0 (vertical gridlines up to y1 when y1 < y0); the axis
 * label is centred below, at y = label_y. */
void cli_axis_draw_x(FILE *out, const cli_axis *a, double y0, double y1, double label_y,
                    const char *label);

#endif
