/* csv_labels.h — a CSV label column turned into labels and classes (csv_labels.c; internal). */
#ifndef DN_DATA_CSV_LABELS_H
#define DN_DATA_CSV_LABELS_H

#include "dropnet.h"

#include <stddef.h>

/* Integer labels (CSV) stop here (in magnitude): a label is read as a double, which holds every
 * integer this large exactly; the class ids that stand for them are small. */
#define DN_MAX_INTEGER_LABEL 9007199254740992L

/* A label cell kept until every row has been read, when the kind of the labels is known. */
typedef struct dn_csv_label {
    const char *text;
    size_t line;
} dn_csv_label;

/* Turns the label cells of data->rows rows (all in CSV column `column`, 1-based) into
 * data->labels and sets data->classes: integers when every cell is one (classes = max + 1),
 * otherwise names numbered in strcmp order and kept as data's class names. */
dn_status dni_csv_assign_labels(dn_dataset *data, const dn_csv_label *labels, const char *path,
                                size_t column, dn_error *err);

#endif
