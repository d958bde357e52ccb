/* csv.h — the CSV reader (csv.c; internal; dn_dataset_open is the public entry). */
#ifndef DN_DATA_CSV_H
#define DN_DATA_CSV_H

#include "dropnet.h"

#include <stddef.h>

/* A CSV file → classification dataset (see dn_dataset_open for the accepted format).
 * `label_column` NULL means the last column; `max_rows` 0 means all rows; `max_bytes` 0 no cap
 * (else the text and the dataset together must fit, checked before the dataset is allocated). */
dn_status dni_csv_load(dn_dataset **out, const char *path, const char *label_column,
                       size_t max_rows, int unlabeled, size_t max_bytes, dn_error *err);

#endif
