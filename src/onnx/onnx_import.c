/* onnx_import.c — dn_model_import_onnx: an MLP graph (as torch.onnx.export and dropnet export
 * write them) read into a compiled dropnet model. The graph must be one chain from its input to
 * its output; every node is recognised or the file is refused naming the node (docs/FORMAT.md
 * "ONNX import"). Nothing outside the named file is read: external data is refused. */
#include "core/error.h"
#include "io/model_file.h"
#include "model/model.h"
#include "onnx.pb-c.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum {
    MAX_NODES = 4096,          /* an MLP has a handful per layer */
    MAX_LAYERS = 256,
    MIN_OPSET = 7,
    MAX_OPSET = 21
};
#define MAX_FILE_BYTES ((long)1 << 31)  /* protobuf's own limit is 2 GiB */
#define MAX_ELEMENTS ((size_t)1 << 28)  /* 1 GiB of floats per tensor */

static const char SUPPORTED[] =
    "supported: Gemm, MatMul (+ Add), Relu, Sigmoid, Tanh, Softmax, Selu, Elu, LeakyRelu (alpha "
    "0.3), Gelu as Div/Erf/Add/Mul/Mul, Dropout, Identity, Flatten/Reshape at the input, Sub/Div "
    "standardisation at the input, Constant";

/* One layer found on the chain. */
typedef struct layer {
    int dense;               /* 1 dense, 0 dropout */
    size_t in, out;
    float *w, *b;            /* dense: [in×out], [out] (owned) */
    dn_activation act;
    int from_matmul, has_bias;
    float rate;              /* dropout */
} layer;

typedef struct importer {
    const char *path;
    dn_error *err;
    Onnx__ModelProto *model;
    Onnx__GraphProto *g;
    int opset;
    unsigned char *visited;  /* [n_node] */
    layer layers[MAX_LAYERS];
    size_t n_layers;
    size_t features, width;  /* input features; width of the current tensor */
    float *mean, *std;       /* standardisation [features] (owned) */
    int flattened;
} importer;

#define FAIL(im, status, ...) import_fail((im), (status), __VA_ARGS__)

