/* csv.h — the CSV reader (csv.c; internal; dn_dataset_open is the public entry). */
#ifndef DN_DATA_CSV_H
#define DN_DATA_CSV_H

#include "dropnet.h"

#include <stddef.h>

/* A CSV file → classification dataset (see dn_dataset_open for the accepted format and
 * dn_dataset_options for the choices: label and id columns, selected features, row and memory
 * caps; the text and the dataset together must fit under max_bytes, checked before the dataset
 * is allocated). `opts` is not NULL. */
dn_status dni_csv_load(dn_dataset **out, const char *path, const dn_dataset_options *opts,
                       dn_error *err);

#endif
