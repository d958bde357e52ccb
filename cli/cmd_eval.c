/* cmd_eval.c — `dropnet eval`: loss, accuracy, per-class precision/recall/F1, confusion matrix
 * and (two classes) ROC AUC; for a regression model loss, MAE, RMSE and R² in the target's
 * units. */
#include "commands.h"
#include "common/class_report.h"
#include "common/cli_error.h"
#include "common/precision.h"
#include "common/regression.h"
#include "common/model_data.h"
#include "common/options.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

static void print_text(const dn_model *model, double loss, double accuracy, size_t rows,
                       const uint64_t *m, size_t classes) {
    char buf[32];
    printf("loss %.4f - accuracy %.4f (%zu examples)\n\n", loss, accuracy, rows);
    printf("%-16s %9s %9s %9s %9s\n", "class", "precision", "recall", "f1", "support");
    for (size_t c = 0; c < classes; ++c) {
        cli_class_score s = cli_class_score_of(m, classes, c);
        printf("%-16s %9.4f %9.4f %9.4f %9llu\n", cli_class_label(model, c, buf, sizeof buf),
               s.precision, s.recall, s.f1, (unsigned long long)s.support);
    }
    cli_class_score avg[2];
    cli_class_averages(m, classes, &avg[0], &avg[1]);
    for (int a = 0; a < 2; ++a)
        printf("%-16s %9.4f %9.4f %9.4f %9llu\n", a ? "weighted avg" : "macro avg",
               avg[a].precision, avg[a].recall, avg[a].f1, (unsigned long long)avg[a].support);
    printf("\nconfusion matrix (rows: true class, columns: predicted class)\n%-16s", "");
    for (size_t p = 0; p < classes; ++p) printf(" %8.8s", cli_class_label(model, p, buf, sizeof buf));
    printf("\n");
    for (size_t t = 0; t < classes; ++t) {
        printf("%-16.16s", cli_class_label(model, t, buf, sizeof buf));
        for (size_t p = 0; p < classes; ++p) printf(" %8llu", (unsigned long long)m[t * classes + p]);
        printf("\n");
    }
}

/* {"precision":…,"recall":…,"f1":…,"support":…} into `entry`. */
static void add_score(cJSON *entry, const cli_class_score *s) {
    cJSON_AddNumberToObject(entry, "precision", s->precision);
    cJSON_AddNumberToObject(entry, "recall", s->recall);
    cJSON_AddNumberToObject(entry, "f1", s->f1);
    cJSON_AddNumberToObject(entry, "support", (double)s->support);
}

/* Prints `o` as one line and frees it. */
static int print_object(cJSON *o) {
    char *text = cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    if (text == NULL) return cli_error(-1, "out of memory");
    printf("%s\n", text);
    cJSON_free(text);
    return 0;
}

/* A number, or null when it does not exist (cJSON would write NaN as null too, but say so). */
static void add_number(cJSON *o, const char *key, double v) {
    if (isfinite(v)) cJSON_AddNumberToObject(o, key, v);
    else cJSON_AddNullToObject(o, key);
}

static int print_json(const dn_model *model, double loss, double accuracy, size_t rows,
                      const uint64_t *m, size_t classes, double auc) {
    char buf[32];
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "task", "classification");
    cJSON_AddNumberToObject(o, "loss", loss);
    cJSON_AddNumberToObject(o, "accuracy", accuracy);
    cJSON_AddNumberToObject(o, "examples", (double)rows);
    cli_class_score avg[2];
    cli_class_averages(m, classes, &avg[0], &avg[1]);
    add_score(cJSON_AddObjectToObject(o, "macro_avg"), &avg[0]);
    add_score(cJSON_AddObjectToObject(o, "weighted_avg"), &avg[1]);
    if (classes == 2) add_number(o, "roc_auc", auc);
    cJSON *per_class = cJSON_AddArrayToObject(o, "classes");
    cJSON *matrix = cJSON_AddArrayToObject(o, "confusion");
    for (size_t c = 0; c < classes; ++c) {
        cli_class_score s = cli_class_score_of(m, classes, c);
        cJSON *entry = cJSON_CreateObject();
        cJSON_AddStringToObject(entry, "name", cli_class_label(model, c, buf, sizeof buf));
        add_score(entry, &s);
        cJSON_AddItemToArray(per_class, entry);
        cJSON *row = cJSON_CreateArray();
        for (size_t p = 0; p < classes; ++p)
            cJSON_AddItemToArray(row, cJSON_CreateNumber((double)m[c * classes + p]));
        cJSON_AddItemToArray(matrix, row);
    }
    return print_object(o);
}

/* ROC AUC of a two-class model on labelled data: the positive class (class 1) probability is
 * the second softmax unit, or the single sigmoid unit. NaN for more classes or on failure. */
static double two_class_auc(dn_model *model, const dn_dataset *data) {
    size_t outputs = dn_model_output_size(model), n = dn_dataset_rows(data);
    if (outputs > 2) return NAN;
    float *y = malloc(n * outputs * sizeof *y), *p = malloc(n * sizeof *p);
    int32_t *labels = malloc(n * sizeof *labels);
    double auc = NAN;
    if (y && p && labels && dn_model_predict_dataset(model, data, y, NULL) == DN_OK) {
        for (size_t r = 0; r < n; ++r) {
            p[r] = y[r * outputs + outputs - 1];
            labels[r] = dn_dataset_label(data, r);
        }
        auc = cli_roc_auc(p, labels, n);
    }
    free(y);
    free(p);
    free(labels);
    return auc;
}

