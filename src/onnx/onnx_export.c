/* onnx_export.c — dn_model_export_onnx: a compiled model as an ONNX inference graph (or, with
 * mc_dropout, the training-mode graph whose Dropout nodes sample masks). docs/FORMAT.md maps
 * every layer and activation to its ONNX nodes. */
#include "core/error.h"
#include "io/model_file.h"
#include "model/model.h"
#include "onnx/onnx_builder.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { DEFAULT_OPSET = 17, MIN_OPSET = 11, MAX_OPSET = 17 };

/* The IR version each opset came with (onnx/helper.py's VERSION_TABLE): a runtime refuses a file
 * whose IR is newer than it knows, so the oldest one that carries the opset is written. */
static int64_t ir_version_for(int opset) {
    if (opset <= 11) return 6;
    if (opset <= 14) return 7;
    return 8;
}

typedef struct export_state {
    dni_onnx_builder b;
    const dn_model *model;
    int opset, mc_dropout;
    const char *cur; /* the tensor the next node reads */
    int have_gelu_constants, have_training_mode;
} export_state;

static void unary(export_state *s, const char *op, const char *name) {
    const char *out = dni_onnx_strf(&s->b, "%s", name);
    const char *in[] = {s->cur};
    dni_onnx_node(&s->b, op, name, in, 1, out);
    s->cur = out;
}

static void binary(export_state *s, const char *op, const char *name, const char *a,
                   const char *c) {
    const char *out = dni_onnx_strf(&s->b, "%s", name);
    const char *in[] = {a, c};
    dni_onnx_node(&s->b, op, name, in, 2, out);
    s->cur = out;
}

/* gelu(z) = 0.5·z·(1 + erf(z/√2)) as Div, Erf, Add, Mul, Mul — the nodes torch.onnx.export
 * writes for nn.GELU() before opset 20 brought a Gelu op. */
static void gelu(export_state *s, const char *base) {
    if (!s->have_gelu_constants) {
        const float sqrt2 = 1.41421356237309504880f, one = 1.0f, half = 0.5f;
        dni_onnx_initializer(&s->b, "gelu.sqrt2", NULL, 0, &sqrt2, 1);
        dni_onnx_initializer(&s->b, "gelu.one", NULL, 0, &one, 1);
        dni_onnx_initializer(&s->b, "gelu.half", NULL, 0, &half, 1);
        s->have_gelu_constants = 1;
    }
    const char *z = s->cur;
    binary(s, "Div", dni_onnx_strf(&s->b, "%s.gelu_div", base), z, "gelu.sqrt2");
    unary(s, "Erf", dni_onnx_strf(&s->b, "%s.gelu_erf", base));
    binary(s, "Add", dni_onnx_strf(&s->b, "%s.gelu_add", base), s->cur, "gelu.one");
    binary(s, "Mul", dni_onnx_strf(&s->b, "%s.gelu_mul", base), z, s->cur);
    binary(s, "Mul", dni_onnx_strf(&s->b, "%s.gelu", base), s->cur, "gelu.half");
}

static void activation(export_state *s, dn_activation act, const char *base) {
    Onnx__NodeProto *n;
    switch (act) {
    case DN_ACT_LINEAR: return;
    case DN_ACT_RELU: unary(s, "Relu", dni_onnx_strf(&s->b, "%s.relu", base)); return;
    case DN_ACT_SIGMOID: unary(s, "Sigmoid", dni_onnx_strf(&s->b, "%s.sigmoid", base)); return;
    case DN_ACT_TANH: unary(s, "Tanh", dni_onnx_strf(&s->b, "%s.tanh", base)); return;
    case DN_ACT_SOFTMAX:
        unary(s, "Softmax", dni_onnx_strf(&s->b, "%s.softmax", base));
        /* Rows of a 2-D tensor: axis −1 from opset 13; before, axis 1 coerces to 2-D at 1,
         * which for [batch, classes] is the same last-axis softmax. */
        n = s->b.graph->n_node ? s->b.graph->node[s->b.graph->n_node - 1] : NULL;
        dni_onnx_attr_int(&s->b, n, "axis", s->opset >= 13 ? -1 : 1);
        return;
    case DN_ACT_SELU:
        unary(s, "Selu", dni_onnx_strf(&s->b, "%s.selu", base));
        n = s->b.graph->n_node ? s->b.graph->node[s->b.graph->n_node - 1] : NULL;
        dni_onnx_attr_float(&s->b, n, "alpha", 1.6732632423543772f);
        dni_onnx_attr_float(&s->b, n, "gamma", 1.0507009873554805f);
        return;
    case DN_ACT_ELU:
        unary(s, "Elu", dni_onnx_strf(&s->b, "%s.elu", base));
        n = s->b.graph->n_node ? s->b.graph->node[s->b.graph->n_node - 1] : NULL;
        dni_onnx_attr_float(&s->b, n, "alpha", 1.0f);
        return;
    case DN_ACT_GELU: gelu(s, base); return;
    case DN_ACT_LEAKY_RELU:
        unary(s, "LeakyRelu", dni_onnx_strf(&s->b, "%s.leaky_relu", base));
        n = s->b.graph->n_node ? s->b.graph->node[s->b.graph->n_node - 1] : NULL;
        dni_onnx_attr_float(&s->b, n, "alpha", 0.3f);
        return;
    }
}

