/* model_load.c — a model (or a checkpoint) read back from a safetensors file (docs/FORMAT.md;
 * the names in model_file.h). Loading validates the whole file before building on it. */
#include "model/model.h"
#include "model/metadata.h"

#include "core/alloc.h"
#include "core/error.h"
#include "io/checksum.h"
#include "core/number_text.h"
#include "io/model_file.h"
#include "io/safetensors.h"
#include "io/safetensors_checksum.h"
#include "io/safetensors_read.h"

#include <float.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Wraps the message of a failed library call with the file and the metadata key involved. */
static dn_status wrap(dn_error *err, const dn_error *inner, const char *path, const char *key) {
    return dni_fail(err, inner->status, "%s: %s: %s", path, key, inner->message);
}

static dn_status bad_value(dn_error *err, const char *path, const char *key, const char *value,
                           const char *expected) {
    return dni_fail(err, DN_ERR_FORMAT, "%s: metadata %s = \"%.40s%s\" is not %s", path, key, value,
                    strlen(value) > 40 ? "..." : "", expected);
}

/* Refuses unknown "dropnet." keys and a missing required one; checks the format version. */
static dn_status check_keys(const dn_st_file *f, dn_error *err) {
    if (f->metadata == NULL)
        return dni_fail(err, DN_ERR_FORMAT,
                        "%s: no \"__metadata__\" in the header: not a dropnet "
                        "model file (see docs/FORMAT.md)",
                        f->path);
    size_t prefix = strlen(DN_RESERVED_KEY_PREFIX);
    for (const cJSON *kv = f->metadata->child; kv != NULL; kv = kv->next) {
        if (strncmp(kv->string, DN_RESERVED_KEY_PREFIX, prefix) != 0) continue;
        size_t k = 0;
        while (k < DNI_FORMAT_KEY_COUNT && strcmp(dni_format_keys[k].key, kv->string) != 0) k++;
        if (k == DNI_FORMAT_KEY_COUNT)
            return dni_fail(err, DN_ERR_FORMAT,
                            "%s: unknown metadata key \"%s\" (format version " DNI_FORMAT_VERSION
                            " has no such key)",
                            f->path, kv->string);
    }
    for (size_t k = 0; k < DNI_FORMAT_KEY_COUNT; ++k)
        if (dni_format_keys[k].required && dni_st_metadata(f, dni_format_keys[k].key) == NULL)
            return dni_fail(err, DN_ERR_FORMAT, "%s: metadata key \"%s\" is missing", f->path,
                            dni_format_keys[k].key);
    const char *format = dni_st_metadata(f, "dropnet.format");
    if (strcmp(format, DNI_FORMAT_VERSION) != 0)
        return dni_fail(err, DN_ERR_FORMAT,
                        "%s: dropnet.format is \"%.40s\"; this build reads format " DNI_FORMAT_VERSION,
                        f->path, format);
    return DN_OK;
}

/* Reads an optional unsigned integer key; *out keeps its default when the key is absent. */
static dn_status meta_uint(const dn_st_file *f, const char *key, uint64_t max, uint64_t *out,
                           dn_error *err) {
    const char *text = dni_st_metadata(f, key);
    if (text != NULL && !dni_parse_uint(text, strlen(text), max, out))
        return bad_value(err, f->path, key, text, "a whole number in range");
    return DN_OK;
}

static dn_status meta_float(const dn_st_file *f, const char *key, float *out, dn_error *err) {
    const char *text = dni_st_metadata(f, key);
    if (text != NULL && !dni_parse_float(text, strlen(text), out))
        return bad_value(err, f->path, key, text, "a number");
    return DN_OK;
}

/* Looks `text` up in `names` [count]; returns count when absent. */
static size_t lookup(const char *text, const char *const *names, size_t count) {
    size_t i = 0;
    while (i < count && strcmp(text, names[i]) != 0) i++;
    return i;
}

