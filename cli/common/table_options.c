/* table_options.c — the text of --delimiter and --header to dn_dataset_options. */
#include "common/table_options.h"

#include "common/cli_error.h"

#include <string.h>

int cli_table_options(const char *command, const char *delimiter, const char *header,
                      dn_dataset_options *o) {
    if (delimiter == NULL || strcmp(delimiter, "auto") == 0) o->delimiter = 0;
    else if (strcmp(delimiter, "tab") == 0 || strcmp(delimiter, "\\t") == 0) o->delimiter = '\t';
    else if (strlen(delimiter) == 1 && strchr(",;|\t", delimiter[0]) != NULL) o->delimiter = delimiter[0];
    else
        return cli_error(-1, "%s: --delimiter must be , ; | tab or auto, got \"%s\"", command,
                         delimiter);
    if (header == NULL || strcmp(header, "auto") == 0) o->header = DN_HEADER_AUTO;
    else if (strcmp(header, "yes") == 0) o->header = DN_HEADER_YES;
    else if (strcmp(header, "no") == 0) o->header = DN_HEADER_NO;
    else return cli_error(-1, "%s: --header must be yes, no or auto, got \"%s\"", command, header);
    return 0;
}

int cli_impute_parse(const char *text) {
    static const char *const names[] = {"none", "mean", "median", "most_frequent"};
    if (text == NULL) return DN_IMPUTE_NONE;
    for (int i = 0; i < 4; ++i)
        if (strcmp(text, names[i]) == 0) return i; /* the order of dn_impute */
    return -1;
}
