/* optimizer.h — the optimizer update over the parameter slab (optimizer.c; internal). */
#ifndef DN_MODEL_OPTIMIZER_H
#define DN_MODEL_OPTIMIZER_H

#include "dropnet.h"

#include <stddef.h>
#include <stdint.h>

/* One optimizer update of the whole slab at step t (1-based), on up to `threads` threads. */
void dni_optimizer_update(const dn_optimizer_config *cfg, float *params, const float *grads,
                          float *m, float *v, size_t n, uint64_t t, int threads);

/* Adam's step size at step t: lr·√(1−β2ᵗ)/(1−β1ᵗ), computed once per step (unused by SGD). */
float dni_optimizer_adam_alpha(const dn_optimizer_config *cfg, uint64_t t);

/* The update of n consecutive elements of the slab (params, grads and the optimizer's m and v
 * from the same element), in the calling thread: each element's arithmetic is the one
 * dni_optimizer_update applies to it, so updating the slab in any parts gives the same bits. */
void dni_optimizer_update_span(const dn_optimizer_config *cfg, float *params, const float *grads,
                               float *m, float *v, size_t n, float adam_alpha);

/* A dense kernel [· × ld] of the slab, updated part by part as the weight-gradient product
 * finishes its tiles (the fused update: the epilogue's `finished` hook, gemm.h). The pointers
 * are the kernel's first element in each slab. */
typedef struct dn_optimizer_part {
    const dn_optimizer_config *cfg;
    float *params;
    const float *grads;
    float *m, *v;
    size_t ld;
    float adam_alpha; /* dni_optimizer_adam_alpha of this step */
} dn_optimizer_part;

/* The `finished` hook: dni_optimizer_update_span over rows [i0, i0+rows) × columns [j0, j0+n)
 * of the kernel `context` (a dn_optimizer_part) describes. */
void dni_optimizer_update_part(void *context, size_t i0, size_t rows, size_t j0, size_t n);

#endif
