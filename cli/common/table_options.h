/* table_options.h — --delimiter and --header as the CSV reader's options (table_options.c). */
#ifndef CLI_TABLE_OPTIONS_H
#define CLI_TABLE_OPTIONS_H

#include "dropnet.h"

/* Sets o->delimiter from `delimiter` ("," ";" "|", "tab" or "\t"; NULL or "auto": detect) and
 * o->header from `header` ("yes", "no", "auto"; NULL: auto). Prints an error naming `command`
 * and returns -1 for any other value, else 0. */
int cli_table_options(const char *command, const char *delimiter, const char *header,
                      dn_dataset_options *o);

/* --impute's text to a dn_impute: NULL or "none" → DN_IMPUTE_NONE, "mean", "median",
 * "most_frequent"; -1 for anything else. */
int cli_impute_parse(const char *text);

#endif
