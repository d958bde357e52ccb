/* report_grid.c — the report's grid-shaped figures: confusion heat map, grey-scale input image,
 * dropout keep mask. */
#include "report/report_grid.h"

#include "report/report_html.h"

#include <string.h>

enum { MASK_MAX_ROWS = 64, MASK_MAX_COLS = 300 };

static double clamp(double v, double lo, double hi) { return v < lo ? lo : v > hi ? hi : v; }

/* ---- confusion matrix --------------------------------------------------------------------- */

static uint64_t row_total(const uint64_t *m, size_t classes, size_t t) {
    uint64_t sum = 0;
    for (size_t p = 0; p < classes; ++p) sum += m[t * classes + p];
    return sum;
}

static void heat_cell(FILE *out, const uint64_t *m, size_t classes, const char *const *names,
                      size_t t, size_t p, double x, double y, double cell) {
    uint64_t count = m[t * classes + p], total = row_total(m, classes, t);
    double fraction = total ? (double)count / (double)total : 0.0;
    char shade[8];
    fprintf(out, "<rect class=\"cell%s\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" "
                 "fill=\"%s\">", t == p ? " diag" : "", x, y, cell, cell,
            cli_html_shade(fraction, shade));
    cli_svg_title(out, "true %s, predicted %s: %llu (%.1f %% of true %s)", names[t], names[p],
                 (unsigned long long)count, fraction * 100.0, names[t]);
    fputs("</rect>\n", out);
    if (cell >= 26.0)
        cli_svg_text(out, x + cell / 2.0, y + cell / 2.0 + 4.0, "middle",
                    fraction > 0.5 ? "count on-dark" : "count", "%llu", (unsigned long long)count);
}

void cli_chart_heatmap(FILE *out, const uint64_t *m, size_t classes, const char *const *names,
                      const char *label) {
    double cell = clamp(440.0 / (double)classes, 12.0, 48.0);
    size_t longest = 1;
    for (size_t t = 0; t < classes; ++t) longest = strlen(names[t]) > longest ? strlen(names[t]) : longest;
    const double left = 48.0 + 7.0 * (double)(longest < 18 ? longest : 18), top = 12.0;
    double side = cell * (double)classes;
    cli_svg_begin(out, left + side + 20.0, top + side + 58.0, "chart heatmap", label);
    for (size_t t = 0; t < classes; ++t) {
        double y = top + cell * (double)t;
        cli_svg_text(out, left - 8.0, y + cell / 2.0 + 4.0, "end", "tick", "%.18s", names[t]);
        for (size_t p = 0; p < classes; ++p)
            heat_cell(out, m, classes, names, t, p, left + cell * (double)p, y, cell);
    }
    for (size_t p = 0; p < classes; ++p) {
        double x = left + cell * ((double)p + 0.5);
        if (strlen(names[p]) * 7.0 <= cell) cli_svg_text(out, x, top + side + 16.0, "middle", "tick", "%s", names[p]);
        else cli_svg_text(out, x, top + side + 16.0, "middle", "tick", "%zu", p);
    }
    cli_svg_text(out, left + side / 2.0, top + side + 40.0, "middle", "axis-label", "predicted class");
    cli_svg_vtext(out, 16.0, top + side / 2.0, "axis-label", "true class");
    cli_svg_end(out);
}

/* ---- image -------------------------------------------------------------------------------- */

void cli_chart_image(FILE *out, const float *pixels, size_t side, double size, const char *label) {
    double px = size / (double)side;
    char grey[8];
    cli_svg_begin(out, size, size, "chart image", label);
    fputs("<g shape-rendering=\"crispEdges\">", out);
    cli_svg_rect(out, 0, 0, size, size, NULL, "#000000");
    for (size_t r = 0; r < side; ++r)
        for (size_t c = 0; c < side; ++c) {
            double v = pixels[r * side + c];
            if (v < 0.02) continue; /* the black background already shows it */
            cli_svg_rect(out, px * (double)c, px * (double)r, px, px, NULL, cli_html_grey(v, grey));
        }
    fputs("</g>\n", out);
    cli_svg_end(out);
}

/* ---- dropout mask ------------------------------------------------------------------------- */

/* Dropped cells of one row, consecutive ones merged into a single rectangle. */
static void mask_row(FILE *out, const uint8_t *keep, size_t cols, double x0, double y, double cw,
                     double ch) {
    for (size_t c = 0; c < cols;) {
        if (keep[c]) {
            ++c;
            continue;
        }
        size_t end = c;
        while (end < cols && !keep[end]) ++end;
        cli_svg_rect(out, x0 + cw * (double)c, y, cw * (double)(end - c), ch, "dropped", NULL);
        c = end;
    }
}

static void mask_grid_lines(FILE *out, size_t rows, size_t cols, double x0, double y0, double cw,
                            double ch) {
    for (size_t r = 1; r < rows; ++r)
        cli_svg_line(out, x0, y0 + ch * (double)r, x0 + cw * (double)cols, y0 + ch * (double)r, "cell-line");
    for (size_t c = 1; c < cols; ++c)
        cli_svg_line(out, x0 + cw * (double)c, y0, x0 + cw * (double)c, y0 + ch * (double)rows, "cell-line");
}

void cli_chart_mask(FILE *out, const uint8_t *keep, size_t rows, size_t cols, const char *label) {
    size_t shown_rows = rows < MASK_MAX_ROWS ? rows : MASK_MAX_ROWS;
    size_t shown_cols = cols < MASK_MAX_COLS ? cols : MASK_MAX_COLS;
    double cw = clamp(880.0 / (double)shown_cols, 2.5, 22.0), ch = clamp(cw, 4.0, 14.0);
    const double left = 58.0, top = 8.0;
    double grid_w = cw * (double)shown_cols, grid_h = ch * (double)shown_rows;
    double width = left + grid_w + 16.0;
    cli_svg_begin(out, width < 360.0 ? 360.0 : width, top + grid_h + 56.0, "chart mask", label);
    fputs("<g shape-rendering=\"crispEdges\">", out);
    cli_svg_rect(out, left, top, grid_w, grid_h, "kept", NULL);
    for (size_t r = 0; r < shown_rows; ++r)
        mask_row(out, keep + r * cols, shown_cols, left, top + ch * (double)r, cw, ch);
    if (cw >= 6.0 && ch >= 6.0) mask_grid_lines(out, shown_rows, shown_cols, left, top, cw, ch);
    fputs("</g>\n", out);
    cli_svg_rect(out, left, top, grid_w, grid_h, "frame", NULL);
    cli_svg_text(out, left - 6.0, top + ch - 1.0, "end", "tick", "1");
    cli_svg_text(out, left - 6.0, top + grid_h, "end", "tick", "%zu", shown_rows);
    cli_svg_text(out, left, top + grid_h + 16.0, "start", "tick", "1");
    cli_svg_text(out, left + grid_w, top + grid_h + 16.0, "end", "tick", "%zu", shown_cols);
    cli_svg_vtext(out, 18.0, top + grid_h / 2.0, "axis-label", "example");
    if (shown_rows < rows || shown_cols < cols)
        cli_svg_text(out, left + grid_w / 2.0, top + grid_h + 40.0, "middle", "axis-label",
                    "unit (first %zu of %zu units, %zu of %zu examples shown)", shown_cols, cols,
                    shown_rows, rows);
    else
        cli_svg_text(out, left + grid_w / 2.0, top + grid_h + 40.0, "middle", "axis-label", "unit");
    cli_svg_end(out);
}
