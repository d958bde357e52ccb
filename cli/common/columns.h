/* columns.h — the columns a model remembers (feature names, label name, header or not), written
 * by train into the model's metadata ("columns") and used by eval, predict and trace to pick the
 * data's columns by name (docs/DATA.md "Columns by name"). */
#ifndef CLI_COLUMNS_H
#define CLI_COLUMNS_H

#include "dropnet.h"

#include <stdio.h>

typedef struct cli_columns {
    char **features;  /* [count] feature names in the model's input order */
    size_t count;
    char *label;      /* the label column's name (its index as text for a headerless file) */
    int header;       /* 1: the training file had a header, so names are real */
    const char *preprocessing; /* the model's "preprocessing" metadata (one-hot encoding and
                                  imputation of these columns; owned by the model), or NULL */
} cli_columns;

/* Stores the columns of `train` (when it has names: a CSV file) as the model's "columns"
 * metadata: {"header":true,"label":"species","features":["a","b"]}. A prepared dataset
 * (dn_dataset_prepare) stores the columns its preparation reads, and the preparation as the
 * "preprocessing" metadata. */
dn_status cli_columns_record(dn_model *model, const dn_dataset *train, dn_error *err);

/* Reads a model's "columns" metadata into *out: 1 when found and well formed, 0 when the model
 * has none (saved before columns were remembered), -1 after printing an error. Free with
 * cli_columns_free. */
int cli_columns_of_model(const dn_model *model, const char *model_path, cli_columns *out);
void cli_columns_free(cli_columns *c);

/* Says once on `out` what matching did: the data's columns that were ignored, or that a
 * headerless file was matched by position. */
void cli_columns_note(FILE *out, const char *spec, const cli_columns *c, const dn_dataset *data);

/* The start-of-run line that says what was read: "iris.csv: 150 rows × 4 features (a, b, c,
 * d), label "species", 3 classes (setosa 50, versicolor 50, virginica 50)"; names cut after 8,
 * class counts after 12 classes. */
void cli_columns_describe(FILE *out, const char *spec, const dn_dataset *data);

/* " (setosa 50, versicolor 50, virginica 50)": the rows of each class (its name, else "0:"),
 * for 1 to 12 classes; nothing otherwise (or when memory runs out). */
void cli_columns_class_counts(FILE *out, const dn_dataset *data);

/* Notes after the "what was read" line: a delimiter other than ',', pandas' index column left
 * out, and the columns --ignore / --features left out. */
void cli_columns_read_notes(FILE *out, const char *spec, const dn_dataset *data);

#endif