/* x ← (x − mean) / std as Sub and Div: the same two roundings as dropnet's own standardisation,
 * so the outputs agree to the last bit of the first layer's input (folding it into the first
 * Gemm would change them: docs/FORMAT.md gives the measured difference). */
static void standardisation(export_state *s) {
    const float *mean, *std;
    if (!dn_model_get_standardization(s->model, &mean, &std)) return;
    int64_t n = (int64_t)s->model->input_size;
    dni_onnx_initializer(&s->b, "standardize.mean", &n, 1, mean, (size_t)n);
    dni_onnx_initializer(&s->b, "standardize.std", &n, 1, std, (size_t)n);
    binary(s, "Sub", "standardize.sub", s->cur, "standardize.mean");
    binary(s, "Div", "standardize", s->cur, "standardize.std");
}

static dn_status dense(export_state *s, size_t i, const dn_layer_info *info, dn_error *err) {
    const float *w = s->model->params + info->param_offset;
    int64_t wdims[2] = {(int64_t)info->inputs, (int64_t)info->outputs};
    int64_t bdims[1] = {(int64_t)info->outputs};
    const char *kernel = dni_onnx_strf(&s->b, "layers.%zu.kernel", i);
    const char *bias = dni_onnx_strf(&s->b, "layers.%zu.bias", i);
    if (s->b.failed) return dni_fail(err, DN_ERR_MEMORY, "ONNX export: out of memory");
    dni_onnx_initializer(&s->b, kernel, wdims, 2, w, info->inputs * info->outputs);
    dni_onnx_initializer(&s->b, bias, bdims, 1, w + info->inputs * info->outputs, info->outputs);
    const char *base = dni_onnx_strf(&s->b, "layers.%zu", i);
    const char *out = dni_onnx_strf(&s->b, "layers.%zu.gemm", i);
    const char *in[] = {s->cur, kernel, bias};
    dni_onnx_node(&s->b, "Gemm", out, in, 3, out);
    s->cur = out;
    dn_dense_options opt;
    if (s->mc_dropout && dn_model_dense_options(s->model, i, &opt, NULL) == DN_OK &&
        opt.dropconnect > 0.0f)
        return dni_fail(err, DN_ERR_ARGUMENT,
                        "ONNX export with MC dropout: layer %zu (%s) uses DropConnect, which no "
                        "ONNX op samples; export without --mc-dropout (its mean network)",
                        i, info->name);
    activation(s, info->activation, base);
    return DN_OK;
}

/* Training-mode Dropout (opset ≥ 12: ratio and training_mode are inputs). Each Dropout's mask
 * is also a graph output ("layers.<i>.mask", bool [batch, width]): ONNX Runtime's optimiser
 * removes every Dropout whose mask nobody uses (measured: not one mask drawn in 400 runs), in
 * training mode too. The seed attribute makes a session's sequence of masks reproducible; runs
 * within a session differ. */
