/* weight_panels.h — the training step's packed kernels (weight_panels.c; internal).
 *
 * Every step multiplies by each dense kernel W twice, as the forward product's B (X·W) and,
 * transposed, as the input gradient's B (dZ·Wᵀ), and the GEMM driver packs B into panels for
 * each product: a pass over all of W, twice per step (for bf16 with a conversion too). When the
 * optimizer step is fused into the weight-gradient product (network.h), each part of the new W
 * is in cache as it is written, so it is written there a second and third time, already packed
 * (kernels/gemm_packed_part.h): the next step's products then read the panels
 * (dni_gemm_prepacked) and pack nothing. The bits are those of the driver's own packing, so
 * results are unchanged for any thread count.
 *
 * The fp32 master W stays authoritative: the panels are a cache, used only while `panels_fresh`
 * says they hold the current W packed for the family that runs now. Any change of the weights
 * the library sees outside the fused step (dni_model_weights_changed: dn_model_params, loads,
 * copies, fit's restores, max-norm) marks them stale; the first fused step after rewrites them.
 * Their memory is part of the buffer plan (model_buffers.c) while fit asks for it
 * (`keeps_panels`); nothing is allocated per step. */
#ifndef DN_MODEL_WEIGHT_PANELS_H
#define DN_MODEL_WEIGHT_PANELS_H

#include "dropnet.h"
#include "model/optimizer.h"

#include <stddef.h>

struct dn_gemm_impl;

/* The family whose panels a model's step writes and reads: the one its products run in now
 * (precision, CPUID, DROPNET_KERNEL); NULL where dropnet does not pack (fp32 on a BLAS build). */
const struct dn_gemm_impl *dni_weight_panels_family(const dn_model *model);

/* The family the fresh panels are packed for, when it is also the one that runs now; else NULL
 * (stale, absent, or another family runs). */
const struct dn_gemm_impl *dni_weight_panels_current(const dn_model *model);

/* Layer `layer`'s forward panels and their family when current (as dni_weight_panels_current),
 * else NULL. */
const float *dni_weight_panels_forward(const dn_model *model, size_t layer,
                                       const struct dn_gemm_impl **impl);

/* Where one dense layer's fused optimizer step also writes its new kernel W [in×out]: the
 * optimizer's part (optimizer.h), then the panels (NULL: none). */
typedef struct dn_panels_update {
    dn_optimizer_part part;
    const struct dn_gemm_impl *impl; /* the panels' family (that of the gradient product) */
    size_t in, out;
    float *panels, *panels_t;
} dn_panels_update;

/* A `finished` hook (kernels/gemm.h) for the weight gradient dW [in×out]: applies the optimizer
 * to rows [i0, i0+m) × columns [j0, j0+n) of W, then packs that part of the new W into the
 * forward panels and of Wᵀ into the transposed ones. `context` is a dn_panels_update. */
void dni_weight_panels_update_part(void *context, size_t i0, size_t m, size_t j0, size_t n);

/* Before a fused step writes the panels for `impl`: when they were packed for another family,
 * clears them (the pad words of a layout must read as zero). */
void dni_weight_panels_begin(dn_model *model, const struct dn_gemm_impl *impl);

#endif
