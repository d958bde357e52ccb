/* output_head.c — an output layer from the data when --model has none: K-unit softmax for K
 * classes (a 2-unit softmax for two: the same functions as one sigmoid unit, and the class
 * names, MC entropy and confusion counts stay per class), one linear unit for a regression
 * target; an output layer given is checked against the data. */
#include "train/output_head.h"

#include "common/cli_error.h"

#include <stdio.h>
#include <string.h>

static int is_output_activation(dn_activation a) {
    return a == DN_ACT_SOFTMAX || a == DN_ACT_SIGMOID || a == DN_ACT_LINEAR;
}

/* An output layer that does not fit: print the layer it should be. */
static int refuse(const dn_layer_info *last, const dn_dataset *train) {
    size_t classes = dn_dataset_classes(train);
    if (dn_dataset_targets(train) > 0)
        return cli_error(-1, "--model: the output layer dense:%zu:%s does not fit a regression "
                            "target (one number per row): end --model with dense:1:linear, or "
                            "leave the output layer out and train adds it", last->outputs,
                         dn_activation_name(last->activation));
    return cli_error(-1, "--model: the data has %zu classes but the output layer has %zu units "
                        "(is the label column the right one? name it with --label COL); or end "
                        "--model with dense:%zu:softmax, or leave the output layer out and "
                        "train adds it", classes, last->outputs, classes);
}

static int fits(const dn_layer_info *last, const dn_dataset *train) {
    size_t classes = dn_dataset_classes(train);
    if (dn_dataset_targets(train) > 0)
        return last->outputs == dn_dataset_targets(train) && last->activation == DN_ACT_LINEAR;
    if (last->activation == DN_ACT_SIGMOID) return last->outputs == 1 && classes <= 2;
    return last->outputs == classes;
}

int cli_output_head(const char *spec, const dn_dataset *train, int say, char *out, size_t size) {
    dn_model *m = NULL;
    dn_error err;
    if (dn_model_from_spec(&m, dn_dataset_features(train), spec, &err) != DN_OK)
        return cli_error(-1, "%s", err.message);
    dn_layer_info last;
    dn_model_layer_info(m, dn_model_layer_count(m) - 1, &last, NULL);
    dn_model_free(m);
    int output = last.kind == DN_LAYER_DENSE && is_output_activation(last.activation);
    /* Data without classes or targets (never from train's loaders) keeps the spec as given. */
    if (output || (dn_dataset_classes(train) == 0 && dn_dataset_targets(train) == 0)) {
        if (output && !fits(&last, train)) return refuse(&last, train);
        if ((size_t)snprintf(out, size, "%s", spec) >= size) return cli_error(-1, "--model is too long");
        return 0;
    }
    char head[64];
    if (dn_dataset_targets(train) > 0)
        snprintf(head, sizeof head, "dense:%zu:linear", dn_dataset_targets(train));
    else
        snprintf(head, sizeof head, "dense:%zu:softmax", dn_dataset_classes(train));
    if ((size_t)snprintf(out, size, "%s,%s", spec, head) >= size)
        return cli_error(-1, "--model is too long");
    if (say)
        fprintf(stderr, "note: --model has no output layer: added %s (%s)\n", head,
                dn_dataset_targets(train) > 0 ? "a linear unit for the regression target"
                                              : "softmax over the classes");
    return 0;
}
