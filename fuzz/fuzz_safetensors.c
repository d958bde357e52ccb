/* fuzz_safetensors.c — libFuzzer harness for model files: the safetensors container
 * (src/io/safetensors_read.c: header length, JSON, dtypes, shapes, offsets, layout) and the
 * dropnet metadata on top of it (src/io/model_load.c: keys, spec, numbers, class names,
 * standardisation, weights).
 *
 * Input: the whole file. It is loaded with dn_model_load, the public entry point. A file that
 * loads must then behave like a model: its canonical spec parses back, it predicts a zero row, and saving and reloading it gives the same parameters bit for bit. */
#include "fuzz_file.h"

#include "dropnet.h"

#include <string.h>

/* Past this many inputs a loaded model is only checked, not run: the point is the parser. */
enum { RUN_LIMIT = 1 << 16 };

static void check_model(dn_model *m, const char *copy_path) {
    char spec[4096], again[4096];
    size_t len = dn_model_spec(m, spec, sizeof spec);
    dn_error err;
    if (len < sizeof spec) {
        dn_model *rebuilt = NULL;
        DN_FUZZ_ASSERT(dn_model_from_spec(&rebuilt, dn_model_input_size(m), spec, &err) == DN_OK);
        dn_model_spec(rebuilt, again, sizeof again);
        DN_FUZZ_ASSERT(strcmp(spec, again) == 0);
        dn_model_free(rebuilt);
    }
    size_t in = dn_model_input_size(m), out = dn_model_output_size(m);
    if (in <= RUN_LIMIT && out <= RUN_LIMIT) {
        float *x = calloc(in, sizeof *x), *y = calloc(out, sizeof *y);
        if (x != NULL && y != NULL) {
            /* Only the call is checked: finite but huge weights (3e38) overflow to inf and NaN
             * in the forward pass, which is arithmetic, not parsing. */
            DN_FUZZ_ASSERT(dn_model_predict(m, x, 1, y, &err) == DN_OK);
        }
        free(x);
        free(y);
    }
    dn_model *copy = NULL;
    if (dn_model_save(m, copy_path, &err) != DN_OK) return; /* e.g. /dev/shm full */
    DN_FUZZ_ASSERT(dn_model_load(&copy, copy_path, &err) == DN_OK);
    size_t n = dn_model_param_count(m);
    DN_FUZZ_ASSERT(dn_model_param_count(copy) == n);
    DN_FUZZ_ASSERT(n == 0 || memcmp(dn_model_params(m), dn_model_params(copy),
                                    n * sizeof(float)) == 0);
    dn_model_free(copy);
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
    dn_status st = dn_model_load(&m, path, &err);
    if (st == DN_OK) {
        check_model(m, copy_path);
        dn_model_free(m);
    } else {
        DN_FUZZ_ASSERT(m == NULL);
        DN_FUZZ_ASSERT(st == DN_ERR_MEMORY || strstr(err.message, path) != NULL);
    }
    return 0;
}
