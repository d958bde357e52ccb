/* model.c — building a sequential model: layers, compile (slab layout, init), buffers. */
#include "model/model.h"

#include "core/alloc.h"
#include "core/error.h"
#include "core/rng.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

enum { DEFAULT_CAPACITY = 32 };

dn_status dn_model_create(dn_model **out, size_t input_size, dn_error *err) {
    if (out == NULL) return dn_fail(err, DN_ERR_ARGUMENT, "out must not be NULL");
    if (input_size == 0) return dn_fail(err, DN_ERR_ARGUMENT, "input size must be > 0");
    dn_model *m = dn_alloc_zeroed(1, sizeof *m);
    if (m == NULL) return dn_fail(err, DN_ERR_MEMORY, "out of memory for a model");
    m->input_size = input_size;
    *out = m;
    return DN_OK;
}

static void free_buffers(dn_model *m) {
    for (size_t i = 0; i < m->layer_count; ++i) {
        dn_layer *l = &m->layers[i];
        dn_free(l->pre);
        dn_free(l->y);
        dn_free(l->keep_bits);
        dn_free(l->d_in);
        dn_free(l->noise);
        dn_free(l->connect_params);
        dn_free(l->connect_bits);
        l->pre = l->y = l->d_in = l->noise = l->connect_params = NULL;
        l->keep_bits = l->connect_bits = NULL;
    }
    dn_free(m->col_norms);
    m->col_norms = NULL;
    dn_free(m->input);
    dn_free(m->loss_grad);
    dn_free(m->batch_labels);
    dn_free(m->batch_targets);
    dn_free(m->gemm_ws.data);
    m->gemm_ws = (dn_gemm_workspace){NULL, 0};
    m->input = m->loss_grad = m->batch_targets = NULL;
    m->batch_labels = NULL;
    m->capacity = 0;
    m->last_rows = 0;
}

void dn_model_free(dn_model *model) {
    if (model == NULL) return;
    free_buffers(model);
    dn_free(model->layers);
    dn_free(model->params);
    dn_free(model->grads);
    dn_free(model->opt_m);
    dn_free(model->opt_v);
    dn_model_clear_standardization(model);
    dn_model_clear_annotations(model);
    dn_free(model);
}

size_t dn_model_input_size(const dn_model *m) { return m ? m->input_size : 0; }
size_t dn_model_layer_count(const dn_model *m) { return m ? m->layer_count : 0; }
size_t dn_model_param_count(const dn_model *m) { return m ? m->param_count : 0; }
dn_loss dn_model_loss(const dn_model *m) { return m ? m->loss : DN_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY; }
uint64_t dn_model_seed(const dn_model *m) { return m ? m->seed : 0; }
uint64_t dn_model_step(const dn_model *m) { return m ? m->step : 0; }
uint64_t dn_model_epochs_done(const dn_model *m) { return m ? m->epochs_done : 0; }
float *dn_model_params(dn_model *m) { return m ? m->params : NULL; }
const float *dn_model_grads(const dn_model *m) { return m ? m->grads : NULL; }

size_t dn_model_output_size(const dn_model *m) {
    if (m == NULL) return 0;
    return m->layer_count ? m->layers[m->layer_count - 1].out : 0;
}

/* Appends a layer slot whose input is the current output width. */
static dn_status push_layer(dn_model *m, dn_layer **out, dn_error *err) {
    if (m->compiled)
        return dn_fail(err, DN_ERR_STATE, "cannot add a layer to a compiled model");
    if (m->layer_count == m->layer_slots) {
        size_t slots = m->layer_slots ? m->layer_slots * 2 : 8;
        dn_layer *grown = dn_alloc_zeroed(slots, sizeof *grown);
        if (grown == NULL) return dn_fail(err, DN_ERR_MEMORY, "out of memory for layers");
        if (m->layer_count) memcpy(grown, m->layers, m->layer_count * sizeof *grown);
        dn_free(m->layers);
        m->layers = grown;
        m->layer_slots = slots;
    }
    dn_layer *l = &m->layers[m->layer_count];
    memset(l, 0, sizeof *l);
    l->in = m->layer_count ? m->layers[m->layer_count - 1].out : m->input_size;
    *out = l;
    return DN_OK;
}

