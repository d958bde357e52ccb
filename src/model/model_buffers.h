/* model_buffers.h — the activation buffers a model holds (model_buffers.c; internal). */
#ifndef DN_MODEL_MODEL_BUFFERS_H
#define DN_MODEL_MODEL_BUFFERS_H

#include "dropnet.h"

#include <stddef.h>

/* Every buffer a model holds for `rows` rows, one call of `take(ctx, count, size)` each (a
 * non-NULL result, or NULL for failure): the one list that model_buffers.c allocates (assign = 1
 * stores each result in its field) and memory.c adds up (assign = 0: the model is not touched).
 * Returns 0 when a take failed or a size overflows. */
typedef void *(*dn_buffer_fn)(void *ctx, size_t count, size_t size);
int dni_model_plan_buffers(dn_model *m, size_t rows, int assign, dn_buffer_fn take, void *ctx);

/* The dn_buffer_fn of every estimate: adds count·size to the size_t at ctx (saturating at
 * SIZE_MAX, so an absurd request exceeds any limit) and returns ctx, allocating nothing. */
void *dni_buffer_count(void *ctx, size_t count, size_t size);

/* Releases every activation buffer (capacity becomes 0); the slabs stay (model_buffers.c). */
void dni_model_free_buffers(dn_model *model);

/* Before inference over `rows` rows: grows the batch capacity up to DN_INFERENCE_ROWS, since
 * products of 32 rows leave most of the GEMM's speed unused. Never while fit runs (fit's own
 * buffers are sized for its capacity); a failed allocation keeps the old capacity. */
enum { DN_INFERENCE_ROWS = 256 };
void dni_model_reserve_for_inference(dn_model *model, size_t rows);

/* Resizes every activation buffer to hold `rows` rows (no-op when it already does). */
dn_status dni_model_reserve(dn_model *model, size_t rows, dn_error *err);

#endif
