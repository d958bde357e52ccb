/* fuzz_model_check.h — what every successfully read model must satisfy (safetensors and ONNX
 * harnesses): it runs, and writing it and reading the copy back gives the same parameters bit
 * for bit. The harnesses differ only in the reader and writer they pass. */
#ifndef DN_FUZZ_MODEL_CHECK_H
#define DN_FUZZ_MODEL_CHECK_H

#include "fuzz_file.h"

#include "dropnet.h"

#include <string.h>

/* Past this many inputs or outputs a model is only checked, not run: the point is the parser. */
enum { DN_FUZZ_RUN_LIMIT = 1 << 16 };

typedef dn_status (*dn_fuzz_writer)(const dn_model *m, const char *path, dn_error *err);
typedef dn_status (*dn_fuzz_reader)(dn_model **out, const char *path, dn_error *err);

/* m predicts a zero row. Only the call is checked: finite but huge weights (3e38) overflow to inf
 * and NaN in the forward pass, which is arithmetic, not parsing. */
static inline void dn_fuzz_check_runs(dn_model *m) {
    size_t in = dn_model_input_size(m), out = dn_model_output_size(m);
    if (in > DN_FUZZ_RUN_LIMIT || out > DN_FUZZ_RUN_LIMIT) return;
    float *x = calloc(in, sizeof *x), *y = calloc(out, sizeof *y);
    dn_error err;
    if (x != NULL && y != NULL) DN_FUZZ_ASSERT(dn_model_predict(m, x, 1, y, &err) == DN_OK);
    free(x);
    free(y);
}

/* write(m, copy_path) then read(copy_path) gives m's parameters bit for bit. A failed write is
 * not a finding (e.g. /dev/shm full); a failed read of what was just written is. */
static inline void dn_fuzz_check_round_trip(dn_model *m, const char *copy_path,
                                            dn_fuzz_writer write, dn_fuzz_reader read) {
    dn_error err;
    if (write(m, copy_path, &err) != DN_OK) return;
    dn_model *copy = NULL;
    DN_FUZZ_ASSERT(read(&copy, copy_path, &err) == DN_OK);
    size_t n = dn_model_param_count(m);
    DN_FUZZ_ASSERT(dn_model_param_count(copy) == n);
    DN_FUZZ_ASSERT(n == 0 || memcmp(dn_model_params(m), dn_model_params(copy),
                                    n * sizeof(float)) == 0);
    dn_model_free(copy);
}

#endif
