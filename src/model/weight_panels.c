/* weight_panels.c — the training step's packed kernels (weight_panels.h). */
#include "model/weight_panels.h"
#include "model/model.h"

#include "kernels/gemm.h"
#include "kernels/gemm_blas.h"
#include "kernels/gemm_kernel.h"
#include "kernels/gemm_packed_part.h"

#include <string.h>

const dn_gemm_impl *dni_weight_panels_family(const dn_model *model) {
    dn_gemm_kernel kernel = dni_gemm_precision_kernel((dn_gemm_precision)model->precision);
    if (kernel == DN_GEMM_AUTO && dni_gemm_blas_active()) return NULL; /* BLAS packs its own */
    return dni_gemm_impl_of(dni_gemm_kernel_resolve(kernel));
}

const dn_gemm_impl *dni_weight_panels_current(const dn_model *model) {
    if (!model->panels_held || !model->panels_fresh) return NULL;
    const dn_gemm_impl *impl = dni_weight_panels_family(model);
    return impl != NULL && impl->kernel == model->panels_kernel ? impl : NULL;
}

const float *dni_weight_panels_forward(const dn_model *model, size_t layer,
                                       const dn_gemm_impl **impl) {
    const dn_gemm_impl *current = dni_weight_panels_current(model);
    if (current == NULL || model->layers[layer].panels == NULL) return NULL;
    *impl = current;
    return model->layers[layer].panels;
}

void dni_weight_panels_update_part(void *context, size_t i0, size_t m, size_t j0, size_t n) {
    dn_panels_update *u = context;
    dni_optimizer_update_part(&u->part, i0, m, j0, n);
    /* The part of W just written is in L1/L2: pack it now rather than reading all of W again
     * from memory at the next step's two products. */
    const float *w = u->part.params;
    if (u->panels != NULL)
        dni_gemm_pack_b_part(u->impl, u->in, u->out, w, u->out, i0, m, j0, n, u->panels);
    if (u->panels_t != NULL)
        dni_gemm_pack_bt_part(u->impl, u->in, u->out, w, u->out, i0, m, j0, n, u->panels_t);
}

void dni_weight_panels_begin(dn_model *model, const dn_gemm_impl *impl) {
    if (model->panels_kernel == impl->kernel) return;
    for (size_t i = 0; i < model->layer_count; ++i) {
        const dn_layer *l = &model->layers[i];
        size_t floats = dni_gemm_packed_floats_any(l->in, l->out);
        if (l->panels != NULL) memset(l->panels, 0, floats * sizeof(float));
        if (l->panels_t != NULL) memset(l->panels_t, 0, floats * sizeof(float));
    }
    model->panels_kernel = impl->kernel;
}
