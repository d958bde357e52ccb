/* onnx_builder.c — the arena and the protobuf-c pieces of an ONNX graph (onnx_builder.h). */
#include "onnx/onnx_builder.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void *dni_onnx_alloc(dni_onnx_builder *b, size_t size) {
    if (b->failed) return NULL;
    if (b->count == b->capacity) {
        size_t cap = b->capacity ? 2 * b->capacity : 64;
        void **grown = realloc(b->blocks, cap * sizeof *grown);
        if (grown == NULL) {
            b->failed = 1;
            return NULL;
        }
        b->blocks = grown;
        b->capacity = cap;
    }
    void *p = calloc(1, size ? size : 1);
    if (p == NULL) {
        b->failed = 1;
        return NULL;
    }
    b->blocks[b->count++] = p;
    return p;
}

char *dni_onnx_strf(dni_onnx_builder *b, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0) {
        b->failed = 1;
        return NULL;
    }
    char *s = dni_onnx_alloc(b, (size_t)n + 1);
    if (s == NULL) return NULL;
    va_start(ap, fmt);
    vsnprintf(s, (size_t)n + 1, fmt, ap);
    va_end(ap);
    return s;
}

void dni_onnx_builder_free(dni_onnx_builder *b) {
    for (size_t i = 0; i < b->count; ++i) free(b->blocks[i]);
    free(b->blocks);
    b->blocks = NULL;
    b->count = b->capacity = 0;
}

/* Appends `item` to the array *items [*n], which holds 4, 8, 16, ... entries: a full array is
 * copied into one twice its size (the old one stays in the arena until the end). */
static void push(dni_onnx_builder *b, void ***items, size_t *n, void *item) {
    if (item == NULL) return;
    if (*n == 0 || (*n >= 4 && (*n & (*n - 1)) == 0)) {
        size_t cap = *n ? 2 * *n : 4;
        void **grown = dni_onnx_alloc(b, cap * sizeof *grown);
        if (grown == NULL) return;
        if (*n) memcpy(grown, *items, *n * sizeof *grown);
        *items = grown;
    }
    (*items)[(*n)++] = item;
}
#define PUSH(b, arr, n, item) push((b), (void ***)&(arr), &(n), (item))

Onnx__NodeProto *dni_onnx_node(dni_onnx_builder *b, const char *op, const char *name,
                               const char *const *inputs, size_t n_in, const char *output) {
    Onnx__NodeProto *node = dni_onnx_alloc(b, sizeof *node);
    char **in = dni_onnx_alloc(b, (n_in ? n_in : 1) * sizeof *in);
    char **out = dni_onnx_alloc(b, sizeof *out);
    if (node == NULL || in == NULL || out == NULL) return NULL;
    onnx__node_proto__init(node);
    node->op_type = dni_onnx_strf(b, "%s", op);
    node->name = dni_onnx_strf(b, "%s", name);
    for (size_t i = 0; i < n_in; ++i) in[i] = dni_onnx_strf(b, "%s", inputs[i]);
    out[0] = dni_onnx_strf(b, "%s", output);
    node->input = in;
    node->n_input = n_in;
    node->output = out;
    node->n_output = 1;
    if (b->failed) return NULL;
    PUSH(b, b->graph->node, b->graph->n_node, node);
    return b->failed ? NULL : node;
}

static Onnx__AttributeProto *attr(dni_onnx_builder *b, Onnx__NodeProto *node, const char *name,
                                  Onnx__AttributeProto__AttributeType type) {
    if (node == NULL) return NULL;
    Onnx__AttributeProto *a = dni_onnx_alloc(b, sizeof *a);
    if (a == NULL) return NULL;
    onnx__attribute_proto__init(a);
    a->name = dni_onnx_strf(b, "%s", name);
    a->has_type = 1;
    a->type = type;
    PUSH(b, node->attribute, node->n_attribute, a);
    return b->failed ? NULL : a;
}

void dni_onnx_attr_float(dni_onnx_builder *b, Onnx__NodeProto *node, const char *name, float v) {
    Onnx__AttributeProto *a = attr(b, node, name, ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__FLOAT);
    if (a == NULL) return;
    a->has_f = 1;
    a->f = v;
}

void dni_onnx_attr_int(dni_onnx_builder *b, Onnx__NodeProto *node, const char *name, int64_t v) {
    Onnx__AttributeProto *a = attr(b, node, name, ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INT);
    if (a == NULL) return;
    a->has_i = 1;
    a->i = v;
}

