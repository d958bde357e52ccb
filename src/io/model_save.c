/* model_save.c — a model (or a checkpoint) written as a safetensors file: its parameters as F32
 * tensors (a model's dense kernels as BF16 on request, dn_model_save_as), everything else (architecture, training settings, annotations) as "__metadata__"
 * strings (docs/FORMAT.md; the names in model_file.h). */
#include "model/model.h"

#include "core/alloc.h"
#include "core/error.h"
#include "io/checksum.h"
#include "core/number_text.h"
#include "io/model_file.h"
#include "io/safetensors_write.h"

#include <float.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* The metadata being assembled: pointers to strings that live until the file is written. */
enum { MAX_OWNED = 4 };
typedef struct meta_list {
    const char **keys, **values;
    size_t count, capacity;
    char numbers[DNI_FORMAT_KEY_COUNT][DN_FLOAT_TEXT_SIZE]; /* formatted numbers */
    size_t number_count;
    char *owned[MAX_OWNED]; /* larger texts (spec, JSON arrays), freed with the list */
    size_t owned_count;
} meta_list;

static void put(meta_list *list, const char *key, const char *value) {
    list->keys[list->count] = key;
    list->values[list->count++] = value;
}

static void put_uint(meta_list *list, const char *key, uint64_t value) {
    char *text = list->numbers[list->number_count++];
    snprintf(text, DN_FLOAT_TEXT_SIZE, "%" PRIu64, value);
    put(list, key, text);
}

static void put_float(meta_list *list, const char *key, float value) {
    char *text = list->numbers[list->number_count++];
    dni_format_float(text, value);
    put(list, key, text);
}

/* Takes ownership of a malloc'ed text; 0 when it is NULL (out of memory). */
static int put_owned(meta_list *list, const char *key, char *value) {
    if (value == NULL) return 0;
    list->owned[list->owned_count++] = value;
    put(list, key, value);
    return 1;
}

static void free_meta_list(meta_list *list) {
    for (size_t i = 0; i < list->owned_count; ++i) free(list->owned[i]);
    free(list->keys);
    free(list->values);
}

static char *spec_text(const dn_model *m) {
    size_t len = dn_model_spec(m, NULL, 0);
    char *text = malloc(len + 1);
    if (text != NULL) dn_model_spec(m, text, len + 1);
    return text;
}

/* A JSON array of floats, each in the shortest text that reads back exactly. */
static char *float_array_text(const float *values, size_t n) {
    size_t size;
    if (!dni_mul_size(n, DN_FLOAT_TEXT_SIZE + 1, &size) || size > SIZE_MAX - 3) return NULL;
    size += 3; /* brackets and NUL */
    char *text = malloc(size);
    if (text == NULL) return NULL;
    size_t used = 1;
    text[0] = '[';
    for (size_t i = 0; i < n; ++i) {
        char number[DN_FLOAT_TEXT_SIZE];
        dni_format_float(number, values[i]);
        used += (size_t)snprintf(text + used, size - used, "%s%s", i ? "," : "", number);
    }
    snprintf(text + used, size - used, "]");
    return text;
}

/* A JSON array of strings, as cJSON prints it (escapes included). */
static char *string_array_text(char *const *strings, size_t n) {
    cJSON *array = cJSON_CreateArray();
    for (size_t i = 0; array != NULL && i < n; ++i) {
        cJSON *s = cJSON_CreateString(strings[i]);
        if (s == NULL || !cJSON_AddItemToArray(array, s)) {
            cJSON_Delete(s);
            cJSON_Delete(array);
            array = NULL;
        }
    }
    char *printed = array ? cJSON_PrintUnformatted(array) : NULL;
    cJSON_Delete(array);
    if (printed == NULL) return NULL;
    /* Owned texts are released with free(); cJSON's allocator may differ. */
    char *copy = malloc(strlen(printed) + 1);
    if (copy != NULL) strcpy(copy, printed);
    cJSON_free(printed);
    return copy;
}