static dn_status import_fail(importer *im, dn_status status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static dn_status import_fail(importer *im, dn_status status, const char *fmt, ...) {
    char what[DN_ERROR_MESSAGE_SIZE];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    return dni_fail(im->err, status, "%s: %s", im->path, what);
}

static const char *node_name(const Onnx__NodeProto *n) {
    return n->name && n->name[0] ? n->name : "(unnamed)";
}

/* ---- constants: initializers and Constant nodes ---------------------------------------- */

static const Onnx__TensorProto *find_constant(const importer *im, const char *name) {
    if (name == NULL || name[0] == '\0') return NULL;
    for (size_t i = 0; i < im->g->n_initializer; ++i)
        if (im->g->initializer[i]->name && strcmp(im->g->initializer[i]->name, name) == 0)
            return im->g->initializer[i];
    for (size_t i = 0; i < im->g->n_node; ++i) {
        const Onnx__NodeProto *n = im->g->node[i];
        if (n->op_type && strcmp(n->op_type, "Constant") == 0 && n->n_output == 1 &&
            n->output[0] && strcmp(n->output[0], name) == 0)
            for (size_t a = 0; a < n->n_attribute; ++a)
                if (n->attribute[a]->name && strcmp(n->attribute[a]->name, "value") == 0 &&
                    n->attribute[a]->t)
                    return n->attribute[a]->t;
    }
    return NULL;
}

/* The element count of t's dims, refusing negative, absurd or overflowing dimensions. */
static dn_status element_count(importer *im, const Onnx__TensorProto *t, const char *name,
                               size_t *count) {
    size_t n = 1;
    if (t->n_dims > 8) return FAIL(im, DN_ERR_FORMAT, "tensor '%s' has %zu dimensions", name, t->n_dims);
    for (size_t i = 0; i < t->n_dims; ++i) {
        if (t->dims[i] < 0 || (uint64_t)t->dims[i] > MAX_ELEMENTS ||
            (t->dims[i] != 0 && n > MAX_ELEMENTS / (size_t)t->dims[i]))
            return FAIL(im, DN_ERR_FORMAT,
                        "tensor '%s': dimension %zu is %lld, out of range (at most 2^28 elements)",
                        name, i, (long long)t->dims[i]);
        n *= (size_t)t->dims[i];
    }
    *count = n;
    return DN_OK;
}

static int external(const Onnx__TensorProto *t) {
    return t->n_external_data > 0 ||
           (t->has_data_location &&
            t->data_location == ONNX__TENSOR_PROTO__DATA_LOCATION__EXTERNAL);
}

/* The float values of constant `name`: a new array [*count] (caller frees), with its dims. */
static dn_status constant_floats(importer *im, const Onnx__NodeProto *n, const char *name,
                                 float **values, size_t *count, const Onnx__TensorProto **tensor) {
    const Onnx__TensorProto *t = find_constant(im, name);
    if (t == NULL)
        return FAIL(im, DN_ERR_FORMAT,
                    "node '%s' (%s): input '%s' must be a constant (initializer or Constant), "
                    "as weights are", node_name(n), n->op_type, name ? name : "");
    if (external(t))
        return FAIL(im, DN_ERR_FORMAT,
                    "tensor '%s' refers to external data; dropnet reads only the named file "
                    "(save the model with its weights inside)", name);
    if (!t->has_data_type || t->data_type != ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT)
        return FAIL(im, DN_ERR_FORMAT, "tensor '%s' has element type %d; dropnet imports float32 "
                    "(type 1) only", name, t->has_data_type ? (int)t->data_type : 0);
    size_t c = 0;
    dn_status st = element_count(im, t, name, &c);
    if (st != DN_OK) return st;
    size_t stored = t->raw_data.len ? t->raw_data.len / 4 : t->n_float_data;
    if ((t->raw_data.len && (t->raw_data.len % 4 != 0 || t->n_float_data)) || stored != c)
        return FAIL(im, DN_ERR_FORMAT, "tensor '%s' holds %zu values (%zu raw bytes) but its dims "
                    "say %zu", name, stored, t->raw_data.len, c);
    float *v = malloc((c ? c : 1) * sizeof *v);
    if (v == NULL) return FAIL(im, DN_ERR_MEMORY, "out of memory for tensor '%s'", name);
    if (t->raw_data.len) {
        for (size_t i = 0; i < c; ++i) { /* little-endian, whatever the host */
            const uint8_t *p = t->raw_data.data + 4 * i;
            uint32_t u = (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
                         (uint32_t)p[3] << 24;
            memcpy(&v[i], &u, sizeof u);
        }
    } else if (c) {
        memcpy(v, t->float_data, c * sizeof *v);
    }
    *values = v;
    *count = c;
    if (tensor) *tensor = t;
    return DN_OK;
}

/* A constant that must be one float (any shape of one element). */
static dn_status constant_scalar(importer *im, const Onnx__NodeProto *n, const char *name,
                                 float *out) {
    float *v;
    size_t c;
    dn_status st = constant_floats(im, n, name, &v, &c, NULL);
    if (st != DN_OK) return st;
    if (c != 1) {
        free(v);
        return FAIL(im, DN_ERR_FORMAT, "node '%s' (%s): '%s' must hold one value, has %zu",
                    node_name(n), n->op_type, name, c);
    }
    *out = v[0];
    free(v);
    return DN_OK;
}

static const Onnx__AttributeProto *attribute(const Onnx__NodeProto *n, const char *name) {
    for (size_t a = 0; a < n->n_attribute; ++a)
        if (n->attribute[a]->name && strcmp(n->attribute[a]->name, name) == 0)
            return n->attribute[a];
    return NULL;
}

static int64_t attr_int(const Onnx__NodeProto *n, const char *name, int64_t fallback) {
    const Onnx__AttributeProto *a = attribute(n, name);
    return a && a->has_i ? a->i : fallback;
}

static float attr_float(const Onnx__NodeProto *n, const char *name, float fallback) {
    const Onnx__AttributeProto *a = attribute(n, name);
    return a && a->has_f ? a->f : fallback;
}

/* ---- the chain --------------------------------------------------------------------------- */

static int is_op(const Onnx__NodeProto *n, const char *op) {
    return n->op_type && strcmp(n->op_type, op) == 0;
}

static int reads(const Onnx__NodeProto *n, const char *tensor) {
    for (size_t i = 0; i < n->n_input; ++i)
        if (n->input[i] && strcmp(n->input[i], tensor) == 0) return 1;
    return 0;
}

/* The non-Constant nodes that read `tensor` (indices into g->node), at most `max`. */
static size_t consumers(const importer *im, const char *tensor, size_t *out, size_t max) {
    size_t k = 0;
    for (size_t i = 0; i < im->g->n_node; ++i)
        if (!is_op(im->g->node[i], "Constant") && reads(im->g->node[i], tensor)) {
            if (k < max) out[k] = i;
            ++k;
        }
    return k;
}

static dn_status visit(importer *im, size_t i) {
    if (im->visited[i])
        return FAIL(im, DN_ERR_FORMAT, "node '%s' (%s) is reached twice: the graph has a cycle",
                    node_name(im->g->node[i]), im->g->node[i]->op_type);
    im->visited[i] = 1;
    return DN_OK;
}

static layer *last_dense(importer *im) {
    return im->n_layers && im->layers[im->n_layers - 1].dense ? &im->layers[im->n_layers - 1]
                                                              : NULL;
}

static dn_status new_layer(importer *im, const Onnx__NodeProto *n, layer **out) {
    if (im->n_layers == MAX_LAYERS)
        return FAIL(im, DN_ERR_FORMAT, "node '%s': more than %d layers", node_name(n), MAX_LAYERS);
    *out = &im->layers[im->n_layers++];
    memset(*out, 0, sizeof **out);
    return DN_OK;
}

/* Gemm(x, B, C): y = alpha·x·op(B) + beta·C, op(B) = Bᵀ when transB. */
static dn_status gemm(importer *im, const Onnx__NodeProto *n) {
    if (n->n_input < 2 || attr_int(n, "transA", 0) != 0)
        return FAIL(im, DN_ERR_FORMAT, "node '%s' (Gemm): %s", node_name(n),
                    n->n_input < 2 ? "needs two inputs" : "transA = 1 is not supported");
    int trans_b = attr_int(n, "transB", 0) != 0;
    float alpha = attr_float(n, "alpha", 1.0f), beta = attr_float(n, "beta", 1.0f);
    float *bv;
    size_t count;
    const Onnx__TensorProto *t;
    dn_status st = constant_floats(im, n, n->input[1], &bv, &count, &t);
    if (st != DN_OK) return st;
    size_t rows = t->n_dims == 2 ? (size_t)t->dims[0] : 0, cols = t->n_dims == 2 ? (size_t)t->dims[1] : 0;
    size_t in = trans_b ? cols : rows, out = trans_b ? rows : cols;
    if (t->n_dims != 2 || in != im->width || out == 0) {
        free(bv);
        return FAIL(im, DN_ERR_SHAPE, "node '%s' (Gemm): weight '%s' must be 2-D with %zu inputs "
                    "(transB %d), has %zu dimensions [%zu×%zu]", node_name(n), n->input[1],
                    im->width, trans_b, t->n_dims, rows, cols);
    }
    layer *l;
    if ((st = new_layer(im, n, &l)) != DN_OK) {
        free(bv);
        return st;
    }
    l->dense = 1;
    l->in = in;
    l->out = out;
    l->act = DN_ACT_LINEAR;
    l->w = malloc(in * out * sizeof *l->w);
    l->b = calloc(out, sizeof *l->b);
    if (l->w == NULL || l->b == NULL) {
        free(bv);
        return FAIL(im, DN_ERR_MEMORY, "out of memory for '%s'", n->input[1]);
    }
    for (size_t i = 0; i < in; ++i)
        for (size_t j = 0; j < out; ++j)
            l->w[i * out + j] = alpha * (trans_b ? bv[j * in + i] : bv[i * out + j]);
    free(bv);
    l->has_bias = 1;
    if (n->n_input >= 3 && n->input[2] && n->input[2][0]) {
        float *cv;
        if ((st = constant_floats(im, n, n->input[2], &cv, &count, &t)) != DN_OK) return st;
        if (count != 1 && count != out) {
            free(cv);
            return FAIL(im, DN_ERR_SHAPE, "node '%s' (Gemm): bias '%s' has %zu values, expected %zu "
                        "(or 1)", node_name(n), n->input[2], count, out);
        }
        for (size_t j = 0; j < out; ++j) l->b[j] = beta * cv[count == 1 ? 0 : j];
        free(cv);
    }
    im->width = out;
    return DN_OK;
}

static dn_status matmul(importer *im, const Onnx__NodeProto *n, const char *cur) {
    if (n->n_input != 2 || strcmp(n->input[0], cur) != 0)
        return FAIL(im, DN_ERR_FORMAT, "node '%s' (MatMul): must compute x·W with the weight "
                    "second", node_name(n));
    float *wv;
    size_t count;
    const Onnx__TensorProto *t;
    dn_status st = constant_floats(im, n, n->input[1], &wv, &count, &t);
    if (st != DN_OK) return st;
    if (t->n_dims != 2 || (size_t)t->dims[0] != im->width || t->dims[1] == 0) {
        free(wv);
        return FAIL(im, DN_ERR_SHAPE, "node '%s' (MatMul): weight '%s' must be [%zu×units]",
                    node_name(n), n->input[1], im->width);
    }
    layer *l;
    if ((st = new_layer(im, n, &l)) != DN_OK) {
        free(wv);
        return st;
    }
    l->dense = 1;
    l->in = im->width;
    l->out = (size_t)t->dims[1];
    l->w = wv;
    l->b = calloc(l->out, sizeof *l->b);
    if (l->b == NULL) return FAIL(im, DN_ERR_MEMORY, "out of memory");
    l->from_matmul = 1;
    im->width = l->out;
    return DN_OK;
}

static dn_status add_bias(importer *im, const Onnx__NodeProto *n, const char *cur) {
    layer *l = last_dense(im);
    if (l == NULL || !l->from_matmul || l->has_bias || l->act != DN_ACT_LINEAR || n->n_input != 2)
        return FAIL(im, DN_ERR_FORMAT, "node '%s' (Add): only the bias right after a MatMul is "
                    "supported (%s)", node_name(n), SUPPORTED);
    const char *other = strcmp(n->input[0], cur) == 0 ? n->input[1] : n->input[0];
    float *bv;
    size_t count;
    dn_status st = constant_floats(im, n, other, &bv, &count, NULL);
    if (st != DN_OK) return st;
    if (count != l->out) {
        free(bv);
        return FAIL(im, DN_ERR_SHAPE, "node '%s' (Add): bias '%s' has %zu values, expected %zu",
                    node_name(n), other, count, l->out);
    }
    memcpy(l->b, bv, count * sizeof *bv);
    free(bv);
    l->has_bias = 1;
    return DN_OK;
}

static dn_status set_activation(importer *im, const Onnx__NodeProto *n, dn_activation act) {
    layer *l = last_dense(im);
    if (l == NULL || l->act != DN_ACT_LINEAR)
        return FAIL(im, DN_ERR_FORMAT, "node '%s' (%s): an activation must follow a dense layer "
                    "(Gemm or MatMul + Add)", node_name(n), n->op_type);
    l->act = act;
    return DN_OK;
}

static int near(float a, double b) { return fabs((double)a - b) <= 1e-6 * fabs(b); }

static dn_status activation_node(importer *im, const Onnx__NodeProto *n, int *handled) {
    *handled = 1;
    if (is_op(n, "Relu")) return set_activation(im, n, DN_ACT_RELU);
    if (is_op(n, "Sigmoid")) return set_activation(im, n, DN_ACT_SIGMOID);
    if (is_op(n, "Tanh")) return set_activation(im, n, DN_ACT_TANH);
    if (is_op(n, "Softmax")) {
        int64_t axis = attr_int(n, "axis", im->opset >= 13 ? -1 : 1);
        if (axis != -1 && axis != 1)
            return FAIL(im, DN_ERR_FORMAT, "node '%s' (Softmax): axis %lld; dropnet's softmax is "
                        "over the last axis (-1 or 1 for rows)", node_name(n), (long long)axis);
        return set_activation(im, n, DN_ACT_SOFTMAX);
    }
    if (is_op(n, "Selu")) {
        if (!near(attr_float(n, "alpha", 1.67326319217681884765625f), 1.6732632423543772) ||
            !near(attr_float(n, "gamma", 1.05070102214813232421875f), 1.0507009873554805))
            return FAIL(im, DN_ERR_FORMAT, "node '%s' (Selu): alpha/gamma differ from the "
                        "standard constants dropnet's selu uses", node_name(n));
        return set_activation(im, n, DN_ACT_SELU);
    }
    if (is_op(n, "Elu")) {
        if (!near(attr_float(n, "alpha", 1.0f), 1.0))
            return FAIL(im, DN_ERR_FORMAT, "node '%s' (Elu): alpha %g; dropnet's elu has alpha 1",
                        node_name(n), (double)attr_float(n, "alpha", 1.0f));
        return set_activation(im, n, DN_ACT_ELU);
    }
    if (is_op(n, "LeakyRelu")) {
        float a = attr_float(n, "alpha", 0.01f);
        if (!near(a, 0.3))
            return FAIL(im, DN_ERR_FORMAT, "node '%s' (LeakyRelu): negative slope %g; dropnet's "
                        "leaky_relu has slope 0.3 (Keras 2), e.g. nn.LeakyReLU(0.3) in PyTorch",
                        node_name(n), (double)a);
        return set_activation(im, n, DN_ACT_LEAKY_RELU);
    }
    *handled = 0;
    return DN_OK;
}

/* The node consuming `tensor` when exactly one does, else SIZE_MAX. */
static size_t only_consumer(const importer *im, const char *tensor) {
    size_t c[2];
    return consumers(im, tensor, c, 2) == 1 ? c[0] : SIZE_MAX;
}

/* gelu(z) = z·0.5·(1 + erf(z/√2)) as torch writes it: `first` is Div(z, √2) or Mul(z, 1/√2),
 * then Erf, Add(·, 1), Mul(z, ·) (either order), Mul(·, 0.5). On success *cur is the last. */
static dn_status gelu(importer *im, size_t first, size_t second, const char **cur) {
    const Onnx__NodeProto *d = im->g->node[first];
    if (!(is_op(d, "Div") || is_op(d, "Mul"))) {
        size_t t = first;
        first = second;
        second = t;
        d = im->g->node[first];
    }
    const char *z = *cur;
    float c = 0;
    int ok = (is_op(d, "Div") || is_op(d, "Mul")) && d->n_input == 2 && d->n_output >= 1 &&
             strcmp(d->input[0], z) == 0 &&
             constant_scalar(im, d, d->input[1], &c) == DN_OK &&
             (is_op(d, "Div") ? near(c, 1.4142135623730951) : near(c, 0.7071067811865476));
    size_t chain[4] = {first, SIZE_MAX, SIZE_MAX, SIZE_MAX};
    const char *t = ok ? d->output[0] : NULL;
    static const char *ops[] = {"Erf", "Add", "Mul"};
    for (int k = 0; ok && k < 3; ++k) {
        size_t i = only_consumer(im, t);
        ok = i != SIZE_MAX && is_op(im->g->node[i], ops[k]) && im->g->node[i]->n_output >= 1;
        if (!ok) break;
        const Onnx__NodeProto *m = im->g->node[i];
        if (k == 1) { /* Add(·, 1) */
            const char *other = strcmp(m->input[0], t) == 0 && m->n_input == 2 ? m->input[1]
                                                                                : m->input[0];
            ok = m->n_input == 2 && constant_scalar(im, m, other, &c) == DN_OK && near(c, 1.0);
        }
        if (k == 2) ok = i == second && m->n_input == 2 && reads(m, z);
        chain[k + 1] = i;
        t = m->output[0];
    }
    size_t last = ok ? only_consumer(im, t) : SIZE_MAX;
    const Onnx__NodeProto *h = last != SIZE_MAX ? im->g->node[last] : NULL;
    if (h != NULL && is_op(h, "Mul") && h->n_input == 2 && h->n_output >= 1) {
        const char *other = strcmp(h->input[0], t) == 0 ? h->input[1] : h->input[0];
        ok = constant_scalar(im, h, other, &c) == DN_OK && near(c, 0.5);
    } else {
        ok = 0;
    }
    if (!ok)
        return FAIL(im, DN_ERR_FORMAT, "tensor '%s' feeds nodes '%s' (%s) and '%s' (%s), which are "
                    "not the Div/Erf/Add/Mul/Mul of gelu; dropnet imports a chain of layers (%s)",
                    z, node_name(im->g->node[first]), im->g->node[first]->op_type,
                    node_name(im->g->node[second]), im->g->node[second]->op_type, SUPPORTED);
    dni_clear_error(im->err);
    for (int k = 0; k < 4; ++k) {
        dn_status st = visit(im, chain[k]);
        if (st != DN_OK) return st;
    }
    dn_status st = visit(im, last);
    if (st == DN_OK) st = set_activation(im, h, DN_ACT_GELU);
    *cur = h->output[0];
    return st;
}

static dn_status dropout(importer *im, const Onnx__NodeProto *n) {
    float rate = 0.5f;
    if (im->opset < 12) {
        rate = attr_float(n, "ratio", 0.5f);
    } else if (n->n_input >= 2 && n->input[1] && n->input[1][0]) {
        dn_status st = constant_scalar(im, n, n->input[1], &rate);
        if (st != DN_OK) return st;
    }
    if (!(rate >= 0.0f && rate < 1.0f))
        return FAIL(im, DN_ERR_FORMAT, "node '%s' (Dropout): ratio %g is not in [0, 1)",
                    node_name(n), (double)rate);
    if (n->n_output >= 2 && n->output[1] && n->output[1][0]) {
        size_t c[1];
        if (consumers(im, n->output[1], c, 1) > 0)
            return FAIL(im, DN_ERR_FORMAT, "node '%s' (Dropout): its mask is used by node '%s'",
                        node_name(n), node_name(im->g->node[c[0]]));
    }
    layer *l;
    dn_status st = new_layer(im, n, &l);
    if (st != DN_OK) return st;
    l->rate = rate;
    l->in = l->out = im->width;
    return DN_OK;
}

/* Flatten or Reshape to [batch, features]: only at the input. */
static dn_status flatten(importer *im, const Onnx__NodeProto *n) {
    if (im->n_layers || im->mean)
        return FAIL(im, DN_ERR_FORMAT, "node '%s' (%s): only supported at the input",
                    node_name(n), n->op_type);
    if (is_op(n, "Flatten")) {
        if (attr_int(n, "axis", 1) != 1)
            return FAIL(im, DN_ERR_FORMAT, "node '%s' (Flatten): axis must be 1", node_name(n));
        im->flattened = 0;
        return DN_OK;
    }
    const Onnx__TensorProto *t = n->n_input == 2 ? find_constant(im, n->input[1]) : NULL;
    int ok = t && !external(t) && t->has_data_type &&
             t->data_type == ONNX__TENSOR_PROTO__DATA_TYPE__INT64 && t->n_dims == 1 &&
             t->dims[0] == 2 && attr_int(n, "allowzero", 0) == 0;
    int64_t s[2] = {0, 0};
    if (ok && t->raw_data.len == 16) {
        for (int k = 0; k < 2; ++k) {
            uint64_t u = 0;
            for (int b = 7; b >= 0; --b) u = u << 8 | t->raw_data.data[8 * k + b];
            s[k] = (int64_t)u;
        }
    } else if (ok && t->n_int64_data == 2 && t->raw_data.len == 0) {
        s[0] = t->int64_data[0];
        s[1] = t->int64_data[1];
    } else {
        ok = 0;
    }
    if (!ok || !(s[0] == -1 || s[0] == 0) ||
        !(s[1] == (int64_t)im->features || (s[1] == -1 && s[0] == 0)))
        return FAIL(im, DN_ERR_FORMAT, "node '%s' (Reshape): only a reshape to [batch, %zu] "
                    "(shape [-1, %zu] or [0, -1]) is supported", node_name(n), im->features,
                    im->features);
    im->flattened = 0;
    return DN_OK;
}

/* Sub(x, mean) then Div(·, std) at the input: the standardisation. */
static dn_status standardisation(importer *im, const Onnx__NodeProto *n, const char **cur) {
    if (im->n_layers || im->mean || n->n_input != 2 || strcmp(n->input[0], *cur) != 0)
        return FAIL(im, DN_ERR_FORMAT, "node '%s' (Sub): only Sub(input, mean) then Div(·, std) at "
                    "the input is supported (%s)", node_name(n), SUPPORTED);
    size_t count, i = only_consumer(im, n->output[0]);
    const Onnx__NodeProto *d = i != SIZE_MAX ? im->g->node[i] : NULL;
    if (d == NULL || !is_op(d, "Div") || d->n_input != 2 || d->n_output < 1 ||
        strcmp(d->input[0], n->output[0]) != 0)
        return FAIL(im, DN_ERR_FORMAT, "node '%s' (Sub) must be followed by Div(·, std)",
                    node_name(n));
    dn_status st = constant_floats(im, n, n->input[1], &im->mean, &count, NULL);
    if (st == DN_OK && count != im->features)
        st = FAIL(im, DN_ERR_SHAPE, "mean '%s' has %zu values for %zu features", n->input[1],
                  count, im->features);
    if (st == DN_OK) st = constant_floats(im, d, d->input[1], &im->std, &count, NULL);
    if (st == DN_OK && count != im->features)
        st = FAIL(im, DN_ERR_SHAPE, "std '%s' has %zu values for %zu features", d->input[1],
                  count, im->features);
    if (st == DN_OK) st = visit(im, i);
    *cur = d->output[0];
    return st;
}

/* One step along the chain from tensor *cur. */
static dn_status step(importer *im, const char **cur) {
    size_t c[2];
    size_t k = consumers(im, *cur, c, 2);
    if (k == 0)
        return FAIL(im, DN_ERR_FORMAT, "tensor '%s' is read by no node and is not the graph's "
                    "output", *cur);
    if (k == 2) return gelu(im, c[0], c[1], cur);
    if (k > 2)
        return FAIL(im, DN_ERR_FORMAT, "tensor '%s' feeds %zu nodes; dropnet imports a chain of "
                    "layers", *cur, k);
    const Onnx__NodeProto *n = im->g->node[c[0]];
    dn_status st = visit(im, c[0]);
    if (st != DN_OK) return st;
    if (n->n_output < 1 || n->output[0] == NULL || n->output[0][0] == '\0')
        return FAIL(im, DN_ERR_FORMAT, "node '%s' (%s) has no output", node_name(n), n->op_type);
    if (strcmp(n->input[0], *cur) != 0 && !is_op(n, "Add"))
        return FAIL(im, DN_ERR_FORMAT, "node '%s' (%s) reads '%s' as input %s, not as its data",
                    node_name(n), n->op_type, *cur, "2 or later");
    int handled;
    if (im->flattened && !is_op(n, "Identity") && !is_op(n, "Flatten") && !is_op(n, "Reshape"))
        return FAIL(im, DN_ERR_FORMAT, "node '%s' (%s): the input has more than two dimensions; "
                    "it must first go through Flatten or Reshape", node_name(n), n->op_type);
    if (is_op(n, "Identity")) st = DN_OK;
    else if (is_op(n, "Flatten") || is_op(n, "Reshape")) st = flatten(im, n);
    else if (is_op(n, "Sub")) return standardisation(im, n, cur);
    else if (is_op(n, "Gemm")) st = gemm(im, n);
    else if (is_op(n, "MatMul")) st = matmul(im, n, *cur);
    else if (is_op(n, "Add")) st = add_bias(im, n, *cur);
    else if (is_op(n, "Dropout")) st = dropout(im, n);
    else if ((st = activation_node(im, n, &handled)) != DN_OK || handled) {}
    else
        return FAIL(im, DN_ERR_FORMAT, "node '%s' has op type %s, which dropnet cannot import (%s)",
                    node_name(n), n->op_type ? n->op_type : "(none)", SUPPORTED);
    *cur = n->output[0];
    return st;
}

/* The graph's data input: the one input that is not an initializer; float, [batch, d1, ...]. */
static dn_status graph_input(importer *im, const char **name) {
    const Onnx__ValueInfoProto *in = NULL;
    for (size_t i = 0; i < im->g->n_input; ++i) {
        const Onnx__ValueInfoProto *v = im->g->input[i];
        int is_init = 0;
        for (size_t j = 0; v->name && j < im->g->n_initializer; ++j)
            is_init |= im->g->initializer[j]->name && strcmp(im->g->initializer[j]->name, v->name) == 0;
        if (is_init) continue;
        if (in != NULL)
            return FAIL(im, DN_ERR_FORMAT, "the graph has two data inputs, '%s' and '%s'; dropnet "
                        "imports networks of one input", in->name, v->name);
        in = v;
    }
    if (in == NULL || in->name == NULL)
        return FAIL(im, DN_ERR_FORMAT, "the graph has no data input");
    const Onnx__TypeProto *t = in->type;
    const Onnx__TensorShapeProto *s = t && t->value_case == ONNX__TYPE_PROTO__VALUE_TENSOR_TYPE &&
                                      t->tensor_type ? t->tensor_type->shape : NULL;
    if (s == NULL || t->tensor_type->elem_type != ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT ||
        s->n_dim < 2 || s->n_dim > 8)
        return FAIL(im, DN_ERR_FORMAT, "input '%s' must be a float tensor [batch, features] (or "
                    "[batch, ...] flattened at the input)", in->name);
    size_t f = 1;
    for (size_t i = 1; i < s->n_dim; ++i) {
        const Onnx__TensorShapeProto__Dimension *d = s->dim[i];
        if (d->value_case != ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_VALUE ||
            d->dim_value <= 0 || d->dim_value > (1 << 24) || f > ((size_t)1 << 24) / (size_t)d->dim_value)
            return FAIL(im, DN_ERR_FORMAT, "input '%s': dimension %zu must be a fixed size "
                        "(at most 2^24 features in all)", in->name, i);
        f *= (size_t)d->dim_value;
    }
    im->features = im->width = f;
    im->flattened = s->n_dim > 2;
    *name = in->name;
    return DN_OK;
}

static dn_status read_file(importer *im, uint8_t **data, size_t *size) {
    FILE *f = fopen(im->path, "rb");
    if (f == NULL) return FAIL(im, DN_ERR_IO, "cannot open: %s", strerror(errno));
    long n = fseek(f, 0, SEEK_END) == 0 ? ftell(f) : -1;
    if (n < 0 || n > MAX_FILE_BYTES || fseek(f, 0, SEEK_SET) != 0) {
        fclose(f);
        return FAIL(im, n > MAX_FILE_BYTES ? DN_ERR_FORMAT : DN_ERR_IO,
                    n > MAX_FILE_BYTES ? "larger than protobuf's 2 GiB limit" : "cannot read");
    }
    *data = malloc(n ? (size_t)n : 1);
    if (*data == NULL) {
        fclose(f);
        return FAIL(im, DN_ERR_MEMORY, "out of memory (%ld bytes)", n);
    }
    *size = fread(*data, 1, (size_t)n, f);
    int bad = *size != (size_t)n || ferror(f);
    fclose(f);
    if (bad) {
        free(*data);
        return FAIL(im, DN_ERR_IO, "read error");
    }
    return DN_OK;
}

static dn_status check_model(importer *im) {
    Onnx__ModelProto *m = im->model;
    for (size_t i = 0; i < m->n_opset_import; ++i) {
        const char *d = m->opset_import[i]->domain;
        if (d == NULL || d[0] == '\0' || strcmp(d, "ai.onnx") == 0) im->opset = (int)m->opset_import[i]->version;
    }
    if (im->opset < MIN_OPSET || im->opset > MAX_OPSET)
        return FAIL(im, DN_ERR_FORMAT, "opset %d of the default domain is not supported (%d to %d)",
                    im->opset, MIN_OPSET, MAX_OPSET);
    im->g = m->graph;
    if (im->g == NULL) return FAIL(im, DN_ERR_FORMAT, "no graph: not an ONNX model file");
    if (im->g->n_node > MAX_NODES || im->g->n_initializer > MAX_NODES)
        return FAIL(im, DN_ERR_FORMAT, "the graph has %zu nodes and %zu initializers; dropnet "
                    "imports MLPs of at most %d of each", im->g->n_node, im->g->n_initializer,
                    MAX_NODES);
    for (size_t i = 0; i < im->g->n_node; ++i) {
        const Onnx__NodeProto *n = im->g->node[i];
        if (n->op_type == NULL || (n->domain && n->domain[0] && strcmp(n->domain, "ai.onnx") != 0))
            return FAIL(im, DN_ERR_FORMAT, "node '%s' is in domain '%s'; dropnet imports the "
                        "default ONNX domain only", node_name(n), n->domain ? n->domain : "");
    }
    for (size_t i = 0; i < im->g->n_initializer; ++i)
        if (external(im->g->initializer[i]))
            return FAIL(im, DN_ERR_FORMAT, "tensor '%s' refers to external data; dropnet reads "
                        "only the named file (save the model with its weights inside)",
                        im->g->initializer[i]->name);
    if (im->g->n_output < 1 || im->g->output[0]->name == NULL)
        return FAIL(im, DN_ERR_FORMAT, "the graph has no output");
    return DN_OK;
}

/* Follows the chain from the input to the first graph output; every other output must be a
 * Dropout mask, and every node must have been used. */
static dn_status walk(importer *im) {
    const char *cur = "";
    dn_status st = graph_input(im, &cur);
    const char *target = im->g->output[0]->name;
    for (size_t steps = 0; st == DN_OK && strcmp(cur, target) != 0; ++steps) {
        if (steps > im->g->n_node)
            return FAIL(im, DN_ERR_FORMAT, "the graph has a cycle");
        st = step(im, &cur);
    }
    if (st != DN_OK) return st;
    if (im->flattened)
        return FAIL(im, DN_ERR_FORMAT, "the input has more than two dimensions and is never "
                    "flattened");
    for (size_t i = 0; i < im->g->n_node; ++i)
        if (!im->visited[i] && !is_op(im->g->node[i], "Constant"))
            return FAIL(im, DN_ERR_FORMAT, "node '%s' (%s) is not on the path from the input to "
                        "the output '%s'", node_name(im->g->node[i]), im->g->node[i]->op_type,
                        target);
    size_t dense = 0;
    for (size_t i = 0; i < im->n_layers; ++i) dense += im->layers[i].dense;
    if (dense == 0) return FAIL(im, DN_ERR_FORMAT, "the graph has no dense layer (Gemm or MatMul)");
    return DN_OK;
}

static const char *property(const importer *im, const char *key) {
    for (size_t i = 0; i < im->model->n_metadata_props; ++i) {
        const Onnx__StringStringEntryProto *e = im->model->metadata_props[i];
        if (e->key && e->value && strcmp(e->key, key) == 0) return e->value;
    }
    return NULL;
}

/* dropnet.spec, when it describes the same dense layers as the graph, rebuilds the layers the
 * inference graph left out (dropout family), so that export → import → export is exact. */
static dn_model *model_from_stored_spec(importer *im) {
    const char *spec = property(im, "dropnet.spec");
    dn_model *m = NULL;
    if (spec == NULL || dn_model_from_spec(&m, im->features, spec, NULL) != DN_OK) return NULL;
    size_t d = 0, n = dn_model_layer_count(m);
    for (size_t i = 0; i < n; ++i) {
        dn_layer_info info;
        if (dn_model_layer_info(m, i, &info, NULL) != DN_OK) break;
        if (info.kind != DN_LAYER_DENSE) continue;
        while (d < im->n_layers && !im->layers[d].dense) ++d;
        if (d == im->n_layers || im->layers[d].out != info.outputs ||
            im->layers[d].act != info.activation) {
            d = SIZE_MAX;
            break;
        }
        ++d;
    }
    while (d != SIZE_MAX && d < im->n_layers && !im->layers[d].dense) ++d;
    if (d != im->n_layers) {
        dn_model_free(m);
        return NULL;
    }
    return m;
}

static dn_status build(importer *im, dn_model **out) {
    dn_model *m = model_from_stored_spec(im);
    dn_status st = DN_OK;
    if (m == NULL) {
        if ((st = dn_model_create(&m, im->features, im->err)) != DN_OK) return st;
        for (size_t i = 0; st == DN_OK && i < im->n_layers; ++i)
            st = im->layers[i].dense ? dn_model_add_dense(m, im->layers[i].out, im->layers[i].act,
                                                          NULL, im->err)
                                     : dn_model_add_dropout(m, im->layers[i].rate, im->err);
    }
    dn_activation last = DN_ACT_LINEAR;
    for (size_t i = 0; i < im->n_layers; ++i)
        if (im->layers[i].dense) last = im->layers[i].act;
    dn_loss loss = last == DN_ACT_SOFTMAX   ? DN_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY
                   : last == DN_ACT_SIGMOID ? DN_LOSS_BINARY_CROSSENTROPY
                                            : DN_LOSS_MEAN_SQUARED_ERROR;
    const char *stored = property(im, "dropnet.loss"); /* kept when it fits the last layer */
    for (int k = 0; stored && k < 4; ++k)
        if (strcmp(stored, dni_loss_names[k]) == 0 &&
            (k != DN_LOSS_BINARY_CROSSENTROPY || last == DN_ACT_SIGMOID || last == DN_ACT_LINEAR) &&
            (k != DN_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY || last == DN_ACT_SOFTMAX ||
             last == DN_ACT_LINEAR))
            loss = (dn_loss)k;
    const char *seed_text = property(im, "dropnet.seed");
    uint64_t seed = seed_text ? strtoull(seed_text, NULL, 10) : 42;
    dn_optimizer_config opt = dn_optimizer_defaults(DN_OPTIMIZER_ADAM);
    if (st == DN_OK) st = dn_model_compile(m, loss, &opt, seed, im->err);
    float *params = st == DN_OK ? dn_model_params(m) : NULL;
    for (size_t i = 0, d = 0; st == DN_OK && i < dn_model_layer_count(m); ++i) {
        dn_layer_info info;
        if ((st = dn_model_layer_info(m, i, &info, im->err)) != DN_OK || info.kind != DN_LAYER_DENSE)
            continue;
        while (!im->layers[d].dense) ++d;
        const layer *l = &im->layers[d++];
        memcpy(params + info.param_offset, l->w, l->in * l->out * sizeof(float));
        memcpy(params + info.param_offset + l->in * l->out, l->b, l->out * sizeof(float));
    }
    for (size_t i = 0; st == DN_OK && i < dn_model_param_count(m); ++i)
        if (!isfinite(params[i]))
            st = FAIL(im, DN_ERR_NUMERIC, "weight %zu of the parameters is %g", i, (double)params[i]);
    if (st == DN_OK && im->mean) {
        if (dn_model_set_standardization(m, im->mean, im->std, im->err) != DN_OK)
            st = FAIL(im, DN_ERR_FORMAT, "standardisation: %s", im->err->message);
    }
    const char *names = property(im, "dropnet.class_names");
    if (st == DN_OK && names) {
        cJSON *arr = cJSON_Parse(names);
        size_t n = cJSON_IsArray(arr) ? (size_t)cJSON_GetArraySize(arr) : 0;
        const char **list = n ? calloc(n, sizeof *list) : NULL;
        for (size_t i = 0; list && i < n; ++i) list[i] = cJSON_GetStringValue(cJSON_GetArrayItem(arr, (int)i));
        int ok = list != NULL;
        for (size_t i = 0; ok && i < n; ++i) ok = list[i] != NULL;
        if (!ok || dn_model_set_class_names(m, list, n, im->err) != DN_OK)
            st = FAIL(im, DN_ERR_FORMAT, "dropnet.class_names is not a JSON array of %zu strings",
                      dn_model_output_size(m));
        free(list);
        cJSON_Delete(arr);
    }
    for (size_t i = 0; st == DN_OK && i < im->model->n_metadata_props; ++i) {
        const Onnx__StringStringEntryProto *e = im->model->metadata_props[i];
        if (e->key == NULL || e->value == NULL || strncmp(e->key, "dropnet.", 8) == 0) continue;
        if (dn_model_set_metadata(m, e->key, e->value, im->err) != DN_OK)
            st = FAIL(im, DN_ERR_FORMAT, "metadata '%.64s': %s", e->key, im->err->message);
    }
    if (st != DN_OK) {
        dn_model_free(m);
        return st;
    }
    *out = m;
    return DN_OK;
}

dn_status dn_model_import_onnx(dn_model **out, const char *path, dn_error *err) {
    if (out == NULL || path == NULL)
        return dni_fail(err, DN_ERR_ARGUMENT, "dn_model_import_onnx: %s is NULL",
                        out == NULL ? "out" : "path");
    importer im = {.path = path, .err = err};
    uint8_t *data = NULL;
    size_t size = 0;
    dn_status st = read_file(&im, &data, &size);
    if (st != DN_OK) return st;
    im.model = onnx__model_proto__unpack(NULL, size, data);
    free(data);
    if (im.model == NULL)
        return FAIL(&im, DN_ERR_FORMAT, "not an ONNX model (the protobuf is truncated or damaged)");
    st = check_model(&im);
    if (st == DN_OK) {
        im.visited = calloc(im.g->n_node ? im.g->n_node : 1, 1);
        st = im.visited ? walk(&im) : FAIL(&im, DN_ERR_MEMORY, "out of memory");
    }
    if (st == DN_OK) st = build(&im, out);
    for (size_t i = 0; i < im.n_layers; ++i) {
        free(im.layers[i].w);
        free(im.layers[i].b);
    }
    free(im.visited);
    free(im.mean);
    free(im.std);
    onnx__model_proto__free_unpacked(im.model, NULL);
    if (st == DN_OK) dni_clear_error(err);
    return st;
}
