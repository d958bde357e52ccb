/* model_file_budget.h — --max-memory for a model file before it is loaded
 * (cli/train/model_file_budget.c). */
#ifndef CLI_TRAIN_MODEL_FILE_BUDGET_H
#define CLI_TRAIN_MODEL_FILE_BUDGET_H

#include <stddef.h>

/* Refuses (prints, returns -1) the model file `path` (`what`: "--init", "checkpoint") when what
 * loading it will allocate, read from its header (dn_model_file_memory), exceeds `bytes_left`,
 * the part of --max-memory `max_memory` the data leaves; 0 otherwise. bytes_left 0 means no
 * limit. A file whose header cannot be read passes: loading it names the problem. */
int cli_model_file_fits(const char *what, const char *path, size_t bytes_left,
                        const char *max_memory);

#endif
