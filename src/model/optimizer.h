/* optimizer.h — the optimizer update over the parameter slab (optimizer.c; internal). */
#ifndef DN_MODEL_OPTIMIZER_H
#define DN_MODEL_OPTIMIZER_H

#include "dropnet.h"

#include <stddef.h>
#include <stdint.h>

/* One optimizer update of the whole slab at step t (1-based), on up to `threads` threads. */
void dni_optimizer_update(const dn_optimizer_config *cfg, float *params, const float *grads,
                          float *m, float *v, size_t n, uint64_t t, int threads);

#endif
