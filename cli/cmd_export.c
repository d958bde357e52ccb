/* cmd_export.c — `dropnet export`: a saved model as an ONNX file (docs/FORMAT.md, "ONNX"). */
#include "commands.h"
#include "common/cli_error.h"
#include "common/options.h"

#include "dropnet.h"

#include <limits.h>
#include <string.h>

int cli_cmd_export(int argc, char **argv) {
    const char *model_path = NULL, *out_path = NULL;
    size_t opset = 17;
    int mc_dropout = 0;
    const cli_option options[] = {
        {"model", CLI_OPT_STRING, &model_path, "FILE", "a model saved by dropnet train"},
        {"out", CLI_OPT_STRING, &out_path, "FILE", "the ONNX file to write"},
        {"opset", CLI_OPT_SIZE, &opset, "N", "ONNX opset, 11 to 17 (default 17)"},
        {"mc-dropout", CLI_OPT_FLAG, &mc_dropout, NULL,
         "write the training-mode graph: Dropout nodes that sample masks, for MC dropout"},
    };
    const cli_command cmd = {
        .name = "export",
        .summary = "Writes a saved model as an ONNX inference graph (dropout left out), for "
                   "ONNX Runtime and other runtimes.",
        .usage = "--model FILE --out FILE [--opset N] [--mc-dropout]",
        .options = options,
        .option_count = CLI_COUNT(options),
    };
    int exit_code;
    if (cli_parse_command(&cmd, argc, argv, &exit_code) != 0) return exit_code;
    if (model_path == NULL || out_path == NULL)
        return cli_error(2, "export: --model FILE and --out FILE are required");
    if (strcmp(model_path, out_path) == 0)
        return cli_error(2, "export: --out %s is the model itself; choose another file", out_path);
    if (opset > INT_MAX) return cli_error(2, "export: --opset %zu is out of range (11 to 17)", opset);
    dn_model *model;
    dn_error err;
    if (dn_model_load(&model, model_path, &err) != DN_OK) return cli_error(1, "%s", err.message);
    const dn_onnx_export_options opt = {.opset = (int)opset, .mc_dropout = mc_dropout};
    dn_status st = dn_model_export_onnx(model, out_path, &opt, &err);
    dn_model_free(model);
    if (st != DN_OK) return cli_error(st == DN_ERR_ARGUMENT ? 2 : 1, "%s", err.message);
    return 0;
}
