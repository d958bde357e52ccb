/* model_file_memory.c — what loading a model file will allocate, read from its safetensors header
 * before a byte of tensor data is (--max-memory on --init and --resume). The file size is no
 * measure of it: a compiled model holds 16 bytes per parameter (weights, gradients and the
 * optimizer's two slabs) where the file holds 4, and junk past the tensors takes no memory. */
#include "core/error.h"
#include "io/model_file.h"
#include "io/safetensors_read.h"

#include <stdint.h>
#include <string.h>

/* What one parameter takes once loaded: its weight, gradient and the optimizer's two slabs. */
static const uint64_t LOADED_PARAMETER_BYTES = 4 * sizeof(float);

/* Adds a·b to *sum, saturating at UINT64_MAX (an absurd file then exceeds any cap). */
static void add(uint64_t *sum, uint64_t a, uint64_t b) {
    if (a != 0 && b > UINT64_MAX / a) *sum = UINT64_MAX;
    else if (*sum > UINT64_MAX - a * b) *sum = UINT64_MAX;
    else *sum += a * b;
}

static uint64_t elements(const dn_st_tensor *t) {
    uint64_t n = 1;
    for (size_t d = 0; d < t->rank; ++d) {
        uint64_t product = 0;
        add(&product, n, t->shape[d]);
        n = product;
    }
    return n;
}

dn_status dn_model_file_memory(const char *path, size_t *bytes, dn_error *err) {
    if (path == NULL || bytes == NULL)
        return dni_fail(err, DN_ERR_ARGUMENT, "path and bytes must not be NULL");
    dn_st_file f;
    dn_status st = dni_st_open(&f, path, err);
    if (st != DN_OK) return st;
    /* The header text is read whole, then parsed, and the model copies parts of it (spec, class
     * names, metadata, a checkpoint's state): counted twice. */
    uint64_t need = 0;
    add(&need, f.header_size, 2);
    for (size_t i = 0; i < f.tensor_count; ++i) {
        const dn_st_tensor *t = &f.tensors[i];
        if (strcmp(t->name, dni_tensor_opt_m) == 0 || strcmp(t->name, dni_tensor_opt_v) == 0)
            continue; /* read into the slabs the parameters below already count */
        add(&need, elements(t),
            strcmp(t->name, dni_tensor_extra) == 0 ? sizeof(float) : LOADED_PARAMETER_BYTES);
    }
    dni_st_close(&f);
    *bytes = need > SIZE_MAX ? SIZE_MAX : (size_t)need;
    return DN_OK;
}
