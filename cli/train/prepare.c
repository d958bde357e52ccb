/* prepare.c — categorical columns and missing cells of the training data. The categories and
 * the fill values come from the rows fit trains on, never from the validation or test rows (as
 * scikit-learn fits a SimpleImputer / OneHotEncoder on the training split only). */
#include "train/prepare.h"

#include "common/cli_error.h"
#include "common/preprocessing.h"
#include "common/table_options.h"

#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>

static void warn(const char *spec, const char *what, const dn_dataset *d) {
    if (d != NULL && dn_dataset_warning(d) != NULL)
        fprintf(stderr, "warning: %s%s: %s\n", spec, what, dn_dataset_warning(d));
}

int cli_train_prepare(const cli_train_settings *s, cli_train_job *job) {
    dn_impute impute = (dn_impute)cli_impute_parse(s->impute); /* checked by cli_train_check */
    dn_dataset **sets[] = {&job->train, &job->fit_rows, &job->val, &job->test};
    int needed = impute != DN_IMPUTE_NONE;
    for (size_t i = 0; i < 4; ++i) needed |= dn_dataset_needs_preparing(*sets[i]);
    if (!needed) return 0;
    if (dn_dataset_feature_name(job->train, 0) == NULL)
        return cli_error(-1, "--impute: %s is not a CSV file; missing cells and categories "
                             "exist in CSV data only", s->train);
    const dn_dataset *fit = cli_train_fitted_rows(job);
    size_t fit_rows = dn_dataset_rows(fit); /* `fit` is freed below, with its raw form */
    dn_dataset *done[4] = {NULL};
    dn_error err;
    for (size_t i = 0; i < 4; ++i) {
        if (*sets[i] == NULL || dn_dataset_prepare(*sets[i], fit, impute, &done[i], &err) == DN_OK)
            continue;
        for (size_t k = 0; k < i; ++k) dn_dataset_free(done[k]);
        return cli_error(-1, "%s", err.message);
    }
    for (size_t i = 0; i < 4; ++i) {
        if (*sets[i] == NULL) continue;
        dn_dataset_free(*sets[i]);
        *sets[i] = done[i];
    }
    char prefix[4200];
    snprintf(prefix, sizeof prefix, "note: %s:", s->train);
    cli_preprocessing_describe(stdout, prefix, dn_dataset_preprocessing(job->train));
    if (s->val_split > 0.0 || s->test_split > 0.0)
        printf("note: %s: categories and fill values come from the %zu training rows only, not "
               "from the rows held out\n", s->train, fit_rows);
    warn(s->train, " (validation rows)", job->fit_rows ? job->val : NULL);
    warn(s->train, " (test rows)", s->test_split > 0.0 ? job->test : NULL);
    return 0;
}

void cli_prepared_names_free(char **names, size_t count) {
    for (size_t i = 0; names != NULL && i < count; ++i) free(names[i]);
    free(names);
}

int cli_train_read_like(const dn_dataset *train, dn_dataset_options *o, char ***names,
                        size_t *count) {
    const char *json = dn_dataset_preprocessing(train);
    *names = NULL;
    *count = 0;
    if (json == NULL) return 0;
    cJSON *root = cJSON_Parse(json);
    const cJSON *columns = cJSON_GetObjectItemCaseSensitive(root, "columns"), *c;
    size_t n = (size_t)cJSON_GetArraySize(columns);
    char **list = calloc(n ? n : 1, sizeof *list);
    int ok = list != NULL && n > 0;
    cJSON_ArrayForEach(c, columns) {
        const cJSON *name = cJSON_GetObjectItemCaseSensitive(c, "name");
        size_t i = (*count)++;
        ok = ok && cJSON_IsString(name) && (list[i] = malloc(strlen(name->valuestring) + 1));
        if (ok) strcpy(list[i], name->valuestring);
    }
    cJSON_Delete(root);
    if (!ok) {
        cli_prepared_names_free(list, *count);
        *count = 0;
        return cli_error(-1, "out of memory for the column names");
    }
    *names = list;
    o->feature_columns = (const char *const *)list;
    o->feature_column_count = *count;
    o->preprocessing = json;
    o->raw_columns = 0;
    o->select_columns = o->ignore_columns = NULL; /* the names say which columns */
    o->match_by_position = !dn_dataset_has_header(train);
    if (o->label_column == NULL) o->label_column = dn_dataset_label_name(train);
    return 1;
}

int cli_train_check_plain(const cli_train_job *job, const dn_dataset *data, const char *spec) {
    if (!dn_dataset_needs_preparing(data)) return 0;
    dn_dataset *prepared = NULL;
    dn_error err;
    dn_status st = dn_dataset_prepare(data, cli_train_fitted_rows(job), DN_IMPUTE_NONE, &prepared,
                                      &err);
    dn_dataset_free(prepared);
    /* The training rows hold neither categories nor missing cells, so preparing `data` against
     * them fails on its first missing cell or category column, which is the message wanted. */
    (void)spec; /* the message names the file */
    return st == DN_OK ? 0 : cli_error(-1, "%s", err.message);
}