/* The optimizer settings: the kind's defaults, overridden by the keys present. */
static dn_status read_optimizer(const dn_st_file *f, dn_optimizer_config *o, dn_error *err) {
    const char *kind = dni_st_metadata(f, "dropnet.optimizer");
    size_t k = lookup(kind, dni_optimizer_names, 2);
    if (k == 2) return bad_value(err, f->path, "dropnet.optimizer", kind, "sgd or adam");
    *o = dn_optimizer_defaults((dn_optimizer_kind)k);
    for (size_t i = 0; i < DNI_FORMAT_KEY_COUNT; ++i)
        if (dni_format_keys[i].optimizer != DNI_ANY_OPTIMIZER &&
            dni_format_keys[i].optimizer != (int)k &&
            dni_st_metadata(f, dni_format_keys[i].key) != NULL)
            return dni_fail(err, DN_ERR_FORMAT,
                            "%s: metadata key \"%s\" does not apply to the %s optimizer", f->path,
                            dni_format_keys[i].key, kind);
    dn_status st = meta_float(f, "dropnet.learning_rate", &o->learning_rate, err);
    if (st == DN_OK) st = meta_float(f, "dropnet.momentum", &o->momentum, err);
    if (st == DN_OK) st = meta_float(f, "dropnet.beta1", &o->beta1, err);
    if (st == DN_OK) st = meta_float(f, "dropnet.beta2", &o->beta2, err);
    if (st == DN_OK) st = meta_float(f, "dropnet.epsilon", &o->epsilon, err);
    const char *nesterov = dni_st_metadata(f, "dropnet.nesterov");
    if (st == DN_OK && nesterov != NULL) {
        if (strcmp(nesterov, "true") != 0 && strcmp(nesterov, "false") != 0)
            return bad_value(err, f->path, "dropnet.nesterov", nesterov, "true or false");
        o->nesterov = strcmp(nesterov, "true") == 0;
    }
    return st;
}

/* The architecture from dropnet.input_size and dropnet.spec, not yet compiled. */
static dn_status read_architecture(const dn_st_file *f, dn_model **out, dn_error *err) {
    uint64_t input_size = 0;
    dn_status st = meta_uint(f, "dropnet.input_size", SIZE_MAX / sizeof(float), &input_size, err);
    if (st != DN_OK) return st;
    dn_error inner;
    if (dn_model_from_spec(out, (size_t)input_size, dni_st_metadata(f, "dropnet.spec"), &inner) !=
        DN_OK)
        return wrap(err, &inner, f->path, "dropnet.spec");
    return DN_OK;
}

/* Whether `name` is the canonical name of a parameter of `m`. */
static int expected_tensor(const dn_model *m, const char *name) {
    static const char prefix[] = "layers.";
    if (strcmp(name, dni_tensor_opt_m) == 0 || strcmp(name, dni_tensor_opt_v) == 0 ||
        strcmp(name, dni_tensor_extra) == 0)
        return 1;
    if (strncmp(name, prefix, sizeof prefix - 1) != 0) return 0;
    const char *digits = name + sizeof prefix - 1, *dot = strchr(digits, '.');
    uint64_t index;
    if (dot == NULL || !dni_parse_uint(digits, (size_t)(dot - digits), SIZE_MAX, &index) ||
        index >= m->layer_count || m->layers[index].kind != DN_LAYER_DENSE)
        return 0;
    char kernel[DNI_TENSOR_NAME_SIZE], bias[DNI_TENSOR_NAME_SIZE];
    dni_tensor_name(kernel, (size_t)index, 0);
    dni_tensor_name(bias, (size_t)index, 1);
    return strcmp(name, kernel) == 0 || strcmp(name, bias) == 0;
}

/* Parameters of the (not yet compiled) architecture: Σ in·out + out over dense layers. The
 * tensors' shapes were checked against the file size, so this cannot overflow. */
static uint64_t stored_param_count(const dn_model *m) {
    uint64_t n = 0;
    for (size_t i = 0; i < m->layer_count; ++i)
        if (m->layers[i].kind == DN_LAYER_DENSE)
            n += (uint64_t)m->layers[i].in * m->layers[i].out + m->layers[i].out;
    return n;
}

/* Whether the file is a checkpoint: it holds optimizer or caller state. */
static int is_checkpoint(const dn_st_file *f) {
    return dni_st_find(f, dni_tensor_opt_m) != NULL || dni_st_find(f, dni_tensor_extra) != NULL ||
           dni_st_metadata(f, "dropnet.checkpoint_state") != NULL;
}