/* Keras names the first layer of a kind "dense", then "dense_1", "dense_2", ... */
static void keras_name(char *buf, size_t size, const char *base, size_t ordinal) {
    if (ordinal == 0) snprintf(buf, size, "%s", base);
    else snprintf(buf, size, "%s_%zu", base, ordinal);
}

dn_status dn_model_add_dense(dn_model *model, size_t units, dn_activation activation,
                             dn_error *err) {
    return dn_model_add_dense_ex(model, units, activation, NULL, err);
}

const char *dn_initializer_name(dn_initializer init) {
    switch (init) {
    case DN_INIT_DEFAULT: return "default";
    case DN_INIT_GLOROT_UNIFORM: return "glorot_uniform";
    case DN_INIT_HE_NORMAL: return "he_normal";
    case DN_INIT_LECUN_NORMAL: return "lecun_normal";
    }
    return "?";
}

dn_status dn_initializer_parse(const char *name, dn_initializer *out, dn_error *err) {
    if (name == NULL || out == NULL)
        return dn_fail(err, DN_ERR_ARGUMENT, "initializer name and out must not be NULL");
    for (int i = DN_INIT_GLOROT_UNIFORM; i <= DN_INIT_LECUN_NORMAL; ++i) {
        if (strcmp(name, dn_initializer_name((dn_initializer)i)) == 0) {
            *out = (dn_initializer)i;
            return DN_OK;
        }
    }
    return dn_fail(err, DN_ERR_FORMAT, "unknown initializer '%s' (expected glorot_uniform, "
                   "he_normal or lecun_normal)", name);
}

/* Keras' defaults: lecun_normal belongs with selu (self-normalising networks), glorot_uniform
 * with everything else. */
static dn_initializer resolve_init(dn_initializer init, dn_activation activation) {
    if (init != DN_INIT_DEFAULT) return init;
    return activation == DN_ACT_SELU ? DN_INIT_LECUN_NORMAL : DN_INIT_GLOROT_UNIFORM;
}

dn_status dn_model_add_dense_ex(dn_model *model, size_t units, dn_activation activation,
                                const dn_dense_options *options, dn_error *err) {
    dn_dense_options opt = options ? *options : (dn_dense_options){DN_INIT_DEFAULT, 0.0f};
    if (model == NULL) return dn_fail(err, DN_ERR_ARGUMENT, "model must not be NULL");
    if (units == 0) return dn_fail(err, DN_ERR_ARGUMENT, "dense layer: units must be > 0, got 0");
    if ((unsigned)activation > DN_ACT_LEAKY_RELU)
        return dn_fail(err, DN_ERR_ARGUMENT, "dense layer: unknown activation %d", (int)activation);
    if ((unsigned)opt.initializer > DN_INIT_LECUN_NORMAL)
        return dn_fail(err, DN_ERR_ARGUMENT, "dense layer: unknown initializer %d",
                       (int)opt.initializer);
    if (!(opt.dropconnect >= 0.0f && opt.dropconnect < 1.0f))
        return dn_fail(err, DN_ERR_ARGUMENT, "dense layer: dropconnect rate must be in [0, 1), "
                       "got %g", (double)opt.dropconnect);
    dn_layer *l;
    dn_status st = push_layer(model, &l, err);
    if (st != DN_OK) return st;
    size_t weights;
    if (!dn_mul_size(l->in, units, &weights) || weights + units < weights)
        return dn_fail(err, DN_ERR_MEMORY, "dense layer %zu×%zu is too large", l->in, units);
    l->kind = DN_LAYER_DENSE;
    l->out = units;
    l->activation = activation;
    l->init = resolve_init(opt.initializer, activation);
    l->connect_rate = opt.dropconnect;
    l->connect_threshold = dn_rng_drop_threshold(opt.dropconnect);
    l->connect_scale = (float)(1.0 / (1.0 - (double)opt.dropconnect));
    l->param_count = weights + units;
    keras_name(l->name, sizeof l->name, "dense", model->dense_count++);
    model->layer_count++;
    return DN_OK;
}

