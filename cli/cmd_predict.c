/* cmd_predict.c — `dropnet predict`: one CSV row per example, the predicted class then the
 * probability of each class; with --mc-samples T (MC dropout, dn_model_predict_mc) the mean
 * probabilities, their standard deviations, the predictive entropy and the mutual information.
 * A regression model prints its values in the target's units (its standardisation undone), with
 * --mc-samples the predictive mean and std. Written atomically when --out is given. */
#include "commands.h"
#include "common/cli_error.h"
#include "common/model_data.h"
#include "common/output_check.h"
#include "common/regression.h"
#include "common/options.h"
#include "common/precision.h"

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Room for a class name with its control characters escaped (\xHH: 4 bytes each). */
enum { LABEL_SIZE = 1024 };

typedef struct predictions {
    const char *path; /* --out, or NULL for standard output */
    const dn_model *model;
    const dn_dataset *data;
    const char *id_name; /* the id column's header, or NULL: no id column */
    const float *y; /* [rows×outputs]: probabilities, or their MC means */
    size_t rows, outputs;
    const float *std, *entropy, *mutual; /* MC dropout only: [rows×outputs], [rows], [rows] */
    int regression; /* y (and std) are values in the target's units: "predicted[,std]" */
} predictions;

static void csv_field(FILE *out, const char *text) {
    fputc('"', out);
    for (const char *c = text; *c; ++c) {
        if (*c == '"') fputc('"', out);
        fputc(*c, out);
    }
    fputc('"', out);
}

/* ",PREFIX<class>" for every class (two for a single sigmoid unit). */
static void class_columns(FILE *out, const predictions *p, const char *prefix) {
    char buf[LABEL_SIZE];
    size_t classes = p->outputs == 1 ? 2 : p->outputs;
    for (size_t c = 0; c < classes; ++c) {
        fputc(',', out);
        fputs(prefix, out);
        fputs(cli_class_label(p->model, c, buf, sizeof buf), out);
    }
}

/* The values of one row per class; a single sigmoid unit y is the two classes (1 − y, y), whose
 * standard deviations are both that of y. */
static void class_values(FILE *out, const float *v, size_t outputs, int complement) {
    if (outputs == 1) fprintf(out, ",%.6g", complement ? 1.0 - (double)v[0] : (double)v[0]);
    for (size_t j = 0; j < outputs; ++j) fprintf(out, ",%.6g", (double)v[j]);
}

/* A regression row: the prediction (the MC mean with --mc-samples) and its MC std. */
static void regression_values(FILE *out, const predictions *p, size_t r) {
    fprintf(out, "%.9g", (double)p->y[r]);
    if (p->std != NULL) fprintf(out, ",%.9g", (double)p->std[r]);
}

static dn_status write_csv(FILE *out, void *context, dn_error *err) {
    const predictions *p = context;
    char buf[LABEL_SIZE];
    if (p->id_name != NULL) {
        csv_field(out, p->id_name);
        fputc(',', out);
    }
    fputs("predicted", out);
    if (p->regression) fputs(p->std != NULL ? ",std" : "", out);
    else {
    class_columns(out, p, "p_");
    if (p->std != NULL) {
        class_columns(out, p, "std_");
        fputs(",entropy,mutual_information", out);
    }
    }
    fputc('\n', out);
    for (size_t r = 0; r < p->rows; ++r) {
        const float *y = p->y + r * p->outputs;
        if (p->id_name != NULL) {
            csv_field(out, dn_dataset_row_id(p->data, r));
            fputc(',', out);
        }
        if (p->regression) {
            regression_values(out, p, r);
            fputc('\n', out);
            continue;
        }
        csv_field(out, cli_class_label(p->model, dn_predicted_class(y, p->outputs), buf, sizeof buf));
        class_values(out, y, p->outputs, 1);
        if (p->std != NULL) {
            class_values(out, p->std + r * p->outputs, p->outputs, 0);
            fprintf(out, ",%.6g,%.6g", (double)p->entropy[r], (double)p->mutual[r]);
        }
        fputc('\n', out);
    }
    errno = 0;
    if (fflush(out) != 0 || ferror(out)) {
        if (err)
            snprintf(err->message, sizeof err->message, "cannot write %s: %s",
                     p->path ? p->path : "the predictions to standard output",
                     errno ? strerror(errno) : "write error");
        return DN_ERR_IO;
    }
    return DN_OK;
}

/* Index of the first NaN or infinity in v[0..n), or SIZE_MAX. */
static size_t first_non_finite(const float *v, size_t n) {
    for (size_t i = 0; i < n; ++i)
        if (!isfinite(v[i])) return i;
    return SIZE_MAX;
}