/* A tensor of the given shape, F32 (or BF16 where `bf16_ok`: a model file's dense kernel). */
static dn_status check_tensor(const dn_st_file *f, const char *name, const uint64_t *shape,
                              size_t rank, int bf16_ok, dn_error *err) {
    const dn_st_tensor *t = dni_st_find(f, name);
    char want[64], found[128];
    dni_st_shape_text(want, sizeof want, shape, rank);
    if (t == NULL)
        return dni_fail(err, DN_ERR_FORMAT, "%s: tensor \"%s\" (F32, shape %s) is missing", f->path,
                        name, want);
    if (bf16_ok == 0 && strcmp(t->dtype, "BF16") == 0 && is_checkpoint(f))
        return dni_fail(err, DN_ERR_FORMAT, "%s: tensor \"%s\" is BF16, but a checkpoint resumes "
                        "fp32 master weights and must store F32 (dropnet writes checkpoints in F32; "
                        "BF16 kernels belong in a model file for inference)", f->path, name);
    if (strcmp(t->dtype, "F32") != 0 && !(bf16_ok && strcmp(t->dtype, "BF16") == 0))
        return dni_fail(err, DN_ERR_FORMAT, "%s: tensor \"%s\" has dtype %s, expected F32%s",
                        f->path, name, t->dtype, bf16_ok ? " or BF16" : "");
    if (t->rank != rank || memcmp(t->shape, shape, rank * sizeof *shape) != 0) {
        dni_st_shape_text(found, sizeof found, t->shape, t->rank);
        return dni_fail(err, DN_ERR_FORMAT, "%s: tensor \"%s\" has shape %s, expected %s", f->path,
                        name, found, want);
    }
    return DN_OK;
}

/* A checkpoint's optimizer slabs (both or neither, each [parameters]) and its caller floats. */
static dn_status check_checkpoint_tensors(const dn_st_file *f, const dn_model *m, dn_error *err) {
    int has_m = dni_st_find(f, dni_tensor_opt_m) != NULL;
    int has_v = dni_st_find(f, dni_tensor_opt_v) != NULL;
    if (has_m != has_v)
        return dni_fail(err, DN_ERR_FORMAT, "%s: tensor \"%s\" is missing (a checkpoint holds both "
                        "%s and %s)", f->path, has_m ? dni_tensor_opt_v : dni_tensor_opt_m,
                        dni_tensor_opt_m, dni_tensor_opt_v);
    uint64_t shape[1] = {stored_param_count(m)};
    dn_status st = DN_OK;
    if (has_m && (st = check_tensor(f, dni_tensor_opt_m, shape, 1, 0, err)) == DN_OK)
        st = check_tensor(f, dni_tensor_opt_v, shape, 1, 0, err);
    const dn_st_tensor *extra = dni_st_find(f, dni_tensor_extra);
    if (st == DN_OK && extra != NULL) {
        shape[0] = extra->rank == 1 ? extra->shape[0] : 0;
        st = check_tensor(f, dni_tensor_extra, shape, 1, 0, err);
    }
    return st;
}

/* Every tensor of the file against the architecture: no unknown one, none missing, each F32 of
 * the layer's shape. This also bounds the parameter count by the file size before compiling. */
static dn_status check_tensors(const dn_st_file *f, const dn_model *m, dn_error *err) {
    for (size_t i = 0; i < f->tensor_count; ++i)
        if (!expected_tensor(m, f->tensors[i].name))
            return dni_fail(err, DN_ERR_FORMAT,
                            "%s: unknown tensor \"%s\" (the stored spec has no "
                            "such parameter; expected layers.<i>.kernel and layers.<i>.bias of its "
                            "dense layers)",
                            f->path, f->tensors[i].name);
    for (size_t i = 0; i < m->layer_count; ++i) {
        const dn_layer *l = &m->layers[i];
        if (l->kind != DN_LAYER_DENSE) continue;
        char name[DNI_TENSOR_NAME_SIZE];
        uint64_t kernel[2] = {l->in, l->out}, bias[1] = {l->out};
        dni_tensor_name(name, i, 0);
        dn_status st = check_tensor(f, name, kernel, 2, !is_checkpoint(f), err);
        dni_tensor_name(name, i, 1);
        if (st == DN_OK) st = check_tensor(f, name, bias, 1, 0, err);
        if (st != DN_OK) return st;
    }
    return check_checkpoint_tensors(f, m, err);
}

