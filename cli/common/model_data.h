/* model_data.h — loading a saved model and a dataset for it, with the classes aligned. */
#ifndef CLI_MODEL_DATA_H
#define CLI_MODEL_DATA_H

#include "dropnet.h"

/* Loads the model at `model_path` and the data `data_spec` (CSV label column `label`, NULL for
 * the last), checks the feature count and aligns class ids to the model's class names. With
 * `allow_unlabeled`, a CSV with exactly as many columns as the model has inputs (and no --label)
 * is read as features only. Prints and returns -1 on error (nothing left allocated), else 0. */
int cli_load_model_and_data(const char *model_path, const char *data_spec, const char *label,
                               int allow_unlabeled, dn_model **model, dn_dataset **data);

/* The display name of class i: the model's class name (in buf, control characters escaped, when
 * it holds any: text_escape.h), or the number. */
const char *cli_class_label(const dn_model *model, size_t i, char *buf, size_t size);

#endif
