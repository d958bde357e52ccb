/* model.h — the sequential model's state (internal).
 *
 * Parameters live in one slab and gradients in another, in the same layout, so the optimizer,
 * serialisation and (later) all-reduce each see one array. Activation buffers are sized once for
 * `capacity` rows; a training step allocates nothing. */
#ifndef DN_MODEL_MODEL_H
#define DN_MODEL_MODEL_H

#include "dropnet.h"
#include "layers/layer.h"

#include <stddef.h>
#include <stdint.h>

struct dn_model {
    size_t input_size;
    dn_layer *layers;
    size_t layer_count, layer_slots;
    size_t dense_count, dropout_count; /* for Keras-style names */

    int compiled;
    dn_loss loss;
    dn_optimizer_config optimizer;
    uint64_t seed;

    size_t param_count;
    float *params;   /* [param_count] */
    float *grads;    /* [param_count] */
    float *opt_m;    /* first moment / SGD velocity [param_count] */
    float *opt_v;    /* Adam second moment [param_count] */
    uint64_t step;   /* training steps taken: keys dropout masks, Adam's t */
    uint64_t epochs_done; /* keys the shuffle permutation, continues across fit calls */

    int threads;           /* OpenMP team size asked for; 0 = all cores */
    dn_gemm_workspace gemm_ws; /* GEMM packing space for `threads` threads */

    size_t capacity;       /* rows every buffer below holds */
    float *input;          /* the batch [capacity×input_size] */
    float *loss_grad;      /* dL/d(output or logits) [capacity×outputs] */
    int32_t *batch_labels; /* [capacity] */
    float *batch_targets;  /* [capacity×outputs] */

    double *col_norms;     /* [widest dense layer] scratch for the max-norm constraint */
    dn_regularization regularization; /* L2 and max-norm on kernels (constraints.c) */

    size_t last_rows;      /* rows of the last forward pass (0: none yet) */
    int fitting;           /* inside dn_model_fit: buffers must keep their size */
    int last_training;     /* whether it ran in DN_MODE_TRAINING */
    size_t row_offset;     /* the batch row of the next pass's first row (fit's reproducible
                              mode, fit_blocks.c; 0 otherwise): keys per-row draws */

    /* Preprocessing and annotations (model/preprocess.c, model/metadata.c); saved with the model. */
    float *std_mean, *std_scale; /* [input_size] each, or both NULL: x ← (x − mean) / std */
    char **class_names;          /* [class_count] owned strings, or NULL */
    size_t class_count;
    char **meta_keys, **meta_values; /* [meta_count] owned strings, in insertion order */
    size_t meta_count, meta_slots;
};

/* Every buffer a model holds for `rows` rows, one call of `take(ctx, count, size)` each (a
 * non-NULL result, or NULL for failure): the one list that model_buffers.c allocates (assign = 1
 * stores each result in its field) and memory.c adds up (assign = 0: the model is not touched).
 * Returns 0 when a take failed or a size overflows. */
typedef void *(*dn_buffer_fn)(void *ctx, size_t count, size_t size);
int dni_model_plan_buffers(dn_model *m, size_t rows, int assign, dn_buffer_fn take, void *ctx);

/* Releases every activation buffer (capacity becomes 0); the slabs stay (model_buffers.c). */
void dni_model_free_buffers(dn_model *model);

/* The one "is it ready to run" check of every entry point that runs, trains or saves a model:
 * compiled, with buffers for at least one row. Fails with DN_ERR_STATE, the message prefixed with
 * `context` when not NULL. `model` must not be NULL. */
dn_status dni_model_require_compiled(const dn_model *model, const char *context, dn_error *err);

/* The initialiser a dense layer gets: `init`, or Keras' default for `activation` (model_init.c). */
dn_initializer dni_initializer_resolve(dn_initializer init, dn_activation activation);

/* Draws every dense kernel from its initialiser (biases stay 0); called once by compile. */
void dni_model_init_weights(dn_model *model);

/* Before inference over `rows` rows: grows the batch capacity up to DN_INFERENCE_ROWS, since
 * products of 32 rows leave most of the GEMM's speed unused. Never while fit runs (fit's own
 * buffers are sized for its capacity); a failed allocation keeps the old capacity. */
enum { DN_INFERENCE_ROWS = 256 };
void dni_model_reserve_for_inference(dn_model *model, size_t rows);