dn_status dn_model_add_dropout(dn_model *model, float rate, dn_error *err) {
    if (model == NULL) return dn_fail(err, DN_ERR_ARGUMENT, "model must not be NULL");
    if (!(rate >= 0.0f && rate < 1.0f))
        return dn_fail(err, DN_ERR_ARGUMENT, "dropout rate must be in [0, 1), got %g", (double)rate);
    dn_layer *l;
    dn_status st = push_layer(model, &l, err);
    if (st != DN_OK) return st;
    l->kind = DN_LAYER_DROPOUT;
    l->out = l->in;
    l->rate = rate;
    l->drop_threshold = dn_rng_drop_threshold(rate);
    l->keep_scale = (float)(1.0 / (1.0 - (double)rate));
    keras_name(l->name, sizeof l->name, "dropout", model->dropout_count++);
    model->layer_count++;
    return DN_OK;
}

dn_status dn_model_dense_options(const dn_model *model, size_t layer, dn_dense_options *out,
                                 dn_error *err) {
    if (model == NULL || out == NULL)
        return dn_fail(err, DN_ERR_ARGUMENT, "model and out must not be NULL");
    if (layer >= model->layer_count || model->layers[layer].kind != DN_LAYER_DENSE)
        return dn_fail(err, DN_ERR_ARGUMENT, "layer %zu is not a dense layer", layer);
    out->initializer = model->layers[layer].init;
    out->dropconnect = model->layers[layer].connect_rate;
    return DN_OK;
}

/* Number of layers of `kind` so far, for Keras-style names of the noise layers. */
static size_t count_kind(const dn_model *m, dn_layer_kind kind) {
    size_t n = 0;
    for (size_t i = 0; i < m->layer_count; ++i) n += m->layers[i].kind == kind;
    return n;
}

/* Appends a width-preserving layer of `kind` named `base`; its parameters are set by the caller. */
static dn_status push_noise_layer(dn_model *m, dn_layer_kind kind, const char *base,
                                  dn_layer **out, dn_error *err) {
    size_t ordinal = count_kind(m, kind);
    dn_status st = push_layer(m, out, err);
    if (st != DN_OK) return st;
    (*out)->kind = kind;
    (*out)->out = (*out)->in;
    keras_name((*out)->name, sizeof (*out)->name, base, ordinal);
    m->layer_count++;
    return DN_OK;
}

/* −λα of SELU: the value SELU saturates to, which dropped units take. */
#define ALPHA_PRIME (-1.0507009873554804934193349852946 * 1.6732632423543772848170429916717)

dn_status dn_model_add_alpha_dropout(dn_model *model, float rate, dn_error *err) {
    if (model == NULL) return dn_fail(err, DN_ERR_ARGUMENT, "model must not be NULL");
    if (!(rate >= 0.0f && rate < 1.0f))
        return dn_fail(err, DN_ERR_ARGUMENT, "alpha dropout rate must be in [0, 1), got %g",
                       (double)rate);
    dn_layer *l;
    dn_status st = push_noise_layer(model, DN_LAYER_ALPHA_DROPOUT, "alpha_dropout", &l, err);
    if (st != DN_OK) return st;
    double r = rate, a = 1.0 / sqrt((1.0 - r) * (1.0 + r * ALPHA_PRIME * ALPHA_PRIME));
    l->rate = rate;
    l->drop_threshold = dn_rng_drop_threshold(rate);
    l->alpha_a = (float)a;
    l->alpha_b = (float)(-a * ALPHA_PRIME * r);
    return DN_OK;
}

dn_status dn_model_add_gaussian_dropout(dn_model *model, float rate, dn_error *err) {
    if (model == NULL) return dn_fail(err, DN_ERR_ARGUMENT, "model must not be NULL");
    if (!(rate >= 0.0f && rate < 1.0f))
        return dn_fail(err, DN_ERR_ARGUMENT, "gaussian dropout rate must be in [0, 1), got %g",
                       (double)rate);
    dn_layer *l;
    dn_status st = push_noise_layer(model, DN_LAYER_GAUSSIAN_DROPOUT, "gaussian_dropout", &l, err);
    if (st != DN_OK) return st;
    l->rate = rate;
    l->stddev = (float)sqrt((double)rate / (1.0 - (double)rate));
    return DN_OK;
}

