/* memory.c — what a model will take before it takes it (--max-memory): the parameter slabs, fit's
 * last-good copy, the buffers for a number of rows and fit's reproducible gradient blocks, counted
 * from the very plans model_buffers.c and fit_blocks.c allocate them by (dni_model_plan_buffers,
 * dni_blocks_plan_buffers). */
#include "model/fit_blocks.h"
#include "model/model.h"
#include "model/model_buffers.h"

#include "core/alloc.h"
#include "core/error.h"
#include "core/format_bytes.h"

/* Adds a·b·size to *sum, saturating at SIZE_MAX (an absurd model then simply exceeds any cap). */
static void add(size_t *sum, size_t a, size_t b, size_t size) {
    size_t n;
    if (!dni_mul_size(a, b, &n) || !dni_mul_size(n, size, &n) || *sum > SIZE_MAX - n)
        *sum = SIZE_MAX;
    else
        *sum += n;
}

static size_t parameter_count(const dn_model *m) {
    size_t n = 0;
    for (size_t i = 0; i < m->layer_count; ++i) add(&n, m->layers[i].param_count, 1, 1);
    return n;
}

/* The buffers model_buffers.c would allocate for `rows` rows (SIZE_MAX when that overflows). */
static size_t buffer_bytes(const dn_model *model, size_t rows) {
    size_t sum = 0;
    /* assign = 0: the plan only reads the model, so casting const away writes nothing. */
    if (!dni_model_plan_buffers((dn_model *)model, rows, 0, dni_buffer_count, &sum)) return SIZE_MAX;
    return sum;
}

dn_status dn_model_memory_estimate(const dn_model *model, size_t rows, dn_memory_estimate *out,
                                   dn_error *err) {
    if (model == NULL || out == NULL)
        return dni_fail(err, DN_ERR_ARGUMENT, "model and out must not be NULL");
    if (model->layer_count == 0) return dni_fail(err, DN_ERR_STATE, "the model has no layers");
    if (rows == 0) return dni_fail(err, DN_ERR_ARGUMENT, "rows must be > 0");
    size_t params = parameter_count(model);
    *out = (dn_memory_estimate){.parameters = 0, .snapshot = 0, .buffers = 0, .total = 0};
    add(&out->parameters, params, 4, sizeof(float)); /* weights, gradients, m, v */
    add(&out->snapshot, params, 3, sizeof(float));   /* fit's last good model */
    out->buffers = buffer_bytes(model, rows);
    out->total = out->parameters;
    add(&out->total, out->snapshot, 1, 1);
    add(&out->total, out->buffers, 1, 1);
    return DN_OK;
}

dn_status dn_model_fit_memory_estimate(const dn_model *model, const dn_fit_config *config,
                                       size_t workers, dn_memory_estimate *out, dn_error *err) {
    if (model == NULL || out == NULL)
        return dni_fail(err, DN_ERR_ARGUMENT, "model and out must not be NULL");
    dn_fit_config c = config != NULL ? *config : dn_fit_defaults();
    if (c.batch_size == 0) return dni_fail(err, DN_ERR_ARGUMENT, "batch size must be > 0");
    if (workers == 0) workers = c.reducer != NULL ? c.reducer->workers : 1;
    if (workers == 0) return dni_fail(err, DN_ERR_ARGUMENT, "the reducer has 0 workers");
    if (workers > 1 && !c.reproducible)
        return dni_fail(err, DN_ERR_ARGUMENT, "%zu workers need the reproducible mode (the only "
                        "one whose sum does not depend on the order of additions)", workers);
    size_t block_rows = c.block_rows ? c.block_rows : DN_BLOCK_ROWS_DEFAULT, rows = c.batch_size;
    dn_status st;
    if (c.reproducible) {
        if ((st = dni_blocks_check(block_rows, c.batch_size, workers, err)) != DN_OK) return st;
        rows = dni_blocks_capacity(&c, c.batch_size); /* fit's passes run one block at a time */
    }
    if ((st = dn_model_memory_estimate(model, rows, out, err)) != DN_OK) return st;
    if (c.reproducible) {
        out->blocks = dni_blocks_bytes(model, parameter_count(model), block_rows, c.batch_size,
                                       workers);
        add(&out->total, out->blocks, 1, 1);
    }
    return DN_OK;
}

dn_status dn_model_check_memory(const dn_model *model, size_t rows, size_t max_bytes,
                                dn_error *err) {
    dn_memory_estimate e;
    dn_status st = dn_model_memory_estimate(model, rows, &e, err);
    if (st != DN_OK || e.total <= max_bytes) return st;
    char total[DN_BYTES_TEXT_SIZE], params[DN_BYTES_TEXT_SIZE], copy[DN_BYTES_TEXT_SIZE],
        buffers[DN_BYTES_TEXT_SIZE], limit[DN_BYTES_TEXT_SIZE];
    dni_format_bytes(total, e.total);
    dni_format_bytes(params, e.parameters);
    dni_format_bytes(copy, e.snapshot);
    dni_format_bytes(buffers, e.buffers);
    dni_format_bytes(limit, max_bytes);
    return dni_fail(err, DN_ERR_MEMORY,
                    "the model needs %s (weights, gradients and optimizer state "
                   "%s; last-good copy %s; buffers for %zu rows %s), over the memory limit of %s",
                   total, params, copy, rows, buffers, limit);
}
