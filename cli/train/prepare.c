/* prepare.c — categorical columns and missing cells of the training data. The categories and
 * the fill values come from the rows fit trains on, never from the validation or test rows (as
 * scikit-learn fits a SimpleImputer / OneHotEncoder on the training split only). */
#include "train/prepare.h"

#include "common/cli_error.h"
#include "common/preprocessing.h"
#include "common/table_options.h"

#include <cjson/cJSON.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static void warn(const char *spec, const char *what, const dn_dataset *d) {
    if (d != NULL && dn_dataset_warning(d) != NULL)
        fprintf(stderr, "warning: %s%s: %s\n", spec, what, dn_dataset_warning(d));
}

static size_t add_bytes(size_t a, size_t b) { return a > SIZE_MAX - b ? SIZE_MAX : a + b; }

/* --max-memory before anything is encoded (dn_dataset_prepared_bytes): preparing set i holds
 * every set as read, the prepared sets made so far and set i's own, and the working copy of set
 * i dn_dataset_prepare makes; the largest of these is the peak. Prints and returns -1 when it is
 * over the limit, naming the file and the size needed. */
static int check_budget(const cli_train_settings *s, dn_dataset **const *sets, const dn_dataset *fit,
                        dn_impute impute) {
    size_t as_read = 0, made = 0, peak = 0;
    for (size_t i = 0; i < 4; ++i) as_read = add_bytes(as_read, dn_dataset_bytes(*sets[i]));
    for (size_t i = 0; i < 4; ++i) {
        size_t bytes = 0;
        dn_error err;
        if (*sets[i] == NULL) continue;
        if (dn_dataset_prepared_bytes(*sets[i], fit, impute, &bytes, &err) != DN_OK)
            return cli_error(-1, "%s", err.message);
        made = add_bytes(made, bytes);
        size_t now = add_bytes(add_bytes(as_read, made), dn_dataset_bytes(*sets[i]));
        peak = now > peak ? now : peak;
    }
    if (peak <= s->max_bytes) return 0;
    return cli_error(-1, "--max-memory %s: %s: encoding the categories and filling the missing "
                        "cells needs %zu bytes (%.1f MiB) at its peak (the data as read %zu "
                        "bytes, encoded %zu), over the limit; give a larger --max-memory, or "
                        "--ignore a categorical column of many categories", s->max_memory, s->train,
                     peak, (double)peak / 1048576.0, as_read, made);
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
    if (s->max_bytes && check_budget(s, sets, fit, impute) != 0) return -1;
    dn_dataset *done[4] = {NULL};
    dn_error err;
    for (size_t i = 0; i < 4; ++i) {
        if (*sets[i] == NULL || dn_dataset_prepare(*sets[i], fit, impute, &done[i], &err) == DN_OK)
            continue;
        for (size_t k = 0; k < i; ++k) dn_dataset_free(done[k]);
        return cli_error(-1, "%s", err.message);
    }
    job->data_bytes = 0; /* what --test and --val-data may take is what is left after these */
    for (size_t i = 0; i < 4; ++i) {
        if (*sets[i] == NULL) continue;
        dn_dataset_free(*sets[i]);
        *sets[i] = done[i];
        job->data_bytes += dn_dataset_bytes(done[i]);
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

/* The names of the columns a prepared dataset's preparation reads (its "preprocessing" JSON),
 * copied into list[0..*count); 0 when memory runs out. */
static int prepared_names(const char *json, char **list, size_t n, size_t *count) {
    cJSON *root = cJSON_Parse(json);
    const cJSON *columns = cJSON_GetObjectItemCaseSensitive(root, "columns"), *c;
    int ok = root != NULL;
    cJSON_ArrayForEach(c, columns) {
        const cJSON *name = cJSON_GetObjectItemCaseSensitive(c, "name");
        ok = ok && *count < n && cJSON_IsString(name) &&
             (list[*count] = malloc(strlen(name->valuestring) + 1)) != NULL;
        if (ok) strcpy(list[(*count)++], name->valuestring);
    }
    cJSON_Delete(root);
    return ok;
}

/* The training file's feature names (as read: no preparation), copied into list[0..*count). */
static int feature_names(const dn_dataset *train, char **list, size_t n, size_t *count) {
    for (; *count < n; ++*count) {
        const char *name = dn_dataset_feature_name(train, *count);
        if ((list[*count] = malloc(strlen(name) + 1)) == NULL) return 0;
        strcpy(list[*count], name);
    }
    return 1;
}

int cli_train_read_like(const dn_dataset *train, dn_dataset_options *o, char ***names,
                        size_t *count) {
    *names = NULL;
    *count = 0;
    if (dn_dataset_feature_name(train, 0) == NULL) return 0; /* IDX: no names to match */
    const char *json = dn_dataset_preprocessing(train);
    cJSON *root = json ? cJSON_Parse(json) : NULL;
    size_t n = json ? (size_t)cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(root, "columns"))
                    : dn_dataset_features(train);
    cJSON_Delete(root);
    char **list = calloc(n ? n : 1, sizeof *list);
    int ok = list != NULL && n > 0 &&
             (json ? prepared_names(json, list, n, count) : feature_names(train, list, n, count));
    if (!ok) {
        cli_prepared_names_free(list, *count);
        *count = 0;
        return cli_error(-1, "out of memory for the column names");
    }
    *names = list;
    o->feature_columns = (const char *const *)list;
    o->feature_column_count = *count;
    /* Prepared: read with its categories and fill values. Not prepared: still raw, so that a
     * category or missing cell the training rows never had is found (cli_train_check_plain). */
    o->preprocessing = json;
    o->raw_columns = json == NULL;
    o->select_columns = o->ignore_columns = NULL; /* the names say which columns */
    o->match_by_position = !dn_dataset_has_header(train);
    /* The training label (or --label) by name; optional as for eval, so that an IDX pair (whose
     * labels are their own file) is still read: a CSV file without it is refused by the caller. */
    if (o->label_column == NULL) o->label_column = dn_dataset_label_name(train);
    o->label_optional = 1;
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