dn_status dn_model_add_gaussian_noise(dn_model *model, float stddev, dn_error *err) {
    if (model == NULL) return dn_fail(err, DN_ERR_ARGUMENT, "model must not be NULL");
    if (!(stddev >= 0.0f) || !isfinite(stddev))
        return dn_fail(err, DN_ERR_ARGUMENT, "gaussian noise stddev must be >= 0 and finite, "
                       "got %g", (double)stddev);
    dn_layer *l;
    dn_status st = push_noise_layer(model, DN_LAYER_GAUSSIAN_NOISE, "gaussian_noise", &l, err);
    if (st != DN_OK) return st;
    l->rate = stddev;
    l->stddev = stddev;
    return DN_OK;
}

static dn_status check_optimizer(const dn_optimizer_config *c, dn_error *err) {
    if ((unsigned)c->kind > DN_OPTIMIZER_ADAM)
        return dn_fail(err, DN_ERR_ARGUMENT, "unknown optimizer kind %d", (int)c->kind);
    if (!(c->learning_rate > 0.0f) || !isfinite(c->learning_rate))
        return dn_fail(err, DN_ERR_ARGUMENT, "learning rate must be > 0, got %g", (double)c->learning_rate);
    if (c->kind == DN_OPTIMIZER_SGD) {
        if (!(c->momentum >= 0.0f && c->momentum < 1.0f))
            return dn_fail(err, DN_ERR_ARGUMENT, "momentum must be in [0, 1), got %g", (double)c->momentum);
        if (c->nesterov && c->momentum == 0.0f)
            return dn_fail(err, DN_ERR_ARGUMENT, "Nesterov momentum needs momentum > 0");
    } else {
        if (!(c->beta1 >= 0.0f && c->beta1 < 1.0f) || !(c->beta2 >= 0.0f && c->beta2 < 1.0f))
            return dn_fail(err, DN_ERR_ARGUMENT, "Adam betas must be in [0, 1), got %g and %g",
                           (double)c->beta1, (double)c->beta2);
        if (!(c->epsilon > 0.0f))
            return dn_fail(err, DN_ERR_ARGUMENT, "Adam epsilon must be > 0, got %g", (double)c->epsilon);
    }
    return DN_OK;
}

static dn_status check_output(const dn_model *m, dn_loss loss, dn_error *err) {
    if (m->layer_count == 0) return dn_fail(err, DN_ERR_STATE, "the model has no layers");
    const dn_layer *last = &m->layers[m->layer_count - 1];
    if (last->kind != DN_LAYER_DENSE)
        return dn_fail(err, DN_ERR_SHAPE, "the last layer must be dense, found %s", last->name);
    dn_activation a = last->activation;
    switch (loss) {
    case DN_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY:
        if (a != DN_ACT_SOFTMAX && a != DN_ACT_LINEAR)
            return dn_fail(err, DN_ERR_SHAPE, "categorical cross-entropy needs a softmax (or linear "
                           "logits) output layer, found %s", dn_activation_name(a));
        if (last->out < 2)
            return dn_fail(err, DN_ERR_SHAPE, "categorical cross-entropy needs >= 2 output units, "
                           "found %zu", last->out);
        return DN_OK;
    case DN_LOSS_BINARY_CROSSENTROPY:
        if (a != DN_ACT_SIGMOID && a != DN_ACT_LINEAR)
            return dn_fail(err, DN_ERR_SHAPE, "binary cross-entropy needs a sigmoid (or linear "
                           "logits) output layer, found %s", dn_activation_name(a));
        return DN_OK;
    case DN_LOSS_MEAN_SQUARED_ERROR:
        return DN_OK;
    }
    return dn_fail(err, DN_ERR_ARGUMENT, "unknown loss %d", (int)loss);
}

/* Keras' truncated normal: n ~ N(0, 1) redrawn while |n| > 2 (attempt k uses step k; P(redraw)
 * = 4.6 %, so 64 attempts fail with probability 1e-86, and then the weight is 0). */
static float truncated_normal(const dn_rng_stream *s, size_t k, double stddev) {
    for (uint64_t attempt = 0; attempt < 64; ++attempt) {
        double n = dn_rng_normal(s, attempt, k);
        if (fabs(n) <= 2.0) return (float)(stddev * n);
    }
    return 0.0f;
}