/* Fills `list` with every format key that applies, then the user's metadata. */
static int collect_metadata(const dn_model *m, meta_list *list) {
    const dn_optimizer_config *o = &m->optimizer;
    put(list, "dropnet.format", DNI_FORMAT_VERSION);
    put(list, "dropnet.version", DN_VERSION_STRING);
    put_uint(list, "dropnet.input_size", m->input_size);
    if (!put_owned(list, "dropnet.spec", spec_text(m))) return 0;
    put(list, "dropnet.loss", dni_loss_names[m->loss]);
    put(list, "dropnet.optimizer", dni_optimizer_names[o->kind]);
    put_float(list, "dropnet.learning_rate", o->learning_rate);
    if (o->kind == DN_OPTIMIZER_SGD) {
        put_float(list, "dropnet.momentum", o->momentum);
        put(list, "dropnet.nesterov", o->nesterov ? "true" : "false");
    } else {
        put_float(list, "dropnet.beta1", o->beta1);
        put_float(list, "dropnet.beta2", o->beta2);
        put_float(list, "dropnet.epsilon", o->epsilon);
    }
    put_uint(list, "dropnet.seed", m->seed);
    put_uint(list, "dropnet.step", m->step);
    put_uint(list, "dropnet.epochs_done", m->epochs_done);
    if (m->regularization.l2 > 0.0f) put_float(list, "dropnet.l2", m->regularization.l2);
    if (m->regularization.max_norm > 0.0f)
        put_float(list, "dropnet.max_norm", m->regularization.max_norm);
    if (m->class_names != NULL &&
        !put_owned(list, "dropnet.class_names", string_array_text(m->class_names, m->class_count)))
        return 0;
    if (m->std_mean != NULL && (!put_owned(list, "dropnet.standardization_mean",
                                           float_array_text(m->std_mean, m->input_size)) ||
                                !put_owned(list, "dropnet.standardization_std",
                                           float_array_text(m->std_scale, m->input_size))))
        return 0;
    for (size_t i = 0; i < m->meta_count; ++i) put(list, m->meta_keys[i], m->meta_values[i]);
    return 1;
}

/* One kernel and one bias tensor per dense layer, in layer order, pointing into the slab; then,
 * for a checkpoint, the optimizer state and the caller's floats. Returns the tensor count. */
static size_t collect_tensors(const dn_model *m, const dn_checkpoint_extra *extra,
                              int bf16_kernels, dn_st_output *tensors,
                              char (*names)[DNI_TENSOR_NAME_SIZE]) {
    size_t n = 0;
    for (size_t i = 0; i < m->layer_count; ++i) {
        const dn_layer *l = &m->layers[i];
        if (l->kind != DN_LAYER_DENSE) continue;
        const float *w = m->params + l->param_offset;
        dni_tensor_name(names[n], i, 0);
        tensors[n] = (dn_st_output){names[n], 2, {l->in, l->out}, w, bf16_kernels};
        n++;
        dni_tensor_name(names[n], i, 1);
        tensors[n] = (dn_st_output){names[n], 1, {l->out}, w + l->in * l->out, 0};
        n++;
    }
    if (extra == NULL) return n;
    tensors[n++] = (dn_st_output){dni_tensor_opt_m, 1, {m->param_count}, m->opt_m, 0};
    tensors[n++] = (dn_st_output){dni_tensor_opt_v, 1, {m->param_count}, m->opt_v, 0};
    if (extra->values != NULL)
        tensors[n++] = (dn_st_output){dni_tensor_extra, 1, {extra->count}, extra->values, 0};
    return n;
}

