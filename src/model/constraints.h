/* constraints.h — kernel penalties of fit (constraints.c; internal). */
#ifndef DN_MODEL_CONSTRAINTS_H
#define DN_MODEL_CONSTRAINTS_H

#include "dropnet.h"

/* Kernel penalties of fit (constraints.c). dni_model_apply_l2 adds 2·l2·W to the kernel
 * gradients (after backprop, before the update); dni_model_apply_max_norm rescales every kernel
 * column whose norm exceeds max_norm (after the update). Both are no-ops when the setting is 0. */
void dni_model_apply_l2(dn_model *model);
void dni_model_apply_max_norm(dn_model *model);

#endif
