/* gemm_epilogue.c — the fused output pass of the GEMM (gemm.h): bias, activation and dropout on
 * a finished part of C while it is in cache. Runs on the thread that computed that part, inside
 * the driver's floating-point mode. */
#include "kernels/gemm_epilogue.h"
#include "kernels/gemm_kernel.h"

#include "kernels/activation.h"
#include "kernels/dropout_kernel.h"

void dni_gemm_epilogue_apply(const dn_gemm_problem *p, size_t i0, size_t m, size_t j0, size_t n) {
    const dn_gemm_epilogue *e = p->epilogue;
    for (size_t i = i0; i < i0 + m; ++i) {
        float *c = p->C + i * p->ldc + j0;
        if (e->bias != NULL)
            for (size_t j = 0; j < n; ++j) c[j] += e->bias[j0 + j];
        if (e->y == NULL) continue;
        float *y = e->y + i * e->ldy + j0;
        dni_activation_forward_span((dn_activation)e->activation, c, y, n);
        if (e->stream == NULL) continue;
        /* Row i's columns [j0, j0+n) are whole chunks of the flattened [M×N] array. */
        size_t first = i * p->N + j0;
        dni_dropout_mask_chunks(e->stream, e->step, e->threshold, e->scale, e->y, e->dropped,
                                e->bits, p->M * p->N, first / DN_DROPOUT_CHUNK,
                                (first + n) / DN_DROPOUT_CHUNK);
    }
    if (e->finished != NULL) e->finished(e->context, i0, m, j0, n);
}

size_t dni_gemm_column_quantum(const dn_gemm_impl *impl, const dn_gemm_problem *p) {
    if (p->epilogue == NULL || p->epilogue->stream == NULL) return impl->nr;
    return impl->nr > DN_DROPOUT_CHUNK ? impl->nr : DN_DROPOUT_CHUNK; /* nr divides 64 */
}
