/* fuzz_onnx.c — libFuzzer harness for the ONNX importer (src/onnx/onnx_import.c): the protobuf
 * wire format (protobuf-c), then the graph walk (chain, constants, attributes, shapes).
 *
 * Input: the whole file, read with dn_model_import_onnx. A file that imports must behave like a
 * model: it predicts a zero row, and exporting it and importing the export gives the same
 * parameters bit for bit. */
#include "fuzz_file.h"

#include "dropnet.h"

#include <string.h>

enum { RUN_LIMIT = 1 << 16 };

static void check_model(dn_model *m, const char *copy_path) {
    size_t in = dn_model_input_size(m), out = dn_model_output_size(m);
    dn_error err;
    if (in <= RUN_LIMIT && out <= RUN_LIMIT) {
        float *x = calloc(in, sizeof *x), *y = calloc(out, sizeof *y);
        if (x != NULL && y != NULL) DN_FUZZ_ASSERT(dn_model_predict(m, x, 1, y, &err) == DN_OK);
        free(x);
        free(y);
    }
    if (dn_model_export_onnx(m, copy_path, NULL, &err) != DN_OK) return; /* e.g. /dev/shm full */
    dn_model *copy = NULL;
    DN_FUZZ_ASSERT(dn_model_import_onnx(&copy, copy_path, &err) == DN_OK);
    size_t n = dn_model_param_count(m);
    DN_FUZZ_ASSERT(dn_model_param_count(copy) == n);
    DN_FUZZ_ASSERT(n == 0 || memcmp(dn_model_params(m), dn_model_params(copy),
                                    n * sizeof(float)) == 0);
    dn_model_free(copy);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    static char path[256], copy_path[256];
    if (path[0] == '\0') {
        dn_fuzz_path(path, sizeof path, "onnx");
        dn_fuzz_path(copy_path, sizeof copy_path, "onnx-copy");
    }
    if (!dn_fuzz_write(path, data, size, 0)) return 0;
    dn_model *m = NULL;
    dn_error err;
    if (dn_model_import_onnx(&m, path, &err) == DN_OK) {
        check_model(m, copy_path);
        dn_model_free(m);
    } else {
        DN_FUZZ_ASSERT(err.message[0] != '\0');
    }
    return 0;
}
