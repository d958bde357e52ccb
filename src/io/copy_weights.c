/* copy_weights.c — starting a model from another's weights (the CLI's --init): the dense layers
 * must line up; dropout rates, activations and training settings may differ. */
#include "model/inference_plan.h"
#include "model/model.h"
#include "model/preprocess.h"

#include "core/error.h"

#include <string.h>

/* The next dense layer at or after *i, or NULL; advances *i past it. */
static const dn_layer *next_dense(const dn_model *m, size_t *i) {
    while (*i < m->layer_count && m->layers[*i].kind != DN_LAYER_DENSE) ++*i;
    return *i < m->layer_count ? &m->layers[(*i)++] : NULL;
}

static dn_status check_layers(const dn_model *dst, const dn_model *src, dn_error *err) {
    if (dst->dense_count != src->dense_count)
        return dni_fail(err, DN_ERR_SHAPE,
                        "cannot copy weights: the source has %zu dense layers, this model %zu",
                        src->dense_count, dst->dense_count);
    size_t i = 0, j = 0;
    for (size_t k = 0; k < dst->dense_count; ++k) {
        const dn_layer *d = next_dense(dst, &i), *s = next_dense(src, &j);
        if (d->in != s->in || d->out != s->out)
            return dni_fail(err, DN_ERR_SHAPE,
                            "cannot copy weights: dense layer %zu (\"%s\") is "
                            "%zu×%zu in the source but %zu×%zu here",
                            k, d->name, s->in, s->out, d->in, d->out);
    }
    return DN_OK;
}

dn_status dn_model_copy_weights(dn_model *dst, const dn_model *src, dn_error *err) {
    if (dst == NULL || src == NULL)
        return dni_fail(err, DN_ERR_ARGUMENT, "dst and src must not be NULL");
    dn_status st = dni_model_require_compiled(dst, "cannot copy weights into dst", err);
    if (st == DN_OK) st = dni_model_require_compiled(src, "cannot copy weights from src", err);
    if (st == DN_OK) st = check_layers(dst, src, err);
    if (st != DN_OK) return st;
    /* Annotations first: they can fail (memory), and nothing should change if they do. */
    int set_std = dst->std_mean == NULL && src->std_mean != NULL;
    if (set_std) st = dn_model_set_standardization(dst, src->std_mean, src->std_scale, err);
    if (st == DN_OK && dst->class_names == NULL && src->class_names != NULL) {
        st = dn_model_set_class_names(dst, (const char *const *)src->class_names, src->class_count,
                                      err);
        if (st != DN_OK && set_std) dni_model_clear_standardization(dst);
    }
    if (st != DN_OK) return st;
    dni_model_weights_changed(dst);
    size_t i = 0, j = 0;
    for (size_t k = 0; k < dst->dense_count; ++k) {
        const dn_layer *d = next_dense(dst, &i), *s = next_dense(src, &j);
        memcpy(dst->params + d->param_offset, src->params + s->param_offset,
               d->param_count * sizeof(float));
    }
    return DN_OK;
}