int cli_cmd_predict(int argc, char **argv) {
    const char *model_path = NULL, *data_spec = NULL, *out_path = NULL, *label = NULL, *id = NULL;
    const char *delimiter = NULL, *header = NULL;
    int strict = 0;
    const char *precision_text = NULL;
    size_t mc_samples = 0;
    const cli_option options[] = {
        {"model", CLI_OPT_STRING, &model_path, "FILE", "a model saved by dropnet train"},
        {"data", CLI_OPT_STRING, &data_spec, "DATA", "examples to classify (see docs/DATA.md)"},
        {"out", CLI_OPT_STRING, &out_path, "FILE", "write the CSV to FILE instead of standard output"},
        {"label", CLI_OPT_STRING, &label, "COL", "CSV label column, name or 0-based index "
         "(default: the model's; the data need not hold it)"},
        {"id", CLI_OPT_STRING, &id, "COL", "CSV column (name or 0-based index) copied as the "
         "first output column, never a feature"},
        {"mc-samples", CLI_OPT_SIZE, &mc_samples, "T", "MC dropout: T passes with dropout on; adds "
         "std_<class>, entropy and mutual_information columns (docs/DROPOUT_FAMILY.md); for a "
         "regression model the predictive mean and a std column"},
        {"precision", CLI_OPT_STRING, &precision_text, "P", CLI_PRECISION_HELP},
        {"delimiter", CLI_OPT_STRING, &delimiter, "C", "CSV cell delimiter: , ; | tab or auto (auto)"},
        {"header", CLI_OPT_STRING, &header, "WHEN", "CSV line 1 is a header: yes, no or auto (auto)"},
        {"strict", CLI_OPT_FLAG, &strict, NULL, "a CSV category the model never saw is an error (default: all zeros and a warning)"},
    };
    const cli_command cmd = {
        .name = "predict",
        .summary = "Classifies every example at inference (dropout off) "
                   "and prints CSV: predicted,p_<class>,...\n(a regression model: predicted, "
                   "in the target's units)",
        .usage = "--model FILE --data "
                 "DATA [--out FILE] [--id COL] [--mc-samples T] [--precision fp32|bf16]",
        .options = options,
        .option_count = CLI_COUNT(options),
    };
    int exit_code;
    if (cli_parse_command(&cmd, argc, argv, &exit_code) != 0) return exit_code;
    if (model_path == NULL || data_spec == NULL)
        return cli_error(2, "predict: --model FILE and --data DATA are required");
    dn_precision precision;
    if (cli_precision_parse("predict", precision_text, &precision) != 0) return 2;
    const cli_named_file outputs[] = {{"--out", out_path}};
    const cli_named_file inputs[] = {{"--model", model_path}, {"--data", data_spec}};
    if (cli_check_outputs("predict", outputs, 1, inputs, CLI_COUNT(inputs)) != 0) return 2;
    dn_model *model;
    dn_dataset *data;
    const cli_data_request request = {.strict = strict, .spec = data_spec, .label = label, .id = id,
                                      .allow_unlabeled = 1, .delimiter = delimiter,
                                      .header = header};
    if (cli_load_model_and_data(model_path, &request, &model, &data) != 0) return 1;
    if (precision_text != NULL) /* else the file's: bf16 for BF16 kernels (dn_model_save_as) */
        dn_model_set_precision(model, precision, NULL); /* a valid value: cannot fail */
    predictions p = {.path = out_path, .model = model, .data = data, .id_name = id,
                     .rows = dn_dataset_rows(data),
                     .outputs = dn_model_output_size(model)};
    float *y = calloc(p.rows * p.outputs, sizeof *y);
    float *mc = mc_samples ? calloc(p.rows * (p.outputs + 2), sizeof *mc) : NULL;
    p.y = y;
    if (mc != NULL) {
        p.std = mc;
        p.entropy = mc + p.rows * p.outputs;
        p.mutual = p.entropy + p.rows;
    }
    dn_error err = {.status = DN_OK, .message = "out of memory"};
    int code = 0;
    dn_status st = DN_ERR_MEMORY;
    if (y != NULL && mc_samples == 0) st = dn_model_predict_dataset(model, data, y, &err);
    if (y != NULL && mc != NULL)
        st = dn_model_predict_mc_dataset(model, data, mc_samples, y, mc, mc + p.rows * p.outputs,
                                         mc + p.rows * (p.outputs + 1), &err);
    cli_target_scale scale;
    size_t bad = st == DN_OK ? first_non_finite(y, p.rows * p.outputs) : SIZE_MAX;
    if (st != DN_OK)
        code = cli_error(1, "%s", err.message);
    else if (bad != SIZE_MAX)
        code = cli_error(1, "%s: the model's output for example %zu of %s is not finite (are its "
                            "weights too large?); no predictions written", model_path,
                            bad / p.outputs, data_spec);
    else if ((p.regression = cli_target_scale_of_model(model, model_path, &scale)) < 0)
        code = 1;
    if (code == 0 && p.regression) { /* standardised outputs back in the target's units */
        cli_target_unscale(&scale, y, p.rows * p.outputs);
        for (size_t i = 0; mc != NULL && i < p.rows * p.outputs; ++i)
            mc[i] = (float)((double)mc[i] * scale.std);
    }
    if (code == 0 && out_path != NULL && dn_write_file_atomic(out_path, write_csv, &p, &err) != DN_OK)
        code = cli_error(1, "%s", err.message);
    else if (code == 0 && out_path == NULL && write_csv(stdout, &p, &err) != DN_OK)
        code = cli_error(1, "%s", err.message);
    free(y);
    free(mc);
    dn_model_free(model);
    dn_dataset_free(data);
    return code;
}
