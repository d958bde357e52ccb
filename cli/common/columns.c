/* columns.c — the columns a model remembers, as the model's "columns" metadata (JSON). */
#include "common/columns.h"

#include "common/cli_error.h"

#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>

/* The column names of a prepared dataset: those its preparation read (before one-hot encoding),
 * as a cJSON array; NULL when it was not prepared. */
static cJSON *prepared_names(const dn_dataset *train) {
    cJSON *prep = cJSON_Parse(dn_dataset_preprocessing(train) ? dn_dataset_preprocessing(train) : "");
    cJSON *names = prep ? cJSON_CreateArray() : NULL, *c;
    cJSON_ArrayForEach(c, cJSON_GetObjectItemCaseSensitive(prep, "columns")) {
        const cJSON *name = cJSON_GetObjectItemCaseSensitive(c, "name");
        if (cJSON_IsString(name)) cJSON_AddItemToArray(names, cJSON_CreateString(name->valuestring));
    }
    cJSON_Delete(prep);
    return names;
}

dn_status cli_columns_record(dn_model *model, const dn_dataset *train, dn_error *err) {
    size_t f = dn_dataset_features(train);
    if (dn_dataset_feature_name(train, 0) == NULL) return DN_OK; /* IDX, synthetic: no names */
    const char *prep = dn_dataset_preprocessing(train);
    if (prep != NULL) { /* the columns read, and how they become the model's inputs */
        dn_status st = dn_model_set_metadata(model, "preprocessing", prep, err);
        if (st != DN_OK) return st;
    }
    cJSON *o = cJSON_CreateObject(), *names = prep ? prepared_names(train) : cJSON_CreateArray();
    int ok = o != NULL && names != NULL;
    if (ok && prep != NULL) {
        cJSON_AddBoolToObject(o, "header", dn_dataset_has_header(train));
        if (dn_dataset_label_name(train) != NULL)
            cJSON_AddStringToObject(o, "label", dn_dataset_label_name(train));
        cJSON_AddItemToObject(o, "features", names);
        names = NULL;
    } else if (ok) {
        cJSON_AddBoolToObject(o, "header", dn_dataset_has_header(train));
        if (dn_dataset_label_name(train) != NULL)
            cJSON_AddStringToObject(o, "label", dn_dataset_label_name(train));
        cJSON_AddItemToObject(o, "features", names);
        names = NULL;
        cJSON *list = cJSON_GetObjectItem(o, "features");
        for (size_t j = 0; ok && j < f; ++j) {
            cJSON *item = cJSON_CreateString(dn_dataset_feature_name(train, j));
            ok = item != NULL && cJSON_AddItemToArray(list, item);
        }
    }
    char *text = ok ? cJSON_PrintUnformatted(o) : NULL;
    cJSON_Delete(o);
    cJSON_Delete(names);
    if (text == NULL) {
        if (err) snprintf(err->message, sizeof err->message, "out of memory for the column names");
        return DN_ERR_MEMORY;
    }
    dn_status st = dn_model_set_metadata(model, "columns", text, err);
    cJSON_free(text);
    return st;
}

void cli_columns_free(cli_columns *c) {
    if (c->features != NULL)
        for (size_t j = 0; j < c->count; ++j) free(c->features[j]);
    free(c->features);
    free(c->label);
    *c = (cli_columns){0};
}

static char *copy_text(const char *text) {
    char *copy = malloc(strlen(text) + 1);
    if (copy != NULL) strcpy(copy, text);
    return copy;
}

/* 0 when `o` is {"header":bool,"label":string?,"features":[string × inputs]}. */
static int parse_columns(const cJSON *o, size_t inputs, cli_columns *out) {
    const cJSON *header = cJSON_GetObjectItemCaseSensitive(o, "header");
    const cJSON *label = cJSON_GetObjectItemCaseSensitive(o, "label");
    const cJSON *features = cJSON_GetObjectItemCaseSensitive(o, "features");
    if (!cJSON_IsBool(header) || (label != NULL && !cJSON_IsString(label)) ||
        !cJSON_IsArray(features) || (size_t)cJSON_GetArraySize(features) != inputs)
        return -1;
    out->header = cJSON_IsTrue(header);
    if (label != NULL && (out->label = copy_text(label->valuestring)) == NULL) return -1;
    if ((out->features = calloc(inputs, sizeof *out->features)) == NULL) return -1;
    out->count = inputs;
    size_t j = 0;
    const cJSON *item;
    cJSON_ArrayForEach(item, features) {
        if (!cJSON_IsString(item) || (out->features[j++] = copy_text(item->valuestring)) == NULL)
            return -1;
    }
    return 0;
}

/* The columns a model reads: its inputs, or the columns of its preprocessing (each categorical
 * one becoming several inputs); 0 when that metadata is damaged. */
static size_t columns_read(const dn_model *model) {
    const char *prep = dn_model_get_metadata(model, "preprocessing");
    if (prep == NULL) return dn_model_input_size(model);
    cJSON *o = cJSON_Parse(prep);
    const cJSON *columns = cJSON_GetObjectItemCaseSensitive(o, "columns");
    size_t n = cJSON_IsArray(columns) ? (size_t)cJSON_GetArraySize(columns) : 0;
    cJSON_Delete(o);
    return n;
}

