/* report_axis.c — tick choice and axis drawing for the report's charts. */
#include "report/report_axis.h"

#include "report/report_html.h"

#include <math.h>

double cli_axis_nice_step(double raw, int integer) {
    if (!(raw > 0.0) || !isfinite(raw)) return 1.0;
    double mag = pow(10.0, floor(log10(raw)));
    double norm = raw / mag;
    double step = (norm < 1.5 ? 1.0 : norm < 3.0 ? 2.0 : norm < 7.0 ? 5.0 : 10.0) * mag;
    if (integer && step < 1.0) step = 1.0;
    return step;
}

cli_axis cli_axis_make(double lo, double hi, int ticks, int integer, double from, double to) {
    if (!isfinite(lo) || !isfinite(hi)) {
        lo = 0.0;
        hi = 1.0;
    }
    if (lo > hi) {
        double t = lo;
        lo = hi;
        hi = t;
    }
    if (hi - lo < 1e-12) {
        double pad = fabs(lo) > 1e-12 ? fabs(lo) * 0.1 : 0.5;
        lo -= pad;
        hi += pad;
    }
    cli_axis a;
    a.step = cli_axis_nice_step((hi - lo) / (ticks > 1 ? ticks : 1), integer);
    a.lo = floor(lo / a.step + 1e-9) * a.step;
    a.hi = ceil(hi / a.step - 1e-9) * a.step;
    a.decimals = a.step >= 1.0 ? 0 : (int)ceil(-log10(a.step) - 1e-9);
    a.from = from;
    a.to = to;
    return a;
}

double cli_axis_at(const cli_axis *a, double v) {
    return a->from + (v - a->lo) / (a->hi - a->lo) * (a->to - a->from);
}

/* Tick values lo, lo + step, ... hi, computed by index so rounding cannot skip the last. */
static int tick_count(const cli_axis *a) { return (int)lround((a->hi - a->lo) / a->step) + 1; }

void cli_axis_draw_y(FILE *out, const cli_axis *a, double x0, double x1, double label_x,
                    const char *label) {
    int n = tick_count(a);
    for (int i = 0; i < n; ++i) {
        double v = a->lo + a->step * i, y = cli_axis_at(a, v);
        cli_svg_line(out, x0, y, x1, y, i == 0 ? "axis" : "grid");
        cli_svg_line(out, x0 - 4, y, x0, y, "axis");
        cli_svg_text(out, x0 - 7, y + 4, "end", "tick", "%.*f", a->decimals, v);
    }
    cli_svg_line(out, x0, a->from, x0, a->to, "axis");
    if (label) cli_svg_vtext(out, label_x, (a->from + a->to) / 2.0, "axis-label", label);
}

void cli_axis_draw_x(FILE *out, const cli_axis *a, double y0, double y1, double label_y,
                    const char *label) {
    int n = tick_count(a);
    for (int i = 0; i < n; ++i) {
        double v = a->lo + a->step * i, x = cli_axis_at(a, v);
        if (y1 < y0 && i > 0) cli_svg_line(out, x, y0, x, y1, "grid");
        cli_svg_line(out, x, y0, x, y0 + 4, "axis");
        cli_svg_text(out, x, y0 + 17, "middle", "tick", "%.*f", a->decimals, v);
    }
    cli_svg_line(out, a->from, y0, a->to, y0, "axis");
    if (label) cli_svg_text(out, (a->from + a->to) / 2.0, label_y, "middle", "axis-label", "%s", label);
}
