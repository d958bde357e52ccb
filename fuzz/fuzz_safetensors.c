/* fuzz_safetensors.c — libFuzzer harness for model files: the safetensors container
 * (src/io/safetensors_read.c: header length, JSON, dtypes, shapes, offsets, layout) and the
 * dropnet metadata on top of it (src/io/model_load.c: keys, spec, numbers, class names,
 * standardisation, weights).
 *
 * Input: the whole file. It is loaded with dn_model_load, the public entry point. A file that
 * loads must then behave like a model: its canonical spec parses back, it predicts a zero row,
 * and saving and reloading it gives the same parameters bit for bit (fuzz_model_check.h). What
 * loading will allocate (dn_model_file_memory, read from the header alone) is measured too. */
#include "fuzz_model_check.h"

/* The canonical spec of m builds a model with the same spec. */
static void check_spec(const dn_model *m) {
    char spec[4096], again[4096];
    size_t len = dn_model_spec(m, spec, sizeof spec);
    dn_error err;
    if (len >= sizeof spec) return;
    dn_model *rebuilt = NULL;
    DN_FUZZ_ASSERT(dn_model_from_spec(&rebuilt, dn_model_input_size(m), spec, &err) == DN_OK);
    dn_model_spec(rebuilt, again, sizeof again);
    DN_FUZZ_ASSERT(strcmp(spec, again) == 0);
    dn_model_free(rebuilt);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    static char path[256], copy_path[256];
    if (path[0] == '\0') {
        dn_fuzz_path(path, sizeof path, "model.safetensors");
        dn_fuzz_path(copy_path, sizeof copy_path, "copy.safetensors");
    }
    if (!dn_fuzz_write(path, data, size, 0)) return 0;
    dn_model *m = NULL;
    dn_error err;
    size_t need = 0;
    int measured = dn_model_file_memory(path, &need, &err) == DN_OK;
    dn_status st = dn_model_load(&m, path, &err);
    if (st == DN_OK) {
        /* A file that loads was measured, and the measure covers the loaded parameters. */
        DN_FUZZ_ASSERT(measured && need / 16 >= dn_model_param_count(m));
        check_spec(m);
        dn_fuzz_check_runs(m);
        dn_fuzz_check_round_trip(m, copy_path, dn_model_save, dn_model_load);
        dn_model_free(m);
    } else {
        DN_FUZZ_ASSERT(m == NULL);
        DN_FUZZ_ASSERT(st == DN_ERR_MEMORY || strstr(err.message, path) != NULL);
    }
    return 0;
}