static Onnx__TensorProto *tensor(dni_onnx_builder *b, const char *name, const int64_t *dims,
                                 size_t rank, Onnx__TensorProto__DataType type) {
    Onnx__TensorProto *t = dni_onnx_alloc(b, sizeof *t);
    int64_t *d = dni_onnx_alloc(b, (rank ? rank : 1) * sizeof *d);
    if (t == NULL || d == NULL) return NULL;
    onnx__tensor_proto__init(t);
    t->name = dni_onnx_strf(b, "%s", name);
    if (rank) memcpy(d, dims, rank * sizeof *d);
    t->dims = d;
    t->n_dims = rank;
    t->has_data_type = 1;
    t->data_type = (int32_t)type;
    PUSH(b, b->graph->initializer, b->graph->n_initializer, t);
    return b->failed ? NULL : t;
}

void dni_onnx_initializer(dni_onnx_builder *b, const char *name, const int64_t *dims,
                          size_t rank, const float *data, size_t count) {
    Onnx__TensorProto *t = tensor(b, name, dims, rank, ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT);
    float *copy = dni_onnx_alloc(b, (count ? count : 1) * sizeof *copy);
    if (t == NULL || copy == NULL) return;
    memcpy(copy, data, count * sizeof *copy);
    t->float_data = copy;
    t->n_float_data = count;
}

void dni_onnx_initializer_bool(dni_onnx_builder *b, const char *name, int value) {
    Onnx__TensorProto *t = tensor(b, name, NULL, 0, ONNX__TENSOR_PROTO__DATA_TYPE__BOOL);
    int32_t *v = dni_onnx_alloc(b, sizeof *v);
    if (t == NULL || v == NULL) return;
    *v = value != 0;
    t->int32_data = v;
    t->n_int32_data = 1;
}

Onnx__ValueInfoProto *dni_onnx_value_info(dni_onnx_builder *b, const char *name, size_t width) {
    return dni_onnx_value_info_typed(b, name, width, ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT);
}

Onnx__ValueInfoProto *dni_onnx_value_info_typed(dni_onnx_builder *b, const char *name,
                                                size_t width, int elem) {
    Onnx__ValueInfoProto *vi = dni_onnx_alloc(b, sizeof *vi);
    Onnx__TypeProto *type = dni_onnx_alloc(b, sizeof *type);
    Onnx__TypeProto__Tensor *tt = dni_onnx_alloc(b, sizeof *tt);
    Onnx__TensorShapeProto *shape = dni_onnx_alloc(b, sizeof *shape);
    Onnx__TensorShapeProto__Dimension **dims = dni_onnx_alloc(b, 2 * sizeof *dims);
    Onnx__TensorShapeProto__Dimension *d0 = dni_onnx_alloc(b, sizeof *d0);
    Onnx__TensorShapeProto__Dimension *d1 = dni_onnx_alloc(b, sizeof *d1);
    if (b->failed) return NULL;
    onnx__value_info_proto__init(vi);
    onnx__type_proto__init(type);
    onnx__type_proto__tensor__init(tt);
    onnx__tensor_shape_proto__init(shape);
    onnx__tensor_shape_proto__dimension__init(d0);
    onnx__tensor_shape_proto__dimension__init(d1);
    d0->value_case = ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_PARAM;
    d0->dim_param = dni_onnx_strf(b, "batch");
    d1->value_case = ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_VALUE;
    d1->dim_value = (int64_t)width;
    dims[0] = d0;
    dims[1] = d1;
    shape->dim = dims;
    shape->n_dim = 2;
    tt->has_elem_type = 1;
    tt->elem_type = elem;
    tt->shape = shape;
    type->value_case = ONNX__TYPE_PROTO__VALUE_TENSOR_TYPE;
    type->tensor_type = tt;
    vi->name = dni_onnx_strf(b, "%s", name);
    vi->type = type;
    return b->failed ? NULL : vi;
}


void dni_onnx_add_input(dni_onnx_builder *b, Onnx__ValueInfoProto *input) {
    PUSH(b, b->graph->input, b->graph->n_input, input);
}

void dni_onnx_add_output(dni_onnx_builder *b, Onnx__ValueInfoProto *output) {
    PUSH(b, b->graph->output, b->graph->n_output, output);
}

void dni_onnx_node_output2(dni_onnx_builder *b, Onnx__NodeProto *node, const char *output) {
    char **out = dni_onnx_alloc(b, 2 * sizeof *out);
    if (node == NULL || out == NULL) return;
    out[0] = node->output[0];
    out[1] = dni_onnx_strf(b, "%s", output);
    node->output = out;
    node->n_output = 2;
}
