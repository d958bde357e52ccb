/* report_chart.h — the report's figures as inline SVG: line charts with axes, bar rows,
 * histograms and value strips (the grids, heat maps, images and masks: report_grid.h).
 *
 * Every figure labels its axes and never relies on colour alone: series differ in dash and
 * marker shape as well, heat maps print their counts, masks are black and white. */
#ifndef CLI_REPORT_CHART_H
#define CLI_REPORT_CHART_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* One line of a line chart: y[0..n) at x = 1..n (epochs). NaN leaves a gap. */
typedef struct cli_chart_series {
    const char *name;
    const double *y;
    int look;    /* 0..3: colour and marker shape (CSS .c0–.c3) */
    int dashed;  /* validation / held-out lines are dashed, training lines solid */
} cli_chart_series;

/* The area between two series, shaded (e.g. the train − held-out gap). */
typedef struct cli_chart_band {
    size_t upper, lower; /* series indices */
    int hatched;         /* 0: a tint of the upper series' colour, 1: diagonal hatching */
    const char *name;    /* legend text */
} cli_chart_band;

typedef struct cli_line_chart {
    const char *label;            /* what the figure shows (aria-label) */
    const char *x_label, *y_label;
    size_t n;                     /* points per series */
    const cli_chart_series *series;
    size_t series_count;
    const cli_chart_band *bands;   /* may be NULL */
    size_t band_count;
    int from_zero;                /* the y axis includes 0 */
} cli_line_chart;

/* A line chart with ticks, gridlines, axis labels, a legend and a tooltip on every point. */
void cli_chart_line(FILE *out, const cli_line_chart *chart);

/* One row of a horizontal bar chart. */
typedef struct cli_chart_bar {
    char label[64];
    double value;
    int emphasis;  /* drawn dark (e.g. the predicted class); others light */
    char note[48]; /* after the value, e.g. "predicted", "true class"; may be empty */
} cli_chart_bar;

/* Horizontal bars scaled to `max`; values printed as percentages when `percent`, else %.4f. */
void cli_chart_bars(FILE *out, const cli_chart_bar *bars, size_t n, double max, int percent,
                   const char *label);

/* A histogram of values[0..n) in `bins` equal bins between their minimum and maximum, with a
 * "count" axis and `x_label` below. */
void cli_chart_histogram(FILE *out, const float *values, size_t n, size_t bins,
                        const char *x_label, const char *label);

/* One row of activations as vertical bars around a zero line (the first 256 values when there
 * are more), with a tooltip per bar when there are few. */
void cli_chart_strip(FILE *out, const float *values, size_t n, const char *label);

#endif
