/* mc_dropout.c — Monte Carlo dropout (Gal & Ghahramani 2016): T forward passes with every
 * stochastic layer active, summarised per example as the mean and standard deviation of the
 * probabilities, the predictive entropy and the mutual information (formulas in dropnet.h).
 *
 * Rows go in blocks of MC_BLOCK whatever the model's capacity, and pass t over block c draws the
 * masks of step MC_STEP_BASE + c·MC_MAX_SAMPLES + t: the result is a function of the model and x
 * alone. A block is loaded once; its T passes reuse the model's buffers, and the accumulators are
 * allocated once per call. */
#include "model/model.h"
#include "model/chunks.h"
#include "model/model_buffers.h"
#include "model/network.h"
#include "model/loss.h"

#include "core/alloc.h"
#include "core/error.h"
#include "data/dataset.h"
#include "data/raw_columns.h"

#include <math.h>
#include <string.h>

enum { MC_BLOCK = 32 };
#define MC_MAX_SAMPLES ((size_t)1 << 20)
#define MC_STEP_BASE ((uint64_t)1 << 63)

/* How the last layer's output becomes probabilities. */
typedef enum mc_output {
    MC_CATEGORICAL,  /* a softmax row (or logits turned into one) */
    MC_BERNOULLI,    /* independent sigmoid columns (or logits turned into them) */
    MC_RAW           /* anything else: no entropy */
} mc_output;

typedef struct mc_run {
    dn_model *model;
    size_t samples, outputs;
    mc_output kind;
    int from_logits;        /* linear output of a cross-entropy model */
    double *sum, *sum_sq;   /* [MC_BLOCK×outputs] Σ_t p, Σ_t p² */
    double *entropy_sum;    /* [MC_BLOCK] Σ_t H[p_t] */
    float *p;               /* [outputs] one row's probabilities */
    float *mean, *std, *entropy, *mutual; /* the caller's outputs (each may be NULL) */
} mc_run;

static void kind_of(const dn_model *m, mc_run *run) {
    dn_activation act = m->layers[m->layer_count - 1].activation;
    run->from_logits = act == DN_ACT_LINEAR && !dni_loss_is_regression(m->loss);
    int categorical = m->loss == DN_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY;
    if (act == DN_ACT_SOFTMAX || (run->from_logits && categorical))
        run->kind = MC_CATEGORICAL;
    else if (act == DN_ACT_SIGMOID || run->from_logits)
        run->kind = MC_BERNOULLI;
    else
        run->kind = MC_RAW;
}

/* y [n] → p [n]: a copy, or softmax / sigmoid of logits. */
static void probabilities(const mc_run *run, const float *y, float *p) {
    size_t n = run->outputs;
    if (!run->from_logits) {
        memcpy(p, y, n * sizeof *p);
    } else if (run->kind == MC_CATEGORICAL) {
        float max = y[0];
        for (size_t j = 1; j < n; ++j) max = y[j] > max ? y[j] : max;
        double total = 0.0;
        for (size_t j = 0; j < n; ++j) total += exp((double)(y[j] - max));
        for (size_t j = 0; j < n; ++j) p[j] = (float)(exp((double)(y[j] - max)) / total);
    } else {
        for (size_t j = 0; j < n; ++j) p[j] = (float)(1.0 / (1.0 + exp(-(double)y[j])));
    }
}

static double plogp(double p) { return p > 0.0 ? p * log(p) : 0.0; }

/* H[p] in nats for the output kind; p [n] is pd or pf, whichever is not NULL. */
static double entropy_of(mc_output kind, const double *pd, const float *pf, size_t n) {
    double h = 0.0;
    for (size_t j = 0; j < n; ++j) {
        double p = pd ? pd[j] : (double)pf[j];
        h -= plogp(p);
        if (kind == MC_BERNOULLI) h -= plogp(1.0 - p);
    }
    return h;
}

/* T passes over one loaded block; accumulates Σp, Σp² and ΣH per row. */
static void sample_block(mc_run *run, size_t block, size_t rows) {
    size_t n = run->outputs;
    memset(run->sum, 0, rows * n * sizeof *run->sum);
    memset(run->sum_sq, 0, rows * n * sizeof *run->sum_sq);
    memset(run->entropy_sum, 0, rows * sizeof *run->entropy_sum);
    for (size_t t = 0; t < run->samples; ++t) {
        uint64_t step = MC_STEP_BASE + (uint64_t)block * MC_MAX_SAMPLES + t;
        const float *y = dni_model_run(run->model, rows, DN_MODE_TRAINING, step);
        for (size_t r = 0; r < rows; ++r) {
            probabilities(run, y + r * n, run->p);
            for (size_t j = 0; j < n; ++j) {
                run->sum[r * n + j] += run->p[j];
                run->sum_sq[r * n + j] += (double)run->p[j] * run->p[j];
            }
            if (run->kind != MC_RAW) run->entropy_sum[r] += entropy_of(run->kind, NULL, run->p, n);
        }
    }
}

