/* csv_targets.h — a CSV label column read as regression targets, or as class labels, as
 * dn_dataset_options.task says (csv_targets.c; internal). */
#ifndef DN_DATA_CSV_TARGETS_H
#define DN_DATA_CSV_TARGETS_H

#include "data/csv_labels.h"

#include "dropnet.h"

#include <stddef.h>

/* The auto rule (docs/DATA.md "Regression"): a label column is continuous when every cell is a
 * number and some value is not an integer, or when it holds more than this many distinct
 * integers and they are more than 1/DN_AUTO_REGRESSION_ROWS_PER_VALUE of the rows. */
#define DN_AUTO_REGRESSION_DISTINCT 20
#define DN_AUTO_REGRESSION_ROWS_PER_VALUE 20

/* Turns the label cells of data->rows rows (CSV column `column`, 1-based) into what `task`
 * asks: DN_TASK_CLASSIFICATION → class labels (dni_csv_assign_labels); DN_TASK_REGRESSION →
 * one float target per row (data->targets = 1, no classes); DN_TASK_AUTO → regression when the
 * column is continuous by the rule above, class labels otherwise. */
dn_status dni_csv_assign_task(dn_dataset *data, const dn_csv_label *labels, const char *path,
                              size_t column, int task, dn_error *err);

#endif
