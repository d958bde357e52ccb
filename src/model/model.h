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

    struct dn_inference_plan *plan; /* the dense kernels packed for inference, or NULL: dropped
                                       at every weight change (inference_plan.h) */

    int threads;           /* OpenMP team size asked for; 0 = all cores */
    dn_precision precision; /* of the dense products (dn_model_set_precision) */
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

/* The one "is it ready to run" check of every entry point that runs, trains or saves a model:
 * compiled, with buffers for at least one row. Fails with DN_ERR_STATE, the message prefixed with
 * `context` when not NULL. `model` must not be NULL. */
dn_status dni_model_require_compiled(const dn_model *model, const char *context, dn_error *err);

/* Every model/ function used to be declared here. Each is now declared in the header named after
 * the file that defines it (scripts/check_layout.sh); these includes keep code that includes only
 * model.h for them (tests, other branches) compiling. New code includes what it uses directly. */
#include "model/chunks.h"
#include "model/constraints.h"
#include "model/fit.h"
#include "model/loss.h"
#include "model/metadata.h"
#include "model/metrics.h"
#include "model/model_buffers.h"
#include "model/model_init.h"
#include "model/network.h"
#include "model/optimizer.h"
#include "model/preprocess.h"

#endif