/* A regression model: loss (standardised units, as trained) and MAE, RMSE, R² in the target's
 * units. */
static int eval_regression(dn_model *model, const dn_dataset *data, const char *model_path,
                           const char *spec, int json) {
    cli_target_scale scale;
    cli_regression_metrics r;
    double loss = 0.0, unused;
    dn_error err = {.status = DN_OK, .message = ""};
    if (cli_target_scale_of_model(model, model_path, &scale) < 0) return 1;
    /* The data is in the target's units; the loss is computed on the standardised scale. */
    float mean = (float)scale.mean, std = (float)scale.std;
    if (dn_dataset_scale_targets((dn_dataset *)data, &mean, &std, &err) != DN_OK ||
        dn_model_evaluate(model, data, &loss, &unused, &err) != DN_OK)
        return cli_error(1, "%s: %s", spec, err.message);
    if (cli_regression_evaluate(model, data, &scale, 1, &r) != 0) return 1;
    if (!json) {
        printf("loss %.4f - mae %.6g - rmse %.6g - r2 %.4f (%zu examples)\n", loss, r.mae, r.rmse,
               r.r2, dn_dataset_rows(data));
        return 0;
    }
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "task", "regression");
    cJSON_AddNumberToObject(o, "loss", loss);
    add_number(o, "mae", r.mae);
    add_number(o, "rmse", r.rmse);
    add_number(o, "r2", r.r2);
    cJSON_AddNumberToObject(o, "examples", (double)dn_dataset_rows(data));
    return print_object(o) == 0 ? 0 : 1;
}

int cli_cmd_eval(int argc, char **argv) {
    const char *model_path = NULL, *data_spec = NULL, *label = NULL;
    const char *delimiter = NULL, *header = NULL;
    int strict = 0;
    const char *precision_text = NULL;
    int json = 0;
    const cli_option options[] = {
        {"model", CLI_OPT_STRING, &model_path, "FILE", "a model saved by dropnet train"},
        {"data", CLI_OPT_STRING, &data_spec, "DATA", "labelled data (see docs/DATA.md)"},
        {"label", CLI_OPT_STRING, &label, "COL", "CSV label column, name or 0-based index (default: the model's)"},
        {"json", CLI_OPT_FLAG, &json, NULL, "print one JSON object instead of tables (docs/DATA.md \"Machine-readable results\")"},
        {"precision", CLI_OPT_STRING, &precision_text, "P", CLI_PRECISION_HELP},
        {"delimiter", CLI_OPT_STRING, &delimiter, "C", "CSV cell delimiter: , ; | tab or auto (auto)"},
        {"header", CLI_OPT_STRING, &header, "WHEN", "CSV line 1 is a header: yes, no or auto (auto)"},
        {"strict", CLI_OPT_FLAG, &strict, NULL, "a CSV category the model never saw is an error (default: all zeros and a warning)"},
    };
    const cli_command cmd = {
        .name = "eval",
        .summary = "Evaluates a saved model on labelled data at inference (dropout off): "
                   "loss, accuracy, per-class\nprecision/recall/F1 and the confusion matrix (ROC "
                   "AUC for two classes in --json); a\nregression model: MAE, RMSE and R2 in the "
                   "target's units.",
        .usage = "--model FILE --data DATA [--json] [--precision fp32|bf16]",
        .options = options,
        .option_count = CLI_COUNT(options),
    };
    int exit_code;
    if (cli_parse_command(&cmd, argc, argv, &exit_code) != 0) return exit_code;
    if (model_path == NULL || data_spec == NULL)
        return cli_error(2, "eval: --model FILE and --data DATA are required");
    dn_precision precision;
    if (cli_precision_parse("eval", precision_text, &precision) != 0) return 2;
    dn_model *model;
    dn_dataset *data;
    const cli_data_request request = {.strict = strict, .spec = data_spec, .label = label, .allow_unlabeled = 0,
                                      .delimiter = delimiter, .header = header};
    if (cli_load_model_and_data(model_path, &request, &model, &data) != 0) return 1;
    if (precision_text != NULL) /* else the file's: bf16 for BF16 kernels (dn_model_save_as) */
        dn_model_set_precision(model, precision, NULL); /* a valid value: cannot fail */
    if (dn_dataset_targets(data) > 0) {
        int code = eval_regression(model, data, model_path, data_spec, json);
        dn_model_free(model);
        dn_dataset_free(data);
        return code;
    }
    size_t outputs = dn_model_output_size(model), classes = outputs == 1 ? 2 : outputs;
    uint64_t *matrix = calloc(classes * classes, sizeof *matrix);
    double loss = 0.0, accuracy = 0.0;
    dn_error err = {.status = DN_OK, .message = "out of memory"};
    int code = 0;
    if (matrix == NULL || dn_model_evaluate(model, data, &loss, &accuracy, &err) != DN_OK ||
        dn_model_confusion_matrix(model, data, matrix, &err) != DN_OK)
        code = cli_error(1, "%s: %s", data_spec, err.message); /* e.g. too many classes */
    else if (json)
        code = print_json(model, loss, accuracy, dn_dataset_rows(data), matrix, classes,
                          classes == 2 ? two_class_auc(model, data) : NAN) == 0 ? 0 : 1;
    else
        print_text(model, loss, accuracy, dn_dataset_rows(data), matrix, classes);
    free(matrix);
    dn_model_free(model);
    dn_dataset_free(data);
    return code;
}
