/* onnx_builder.h — building an ONNX ModelProto (protobuf-c structs generated from Debian's
 * onnx.proto) out of pieces that all live in one arena, freed together (internal). */
#ifndef DN_ONNX_BUILDER_H
#define DN_ONNX_BUILDER_H

#include "onnx.pb-c.h"

#include <stddef.h>
#include <stdint.h>

/* Every allocation of one export; `failed` is set by the first allocation that fails, and every
 * later call returns NULL, so a builder checks once at the end. */
typedef struct dni_onnx_builder {
    void **blocks;
    size_t count, capacity;
    int failed;
    Onnx__GraphProto *graph;
} dni_onnx_builder;

/* Zeroed memory owned by the builder (NULL once anything failed). */
void *dni_onnx_alloc(dni_onnx_builder *b, size_t size);
/* A printf-formatted string owned by the builder. */
char *dni_onnx_strf(dni_onnx_builder *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Frees every block. */
void dni_onnx_builder_free(dni_onnx_builder *b);

/* Appends a node `op` named `name` with inputs [n_in] and one output; returns it (for
 * attributes) or NULL. */
Onnx__NodeProto *dni_onnx_node(dni_onnx_builder *b, const char *op, const char *name,
                               const char *const *inputs, size_t n_in, const char *output);
/* Adds an attribute to a node. */
void dni_onnx_attr_float(dni_onnx_builder *b, Onnx__NodeProto *node, const char *name, float v);
void dni_onnx_attr_int(dni_onnx_builder *b, Onnx__NodeProto *node, const char *name, int64_t v);

/* Adds a float initializer `name` of shape dims[rank] (rank 0: a scalar) whose `count` values
 * are copied from `data`. */
void dni_onnx_initializer(dni_onnx_builder *b, const char *name, const int64_t *dims,
                          size_t rank, const float *data, size_t count);
/* Adds a scalar bool initializer. */
void dni_onnx_initializer_bool(dni_onnx_builder *b, const char *name, int value);

/* A graph input or output: float [batch, width], the batch a symbolic dimension "batch". */
Onnx__ValueInfoProto *dni_onnx_value_info(dni_onnx_builder *b, const char *name, size_t width);
/* The same with element type `elem` (ONNX__TENSOR_PROTO__DATA_TYPE__*). */
Onnx__ValueInfoProto *dni_onnx_value_info_typed(dni_onnx_builder *b, const char *name,
                                                size_t width, int elem);
/* Appends a value to the graph's inputs, or to its outputs. */
void dni_onnx_add_input(dni_onnx_builder *b, Onnx__ValueInfoProto *input);
void dni_onnx_add_output(dni_onnx_builder *b, Onnx__ValueInfoProto *output);
/* Gives `node` a second output. */
void dni_onnx_node_output2(dni_onnx_builder *b, Onnx__NodeProto *node, const char *output);

#endif