/* The block's summaries into the caller's arrays at row `begin`. */
static void store_block(const mc_run *run, size_t begin, size_t rows, float *mean, float *std,
                        float *entropy, float *mutual) {
    size_t n = run->outputs;
    double T = (double)run->samples;
    for (size_t r = 0; r < rows; ++r) {
        double *mu = run->sum + r * n; /* turned into the mean in place */
        for (size_t j = 0; j < n; ++j) {
            mu[j] /= T;
            double var = run->sum_sq[r * n + j] / T - mu[j] * mu[j];
            if (mean) mean[(begin + r) * n + j] = (float)mu[j];
            if (std) std[(begin + r) * n + j] = (float)sqrt(var > 0.0 ? var : 0.0);
        }
        double h = run->kind == MC_RAW ? NAN : entropy_of(run->kind, mu, NULL, n);
        if (entropy) entropy[begin + r] = (float)h;
        if (mutual) mutual[begin + r] = (float)(h - run->entropy_sum[r] / T);
    }
}

/* One loaded block (a dn_chunk_fn): its T passes, then its summaries. */
static void mc_block(dn_model *m, void *user, size_t begin, size_t rows) {
    (void)m;
    mc_run *run = user;
    sample_block(run, begin / MC_BLOCK, rows);
    store_block(run, begin, rows, run->mean, run->std, run->entropy, run->mutual);
}

/* Blocks are MC_BLOCK rows whatever the capacity; a smaller one (a fit with small batches, or a
 * failed allocation) grows, except inside fit, whose buffers keep their size. */
static dn_status ensure_block_rows(dn_model *m, dn_error *err) {
    if (m->capacity >= MC_BLOCK) return DN_OK;
    if (m->fitting)
        return dni_fail(err, DN_ERR_STATE, "MC dropout inside fit needs a batch of at least %d "
                        "rows", MC_BLOCK);
    return dni_model_reserve(m, MC_BLOCK, err);
}

static dn_status run_mc(mc_run *run, const dn_row_source *src, dn_error *err) {
    dn_model *m = run->model;
    dn_status st = dni_model_require_compiled(m, NULL, err);
    if (st == DN_OK) st = ensure_block_rows(m, err);
    if (st != DN_OK) return st;
    if (run->samples == 0 || run->samples > MC_MAX_SAMPLES)
        return dni_fail(err, DN_ERR_ARGUMENT, "MC samples must be in 1..%zu, got %zu",
                        MC_MAX_SAMPLES, run->samples);
    run->outputs = dn_model_output_size(m);
    kind_of(m, run);
    run->sum = dni_alloc_zeroed(MC_BLOCK * run->outputs, sizeof(double));
    run->sum_sq = dni_alloc_zeroed(MC_BLOCK * run->outputs, sizeof(double));
    run->entropy_sum = dni_alloc_zeroed(MC_BLOCK, sizeof(double));
    run->p = dni_alloc_zeroed(run->outputs, sizeof(float));
    if (!run->sum || !run->sum_sq || !run->entropy_sum || !run->p)
        st = dni_fail(err, DN_ERR_MEMORY, "out of memory for MC dropout");
    if (st == DN_OK) st = dni_model_for_each_chunk(m, src, MC_BLOCK, mc_block, run, err);
    dni_free(run->sum);
    dni_free(run->sum_sq);
    dni_free(run->entropy_sum);
    dni_free(run->p);
    return st;
}

dn_status dn_model_predict_mc(dn_model *model, const float *x, size_t rows, size_t samples,
                              float *mean, float *std, float *entropy, float *mutual_information,
                              dn_error *err) {
    if (model == NULL || x == NULL)
        return dni_fail(err, DN_ERR_ARGUMENT, "model and x must not be NULL");
    mc_run run = {.model = model, .samples = samples, .mean = mean, .std = std,
                  .entropy = entropy, .mutual = mutual_information};
    dn_row_source src = {.x = x, .rows = rows};
    return run_mc(&run, &src, err);
}

dn_status dn_model_predict_mc_dataset(dn_model *model, const dn_dataset *data, size_t samples,
                                      float *mean, float *std, float *entropy,
                                      float *mutual_information, dn_error *err) {
    if (model == NULL || data == NULL)
        return dni_fail(err, DN_ERR_ARGUMENT, "model and data must not be NULL");
    dn_status raw = dni_dataset_require_prepared(data, "the data", err);
    if (raw != DN_OK) return raw;
    if (data->features != model->input_size)
        return dni_fail(err, DN_ERR_SHAPE, "the data has %zu features but the model expects %zu",
                        data->features, model->input_size);
    mc_run run = {.model = model, .samples = samples, .mean = mean, .std = std,
                  .entropy = entropy, .mutual = mutual_information};
    dn_row_source src = {.data = data};
    return run_mc(&run, &src, err);
}
