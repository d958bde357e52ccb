/* exact_sum.c — an order-independent sum of doubles (exact_sum.h). */
#include "model/exact_sum.h"
#include "model/fit_blocks.h"

#include <math.h>

enum { MAX_COUNTS = 4 };

dn_status dni_exact_sum(const double *values, size_t n, size_t total, int64_t *counts,
                        size_t count_n, const dn_reducer *reducer, double *sum, dn_error *err) {
    double stats[2] = {0.0, 0.0}; /* max |value| among finite ones; 1: an infinity, 2: a NaN */
    for (size_t i = 0; i < n; ++i) {
        double a = fabs(values[i]);
        if (isnan(a)) stats[1] = 2.0;
        else if (isinf(a)) stats[1] = stats[1] > 1.0 ? stats[1] : 1.0;
        else if (a > stats[0]) stats[0] = a;
    }
    dn_status st = reducer ? reducer->max_double(stats, 2, reducer->user, err) : DN_OK;
    if (st != DN_OK) return st;
    if (count_n > MAX_COUNTS) count_n = MAX_COUNTS; /* callers pass at most 2 */
    int scale = dni_blocks_scale(stats[0], total ? total : 1);
    double factor = ldexp(1.0, scale);
    int64_t fixed[1 + MAX_COUNTS] = {0};
    for (size_t i = 0; stats[1] == 0.0 && i < n; ++i) fixed[0] += dni_round_small(values[i] * factor);
    for (size_t i = 0; i < count_n; ++i) fixed[1 + i] = counts[i];
    /* every worker makes this call, finite or not, so that none waits alone */
    if (reducer && (st = reducer->sum_int64(fixed, 1 + count_n, reducer->user, err)) != DN_OK)
        return st;
    for (size_t i = 0; i < count_n; ++i) counts[i] = fixed[1 + i];
    *sum = stats[1] == 2.0 ? NAN : stats[1] == 1.0 ? INFINITY : ldexp((double)fixed[0], -scale);
    return DN_OK;
}
