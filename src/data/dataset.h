/* dataset.h — how a dataset is stored and turned into batches (internal).
 *
 * Features are kept as float32, or as 8-bit values with a scale (IDX images), and only become
 * float rows when a batch is gathered. */
#ifndef DN_DATA_DATASET_H
#define DN_DATA_DATASET_H

#include "dropnet.h"

#include <stddef.h>
#include <stdint.h>

/* What a CSV file said about its columns (columns.c). Every string is owned here. */
typedef struct dni_columns {
    char **feature_names;   /* [features]: header cells, or x0, x1, ... for a headerless file */
    size_t feature_count;
    char *label_name;       /* the label's header cell; its 0-based index as text when headerless;
                               NULL for unlabeled data */
    int has_header;
    char **row_ids;         /* [rows] the id column's cells, or NULL */
    size_t row_count;
    char **ignored;         /* [ignored_count] header cells of the columns read as nothing */
    size_t ignored_count;
    char delimiter;         /* the cell delimiter the file was read with */
    int index_dropped;      /* column 0 was pandas' unnamed index column, left out */
    struct dni_raw_columns *raw; /* categories and missing cells before dn_dataset_prepare
                                    (raw_columns.h), or NULL */
} dni_columns;

struct dn_dataset {
    size_t rows, features;
    float *x;         /* [rows×features], or NULL when x_u8 holds the features */
    int x_borrowed;   /* 1: x is the caller's memory (dn_dataset_borrow), never freed here */
    uint8_t *x_u8;    /* [rows×features] compact storage, value = x_u8 · u8_scale */
    struct dni_disk_rows *disk; /* or: the bytes stay in their file, read per gather, value =
                                   byte · u8_scale (disk_rows.h); x and x_u8 are then NULL */
    float u8_scale;
    size_t classes;   /* > 0: classification with labels */
    int32_t *labels;  /* [rows] in [0, classes) */
    size_t targets;   /* > 0: float targets */
    float *y;         /* [rows×targets] */
    char **class_names; /* [classes] NUL-terminated names (CSV string labels), or NULL */
    size_t class_name_count; /* entries of class_names: freeing goes by this, not by `classes`,
                                so a caller may change `classes` before replacing the names */
    int integer_classes;      /* class_names are the decimal texts of integer labels (CSV) */
    dni_columns *columns;     /* column names, ids and ignored columns (CSV), or NULL */
    char *preprocessing;      /* JSON of the encoding and imputation applied (prepare.c), or NULL */
    char *warning;            /* what preparing had to say (unknown categories), or NULL */
};

/* Bytes dni_dataset_alloc takes for that shape (SIZE_MAX when it overflows). */
size_t dni_dataset_storage_bytes(size_t rows, size_t features, int compact, size_t classes,
                                 size_t targets);

/* DN_OK when `needed` bytes fit under `max_bytes` (0: no cap); else DN_ERR_MEMORY:
 * "PATH: WHAT needs N MiB, over the memory limit of M MiB". */
dn_status dni_check_memory_cap(const char *path, const char *what, size_t needed, size_t max_bytes,
                               dn_error *err);

/* `compact` of dni_dataset_alloc for a dataset whose features the caller lends (dn_dataset_borrow):
 * no feature array is allocated. */
enum { DNI_X_BORROWED = 2 };
/* `compact` of dni_dataset_alloc for features read from their file (disk_rows.h): none allocated. */
enum { DNI_X_ON_DISK = 3 };

/* An empty dataset shell with its arrays allocated (x as float when `compact` is 0, as bytes when
 * 1, none for DNI_X_BORROWED). */
dn_status dni_dataset_alloc(dn_dataset **out, size_t rows, size_t features, int compact,
                            size_t classes, size_t targets, dn_error *err);

/* Gives `data` a copy of names[0..data->classes) as its class names, replacing (and freeing)
 * any it had. DN_ERR_MEMORY leaves the dataset without names. */
dn_status dni_dataset_set_class_names(dn_dataset *data, const char *const *names, dn_error *err);


/* out [n×features] = features of rows index[0..n). A dataset read from disk cannot fail here: a
 * failed read gives zeros and is reported by dni_dataset_check_io, which a caller runs before it
 * uses what it gathered. */
void dni_dataset_gather_x(const dn_dataset *data, const size_t *index, size_t n, float *out);

/* DN_ERR_IO naming the file and row when a read of a dataset kept on disk failed; else DN_OK. */
dn_status dni_dataset_check_io(const dn_dataset *data, dn_error *err);

/* Labels of rows index[0..n) (classification datasets). */
void dni_dataset_gather_labels(const dn_dataset *data, const size_t *index, size_t n, int32_t *out);

/* out [n×width] = targets of rows index[0..n); a 2-class classification dataset gathered with
 * width 1 gives its labels as 0.0/1.0 (binary cross-entropy on integer labels, as Keras allows). */
void dni_dataset_gather_targets(const dn_dataset *data, const size_t *index, size_t n,
                                size_t width, float *out);

#endif
