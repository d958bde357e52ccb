/* idx.h — the IDX(.gz) reader (idx.c; internal; dn_dataset_open is the public entry). */
#ifndef DN_DATA_IDX_H
#define DN_DATA_IDX_H

#include "dropnet.h"

#include <stddef.h>

/* An IDX image file and its IDX label file → classification dataset with u8 features scaled by
 * 1/255. `max_rows` 0 means all rows; `max_bytes` caps the dataset (0: none). */
dn_status dni_idx_load(dn_dataset **out, const char *images_path, const char *labels_path,
                       size_t max_rows, size_t max_bytes, dn_error *err);

#endif