/* Compiles with the stored loss, optimizer and seed, then restores the step counters. */
static dn_status compile_stored(const dn_st_file *f, dn_model *m, dn_error *err) {
    const char *loss = dni_st_metadata(f, "dropnet.loss");
    size_t l = lookup(loss, dni_loss_names, 4);
    if (l == 4)
        return bad_value(err, f->path, "dropnet.loss", loss,
                         "sparse_categorical_crossentropy, "
                         "mean_squared_error, binary_crossentropy or mean_absolute_error");
    dn_optimizer_config opt;
    uint64_t seed = 0, step = 0, epochs = 0;
    dn_status st = read_optimizer(f, &opt, err);
    if (st == DN_OK) st = meta_uint(f, "dropnet.seed", UINT64_MAX, &seed, err);
    if (st == DN_OK) st = meta_uint(f, "dropnet.step", UINT64_MAX, &step, err);
    if (st == DN_OK) st = meta_uint(f, "dropnet.epochs_done", UINT64_MAX, &epochs, err);
    if (st != DN_OK) return st;
    dn_error inner;
    if (dn_model_compile(m, (dn_loss)l, &opt, seed, &inner) != DN_OK)
        return wrap(err, &inner, f->path, "cannot compile the stored model");
    m->step = step;
    m->epochs_done = epochs;
    return DN_OK;
}

/* Parses the JSON array of `expected` entries held in a metadata string. */
static dn_status json_array(const dn_st_file *f, const char *key, size_t expected, cJSON **out,
                            dn_error *err) {
    const char *text = dni_st_metadata(f, key);
    cJSON *array = cJSON_ParseWithOpts(text, NULL, 1); /* 1: nothing may follow the array */
    if (!cJSON_IsArray(array)) {
        cJSON_Delete(array);
        return bad_value(err, f->path, key, text, "a JSON array");
    }
    size_t n = 0;
    for (const cJSON *item = array->child; item != NULL; item = item->next) n++;
    if (n != expected) {
        cJSON_Delete(array);
        return dni_fail(err, DN_ERR_FORMAT, "%s: metadata %s has %zu entries, expected %zu",
                        f->path,
                       key, n, expected);
    }
    *out = array;
    return DN_OK;
}

static dn_status read_class_names(const dn_st_file *f, dn_model *m, dn_error *err) {
    const char *key = "dropnet.class_names";
    if (dni_st_metadata(f, key) == NULL) return DN_OK;
    size_t n = dn_model_output_size(m);
    /* one sigmoid unit may name its two classes */
    cJSON *probe = cJSON_Parse(dni_st_metadata(f, key));
    if (n == 1 && cJSON_IsArray(probe) && cJSON_GetArraySize(probe) == 2) n = 2;
    cJSON_Delete(probe);
    cJSON *array;
    dn_status st = json_array(f, key, n, &array, err);
    if (st != DN_OK) return st;
    const char **names = calloc(n, sizeof *names);
    if (names == NULL) st = dni_fail(err, DN_ERR_MEMORY, "%s: out of memory", f->path);
    size_t i = 0;
    for (const cJSON *item = array->child; st == DN_OK && item != NULL; item = item->next, ++i) {
        if (!cJSON_IsString(item))
            st = dni_fail(err, DN_ERR_FORMAT, "%s: metadata %s entry %zu is not a string", f->path,
                          key, i);
        else
            names[i] = item->valuestring;
    }
    dn_error inner;
    if (st == DN_OK && dn_model_set_class_names(m, names, n, &inner) != DN_OK)
        st = wrap(err, &inner, f->path, key);
    free(names);
    cJSON_Delete(array);
    return st;
}

/* The floats of a JSON array held in a metadata string, into `out` [n]. */
static dn_status read_floats(const dn_st_file *f, const char *key, float *out, size_t n,
                             dn_error *err) {
    cJSON *array;
    dn_status st = json_array(f, key, n, &array, err);
    if (st != DN_OK) return st;
    size_t i = 0;
    for (const cJSON *item = array->child; st == DN_OK && item != NULL; item = item->next, ++i) {
        /* Checked before the cast: a double beyond the float range does not convert. */
        if (!cJSON_IsNumber(item) ||
            !(item->valuedouble >= -FLT_MAX && item->valuedouble <= FLT_MAX))
            st = dni_fail(err, DN_ERR_FORMAT, "%s: metadata %s entry %zu is not a finite float",
                          f->path, key, i);
        else
            out[i] = (float)item->valuedouble;
    }
    cJSON_Delete(array);
    return st;
}

