/* fuzz_onnx.c — libFuzzer harness for the ONNX importer (src/onnx/onnx_import.c): the protobuf
 * wire format (protobuf-c), then the graph walk (chain, constants, attributes, shapes).
 *
 * Input: the whole file, read with dn_model_import_onnx. A file that imports must behave like a
 * model: it predicts a zero row, and exporting it and importing the export gives the same
 * parameters bit for bit (fuzz_model_check.h). */
#include "fuzz_model_check.h"

static dn_status export_onnx(const dn_model *m, const char *path, dn_error *err) {
    return dn_model_export_onnx(m, path, NULL, err);
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
        dn_fuzz_check_runs(m);
        dn_fuzz_check_round_trip(m, copy_path, export_onnx, dn_model_import_onnx);
        dn_model_free(m);
    } else {
        DN_FUZZ_ASSERT(err.message[0] != '\0');
    }
    return 0;
}
