/* preprocessing.h — what a dataset's or model's encoding and imputation are, in words
 * (dn_dataset_preprocessing's JSON, a model's "preprocessing" metadata; preprocessing.c). */
#ifndef CLI_PREPROCESSING_H
#define CLI_PREPROCESSING_H

#include <stddef.h>
#include <stdio.h>

/* Lines on `out`, each starting with `prefix`: the one-hot encoded columns with their category
 * counts and the input width, then the fill of every imputed column:
 *   PREFIX one-hot encoded: color 3 (blue, green, red), size 2 (L, S); 9 inputs from 5 columns
 *   PREFIX missing cells filled with the mean (numbers) / most frequent category: age 31.5, ...
 * Nothing for NULL or malformed JSON. */
void cli_preprocessing_describe(FILE *out, const char *prefix, const char *json);

#endif
