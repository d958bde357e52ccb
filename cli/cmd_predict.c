/* cmd_predict.c — `dropnet predict`: one CSV row per example, the predicted class then the
 * probability of each class. Written atomically when --out is given. */
#include "commands.h"
#include "model_data.h"
#include "options.h"

#include <stdio.h>
#include <stdlib.h>

typedef struct predictions {
    const dn_model *model;
    const float *y; /* [rows×outputs] */
    size_t rows, outputs;
} predictions;

static void csv_field(FILE *out, const char *text) {
    fputc('"', out);
    for (const char *c = text; *c; ++c) {
        if (*c == '"') fputc('"', out);
        fputc(*c, out);
    }
    fputc('"', out);
}

static dn_status write_csv(FILE *out, void *context, dn_error *err) {
    const predictions *p = context;
    char buf[32];
    size_t classes = p->outputs == 1 ? 2 : p->outputs;
    fputs("predicted", out);
    for (size_t c = 0; c < classes; ++c) {
        fputs(",p_", out);
        fputs(dn_cli_class_label(p->model, c, buf, sizeof buf), out);
    }
    fputc('\n', out);
    for (size_t r = 0; r < p->rows; ++r) {
        const float *y = p->y + r * p->outputs;
        csv_field(out, dn_cli_class_label(p->model, dn_predicted_class(y, p->outputs), buf, sizeof buf));
        if (p->outputs == 1) fprintf(out, ",%.6g", 1.0 - (double)y[0]);
        for (size_t j = 0; j < p->outputs; ++j) fprintf(out, ",%.6g", (double)y[j]);
        fputc('\n', out);
    }
    if (ferror(out)) {
        if (err) snprintf(err->message, sizeof err->message, "write error");
        return DN_ERR_IO;
    }
    return DN_OK;
}

int dn_cmd_predict(int argc, char **argv) {
    const char *model_path = NULL, *data_spec = NULL, *out_path = NULL, *label = NULL;
    const dn_cli_option options[] = {
        {"model", DN_OPT_STRING, &model_path, "FILE", "a model saved by dropnet train"},
        {"data", DN_OPT_STRING, &data_spec, "DATA", "examples to classify (see docs/DATA.md)"},
        {"out", DN_OPT_STRING, &out_path, "FILE", "write the CSV to FILE instead of standard output"},
        {"label", DN_OPT_STRING, &label, "COL", "CSV label column, name or 0-based index (last)"},
    };
    const dn_cli_command cmd = {"predict", "Classifies every example at inference (dropout off) "
                                "and prints CSV: predicted,p_<class>,...", "--model FILE --data "
                                "DATA [--out FILE]", options, 4};
    char message[512];
    switch (dn_cli_parse(&cmd, argc, argv, message, sizeof message)) {
    case DN_PARSE_HELP: dn_cli_print_help(&cmd, stdout); return 0;
    case DN_PARSE_ERROR: return dn_cli_error(2, "%s", message);
    case DN_PARSE_OK: break;
    }
    if (model_path == NULL || data_spec == NULL)
        return dn_cli_error(2, "predict: --model FILE and --data DATA are required");
    dn_model *model;
    dn_dataset *data;
    if (dn_cli_load_model_and_data(model_path, data_spec, label, 1, &model, &data) != 0) return 1;
    predictions p = {model, NULL, dn_dataset_rows(data), dn_model_output_size(model)};
    float *y = calloc(p.rows * p.outputs, sizeof *y);
    p.y = y;
    dn_error err = {DN_OK, "out of memory"};
    int code = 0;
    if (y == NULL || dn_model_predict_dataset(model, data, y, &err) != DN_OK)
        code = dn_cli_error(1, "%s", err.message);
    else if (out_path != NULL && dn_write_file_atomic(out_path, write_csv, &p, &err) != DN_OK)
        code = dn_cli_error(1, "%s", err.message);
    else if (out_path == NULL && write_csv(stdout, &p, &err) != DN_OK)
        code = dn_cli_error(1, "writing predictions: %s", err.message);
    free(y);
    dn_model_free(model);
    dn_dataset_free(data);
    return code;
}