static dn_status check_saveable(const dn_model *model, const char *path, dn_error *err) {
    if (model == NULL || path == NULL)
        return dni_fail(err, DN_ERR_ARGUMENT, "model and path must not be NULL");
    char context[256];
    snprintf(context, sizeof context, "cannot save \"%s\"", path);
    dn_status st = dni_model_require_compiled(model, context, err);
    if (st != DN_OK) return st;
    size_t outputs = dn_model_output_size(model);
    if (model->class_names != NULL && model->class_count != outputs &&
        !(outputs == 1 && model->class_count == 2))
        return dni_fail(err, DN_ERR_STATE, "cannot save \"%s\": %zu class names for %zu outputs",
                        path, model->class_count, outputs);
    return DN_OK;
}

/* Adds the checksum of everything collected so far (io/checksum.h); 0 when out of memory. */
static int put_checksum(meta_list *list, const dn_st_output *tensors, size_t count,
                        char text[DN_CHECKSUM_TEXT_SIZE]) {
    uint32_t crc = 0;
    for (size_t i = 0; i < count; ++i) crc = dni_st_output_checksum(crc, &tensors[i]);
    int ok;
    crc = dni_checksum_metadata(crc, list->keys, list->values, list->count, &ok);
    dni_checksum_text(text, crc);
    put(list, DN_CHECKSUM_KEY, text);
    return ok;
}

/* A model file, or (extra != NULL) a checkpoint: the same plus the optimizer state. */
static dn_status write_model(const dn_model *model, const char *path,
                             const dn_checkpoint_extra *extra, int bf16_kernels, dn_error *err) {
    dn_status st = check_saveable(model, path, err);
    if (st != DN_OK) return st;
    size_t tensor_slots = 2 * model->dense_count + 3;
    meta_list list = {0};
    list.capacity = DNI_FORMAT_KEY_COUNT + model->meta_count;
    list.keys = calloc(list.capacity, sizeof *list.keys);
    list.values = calloc(list.capacity, sizeof *list.values);
    dn_st_output *tensors = calloc(tensor_slots, sizeof *tensors);
    char(*names)[DNI_TENSOR_NAME_SIZE] = calloc(tensor_slots, sizeof *names);
    char checksum[DN_CHECKSUM_TEXT_SIZE];
    int ok = list.keys != NULL && list.values != NULL && tensors != NULL && names != NULL &&
             collect_metadata(model, &list);
    if (ok && extra != NULL && extra->text != NULL)
        put(&list, "dropnet.checkpoint_state", extra->text);
    size_t count = ok ? collect_tensors(model, extra, bf16_kernels, tensors, names) : 0;
    if (!ok || !put_checksum(&list, tensors, count, checksum))
        st = dni_fail(err, DN_ERR_MEMORY, "out of memory saving \"%s\"", path);
    else
        st = dni_st_save_f32(path, tensors, count, list.keys, list.values, list.count, err);
    free_meta_list(&list);
    free(tensors);
    free(names);
    return st;
}

dn_status dn_model_save(const dn_model *model, const char *path, dn_error *err) {
    return write_model(model, path, NULL, 0, err);
}

dn_status dn_model_save_as(const dn_model *model, const char *path, dn_precision weights,
                           dn_error *err) {
    if (weights != DN_PRECISION_FP32 && weights != DN_PRECISION_BF16)
        return dni_fail(err, DN_ERR_ARGUMENT, "weights must be DN_PRECISION_FP32 or "
                        "DN_PRECISION_BF16, got %d", (int)weights);
    return write_model(model, path, NULL, weights == DN_PRECISION_BF16, err);
}

dn_status dn_model_save_checkpoint(const dn_model *model, const char *path,
                                   const dn_checkpoint_extra *extra, dn_error *err) {
    static const dn_checkpoint_extra none = {.text = NULL, .values = NULL, .count = 0};
    if (extra != NULL && extra->values == NULL && extra->count != 0)
        return dni_fail(err, DN_ERR_ARGUMENT, "checkpoint extra: %zu values but no array",
                        extra->count);
    return write_model(model, path, extra ? extra : &none, 0, err);
}
