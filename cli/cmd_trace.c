/* cmd_trace.c — `dropnet trace`: one example through a saved model at inference, layer by layer,
 * as the demo prints its prediction trace, then the probability of every class. */
#include "commands.h"
#include "common/cli_error.h"
#include "common/regression.h"
#include "common/colour.h"
#include "common/model_data.h"
#include "common/options.h"
#include "common/precision.h"
#include "common/trace.h"

#include <stdio.h>
#include <stdlib.h>

enum { BAR_WIDTH = 40 };

/* Every class with its probability (6 decimals, as predict prints them) and a bar; the predicted
 * class in bold, the true one marked. A single sigmoid unit is p(1), with p(0) = 1 − p(1). */
static void print_probabilities(const dn_model *model, const float *y, size_t outputs,
                                int truth, int colour) {
    size_t classes = outputs == 1 ? 2 : outputs, predicted = dn_predicted_class(y, outputs);
    printf("\nProbabilities\n");
    for (size_t c = 0; c < classes; ++c) {
        double p = outputs == 1 ? (c ? y[0] : 1.0 - y[0]) : y[c];
        char buf[32];
        int bar = (int)(p * BAR_WIDTH + 0.5);
        printf(" %s%-16.16s %.6f |", c == predicted ? cli_colour(colour, CLI_COLOUR_BOLD) : "",
               cli_class_label(model, c, buf, sizeof buf), p);
        for (int k = 0; k < bar; ++k) putchar('#');
        printf("%s%s%s\n", cli_colour(colour, CLI_COLOUR_RESET), c == predicted ? "  predicted" : "",
               (int)c == truth ? "  (true class)" : "");
    }
}

static void print_verdict(int predicted, int truth, int colour) {
    if (truth < 0) return;
    int right = predicted == truth;
    printf("%s%s%s\n", cli_colour(colour, right ? CLI_COLOUR_GREEN : CLI_COLOUR_RED),
           right ? "The prediction is correct." : "The prediction is wrong.",
           cli_colour(colour, CLI_COLOUR_RESET));
}

/* A regression model's last line: the output in the target's units, and the true value when
 * the data holds it. */
static int trace_value(dn_model *model, const dn_dataset *data, size_t index, const float *x,
                       const cli_target_scale *scale) {
    dn_error err = {.status = DN_OK, .message = ""};
    if (cli_trace_layers(stdout, model, x, &err) != 0) return cli_error(-1, "%s", err.message);
    const float *y = dn_model_activation(model, dn_model_layer_count(model), NULL, NULL);
    double value = (double)y[0] * scale->std + scale->mean;
    printf(" Predicted value %.6g (the output %.4f × std %.6g + mean %.6g)", value, (double)y[0],
           scale->std, scale->mean);
    const float *truth = dn_dataset_target_values(data);
    if (truth != NULL)
        printf(", true value %.6g: error %+.6g", (double)truth[index],
               value - (double)truth[index]);
    putchar('\n');
    return 0;
}

static int trace_row(dn_model *model, const dn_dataset *data, const char *spec, size_t index,
                     const cli_target_scale *scale) {
    size_t features = dn_dataset_features(data), side = cli_trace_image_side(features);
    int colour = cli_colour_enabled(stdout), truth = dn_dataset_label(data, index);
    float *x = malloc(features * sizeof *x);
    dn_error err = {.status = DN_OK, .message = "out of memory"};
    if (x == NULL || dn_dataset_get_row(data, index, x, &err) != DN_OK) {
        free(x);
        return cli_error(-1, "%s", err.message);
    }
    printf("%sPrediction trace — example #%zu of %s, dropout off (inference)%s\n",
           cli_colour(colour, CLI_COLOUR_BOLD), index, spec, cli_colour(colour, CLI_COLOUR_RESET));
    if (side) {
        printf(" the input, a %zu × %zu image:\n", side, side);
        cli_trace_image(stdout, x, side);
    }
    if (scale != NULL) {
        int code = trace_value(model, data, index, x, scale);
        free(x);
        return code;
    }
    int predicted = cli_trace_prediction(stdout, model, x, truth, &err);
    free(x);
    if (predicted < 0) return cli_error(-1, "%s", err.message);
    size_t outputs;
    const float *y = dn_model_activation(model, dn_model_layer_count(model), NULL, &outputs);
    print_probabilities(model, y, outputs, truth, colour);
    print_verdict(predicted, truth, colour);
    return 0;
}

int cli_cmd_trace(int argc, char **argv) {
    const char *model_path = NULL, *data_spec = NULL, *label = NULL;
    const char *delimiter = NULL, *header = NULL, *precision_text = NULL;
    int strict = 0;
    size_t index = 0;
    const cli_option options[] = {
        {"model", CLI_OPT_STRING, &model_path, "FILE", "a model saved by dropnet train"},
        {"data", CLI_OPT_STRING, &data_spec, "DATA", "the examples (see docs/DATA.md)"},
        {"index", CLI_OPT_SIZE, &index, "N", "which example, 0-based (0)"},
        {"label", CLI_OPT_STRING, &label, "COL", "CSV label column, name or 0-based index (default: the model's)"},
        {"delimiter", CLI_OPT_STRING, &delimiter, "C", "CSV cell delimiter: , ; | tab or auto (auto)"},
        {"header", CLI_OPT_STRING, &header, "WHEN", "CSV line 1 is a header: yes, no or auto (auto)"},
        {"strict", CLI_OPT_FLAG, &strict, NULL, "a CSV category the model never saw is an error (default: all zeros and a warning)"},
        {"precision", CLI_OPT_STRING, &precision_text, "P", CLI_PRECISION_HELP},
    };
    const cli_command cmd = {
        .name = "trace",
        .summary = "Runs one example through a saved model at inference "
                   "(dropout off) and prints every layer's output,\nthe prediction "
                   "and the probability of each class (a regression model: the value).",
        .usage = "--model FILE --data DATA [--index N] [--precision fp32|bf16]",
        .options = options,
        .option_count = CLI_COUNT(options),
    };
    int exit_code;
    if (cli_parse_command(&cmd, argc, argv, &exit_code) != 0) return exit_code;
    if (model_path == NULL || data_spec == NULL)
        return cli_error(2, "trace: --model FILE and --data DATA are required");
    dn_precision precision;
    if (cli_precision_parse("trace", precision_text, &precision) != 0) return 2;
    dn_model *model;
    dn_dataset *data;
    const cli_data_request request = {.strict = strict, .spec = data_spec, .label = label, .allow_unlabeled = 1,
                                      .delimiter = delimiter, .header = header};
    if (cli_load_model_and_data(model_path, &request, &model, &data) != 0) return 1;
    if (precision_text != NULL) /* else the file's: bf16 for BF16 kernels (dn_model_save_as) */
        dn_model_set_precision(model, precision, NULL); /* a valid value: cannot fail */
    size_t rows = dn_dataset_rows(data);
    cli_target_scale scale;
    int regression = cli_target_scale_of_model(model, model_path, &scale);
    int code = index >= rows ? cli_error(2, "trace: --index %zu is out of range: %s has %zu rows "
                                           "(0 to %zu)", index, data_spec, rows, rows - 1)
               : regression < 0 ? 1
               : trace_row(model, data, data_spec, index, regression ? &scale : NULL) == 0 ? 0 : 1;
    dn_model_free(model);
    dn_dataset_free(data);
    return code;
}
