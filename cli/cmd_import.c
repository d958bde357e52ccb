/* cmd_import.c — `dropnet import`: an ONNX MLP (e.g. from torch.onnx.export) as a dropnet model
 * file, ready for predict, eval or `train --init` (docs/FORMAT.md, "ONNX import"). */
#include "commands.h"
#include "common/cli_error.h"
#include "common/options.h"
#include "common/precision.h"

#include "dropnet.h"

#include <string.h>

int cli_cmd_import(int argc, char **argv) {
    const char *onnx_path = NULL, *out_path = NULL, *store_text = NULL;
    const cli_option options[] = {
        {"onnx", CLI_OPT_STRING, &onnx_path, "FILE", "the ONNX file of an MLP"},
        {"out", CLI_OPT_STRING, &out_path, "FILE", "the model file to write (safetensors)"},
        {"store", CLI_OPT_STRING, &store_text, "P", CLI_STORE_HELP " (fp32)"},
    };
    const cli_command cmd = {
        .name = "import",
        .summary = "Reads an ONNX MLP (Gemm or MatMul+Add layers, activations, Dropout) and saves "
                   "it as a dropnet model.",
        .usage = "--onnx FILE --out FILE [--store fp32|bf16]",
        .options = options,
        .option_count = CLI_COUNT(options),
    };
    int exit_code;
    if (cli_parse_command(&cmd, argc, argv, &exit_code) != 0) return exit_code;
    if (onnx_path == NULL || out_path == NULL)
        return cli_error(2, "import: --onnx FILE and --out FILE are required");
    if (strcmp(onnx_path, out_path) == 0)
        return cli_error(2, "import: --out %s is the ONNX file itself; choose another file",
                         out_path);
    dn_precision store;
    if (cli_precision_parse_option("import", "--store", store_text, &store) != 0) return 2;
    dn_model *model;
    dn_error err;
    if (dn_model_import_onnx(&model, onnx_path, &err) != DN_OK)
        return cli_error(1, "%s", err.message);
    dn_status st = dn_model_save_as(model, out_path, store, &err);
    dn_model_free(model);
    if (st != DN_OK) return cli_error(1, "%s", err.message);
    return 0;
}