static dn_status dropout(export_state *s, size_t i, const dn_layer_info *info, dn_error *err) {
    if (!s->mc_dropout) return DN_OK; /* the identity at inference, left out as PyTorch does */
    if (info->kind != DN_LAYER_DROPOUT)
        return dni_fail(err, DN_ERR_ARGUMENT,
                        "ONNX export with MC dropout: layer %zu (%s) has no ONNX op that samples "
                        "it (only dropout does); export without --mc-dropout",
                        i, info->name);
    const char *ratio = dni_onnx_strf(&s->b, "layers.%zu.ratio", i);
    const char *mode = "dropout.training_mode"; /* one initializer for every Dropout */
    const char *out = dni_onnx_strf(&s->b, "layers.%zu.dropout", i);
    if (s->b.failed) return dni_fail(err, DN_ERR_MEMORY, "ONNX export: out of memory");
    dni_onnx_initializer(&s->b, ratio, NULL, 0, &info->rate, 1);
    if (!s->have_training_mode) dni_onnx_initializer_bool(&s->b, mode, 1);
    s->have_training_mode = 1;
    const char *in[] = {s->cur, ratio, mode};
    Onnx__NodeProto *n = dni_onnx_node(&s->b, "Dropout", out, in, 3, out);
    const char *mask = dni_onnx_strf(&s->b, "layers.%zu.mask", i);
    dni_onnx_node_output2(&s->b, n, mask);
    dni_onnx_add_output(&s->b, dni_onnx_value_info_typed(&s->b, mask, info->inputs,
                                                         ONNX__TENSOR_PROTO__DATA_TYPE__BOOL));
    /* An int64 attribute: the model's seed (as the int64 of its bits) plus the layer index. */
    dni_onnx_attr_int(&s->b, n, "seed", (int64_t)(s->model->seed + i));
    s->cur = out;
    return DN_OK;
}

static void add_property(export_state *s, Onnx__ModelProto *m, const char *key, const char *value) {
    Onnx__StringStringEntryProto *e = dni_onnx_alloc(&s->b, sizeof *e);
    if (e == NULL) return;
    onnx__string_string_entry_proto__init(e);
    e->key = dni_onnx_strf(&s->b, "%s", key);
    e->value = dni_onnx_strf(&s->b, "%s", value);
    size_t n = m->n_metadata_props;
    Onnx__StringStringEntryProto **grown = dni_onnx_alloc(&s->b, (n + 1) * sizeof *grown);
    if (grown == NULL) return;
    if (n) memcpy(grown, m->metadata_props, n * sizeof *grown);
    grown[n] = e;
    m->metadata_props = grown;
    m->n_metadata_props = n + 1;
}

/* dropnet.version, dropnet.spec, dropnet.loss, dropnet.class_names (a JSON array), then the
 * model's own metadata with their keys. */
static dn_status metadata(export_state *s, Onnx__ModelProto *m, dn_error *err) {
    const dn_model *model = s->model;
    add_property(s, m, "dropnet.version", dn_version());
    size_t len = dn_model_spec(model, NULL, 0);
    char *spec = dni_onnx_alloc(&s->b, len + 1);
    if (spec) dn_model_spec(model, spec, len + 1);
    if (spec) add_property(s, m, "dropnet.spec", spec);
    char seed[24];
    snprintf(seed, sizeof seed, "%llu", (unsigned long long)model->seed);
    add_property(s, m, "dropnet.seed", seed);
    add_property(s, m, "dropnet.loss", dni_loss_names[model->loss]); /* the model file's names */
    if (dn_model_class_name(model, 0) != NULL) {
        cJSON *arr = cJSON_CreateArray();
        for (size_t i = 0; arr && i < dn_model_output_size(model); ++i)
            cJSON_AddItemToArray(arr, cJSON_CreateString(dn_model_class_name(model, i)));
        char *text = arr ? cJSON_PrintUnformatted(arr) : NULL;
        cJSON_Delete(arr);
        if (text == NULL) return dni_fail(err, DN_ERR_MEMORY, "ONNX export: out of memory");
        add_property(s, m, "dropnet.class_names", text);
        free(text);
    }
    for (size_t i = 0; i < dn_model_metadata_count(model); ++i) {
        const char *key = dn_model_metadata_key(model, i);
        add_property(s, m, key, dn_model_get_metadata(model, key));
    }
    return s->b.failed ? dni_fail(err, DN_ERR_MEMORY, "ONNX export: out of memory") : DN_OK;
}