/* Resizes every activation buffer to hold `rows` rows (no-op when it already does). */
dn_status dni_model_reserve(dn_model *model, size_t rows, dn_error *err);

/* Forward pass over model->input [rows×input_size]; returns the output [rows×outputs]. */
const float *dni_model_run(dn_model *model, size_t rows, dn_mode mode, uint64_t step);

/* Backward pass from model->loss_grad; `fused` means loss_grad is dL/dz of the last layer. */
void dni_model_backprop(dn_model *model, size_t rows, int fused);

/* Whether the loss is computed from the last layer's pre-activation (softmax/sigmoid fused). */
int dni_loss_is_fused(dn_loss loss, dn_activation last);

/* Loss of `rows` rows of a batch of `mean_rows` (equal but for a block of a batch in the
 * reproducible mode). Adds Σ per-row loss to *loss_sum and correct predictions to *correct
 * (rows for categorical, elements for binary; untouched for MSE); writes the gradient, already
 * divided for the mean over `mean_rows`, to `grad` [rows×cols] (dL/dz when fused, else dL/dy). */
void dni_loss_batch(dn_loss loss, dn_activation last, const float *pre, const float *y,
                    size_t rows, size_t mean_rows, size_t cols, const int32_t *labels,
                    const float *targets, float *grad, double *loss_sum, double *correct);

/* One optimizer update of the whole slab at step t (1-based), on up to `threads` threads. */
void dni_optimizer_update(const dn_optimizer_config *cfg, float *params, const float *grads,
                          float *m, float *v, size_t n, uint64_t t, int threads);

/* How the model's passes run: its thread setting and GEMM workspace. */
dn_exec dni_model_exec(const dn_model *model);

/* Checks that `data` suits the compiled model: features, classes or targets vs outputs. */
dn_status dni_model_check_data(const dn_model *model, const dn_dataset *data, const char *what,
                               dn_error *err);

/* Gathers rows index[0..n) of `data` into the model's input/label/target buffers. */
void dni_model_load_batch(dn_model *model, const dn_dataset *data, const size_t *index, size_t n);

/* Where the rows of a chunked run come from: `x` [rows×input_size], or else `data` (all its
 * rows; with its labels or targets too when `with_targets`). `index`, when not NULL, is scratch
 * for the chunk's row numbers [chunk] (fit passes its own, so an epoch allocates nothing). */
typedef struct dn_row_source {
    const float *x;
    size_t rows;
    const dn_dataset *data;
    int with_targets;
    size_t *index;
} dn_row_source;

/* Called once per chunk, after rows [begin, begin + rows) are in the model's input buffers. */
typedef void (*dn_chunk_fn)(dn_model *model, void *user, size_t begin, size_t rows);

/* The one chunked loop over many rows (chunks.c): `chunk` rows at a time (≤ the capacity), or,
 * when 0, the capacity after growing it for inference. Fails only when out of memory. */
dn_status dni_model_for_each_chunk(dn_model *model, const dn_row_source *src, size_t chunk,
                                   dn_chunk_fn visit, void *user, dn_error *err);

/* A dn_chunk_fn: runs the chunk at inference and copies its outputs to `out` [rows×outputs]
 * (a float array) at row `begin` (metrics.c). */
void dni_model_copy_outputs(dn_model *model, void *out, size_t begin, size_t rows);

/* x [rows×input_size] ← (x − mean) / std in place, with the model's standardisation; a no-op
 * when none is set (model/preprocess.c). */
void dni_model_standardize_rows(const dn_model *model, float *x, size_t rows);

/* Release the standardisation, and the class names and metadata (for dn_model_free). */
void dni_model_clear_standardization(dn_model *model);
void dni_model_clear_annotations(dn_model *model);

/* Kernel penalties of fit (constraints.c). dni_model_apply_l2 adds 2·l2·W to the kernel
 * gradients (after backprop, before the update); dni_model_apply_max_norm rescales every kernel
 * column whose norm exceeds max_norm (after the update). Both are no-ops when the setting is 0. */
void dni_model_apply_l2(dn_model *model);
void dni_model_apply_max_norm(dn_model *model);

/* Metadata keys beginning with this prefix belong to the file format (io/model_file.h). */
#define DN_RESERVED_KEY_PREFIX "dropnet."

#endif