/* The kernel of dense layer i from its initialiser (docs at dn_initializer); bias stays 0. */
static void init_kernel(const dn_model *m, size_t i) {
    const dn_layer *l = &m->layers[i];
    dn_rng_stream s = dn_rng_stream_make(m->seed, DN_RNG_INIT, (uint32_t)i);
    float *w = m->params + l->param_offset;
    size_t n = l->in * l->out;
    if (l->init == DN_INIT_HE_NORMAL || l->init == DN_INIT_LECUN_NORMAL) {
        double scale = l->init == DN_INIT_HE_NORMAL ? 2.0 : 1.0;
        double stddev = sqrt(scale / (double)l->in) / .87962566103423978;
        for (size_t k = 0; k < n; ++k) w[k] = truncated_normal(&s, k, stddev);
        return;
    }
    float limit = (float)sqrt(6.0 / (double)(l->in + l->out));
    for (size_t k = 0; k < n; ++k) w[k] = (2.0f * dn_rng_uniform(&s, 0, k) - 1.0f) * limit;
}

static void init_weights(dn_model *m) {
    for (size_t i = 0; i < m->layer_count; ++i)
        if (m->layers[i].kind == DN_LAYER_DENSE) init_kernel(m, i);
}

dn_status dn_model_compile(dn_model *model, dn_loss loss, const dn_optimizer_config *optimizer,
                           uint64_t seed, dn_error *err) {
    if (model == NULL) return dn_fail(err, DN_ERR_ARGUMENT, "model must not be NULL");
    if (model->compiled) return dn_fail(err, DN_ERR_STATE, "the model is already compiled");
    dn_optimizer_config opt = optimizer ? *optimizer : dn_optimizer_defaults(DN_OPTIMIZER_ADAM);
    dn_status st = check_optimizer(&opt, err);
    if (st == DN_OK) st = check_output(model, loss, err);
    if (st != DN_OK) return st;

    size_t total = 0;
    for (size_t i = 0; i < model->layer_count; ++i) {
        dn_layer *l = &model->layers[i];
        l->param_offset = total;
        if (total + l->param_count < total)
            return dn_fail(err, DN_ERR_MEMORY, "parameter count overflows");
        total += l->param_count;
    }
    model->params = dn_alloc_zeroed(total, sizeof(float));
    model->grads = dn_alloc_zeroed(total, sizeof(float));
    model->opt_m = dn_alloc_zeroed(total, sizeof(float));
    model->opt_v = dn_alloc_zeroed(total, sizeof(float));
    if (!model->params || !model->grads || !model->opt_m || !model->opt_v) {
        dn_free(model->params), dn_free(model->grads), dn_free(model->opt_m), dn_free(model->opt_v);
        model->params = model->grads = model->opt_m = model->opt_v = NULL;
        return dn_fail(err, DN_ERR_MEMORY, "out of memory for %zu parameters", total);
    }
    model->param_count = total;
    model->loss = loss;
    model->optimizer = opt;
    model->seed = seed;
    init_weights(model);
    st = dn_model_reserve(model, DEFAULT_CAPACITY, err);
    /* Compiled only with buffers: every run loop steps by the capacity, which must not be 0. */
    model->compiled = st == DN_OK;
    return st;
}

/* Only layers above the first one with parameters need dL/d(input): below it nothing learns. */
static size_t first_trainable_layer(const dn_model *m) {
    for (size_t i = 0; i < m->layer_count; ++i)
        if (m->layers[i].param_count) return i;
    return m->layer_count;
}

