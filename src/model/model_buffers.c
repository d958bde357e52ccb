/* model_buffers.c — the activation buffers a model holds for a batch of rows: the one plan
 * that allocation and the memory estimate share, growing for inference, and freeing. */
#include "model/model_buffers.h"
#include "model/model.h"

#include "core/alloc.h"
#include "core/error.h"
#include "kernels/gemm.h"

void dni_model_free_buffers(dn_model *m) {
    for (size_t i = 0; i < m->layer_count; ++i) {
        dn_layer *l = &m->layers[i];
        dni_free(l->pre);
        dni_free(l->y);
        dni_free(l->keep_bits);
        dni_free(l->d_in);
        dni_free(l->noise);
        dni_free(l->connect_params);
        dni_free(l->connect_bits);
        l->pre = l->y = l->d_in = l->noise = l->connect_params = NULL;
        l->keep_bits = l->connect_bits = NULL;
    }
    dni_free(m->col_norms);
    m->col_norms = NULL;
    dni_free(m->input);
    dni_free(m->loss_grad);
    dni_free(m->batch_labels);
    dni_free(m->batch_targets);
    dni_free(m->gemm_ws.data);
    m->gemm_ws = (dn_gemm_workspace){NULL, 0};
    m->input = m->loss_grad = m->batch_targets = NULL;
    m->batch_labels = NULL;
    m->capacity = 0;
    m->last_rows = 0;
}

/* Only layers above the first one with parameters need dL/d(input): below it nothing learns. */
static size_t first_trainable_layer(const dn_model *m) {
    for (size_t i = 0; i < m->layer_count; ++i)
        if (m->layers[i].param_count) return i;
    return m->layer_count;
}

void *dni_buffer_count(void *ctx, size_t count, size_t size) {
    size_t *sum = ctx, n;
    if (!dni_mul_size(count, size, &n) || *sum > SIZE_MAX - n)
        *sum = SIZE_MAX;
    else
        *sum += n;
    return ctx;
}

int dni_model_plan_buffers(dn_model *m, size_t rows, int assign, dn_buffer_fn take, void *ctx) {
    size_t first = first_trainable_layer(m), outputs = dn_model_output_size(m), widest = 1;
    int ok = 1;
#define TAKE(field, count, size)                                                                \
    do {                                                                                       \
        void *taken_ = take(ctx, (count), (size));                                             \
        ok &= taken_ != NULL;                                                                  \
        if (assign) (field) = taken_;                                                          \
    } while (0)
    TAKE(m->input, rows, m->input_size * sizeof(float));
    TAKE(m->loss_grad, rows, outputs * sizeof(float));
    TAKE(m->batch_labels, rows, sizeof(int32_t));
    TAKE(m->batch_targets, rows, outputs * sizeof(float));
    TAKE(m->gemm_ws.data, dni_gemm_workspace_floats(m->threads), sizeof(float));
    for (size_t i = 0; ok && i < m->layer_count; ++i) {
        dn_layer *l = &m->layers[i];
        size_t cells;
        if (!dni_mul_size(rows, l->out, &cells)) return 0;
        TAKE(l->y, cells, sizeof(float));
        if (l->kind == DN_LAYER_DENSE) TAKE(l->pre, cells, sizeof(float));
        if (l->kind == DN_LAYER_DROPOUT || l->kind == DN_LAYER_ALPHA_DROPOUT)
            TAKE(l->keep_bits, cells / 32 + 1, sizeof(uint32_t));
        if (l->kind == DN_LAYER_GAUSSIAN_DROPOUT) TAKE(l->noise, cells, sizeof(float));
        if (l->kind == DN_LAYER_DENSE && l->connect_rate > 0.0f) {
            /* The masked kernel and the bias: one training step's parameters (dropconnect.c). */
            TAKE(l->connect_params, l->param_count, sizeof(float));
            TAKE(l->connect_bits, l->param_count / 32 + 1, sizeof(uint32_t));
        }
        if (l->kind == DN_LAYER_DENSE) widest = l->out > widest ? l->out : widest;
        if (i > first) TAKE(l->d_in, rows, l->in * sizeof(float));
    }
    /* Column norms for the max-norm constraint (constraints.c), so a step allocates nothing. */
    if (ok) TAKE(m->col_norms, widest, sizeof(double));
#undef TAKE
    return ok;
}

static void *allocate(void *ctx, size_t count, size_t size) {
    (void)ctx;
    return dni_alloc_zeroed(count, size);
}

/* Allocates every activation buffer for `rows` rows; returns 0 when one allocation fails (the
 * caller frees what was allocated). */
static int alloc_buffers(dn_model *m, size_t rows) {
    int ok = dni_model_plan_buffers(m, rows, 1, allocate, NULL);
    m->gemm_ws.floats = m->gemm_ws.data != NULL ? dni_gemm_workspace_floats(m->threads) : 0;
    if (ok) m->capacity = rows;
    return ok;
}

dn_status dni_model_reserve(dn_model *m, size_t rows, dn_error *err) {
    if (rows <= m->capacity) return DN_OK;
    size_t previous = m->capacity;
    dni_model_free_buffers(m);
    if (alloc_buffers(m, rows)) return DN_OK;
    /* Leave the model as usable as before: the smaller buffers it had fit again. */
    dni_model_free_buffers(m);
    if (previous > 0 && !alloc_buffers(m, previous)) dni_model_free_buffers(m);
    return dni_fail(err, DN_ERR_MEMORY, "out of memory for activations of %zu rows", rows);
}

void dni_model_reserve_for_inference(dn_model *m, size_t rows) {
    size_t want = rows < DN_INFERENCE_ROWS ? rows : DN_INFERENCE_ROWS;
    if (m->fitting || want <= m->capacity) return;
    dni_model_reserve(m, want, NULL); /* on failure the old, smaller buffers are back */
}
