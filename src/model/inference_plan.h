/* inference_plan.h — the dense kernels packed once for inference (inference_plan.c; internal).
 *
 * A plan holds every dense layer's kernel in the packed layout of the GEMM family that runs now
 * for the model's precision (kernels/gemm_packed.h; for bf16, the families' bf16 pairs, rounded
 * once), so an inference pass multiplies without repacking the weights (the whole cost of a
 * one-row prediction) and, in fp32, takes the small-M kernel for a few rows. Outputs are bitwise
 * those of the unpacked path in the same precision.
 *
 * Staleness: a plan is a copy of the weights, built only when the caller asks
 * (dn_model_prepare_inference, or fit's reproducible step for its blocks: fit_blocks.c), and
 * every change of the weights the library sees drops it
 * (dni_model_weights_changed: the optimizer step, fit's restores and constraints, weight copies,
 * init, and any call of dn_model_params, which hands out a writable slab). Writes through a
 * dn_model_params pointer kept from before the request are the caller's to announce (dropnet.h).
 * Without a plan, or when the family that runs differs from the plan's (the precision or
 * DROPNET_KERNEL changed since, a BLAS build in fp32), the unpacked path runs, with the same
 * outputs. One to 16 rows need no plan:
 * the small-M kernel reads the weights in place (gemm_small_m.h). */
#ifndef DN_MODEL_INFERENCE_PLAN_H
#define DN_MODEL_INFERENCE_PLAN_H

#include "dropnet.h"

#include <stddef.h>

struct dn_gemm_impl;
typedef struct dn_inference_plan dn_inference_plan;

/* Packs every dense kernel of a compiled model for the family that runs now in the model's
 * precision, replacing any previous plan (in place, without allocating, when its family is
 * the same: fit's reproducible step repacks every step). An fp32 model in a BLAS build (whose products dropnet
 * does not pack) has nothing to pack: DN_OK without a plan. DN_ERR_MEMORY when the copy cannot be allocated (the model then has no
 * plan and predicts as before). */
dn_status dni_inference_plan_build(dn_model *model, dn_error *err);

/* The bytes dni_inference_plan_build allocates for `model` (compiled or not) in its precision now
 * (0 when nothing is packed: an fp32 model in a BLAS build; SIZE_MAX for an absurd model). */
size_t dni_inference_plan_bytes(const dn_model *model);

/* Marks the model's plan, if any, stale (no longer used; its memory kept for the next build):
 * call whenever a weight may have changed. */
void dni_model_weights_changed(dn_model *model);

/* Frees a plan (NULL is fine). */
void dni_inference_plan_free(dn_inference_plan *plan);

/* Layer `layer`'s packed kernel and its family, or NULL when there is no plan, the layer is not
 * dense, or the family that runs now is not the plan's. */
const float *dni_inference_plan_kernel(const dn_model *model, size_t layer,
                                       const struct dn_gemm_impl **impl);

#endif