int dn_model_plan_buffers(dn_model *m, size_t rows, int assign, dn_buffer_fn take, void *ctx) {
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
    TAKE(m->gemm_ws.data, dn_gemm_workspace_floats(m->threads), sizeof(float));
    for (size_t i = 0; ok && i < m->layer_count; ++i) {
        dn_layer *l = &m->layers[i];
        size_t cells;
        if (!dn_mul_size(rows, l->out, &cells)) return 0;
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
    return dn_alloc_zeroed(count, size);
}

/* Allocates every activation buffer for `rows` rows; returns 0 when one allocation fails (the
 * caller frees what was allocated). */
static int alloc_buffers(dn_model *m, size_t rows) {
    int ok = dn_model_plan_buffers(m, rows, 1, allocate, NULL);
    m->gemm_ws.floats = m->gemm_ws.data != NULL ? dn_gemm_workspace_floats(m->threads) : 0;
    if (ok) m->capacity = rows;
    return ok;
}

dn_status dn_model_reserve(dn_model *m, size_t rows, dn_error *err) {
    if (rows <= m->capacity) return DN_OK;
    size_t previous = m->capacity;
    free_buffers(m);
    if (alloc_buffers(m, rows)) return DN_OK;
    /* Leave the model as usable as before: the smaller buffers it had fit again. */
    free_buffers(m);
    if (previous > 0 && !alloc_buffers(m, previous)) free_buffers(m);
    return dn_fail(err, DN_ERR_MEMORY, "out of memory for activations of %zu rows", rows);
}

dn_status dn_model_set_threads(dn_model *model, int threads, dn_error *err) {
    if (model == NULL) return dn_fail(err, DN_ERR_ARGUMENT, "model must not be NULL");
    if (threads < 0) return dn_fail(err, DN_ERR_ARGUMENT, "threads must be >= 0, got %d", threads);
    if (threads == model->threads) return DN_OK;
    model->threads = threads;
    if (model->capacity == 0) return DN_OK;
    /* The GEMM workspace is sized per thread: size everything again for the same rows. */
    size_t rows = model->capacity;
    free_buffers(model);
    return dn_model_reserve(model, rows, err);
}

int dn_model_threads(const dn_model *model) { return model ? model->threads : 0; }

dn_status dn_model_set_learning_rate(dn_model *model, float learning_rate, dn_error *err) {
    if (model == NULL) return dn_fail(err, DN_ERR_ARGUMENT, "model must not be NULL");
    if (!model->compiled) return dn_fail(err, DN_ERR_STATE, "compile the model first");
    if (!(learning_rate > 0.0f) || !isfinite(learning_rate))
        return dn_fail(err, DN_ERR_ARGUMENT, "learning rate must be > 0, got %g", (double)learning_rate);
    model->optimizer.learning_rate = learning_rate;
    return DN_OK;
}

dn_status dn_model_set_momentum(dn_model *model, float momentum, dn_error *err) {
    if (model == NULL) return dn_fail(err, DN_ERR_ARGUMENT, "model must not be NULL");
    if (!model->compiled || model->optimizer.kind != DN_OPTIMIZER_SGD)
        return dn_fail(err, DN_ERR_STATE, "momentum applies to a model compiled with SGD");
    if (!(momentum >= 0.0f && momentum < 1.0f))
        return dn_fail(err, DN_ERR_ARGUMENT, "momentum must be in [0, 1), got %g", (double)momentum);
    if (model->optimizer.nesterov && momentum == 0.0f)
        return dn_fail(err, DN_ERR_ARGUMENT, "Nesterov momentum needs momentum > 0");
    model->optimizer.momentum = momentum;
    return DN_OK;
}

float dn_model_learning_rate(const dn_model *model) {
    return model && model->compiled ? model->optimizer.learning_rate : 0.0f;
}

void dn_model_reserve_for_inference(dn_model *m, size_t rows) {
    size_t want = rows < DN_INFERENCE_ROWS ? rows : DN_INFERENCE_ROWS;
    if (m->fitting || want <= m->capacity) return;
    dn_model_reserve(m, want, NULL); /* on failure the old, smaller buffers are back */
}

dn_status dn_model_layer_info(const dn_model *model, size_t index, dn_layer_info *out,
                              dn_error *err) {
    if (model == NULL || out == NULL)
        return dn_fail(err, DN_ERR_ARGUMENT, "model and out must not be NULL");
    if (index >= model->layer_count)
        return dn_fail(err, DN_ERR_ARGUMENT, "layer %zu does not exist (the model has %zu)", index,
                       model->layer_count);
    const dn_layer *l = &model->layers[index];
    out->kind = l->kind;
    out->name = l->name;
    out->inputs = l->in;
    out->outputs = l->out;
    out->activation = l->activation;
    out->rate = l->rate;
    out->param_count = l->param_count;
    out->param_offset = l->param_offset;
    return DN_OK;
}
