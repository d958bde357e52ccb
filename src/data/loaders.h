/* loaders.h — reading datasets from files (internal; dn_dataset_open is the public entry). */
#ifndef DN_DATA_LOADERS_H
#define DN_DATA_LOADERS_H

#include "dropnet.h"

#include <stddef.h>

/* Integer labels (CSV) stop here (in magnitude): a label is read as a double, which holds every
 * integer this large exactly; the class ids that stand for them are small. */
#define DN_MAX_INTEGER_LABEL 9007199254740992L

/* Reads the whole of `path`, plain or gzip (zlib tells them apart), into *text [*len + 1] with a
 * NUL appended. `path` may be a FIFO or pipe, and "-" reads standard input. A NUL byte is refused
 * (DN_ERR_FORMAT, file:line and offset) in the first block that holds one. The caller frees *text with free(). DN_ERR_IO names the path and the cause;
 * with max_bytes > 0, a text longer than that is refused (DN_ERR_MEMORY) as soon as it shows. */
dn_status dni_read_text_file(const char *path, size_t max_bytes, char **text, size_t *len,
                             dn_error *err);

/* A CSV file → classification dataset (see dn_dataset_open for the accepted format and
 * dn_dataset_options for the choices: label and id columns, selected features, row and memory
 * caps; the text and the dataset together must fit under max_bytes, checked before the dataset
 * is allocated). `opts` is not NULL. */
dn_status dni_csv_load(dn_dataset **out, const char *path, const dn_dataset_options *opts,
                       dn_error *err);

/* An IDX image file and its IDX label file → classification dataset with u8 features scaled by
 * 1/255. `max_rows` 0 means all rows; `max_bytes` caps the dataset (0: none). */
dn_status dni_idx_load(dn_dataset **out, const char *images_path, const char *labels_path,
                       size_t max_rows, size_t max_bytes, dn_error *err);

#endif
