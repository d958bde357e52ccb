/* class_report.h — scikit-learn's classification_report from a confusion matrix (precision,
 * recall, F1 and support per class, macro and weighted averages, zero_division=0) and ROC AUC
 * for two classes (roc_auc_score; class_report.c). */
#ifndef CLI_CLASS_REPORT_H
#define CLI_CLASS_REPORT_H

#include "dropnet.h"

#include <stddef.h>
#include <stdint.h>

typedef struct cli_class_score {
    double precision, recall, f1; /* 0 where a denominator is 0 (zero_division=0) */
    uint64_t support;             /* examples of the class */
} cli_class_score;

/* Class c of the confusion matrix m [classes×classes] (rows: true, columns: predicted). */
cli_class_score cli_class_score_of(const uint64_t *m, size_t classes, size_t c);

/* Macro (unweighted mean over classes) and weighted (by support) averages of the scores, as
 * sklearn's "macro avg" and "weighted avg" rows (over every class of the model). */
void cli_class_averages(const uint64_t *m, size_t classes, cli_class_score *macro,
                        cli_class_score *weighted);

/* ROC AUC of scores p[0..n) (the positive class's probability; the positive class is class 1,
 * the second in label order, as sklearn) against labels[0..n) in {0, 1}: the Mann-Whitney
 * statistic with tied scores counted half. NaN when one class is absent. */
double cli_roc_auc(const float *p, const int32_t *labels, size_t n);

#endif
