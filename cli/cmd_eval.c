/* cmd_eval.c — `dropnet eval`: loss, accuracy, per-class precision/recall, confusion matrix. */
#include "commands.h"
#include "common/cli_error.h"
#include "common/precision.h"
#include "common/model_data.h"
#include "common/options.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>

typedef struct class_score {
    double precision, recall;
    uint64_t support;
} class_score;

/* Precision = TP / predicted, recall = TP / actual; 0 when the denominator is 0 (as sklearn). */
static class_score score_class(const uint64_t *m, size_t classes, size_t c) {
    uint64_t predicted = 0, actual = 0;
    for (size_t k = 0; k < classes; ++k) {
        predicted += m[k * classes + c];
        actual += m[c * classes + k];
    }
    uint64_t tp = m[c * classes + c];
    class_score s = {predicted ? (double)tp / (double)predicted : 0.0,
                     actual ? (double)tp / (double)actual : 0.0, actual};
    return s;
}

static void print_text(const dn_model *model, double loss, double accuracy, size_t rows,
                       const uint64_t *m, size_t classes) {
    char buf[32];
    printf("loss %.4f - accuracy %.4f (%zu examples)\n\n", loss, accuracy, rows);
    printf("%-16s %9s %9s %9s\n", "class", "precision", "recall", "support");
    for (size_t c = 0; c < classes; ++c) {
        class_score s = score_class(m, classes, c);
        printf("%-16s %9.4f %9.4f %9llu\n", cli_class_label(model, c, buf, sizeof buf),
               s.precision, s.recall, (unsigned long long)s.support);
    }
    printf("\nconfusion matrix (rows: true class, columns: predicted class)\n%-16s", "");
    for (size_t p = 0; p < classes; ++p) printf(" %8.8s", cli_class_label(model, p, buf, sizeof buf));
    printf("\n");
    for (size_t t = 0; t < classes; ++t) {
        printf("%-16.16s", cli_class_label(model, t, buf, sizeof buf));
        for (size_t p = 0; p < classes; ++p) printf(" %8llu", (unsigned long long)m[t * classes + p]);
        printf("\n");
    }
}

static int print_json(const dn_model *model, double loss, double accuracy, size_t rows,
                      const uint64_t *m, size_t classes) {
    char buf[32];
    cJSON *o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "loss", loss);
    cJSON_AddNumberToObject(o, "accuracy", accuracy);
    cJSON_AddNumberToObject(o, "examples", (double)rows);
    cJSON *per_class = cJSON_AddArrayToObject(o, "classes");
    cJSON *matrix = cJSON_AddArrayToObject(o, "confusion");
    for (size_t c = 0; c < classes; ++c) {
        class_score s = score_class(m, classes, c);
        cJSON *entry = cJSON_CreateObject();
        cJSON_AddStringToObject(entry, "name", cli_class_label(model, c, buf, sizeof buf));
        cJSON_AddNumberToObject(entry, "precision", s.precision);
        cJSON_AddNumberToObject(entry, "recall", s.recall);
        cJSON_AddNumberToObject(entry, "support", (double)s.support);
        cJSON_AddItemToArray(per_class, entry);
        cJSON *row = cJSON_CreateArray();
        for (size_t p = 0; p < classes; ++p)
            cJSON_AddItemToArray(row, cJSON_CreateNumber((double)m[c * classes + p]));
        cJSON_AddItemToArray(matrix, row);
    }
    char *text = cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    if (text == NULL) return cli_error(-1, "out of memory");
    printf("%s\n", text);
    cJSON_free(text);
    return 0;
}

int cli_cmd_eval(int argc, char **argv) {
    const char *model_path = NULL, *data_spec = NULL, *label = NULL;
    const char *delimiter = NULL, *header = NULL;
    const char *precision_text = NULL;
    int json = 0;
    const cli_option options[] = {
        {"model", CLI_OPT_STRING, &model_path, "FILE", "a model saved by dropnet train"},
        {"data", CLI_OPT_STRING, &data_spec, "DATA", "labelled data (see docs/DATA.md)"},
        {"label", CLI_OPT_STRING, &label, "COL", "CSV label column, name or 0-based index (default: the model's)"},
        {"json", CLI_OPT_FLAG, &json, NULL, "print one JSON object instead of tables"},
        {"precision", CLI_OPT_STRING, &precision_text, "P", CLI_PRECISION_HELP},
        {"delimiter", CLI_OPT_STRING, &delimiter, "C", "CSV cell delimiter: , ; | tab or auto (auto)"},
        {"header", CLI_OPT_STRING, &header, "WHEN", "CSV line 1 is a header: yes, no or auto (auto)"},
    };
    const cli_command cmd = {
        .name = "eval",
        .summary = "Evaluates a saved model on labelled data at inference "
                   "(dropout off).",
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
    const cli_data_request request = {.spec = data_spec, .label = label, .allow_unlabeled = 0,
                                      .delimiter = delimiter, .header = header};
    if (cli_load_model_and_data(model_path, &request, &model, &data) != 0) return 1;
    dn_model_set_precision(model, precision, NULL); /* a valid value: cannot fail */
    size_t outputs = dn_model_output_size(model), classes = outputs == 1 ? 2 : outputs;
    uint64_t *matrix = calloc(classes * classes, sizeof *matrix);
    double loss = 0.0, accuracy = 0.0;
    dn_error err = {.status = DN_OK, .message = "out of memory"};
    int code = 0;
    if (matrix == NULL || dn_model_evaluate(model, data, &loss, &accuracy, &err) != DN_OK ||
        dn_model_confusion_matrix(model, data, matrix, &err) != DN_OK)
        code = cli_error(1, "%s: %s", data_spec, err.message); /* e.g. too many classes */
    else if (json)
        code = print_json(model, loss, accuracy, dn_dataset_rows(data), matrix, classes) == 0 ? 0 : 1;
    else
        print_text(model, loss, accuracy, dn_dataset_rows(data), matrix, classes);
    free(matrix);
    dn_model_free(model);
    dn_dataset_free(data);
    return code;
}
