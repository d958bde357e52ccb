/* cmd_summary.c — `dropnet summary`: what a saved model is and how it was trained. */
#include "commands.h"
#include "common/preprocessing.h"
#include "common/cli_error.h"
#include "common/options.h"
#include "common/text_escape.h"
#include "common/trace.h"

#include <stdio.h>

static const char *loss_name(dn_loss loss) {
    switch (loss) {
    case DN_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY: return "sparse categorical cross-entropy";
    case DN_LOSS_BINARY_CROSSENTROPY: return "binary cross-entropy";
    case DN_LOSS_MEAN_SQUARED_ERROR: return "mean squared error";
    case DN_LOSS_MEAN_ABSOLUTE_ERROR: return "mean absolute error";
    }
    return "?";
}

int cli_cmd_summary(int argc, char **argv) {
    const char *path = NULL;
    const cli_option options[] = {
        {"model", CLI_OPT_STRING, &path, "FILE", "a model saved by dropnet train"},
    };
    const cli_command cmd = {
        .name = "summary",
        .summary = "Prints a saved model's layers, shapes, parameter "
                   "counts and training settings.",
        .usage = "--model FILE",
        .options = options,
        .option_count = CLI_COUNT(options),
    };
    int exit_code;
    if (cli_parse_command(&cmd, argc, argv, &exit_code) != 0) return exit_code;
    if (path == NULL) return cli_error(2, "summary: --model FILE is required");
    dn_model *model;
    dn_error err;
    if (dn_model_load(&model, path, &err) != DN_OK) return cli_error(1, "%s", err.message);
    char spec[4096];
    dn_model_spec(model, spec, sizeof spec);
    /* Everything that comes from the file is printed with control characters escaped. */
    cli_fputs_escaped(stdout, path);
    printf("\ninput features: %zu\nspec: %s\n", dn_model_input_size(model), spec);
    cli_trace_summary(stdout, model);
    printf("loss: %s\nseed: %llu\ntraining steps taken: %llu\nepochs done: %llu\n",
           loss_name(dn_model_loss(model)), (unsigned long long)dn_model_seed(model),
           (unsigned long long)dn_model_step(model),
           (unsigned long long)dn_model_epochs_done(model));
    printf("standardisation: %s\n", dn_model_get_standardization(model, NULL, NULL) ? "yes" : "no");
    if (dn_model_class_name(model, 0)) {
        printf("classes:");
        for (size_t i = 0; i < dn_model_output_size(model); ++i)
        {
            putchar(' ');
            cli_fputs_escaped(stdout, dn_model_class_name(model, i));
        }
        printf("\n");
    }
    cli_preprocessing_describe(stdout, "inputs:", dn_model_get_metadata(model, "preprocessing"));
    for (size_t i = 0; i < dn_model_metadata_count(model); ++i) {
        const char *key = dn_model_metadata_key(model, i);
        cli_fputs_escaped(stdout, key);
        fputs(": ", stdout);
        cli_fputs_escaped(stdout, dn_model_get_metadata(model, key));
        putchar('\n');
    }
    dn_model_free(model);
    return 0;
}