static dn_status build_graph(export_state *s, dn_error *err) {
    Onnx__GraphProto *g = s->b.graph;
    g->name = dni_onnx_strf(&s->b, "dropnet");
    dni_onnx_add_input(&s->b, dni_onnx_value_info(&s->b, "input", s->model->input_size));
    dni_onnx_add_output(&s->b, dni_onnx_value_info(&s->b, "output",
                                                   dn_model_output_size(s->model)));
    s->cur = "input";
    standardisation(s);
    for (size_t i = 0; i < s->model->layer_count; ++i) {
        dn_layer_info info;
        dn_status st = dn_model_layer_info(s->model, i, &info, err);
        if (st == DN_OK)
            st = info.kind == DN_LAYER_DENSE ? dense(s, i, &info, err) : dropout(s, i, &info, err);
        if (st != DN_OK) return st;
    }
    /* The last node writes "output" (a model of dropout layers only is the identity). */
    if (g->n_node == 0) unary(s, "Identity", "output");
    if (s->b.failed) return dni_fail(err, DN_ERR_MEMORY, "ONNX export: out of memory");
    g->node[g->n_node - 1]->output[0] = dni_onnx_strf(&s->b, "output");
    return s->b.failed ? dni_fail(err, DN_ERR_MEMORY, "ONNX export: out of memory") : DN_OK;
}

typedef struct packed {
    uint8_t *data;
    size_t size;
} packed;

static dn_status write_packed(FILE *file, void *context, dn_error *err) {
    const packed *p = context;
    if (fwrite(p->data, 1, p->size, file) != p->size)
        return dni_fail(err, DN_ERR_IO, "write error");
    return DN_OK;
}

dn_status dn_model_export_onnx(const dn_model *model, const char *path,
                               const dn_onnx_export_options *options, dn_error *err) {
    if (model == NULL || path == NULL)
        return dni_fail(err, DN_ERR_ARGUMENT, "dn_model_export_onnx: %s is NULL",
                        model == NULL ? "model" : "path");
    dn_status st = dni_model_require_compiled(model, "dn_model_export_onnx", err);
    if (st != DN_OK) return st;
    export_state s = {.model = model, .opset = DEFAULT_OPSET};
    if (options != NULL) {
        if (options->opset != 0) s.opset = options->opset;
        s.mc_dropout = options->mc_dropout != 0;
    }
    int min = s.mc_dropout ? 12 : MIN_OPSET;
    if (s.opset < min || s.opset > MAX_OPSET)
        return dni_fail(err, DN_ERR_ARGUMENT,
                        "ONNX export: opset %d is not supported (use %d to %d%s)", s.opset, min,
                        MAX_OPSET, s.mc_dropout ? ": MC dropout needs Dropout's training_mode, "
                                                  "opset 12 on" : "");
    Onnx__ModelProto *m = dni_onnx_alloc(&s.b, sizeof *m);
    Onnx__GraphProto *g = dni_onnx_alloc(&s.b, sizeof *g);
    Onnx__OperatorSetIdProto *op = dni_onnx_alloc(&s.b, sizeof *op);
    Onnx__OperatorSetIdProto **ops = dni_onnx_alloc(&s.b, sizeof *ops);
    if (s.b.failed) {
        dni_onnx_builder_free(&s.b);
        return dni_fail(err, DN_ERR_MEMORY, "ONNX export: out of memory");
    }
    onnx__model_proto__init(m);
    onnx__graph_proto__init(g);
    onnx__operator_set_id_proto__init(op);
    s.b.graph = g;
    op->domain = dni_onnx_strf(&s.b, "%s", "");
    op->has_version = 1;
    op->version = s.opset;
    ops[0] = op;
    m->opset_import = ops;
    m->n_opset_import = 1;
    m->has_ir_version = 1;
    m->ir_version = ir_version_for(s.opset);
    m->producer_name = dni_onnx_strf(&s.b, "dropnet");
    m->producer_version = dni_onnx_strf(&s.b, "%s", dn_version());
    m->graph = g;
    st = build_graph(&s, err);
    if (st == DN_OK) st = metadata(&s, m, err);
    if (st == DN_OK) {
        packed p = {.size = onnx__model_proto__get_packed_size(m)};
        p.data = malloc(p.size ? p.size : 1);
        if (p.data == NULL) {
            st = dni_fail(err, DN_ERR_MEMORY, "ONNX export: out of memory (%zu bytes)", p.size);
        } else {
            onnx__model_proto__pack(m, p.data);
            st = dn_write_file_atomic(path, write_packed, &p, err);
            free(p.data);
        }
    }
    dni_onnx_builder_free(&s.b);
    return st;
}
