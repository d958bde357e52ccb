/* prepare.h — one-hot encoding and imputation of a dataset read raw (prepare.c, its JSON form in
 * prepare_json.c; internal; dn_dataset_prepare is the public entry). */
#ifndef DN_DATA_PREPARE_H
#define DN_DATA_PREPARE_H

#include "data/dataset.h"

/* What one input column becomes. */
typedef struct dni_prep_column {
    char *name;
    int categorical;
    char **categories;  /* [count] sorted by strcmp: one 0/1 input each */
    size_t count;
    int has_fill;       /* a missing cell is filled (else it is an error) */
    double fill;        /* numeric fill */
    size_t fill_category; /* categorical fill: an index into categories */
} dni_prep_column;

typedef struct dni_prep {
    dn_impute impute;
    dni_prep_column *columns;
    size_t count;
} dni_prep;

void dni_prep_free(dni_prep *prep);

/* The inputs the model sees: one per numeric column, one per category. */
size_t dni_prep_width(const dni_prep *prep);

/* One reading of a CSV file by csv.c: `preset` [features] the features read as categories. */
typedef dn_status (*dni_csv_reader)(dn_dataset **out, const char *path,
                                    const dn_dataset_options *opts, const unsigned char *preset,
                                    unsigned char **found, dn_error *err);

/* Reads `path` as opts->preprocessing says (its categorical columns as categories) and encodes
 * and imputes it the same way (dn_dataset_options.preprocessing). */
dn_status dni_prepare_load(dn_dataset **out, const char *path, const dn_dataset_options *opts,
                           dni_csv_reader read, dn_error *err);

#endif
