/* fuzz_spec.c — libFuzzer harness for model spec strings (src/model/spec.c).
 *
 * Input: one byte choosing the input size (1..255, or 0 for a huge one: SIZE_MAX / 8, which a
 * spec parser must accept without allocating per input), then the spec text (cut at the first
 * NUL, as a C string would be). A spec that parses must print a canonical form that parses back
 * to the same canonical form; one that fails must say so with a message naming the model spec.
 * The model is not compiled: `dense:4000000000` is a valid spec whose size is the user's
 * request, not a parser defect. */
#include "fuzz_file.h"

#include "dropnet.h"

#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size < 1) return 0;
    size_t input = data[0] ? data[0] : SIZE_MAX / 8;
    char *spec = malloc(size);
    if (spec == NULL) return 0;
    memcpy(spec, data + 1, size - 1);
    spec[size - 1] = '\0';
    dn_model *m = NULL;
    dn_error err;
    dn_status st = dn_model_from_spec(&m, input, spec, &err);
    if (st == DN_OK) {
        DN_FUZZ_ASSERT(dn_model_layer_count(m) > 0);
        size_t len = dn_model_spec(m, NULL, 0);
        char *canon = malloc(len + 1), *again = malloc(len + 1);
        if (canon != NULL && again != NULL) {
            DN_FUZZ_ASSERT(dn_model_spec(m, canon, len + 1) == len);
            dn_model *rebuilt = NULL;
            DN_FUZZ_ASSERT(dn_model_from_spec(&rebuilt, input, canon, &err) == DN_OK);
            DN_FUZZ_ASSERT(dn_model_spec(rebuilt, again, len + 1) == len);
            DN_FUZZ_ASSERT(strcmp(canon, again) == 0);
            DN_FUZZ_ASSERT(dn_model_layer_count(rebuilt) == dn_model_layer_count(m));
            DN_FUZZ_ASSERT(dn_model_output_size(rebuilt) == dn_model_output_size(m));
            dn_model_free(rebuilt);
        }
        free(canon);
        free(again);
        dn_model_free(m);
    } else {
        DN_FUZZ_ASSERT(m == NULL);
        DN_FUZZ_ASSERT(st == DN_ERR_MEMORY || strstr(err.message, "model spec") != NULL);
    }
    free(spec);
    return 0;
}