static dn_status read_standardization(const dn_st_file *f, dn_model *m, dn_error *err) {
    const char *mean_key = "dropnet.standardization_mean", *std_key = "dropnet.standardization_std";
    int has_mean = dni_st_metadata(f, mean_key) != NULL,
        has_std = dni_st_metadata(f, std_key) != NULL;
    if (!has_mean && !has_std) return DN_OK;
    if (!has_mean || !has_std)
        return dni_fail(err, DN_ERR_FORMAT, "%s: metadata %s and %s must be given together",
                        f->path,
                       mean_key, std_key);
    size_t n = m->input_size;
    float *mean = calloc(n, sizeof *mean), *std = calloc(n, sizeof *std);
    dn_status st = mean && std ? DN_OK : dni_fail(err, DN_ERR_MEMORY, "%s: out of memory", f->path);
    if (st == DN_OK) st = read_floats(f, mean_key, mean, n, err);
    if (st == DN_OK) st = read_floats(f, std_key, std, n, err);
    dn_error inner;
    if (st == DN_OK && dn_model_set_standardization(m, mean, std, &inner) != DN_OK)
        st = wrap(err, &inner, f->path, std_key);
    free(mean);
    free(std);
    return st;
}

/* dropnet.l2 and dropnet.max_norm (each 0 when absent). */
static dn_status read_regularization(const dn_st_file *f, dn_model *m, dn_error *err) {
    dn_regularization reg = {.l2 = 0.0f, .max_norm = 0.0f};
    dn_status st = meta_float(f, "dropnet.l2", &reg.l2, err);
    if (st == DN_OK) st = meta_float(f, "dropnet.max_norm", &reg.max_norm, err);
    dn_error inner;
    if (st == DN_OK && dn_model_set_regularization(m, &reg, &inner) != DN_OK)
        st = wrap(err, &inner, f->path, "dropnet.l2 / dropnet.max_norm");
    return st;
}

/* Every metadata key outside the reserved prefix is the user's. */
static dn_status read_user_metadata(const dn_st_file *f, dn_model *m, dn_error *err) {
    size_t prefix = strlen(DN_RESERVED_KEY_PREFIX);
    for (const cJSON *kv = f->metadata->child; kv != NULL; kv = kv->next) {
        if (strncmp(kv->string, DN_RESERVED_KEY_PREFIX, prefix) == 0) continue;
        dn_error inner;
        if (dn_model_set_metadata(m, kv->string, kv->valuestring, &inner) != DN_OK)
            return wrap(err, &inner, f->path, "__metadata__");
    }
    return DN_OK;
}

/* A tensor read into `out` [n] whose values must all be finite. */
static dn_status read_finite(dn_st_file *f, const char *name, float *out, size_t n, dn_error *err) {
    dn_status st = dni_st_read_f32(f, dni_st_find(f, name), out, err);
    for (size_t k = 0; st == DN_OK && k < n; ++k)
        if (!isfinite(out[k]))
            st = dni_fail(err, DN_ERR_NUMERIC, "%s: tensor \"%s\" element %zu is %g", f->path, name,
                          k, (double)out[k]);
    return st;
}

/* Reads every kernel and bias into the slab, refusing NaN and infinity. */
static dn_status read_weights(dn_st_file *f, dn_model *m, dn_error *err) {
    for (size_t i = 0; i < m->layer_count; ++i) {
        const dn_layer *l = &m->layers[i];
        if (l->kind != DN_LAYER_DENSE) continue;
        for (int bias = 0; bias < 2; ++bias) {
            char name[DNI_TENSOR_NAME_SIZE];
            dni_tensor_name(name, i, bias);
            float *dst = m->params + l->param_offset + (bias ? l->in * l->out : 0);
            dn_status st = read_finite(f, name, dst, bias ? l->out : l->in * l->out, err);
            if (st != DN_OK) return st;
        }
    }
    return DN_OK;
}

/* A model file with BF16 kernels (dn_model_save_as) was saved for bf16 products: the loaded
 * model runs in that precision, so it predicts what the saved one did in bf16. */
static dn_status read_precision(const dn_st_file *f, dn_model *m, dn_error *err) {
    for (size_t i = 0; i < f->tensor_count; ++i)
        if (strcmp(f->tensors[i].dtype, "BF16") == 0) {
            dn_error inner;
            if (dn_model_set_precision(m, DN_PRECISION_BF16, &inner) != DN_OK)
                return wrap(err, &inner, f->path, "BF16 kernels");
            break;
        }
    return DN_OK;
}

/* The optimizer state of a checkpoint; a model file has none and keeps zeros. */
static dn_status read_optimizer_state(dn_st_file *f, dn_model *m, dn_error *err) {
    if (dni_st_find(f, dni_tensor_opt_m) == NULL) return DN_OK;
    dn_status st = read_finite(f, dni_tensor_opt_m, m->opt_m, m->param_count, err);
    if (st == DN_OK) st = read_finite(f, dni_tensor_opt_v, m->opt_v, m->param_count, err);
    return st;
}

