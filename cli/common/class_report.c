/* class_report.c — per-class scores and their averages from confusion counts, and ROC AUC by
 * ranks (sorting the scores once, ties given their mean rank). */
#include "common/class_report.h"

#include <math.h>
#include <stdlib.h>

cli_class_score cli_class_score_of(const uint64_t *m, size_t classes, size_t c) {
    uint64_t predicted = 0, actual = 0;
    for (size_t k = 0; k < classes; ++k) {
        predicted += m[k * classes + c];
        actual += m[c * classes + k];
    }
    double tp = (double)m[c * classes + c];
    cli_class_score s = {predicted ? tp / (double)predicted : 0.0,
                         actual ? tp / (double)actual : 0.0, 0.0, actual};
    if (s.precision + s.recall > 0.0)
        s.f1 = 2.0 * s.precision * s.recall / (s.precision + s.recall);
    return s;
}

void cli_class_averages(const uint64_t *m, size_t classes, cli_class_score *macro,
                        cli_class_score *weighted) {
    *macro = *weighted = (cli_class_score){0};
    for (size_t c = 0; c < classes; ++c) {
        cli_class_score s = cli_class_score_of(m, classes, c);
        double w = (double)s.support;
        macro->precision += s.precision / (double)classes;
        macro->recall += s.recall / (double)classes;
        macro->f1 += s.f1 / (double)classes;
        weighted->precision += s.precision * w;
        weighted->recall += s.recall * w;
        weighted->f1 += s.f1 * w;
        macro->support += s.support;
    }
    weighted->support = macro->support;
    double total = (double)macro->support;
    weighted->precision = total > 0 ? weighted->precision / total : 0.0;
    weighted->recall = total > 0 ? weighted->recall / total : 0.0;
    weighted->f1 = total > 0 ? weighted->f1 / total : 0.0;
}

typedef struct scored {
    float p;
    int32_t label;
} scored;

static int by_score(const void *a, const void *b) {
    float x = ((const scored *)a)->p, y = ((const scored *)b)->p;
    return (x > y) - (x < y);
}

double cli_roc_auc(const float *p, const int32_t *labels, size_t n) {
    scored *v = malloc((n ? n : 1) * sizeof *v);
    if (v == NULL) return NAN;
    double positives = 0.0, rank_sum = 0.0;
    for (size_t i = 0; i < n; ++i) {
        v[i] = (scored){p[i], labels[i]};
        positives += labels[i] == 1;
    }
    qsort(v, n, sizeof *v, by_score);
    for (size_t i = 0; i < n;) { /* a run of equal scores shares the mean of its ranks */
        size_t j = i;
        while (j < n && v[j].p == v[i].p) ++j;
        double rank = ((double)i + 1.0 + (double)j) / 2.0;
        for (size_t k = i; k < j; ++k) rank_sum += v[k].label == 1 ? rank : 0.0;
        i = j;
    }
    free(v);
    double negatives = (double)n - positives;
    if (positives == 0.0 || negatives == 0.0) return NAN;
    return (rank_sum - positives * (positives + 1.0) / 2.0) / (positives * negatives);
}
