/* exact_sum.h — a sum of doubles whose bits do not depend on how the values are split across
 * workers or in what order they are added (internal; exact_sum.c). Evaluation sums its per-row
 * losses this way, so validation and test metrics are the same bits for any number of ranks and
 * for one process (docs/SCALING.md). */
#ifndef DN_MODEL_EXACT_SUM_H
#define DN_MODEL_EXACT_SUM_H

#include "dropnet.h"

#include <stddef.h>
#include <stdint.h>

/* *sum = Σ values over all workers (this one holds values[0..n) of `total`), computed as the
 * fit_blocks step does: one max_double agrees on M = the largest |value| and whether one is NaN
 * or infinite, each value becomes round(v·2^S) with S = dni_blocks_scale(M, total), and one
 * sum_int64 adds them (and counts[0..count_n), this worker's integer counts, summed in place).
 * A NULL reducer: this process holds every value. *sum is NaN (a NaN value) or +∞ (an infinite
 * one, with no NaN) when a value was not finite. Fails only with what the reducer returns. */
dn_status dni_exact_sum(const double *values, size_t n, size_t total, int64_t *counts,
                        size_t count_n, const dn_reducer *reducer, double *sum, dn_error *err);

#endif
