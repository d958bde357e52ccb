/* model_data.c — a saved model and the data it is to judge. */
#include "common/model_data.h"

#include "common/cli_error.h"
#include "common/table_options.h"
#include "common/text_escape.h"
#include "common/columns.h"
#include "common/regression.h"

#include <stdio.h>
#include <stdlib.h>

static dn_status align_to_model(const dn_model *model, dn_dataset *data, dn_error *err) {
    size_t count = dn_model_output_size(model);
    if (dn_model_class_name(model, 0) == NULL) return dn_dataset_align_classes(data, NULL, 0, err);
    if (count == 1 && dn_model_class_name(model, 1) != NULL) count = 2; /* one sigmoid unit */
    const char **names = calloc(count, sizeof *names);
    if (names == NULL) return DN_ERR_MEMORY;
    for (size_t i = 0; i < count; ++i) names[i] = dn_model_class_name(model, i);
    dn_status st = dn_dataset_align_classes(data, names, count, err);
    free(names);
    return st;
}

/* A model saved before it remembered its columns: prediction data may have no label column.
 * When the labelled reading fails, or leaves one feature fewer than the model takes, the file is
 * read again with every column a feature; that reading is kept only if its width fits the
 * model, else the first answer stands. */
static dn_status open_by_count(const dn_model *model, const cli_data_request *r, dn_dataset **data,
                               dn_error *err) {
    dn_dataset_options opts = {.label_column = r->label, .id_column = r->id, .task = r->task};
    cli_table_options("", r->delimiter, r->header, &opts); /* checked by the caller */
    dn_status st = dn_dataset_open(data, r->spec, &opts, err);
    if (!r->allow_unlabeled || r->label != NULL) return st;
    if (st == DN_OK && dn_dataset_features(*data) + 1 != dn_model_input_size(model)) return st;
    dn_dataset *features_only = NULL;
    opts.unlabeled = 1;
    if (dn_dataset_open(&features_only, r->spec, &opts, NULL) == DN_OK &&
        dn_dataset_features(features_only) == dn_model_input_size(model)) {
        dn_dataset_free(*data);
        *data = features_only;
        return DN_OK;
    }
    dn_dataset_free(features_only);
    return st;
}

/* A model that remembers its columns: they are picked by name (by position for a headerless
 * file), and whether the data holds the label is decided by the label's name. */
static dn_status open_by_name(const cli_columns *c, const cli_data_request *r, dn_dataset **data,
                              dn_error *err) {
    dn_dataset_options opts = {
        .label_column = r->label ? r->label : c->label,
        .feature_columns = (const char *const *)c->features,
        .feature_column_count = c->count,
        .id_column = r->id,
        .label_optional = 1,
        .match_by_position = !c->header,
        .preprocessing = c->preprocessing,
        .strict_categories = r->strict,
        .task = r->task,
    };
    cli_table_options("", r->delimiter, r->header, &opts); /* checked by the caller */
    return dn_dataset_open(data, r->spec, &opts, err);
}

int cli_load_model_and_data(const char *model_path, const cli_data_request *r, dn_model **model,
                            dn_dataset **data) {
    dn_error err = {.status = DN_OK, .message = "out of memory"};
    cli_columns columns = {0};
    int known = 0;
    *model = NULL;
    *data = NULL;
    dn_dataset_options check = {0};
    if (cli_table_options(r->spec, r->delimiter, r->header, &check) != 0) return -1;
    dn_status st = dn_model_load(model, model_path, &err);
    if (st == DN_OK && (known = cli_columns_of_model(*model, model_path, &columns)) < 0) {
        dn_model_free(*model);
        *model = NULL;
        return -1;
    }
    cli_target_scale scale;
    int regression = st == DN_OK ? cli_target_scale_of_model(*model, model_path, &scale) : 0;
    if (regression < 0) {
        cli_columns_free(&columns);
        dn_model_free(*model);
        *model = NULL;
        return -1;
    }
    cli_data_request request = *r; /* the label column read as the model's task */
    request.task = regression ? DN_TASK_REGRESSION : DN_TASK_CLASSIFICATION;
    r = &request;
    if (st == DN_OK)
        st = known ? open_by_name(&columns, r, data, &err) : open_by_count(*model, r, data, &err);
    if (st == DN_OK && dn_dataset_features(*data) != dn_model_input_size(*model)) {
        snprintf(err.message, sizeof err.message, "%s has %zu features but the model %s expects %zu",
                 r->spec, dn_dataset_features(*data), model_path, dn_model_input_size(*model));
        st = DN_ERR_SHAPE;
    }
    const char *label = r->label ? r->label : known ? columns.label : NULL;
    if (st == DN_OK && !r->allow_unlabeled && dn_dataset_classes(*data) == 0 &&
        dn_dataset_targets(*data) == 0) {
        if (label != NULL)
            snprintf(err.message, sizeof err.message, "%s has no label column \"%s\" (the "
                     "model's label): give labelled data, or name its label column with --label "
                     "COL", r->spec, label);
        else /* columns by name without a label name: a model fitted in Python on unnamed y */
            snprintf(err.message, sizeof err.message, "%s: the model names its features but not "
                     "its label (it was trained on labels without a column name): name the label "
                     "column with --label COL", r->spec);
        st = DN_ERR_FORMAT;
    }
    if (st == DN_OK && known) cli_columns_note(stderr, r->spec, &columns, *data);
    if (st == DN_OK && dn_dataset_warning(*data) != NULL)
        fprintf(stderr, "warning: %s: %s\n", r->spec, dn_dataset_warning(*data));
    cli_columns_free(&columns);
    /* Alignment speaks of labels and classes; the user needs to know which file's. */
    const char *about = NULL;
    if (st == DN_OK && (st = align_to_model(*model, *data, &err)) != DN_OK) about = r->spec;
    if (st != DN_OK) {
        dn_model_free(*model);
        dn_dataset_free(*data);
        *model = NULL;
        *data = NULL;
        return about ? cli_error(-1, "%s: %s", about, err.message)
                     : cli_error(-1, "%s", err.message);
    }
    return 0;
}

const char *cli_class_label(const dn_model *model, size_t i, char *buf, size_t size) {
    const char *name = dn_model_class_name(model, i);
    if (name != NULL) return cli_has_control(name) ? cli_escape_control(buf, size, name) : name;
    snprintf(buf, size, "%zu", i);
    return buf;
}
