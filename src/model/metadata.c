/* metadata.c — what a model carries besides its layers: class names and a string map of user
 * metadata (e.g. the CLI's training settings), both saved in the model's file. Every string is
 * checked to be UTF-8 here because safetensors headers must be. */
#include "model/model.h"

#include "core/error.h"
#include "core/utf8.h"

#include <stdlib.h>
#include <string.h>

static char *copy_string(const char *s) {
    size_t n = strlen(s) + 1;
    char *copy = malloc(n);
    if (copy != NULL) memcpy(copy, s, n);
    return copy;
}

static void free_strings(char **strings, size_t count) {
    if (strings == NULL) return;
    for (size_t i = 0; i < count; ++i) free(strings[i]);
    free(strings);
}

static int is_utf8(const char *s) {
    size_t n = strlen(s);
    return dni_utf8_invalid_at(s, n) == n;
}

void dni_model_clear_annotations(dn_model *model) {
    free_strings(model->class_names, model->class_count);
    free_strings(model->meta_keys, model->meta_count);
    free_strings(model->meta_values, model->meta_count);
    model->class_names = model->meta_keys = model->meta_values = NULL;
    model->class_count = model->meta_count = model->meta_slots = 0;
}

/* ---- class names ---- */

static dn_status check_names(const dn_model *model, const char *const *names, size_t count,
                             dn_error *err) {
    size_t outputs = dn_model_output_size(model);
    if (outputs == 0)
        return dni_fail(err, DN_ERR_STATE, "class names need a model with layers (none yet)");
    /* one sigmoid unit stands for two classes (0 and 1), which may be named too */
    if (count != outputs && !(outputs == 1 && count == 2))
        return dni_fail(err, DN_ERR_SHAPE,
                        "%zu class names given but the output layer has %zu units", count, outputs);
    if (names == NULL) return dni_fail(err, DN_ERR_ARGUMENT, "class names must not be NULL");
    for (size_t i = 0; i < count; ++i) {
        if (names[i] == NULL) return dni_fail(err, DN_ERR_ARGUMENT, "class name %zu is NULL", i);
        if (!is_utf8(names[i]))
            return dni_fail(err, DN_ERR_ARGUMENT, "class name %zu is not valid UTF-8", i);
    }
    return DN_OK;
}

dn_status dn_model_set_class_names(dn_model *model, const char *const *names, size_t count,
                                   dn_error *err) {
    if (model == NULL) return dni_fail(err, DN_ERR_ARGUMENT, "model must not be NULL");
    if (names == NULL && count == 0) {
        free_strings(model->class_names, model->class_count);
        model->class_names = NULL;
        model->class_count = 0;
        return DN_OK;
    }
    dn_status st = check_names(model, names, count, err);
    if (st != DN_OK) return st;
    char **copies = calloc(count, sizeof *copies);
    int ok = copies != NULL;
    for (size_t i = 0; ok && i < count; ++i) ok = (copies[i] = copy_string(names[i])) != NULL;
    if (!ok) {
        free_strings(copies, count);
        return dni_fail(err, DN_ERR_MEMORY, "out of memory for %zu class names", count);
    }
    free_strings(model->class_names, model->class_count);
    model->class_names = copies;
    model->class_count = count;
    return DN_OK;
}

const char *dn_model_class_name(const dn_model *model, size_t index) {
    if (model == NULL || index >= model->class_count) return NULL;
    return model->class_names[index];
}

/* ---- metadata ---- */

/* Index of `key`, or meta_count when absent. A linear search: the map holds a few entries. */
static size_t find_key(const dn_model *model, const char *key) {
    size_t i = 0;
    while (i < model->meta_count && strcmp(model->meta_keys[i], key) != 0) i++;
    return i;
}

static dn_status check_entry(const char *key, const char *value, dn_error *err) {
    if (key == NULL || key[0] == '\0')
        return dni_fail(err, DN_ERR_ARGUMENT, "a metadata key must be a non-empty string");
    if (!is_utf8(key))
        return dni_fail(err, DN_ERR_ARGUMENT, "metadata key \"%s\" is not valid UTF-8", key);
    if (strncmp(key, DN_RESERVED_KEY_PREFIX, strlen(DN_RESERVED_KEY_PREFIX)) == 0)
        return dni_fail(err, DN_ERR_ARGUMENT,
                        "metadata key \"%s\" is reserved: keys beginning with "
                        "\"%s\" belong to the model file format",
                        key, DN_RESERVED_KEY_PREFIX);
    if (value != NULL && !is_utf8(value))
        return dni_fail(err, DN_ERR_ARGUMENT, "the value of metadata key \"%s\" is not valid UTF-8",
                        key);
    return DN_OK;
}

static void remove_entry(dn_model *model, size_t i) {
    free(model->meta_keys[i]);
    free(model->meta_values[i]);
    size_t after = model->meta_count - i - 1;
    memmove(model->meta_keys + i, model->meta_keys + i + 1, after * sizeof(char *));
    memmove(model->meta_values + i, model->meta_values + i + 1, after * sizeof(char *));
    model->meta_count--;
}

/* Makes room for one more entry (doubling). */
static int grow(dn_model *model) {
    if (model->meta_count < model->meta_slots) return 1;
    size_t slots = model->meta_slots ? model->meta_slots * 2 : 8;
    if (slots > SIZE_MAX / sizeof(char *)) return 0;
    char **keys = realloc(model->meta_keys, slots * sizeof(char *));
    if (keys == NULL) return 0;
    model->meta_keys = keys;
    char **values = realloc(model->meta_values, slots * sizeof(char *));
    if (values == NULL) return 0;
    model->meta_values = values;
    model->meta_slots = slots;
    return 1;
}

dn_status dn_model_set_metadata(dn_model *model, const char *key, const char *value,
                                dn_error *err) {
    if (model == NULL) return dni_fail(err, DN_ERR_ARGUMENT, "model must not be NULL");
    dn_status st = check_entry(key, value, err);
    if (st != DN_OK) return st;
    size_t i = find_key(model, key);
    if (value == NULL) {
        if (i < model->meta_count) remove_entry(model, i);
        return DN_OK;
    }
    char *value_copy = copy_string(value);
    char *key_copy = i < model->meta_count ? NULL : copy_string(key);
    if (value_copy == NULL || (i == model->meta_count && (key_copy == NULL || !grow(model)))) {
        free(value_copy);
        free(key_copy);
        return dni_fail(err, DN_ERR_MEMORY, "out of memory for metadata \"%s\"", key);
    }
    if (i < model->meta_count) {
        free(model->meta_values[i]);
    } else {
        model->meta_keys[i] = key_copy;
        model->meta_count++;
    }
    model->meta_values[i] = value_copy;
    return DN_OK;
}

const char *dn_model_get_metadata(const dn_model *model, const char *key) {
    if (model == NULL || key == NULL) return NULL;
    size_t i = find_key(model, key);
    return i < model->meta_count ? model->meta_values[i] : NULL;
}

size_t dn_model_metadata_count(const dn_model *model) { return model ? model->meta_count : 0; }

const char *dn_model_metadata_key(const dn_model *model, size_t index) {
    if (model == NULL || index >= model->meta_count) return NULL;
    return model->meta_keys[index];
}
