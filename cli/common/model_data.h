/* model_data.h — loading a saved model and a dataset for it, with the classes aligned. */
#ifndef CLI_MODEL_DATA_H
#define CLI_MODEL_DATA_H

#include "dropnet.h"

/* What to load for a saved model: the data, its label column (NULL: the model's, or the last
 * column for a model that does not remember its columns), an id column kept per row (NULL:
 * none), and whether data without a label column is acceptable (predict, trace). */
typedef struct cli_data_request {
    const char *spec, *label, *id;
    int allow_unlabeled;
    const char *delimiter, *header; /* --delimiter, --header as given (table_options.h) */
    int strict; /* --strict: a category the model does not know is an error, not all zeros */
    int task; /* set by cli_load_model_and_data from the model: DN_TASK_REGRESSION for a
                 regression model (its label column read as float targets), else classification */
} cli_data_request;

/* Loads the model at `model_path` and the data of `r`: columns picked by the names the model
 * remembers (docs/DATA.md "Columns by name"; notes on stderr for ignored columns and positional
 * matching), the feature count checked and class ids aligned to the model's class names. A
 * model saved before it remembered its columns gets the old reading: a CSV with exactly as many
 * columns as the model has inputs (and no --label) is read as features only when unlabelled data
 * is allowed. Prints and returns -1 on error (nothing left allocated), else 0. */
int cli_load_model_and_data(const char *model_path, const cli_data_request *r, dn_model **model,
                            dn_dataset **data);

/* The display name of class i: the model's class name (in buf, control characters escaped, when
 * it holds any: text_escape.h), or the number. */
const char *cli_class_label(const dn_model *model, size_t i, char *buf, size_t size);

#endif
