/* inference_plan.c — the dense kernels packed once for inference (inference_plan.h). */
#include "model/inference_plan.h"
#include "model/model.h"

#include "core/alloc.h"
#include "core/error.h"
#include "kernels/gemm.h"
#include "kernels/gemm_blas.h"
#include "kernels/gemm_kernel.h"
#include "kernels/gemm_packed.h"

struct dn_inference_plan {
    dn_gemm_kernel kernel; /* the family the panels are for */
    float **kernels;       /* [layer_count]: a dense layer's packed kernel, NULL for others */
    float *slab;           /* every packed kernel, each 64-byte aligned */
    int stale;             /* the weights changed since it was packed: kept only for its memory,
                              repacked in place by the next build (no allocation per step) */
};

void dni_inference_plan_free(dn_inference_plan *plan) {
    if (plan == NULL) return;
    dni_free(plan->kernels);
    dni_free(plan->slab);
    dni_free(plan);
}

void dni_model_weights_changed(dn_model *model) {
    if (model->plan != NULL) model->plan->stale = 1;
}

/* Floats of a layer's packed kernel, rounded to whole 64-byte lines so the next starts aligned. */
static size_t packed_floats(const dn_gemm_impl *impl, const dn_layer *l) {
    return (dni_gemm_packed_floats(impl, l->in, l->out) + 15) / 16 * 16;
}

/* Floats of the plan's slab: every dense layer's packed kernel (SIZE_MAX when that overflows,
 * which only a model too large to compile can reach). */
static size_t slab_floats(const dn_model *model, const dn_gemm_impl *impl) {
    size_t total = 0, bound;
    for (size_t i = 0; i < model->layer_count; ++i) {
        const dn_layer *l = &model->layers[i];
        if (l->kind != DN_LAYER_DENSE) continue;
        /* K·(N + nr) + slack bounds the padded panels: checked before packed_floats multiplies */
        if (!dni_mul_size(l->in, l->out + impl->nr, &bound) || bound > SIZE_MAX / 2 - total)
            return SIZE_MAX;
        total += packed_floats(impl, l);
    }
    return total;
}

/* The family the model's dense products run in now: its precision's (bf16: the AVX512_BF16 or
 * the portable bf16 family), fp32 as CPUID and DROPNET_KERNEL resolve it; DN_GEMM_AUTO for an
 * fp32 model in a BLAS build, whose products dropnet does not pack. */
static dn_gemm_kernel plan_family(const dn_model *model) {
    dn_gemm_kernel kernel = dni_gemm_precision_kernel((dn_gemm_precision)model->precision);
    if (kernel == DN_GEMM_AUTO && dni_gemm_blas_active()) return DN_GEMM_AUTO;
    return dni_gemm_kernel_resolve(kernel);
}

/* Packs every dense kernel into the plan's slab (laid out by packed_floats). */
static void pack_all(dn_model *model, dn_inference_plan *plan, const dn_gemm_impl *impl) {
    float *next = plan->slab;
    for (size_t i = 0; i < model->layer_count; ++i) {
        const dn_layer *l = &model->layers[i];
        if (l->kind != DN_LAYER_DENSE) continue;
        dni_gemm_pack_b_once(impl, l->in, l->out, model->params + l->param_offset, l->out, next);
        plan->kernels[i] = next;
        next += packed_floats(impl, l);
    }
    plan->stale = 0;
}

dn_status dni_inference_plan_build(dn_model *model, dn_error *err) {
    dn_gemm_kernel kernel = plan_family(model);
    if (model->plan != NULL && model->plan->kernel == kernel) { /* the same layout: in place */
        pack_all(model, model->plan, dni_gemm_impl_of(kernel));
        return DN_OK;
    }
    dni_inference_plan_free(model->plan);
    model->plan = NULL;
    if (kernel == DN_GEMM_AUTO) return DN_OK;
    const dn_gemm_impl *impl = dni_gemm_impl_of(kernel);
    size_t total = slab_floats(model, impl);
    dn_inference_plan *plan = dni_alloc_zeroed(1, sizeof *plan);
    if (plan != NULL) {
        plan->kernels = dni_alloc_zeroed(model->layer_count, sizeof *plan->kernels);
        plan->slab = dni_alloc_zeroed(total, sizeof(float));
    }
    if (plan == NULL || plan->kernels == NULL || plan->slab == NULL) {
        dni_inference_plan_free(plan);
        return dni_fail(err, DN_ERR_MEMORY, "out of memory for the packed weights (%zu floats)",
                        total);
    }
    plan->kernel = kernel;
    pack_all(model, plan, impl);
    model->plan = plan;
    return DN_OK;
}

size_t dni_inference_plan_bytes(const dn_model *model) {
    dn_gemm_kernel kernel = plan_family(model);
    if (kernel == DN_GEMM_AUTO) return 0;
    size_t floats = slab_floats(model, dni_gemm_impl_of(kernel)), bytes;
    /* the three allocations of dni_inference_plan_build: the plan, its kernel pointers, the slab */
    if (floats == SIZE_MAX || !dni_mul_size(floats, sizeof(float), &bytes)) return SIZE_MAX;
    return sizeof(dn_inference_plan) + model->layer_count * sizeof(float *) + bytes;
}

const float *dni_inference_plan_kernel(const dn_model *model, size_t layer,
                                       const dn_gemm_impl **impl) {
    const dn_inference_plan *plan = model->plan;
    if (plan == NULL || plan->stale || plan->kernels[layer] == NULL ||
        plan_family(model) != plan->kernel)
        return NULL;
    *impl = dni_gemm_impl_of(plan->kernel);
    return plan->kernels[layer];
}

dn_status dn_model_prepare_inference(dn_model *model, dn_error *err) {
    if (model == NULL) return dni_fail(err, DN_ERR_ARGUMENT, "model must not be NULL");
    dn_status st = dni_model_require_compiled(model, "prepare inference", err);
    if (st != DN_OK) return st;
    return dni_inference_plan_build(model, err);
}

int dn_model_inference_prepared(const dn_model *model) {
    const dn_gemm_impl *impl = NULL;
    if (model == NULL) return 0;
    for (size_t i = 0; i < model->layer_count; ++i)
        if (dni_inference_plan_kernel(model, i, &impl) != NULL) return 1;
    return 0;
}