/* dropnet.checksum, when present, must match the file's content. */
static dn_status verify_checksum(dn_st_file *f, dn_error *err) {
    const char *stored = dni_st_metadata(f, DN_CHECKSUM_KEY);
    int checkpoint = is_checkpoint(f);
    if (stored == NULL && checkpoint)
        return dni_fail(err, DN_ERR_FORMAT, "%s: a checkpoint (it holds optimizer or caller state) "
                        "without %s: every checkpoint dropnet writes has one", f->path,
                        DN_CHECKSUM_KEY);
    if (stored == NULL) return DN_OK;
    uint32_t crc;
    dn_status st = dni_st_checksum(f, &crc, err);
    if (st != DN_OK) return st;
    char expected[DN_CHECKSUM_TEXT_SIZE];
    dni_checksum_text(expected, crc);
    if (strcmp(stored, expected) != 0)
        return dni_fail(err, DN_ERR_FORMAT, "%s: checksum mismatch: the file says %.16s, its "
                        "content gives %s (the file is damaged or was edited)", f->path, stored,
                        expected);
    return DN_OK;
}

/* The caller's part of a checkpoint: copies of its text and floats (NULL when absent). */
static dn_status read_extra(dn_st_file *f, char **text, float **values, size_t *count,
                            dn_error *err) {
    const char *stored = dni_st_metadata(f, "dropnet.checkpoint_state");
    const dn_st_tensor *t = dni_st_find(f, dni_tensor_extra);
    size_t n = t != NULL ? (size_t)t->shape[0] : 0;
    char *copy = stored != NULL ? malloc(strlen(stored) + 1) : NULL;
    float *floats = t != NULL ? dni_alloc_zeroed(n ? n : 1, sizeof *floats) : NULL;
    dn_status st = DN_OK;
    if ((stored != NULL && copy == NULL) || (t != NULL && floats == NULL))
        st = dni_fail(err, DN_ERR_MEMORY, "%s: out of memory", f->path);
    if (st == DN_OK && t != NULL) st = read_finite(f, dni_tensor_extra, floats, n, err);
    if (st != DN_OK) {
        free(copy);
        dni_free(floats);
        return st;
    }
    if (copy != NULL) strcpy(copy, stored);
    *text = copy;
    *values = floats;
    *count = n;
    return DN_OK;
}

static dn_status read_model(dn_model **out, const char *path, dn_checkpoint_state *state,
                            dn_error *err) {
    if (out == NULL || path == NULL)
        return dni_fail(err, DN_ERR_ARGUMENT, "out and path must not be NULL");
    dn_st_file f;
    dn_status st = dni_st_open(&f, path, err);
    if (st != DN_OK) return st;
    dn_model *m = NULL;
    st = check_keys(&f, err);
    if (st == DN_OK) st = read_architecture(&f, &m, err);
    if (st == DN_OK) st = check_tensors(&f, m, err);
    if (st == DN_OK) st = compile_stored(&f, m, err);
    if (st == DN_OK) st = read_class_names(&f, m, err);
    if (st == DN_OK) st = read_standardization(&f, m, err);
    if (st == DN_OK) st = read_regularization(&f, m, err);
    if (st == DN_OK) st = read_user_metadata(&f, m, err);
    if (st == DN_OK) st = read_weights(&f, m, err);
    if (st == DN_OK) st = read_precision(&f, m, err);
    if (st == DN_OK) st = read_optimizer_state(&f, m, err);
    if (st == DN_OK) st = verify_checksum(&f, err);
    if (st == DN_OK && state != NULL)
        st = read_extra(&f, &state->text, &state->values, &state->count, err);
    dni_st_close(&f);
    if (st != DN_OK) {
        dn_model_free(m);
        return st;
    }
    *out = m;
    return DN_OK;
}

dn_status dn_model_load(dn_model **out, const char *path, dn_error *err) {
    return read_model(out, path, NULL, err);
}

dn_status dn_model_load_checkpoint(dn_model **out, const char *path, dn_checkpoint_state *state,
                                   dn_error *err) {
    if (state == NULL) return dni_fail(err, DN_ERR_ARGUMENT, "state must not be NULL");
    *state = (dn_checkpoint_state){.text = NULL, .values = NULL, .count = 0};
    return read_model(out, path, state, err);
}

void dn_checkpoint_state_free(dn_checkpoint_state *state) {
    if (state == NULL) return;
    free(state->text);
    dni_free(state->values);
    *state = (dn_checkpoint_state){.text = NULL, .values = NULL, .count = 0};
}