int cli_columns_of_model(const dn_model *model, const char *model_path, cli_columns *out) {
    *out = (cli_columns){0};
    const char *text = dn_model_get_metadata(model, "columns");
    if (text == NULL) return 0;
    cJSON *o = cJSON_Parse(text);
    size_t count = columns_read(model);
    int bad = o == NULL || count == 0 || parse_columns(o, count, out) != 0;
    cJSON_Delete(o);
    if (bad) {
        cli_columns_free(out);
        return cli_error(-1, "%s: the model's \"columns\" metadata is damaged (expected the "
                             "header flag, the label and %zu feature names)", model_path, count);
    }
    out->preprocessing = dn_model_get_metadata(model, "preprocessing");
    return 1;
}

void cli_columns_note(FILE *out, const char *spec, const cli_columns *c, const dn_dataset *data) {
    if (dn_dataset_feature_name(data, 0) == NULL) return; /* not a CSV file */
    if (!dn_dataset_has_header(data) && c->header)
        fprintf(out, "note: %s has no header: its columns are matched to the model's %zu by "
                     "position\n", spec, c->count);
    else if (dn_dataset_has_header(data) && !c->header)
        fprintf(out, "note: the model was trained on a file without a header: %s's columns are "
                     "matched by position\n", spec);
    size_t ignored = dn_dataset_ignored_count(data);
    if (ignored == 0) return;
    fprintf(out, "note: %s: %zu column%s not used by the model, ignored:", spec, ignored,
            ignored == 1 ? "" : "s");
    for (size_t i = 0; i < ignored && i < 20; ++i)
        fprintf(out, "%s \"%s\"", i ? "," : "", dn_dataset_ignored_name(data, i));
    fprintf(out, "%s\n", ignored > 20 ? ", ..." : "");
}

void cli_columns_describe(FILE *out, const char *spec, const dn_dataset *data) {
    size_t f = dn_dataset_features(data), classes = dn_dataset_classes(data);
    fprintf(out, "%s: %zu rows \xc3\x97 %zu features", spec, dn_dataset_rows(data), f);
    if (dn_dataset_feature_name(data, 0) != NULL) {
        for (size_t j = 0; j < f && j < 8; ++j)
            fprintf(out, "%s%s", j ? ", " : " (", dn_dataset_feature_name(data, j));
        if (f > 8) fprintf(out, ", ... %zu more", f - 8);
        fputc(')', out);
    }
    const char *label = dn_dataset_label_name(data);
    if (label != NULL)
        fprintf(out, dn_dataset_has_header(data) ? ", label \"%s\"" : ", label column %s", label);
    if (classes > 0) fprintf(out, ", %zu classes", classes);
    if (dn_dataset_targets(data) > 0) fputs(", a regression target", out);
    cli_columns_class_counts(out, data);
    fputc('\n', out);
    cli_columns_read_notes(out, spec, data);
}

void cli_columns_class_counts(FILE *out, const dn_dataset *data) {
    size_t classes = dn_dataset_classes(data);
    size_t *count = classes > 0 && classes <= 12 ? calloc(classes, sizeof *count) : NULL;
    if (count == NULL) return;
    for (size_t r = 0; r < dn_dataset_rows(data); ++r) count[dn_dataset_label(data, r)]++;
    for (size_t c = 0; c < classes; ++c) {
        const char *name = dn_dataset_class_name(data, c);
        if (name) fprintf(out, "%s%s %zu", c ? ", " : " (", name, count[c]);
        else fprintf(out, "%s%zu: %zu", c ? ", " : " (", c, count[c]);
    }
    fputc(')', out);
    free(count);
}

void cli_columns_read_notes(FILE *out, const char *spec, const dn_dataset *data) {
    char delimiter = dn_dataset_delimiter(data);
    if (delimiter != 0 && delimiter != ',')
        fprintf(out, "note: %s: cells separated by \"%s\" (--delimiter to choose)\n", spec,
                delimiter == '\t' ? "\\t" : (char[2]){delimiter, '\0'});
    if (dn_dataset_index_column_dropped(data))
        fprintf(out, "note: %s: column 0 has no name and holds 0, 1, ..., %zu: pandas' index, "
                     "ignored\n", spec, dn_dataset_rows(data) - 1);
    size_t ignored = dn_dataset_ignored_count(data) - (size_t)dn_dataset_index_column_dropped(data);
    if (ignored == 0 || dn_dataset_ignored_count(data) == 0) return;
    fprintf(out, "note: %s: %zu column%s not used as features:", spec, ignored,
            ignored == 1 ? "" : "s");
    size_t first = (size_t)dn_dataset_index_column_dropped(data);
    for (size_t i = 0; i < ignored && i < 20; ++i)
        fprintf(out, "%s \"%s\"", i ? "," : "", dn_dataset_ignored_name(data, first + i));
    fprintf(out, "%s\n", ignored > 20 ? ", ..." : "");
}
