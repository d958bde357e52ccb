/* align.c — making a dataset's class ids mean what they meant to a trained model.
 *
 * CSV labels are numbered in sorted order within each file, so a test file that lacks a class
 * (or has one more) would otherwise shift every id. Aligning by name fixes that. Data without
 * names (IDX) speaks through the decimal text of its ids, which is how CSV integer labels are
 * named; a model without names (trained on IDX) takes CSV integer labels back as their values. */
#include "data/dataset.h"

#include "core/alloc.h"
#include "core/error.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static size_t find_name(const char *const *names, size_t count, const char *name) {
    for (size_t i = 0; i < count; ++i)
        if (strcmp(names[i], name) == 0) return i;
    return count;
}

/* Renumbers every label through map [classes] and installs `count` names (or none). */
static dn_status renumber(dn_dataset *data, const size_t *map, const char *const *names,
                          size_t count, dn_error *err) {
    size_t old_classes = data->classes;
    data->classes = count; /* set_class_names copies `classes` names */
    dn_status st = DN_OK;
    if (names != NULL) {
        st = dni_dataset_set_class_names(data, names, err);
    } else {
        /* back to plain integer ids: drop the names */
        for (size_t c = 0; c < data->class_name_count; ++c) free(data->class_names[c]);
        dni_free(data->class_names);
        data->class_names = NULL;
        data->class_name_count = 0;
    }
    if (st != DN_OK) {
        data->classes = old_classes;
        return st;
    }
    for (size_t r = 0; r < data->rows; ++r) data->labels[r] = (int32_t)map[data->labels[r]];
    data->integer_classes = names == NULL ? 0 : data->integer_classes;
    return DN_OK;
}

/* A model without class names: CSV integer labels become their own values again. */
static dn_status align_to_values(dn_dataset *data, dn_error *err) {
    if (data->class_names == NULL) return DN_OK;
    if (!data->integer_classes)
        return dni_fail(err, DN_ERR_SHAPE, "the data has named classes (\"%s\", ...) but the "
                        "model was trained on integer labels", data->class_names[0]);
    size_t *map = dni_alloc_zeroed(data->classes, sizeof *map), top = 0;
    if (map == NULL) return dni_fail(err, DN_ERR_MEMORY, "out of memory");
    for (size_t c = 0; c < data->classes; ++c) {
        long long v = strtoll(data->class_names[c], NULL, 10);
        if (v < 0 || v > INT32_MAX) {
            dni_free(map);
            return dni_fail(err, DN_ERR_SHAPE, "label %lld cannot be a class of a model trained "
                            "on class ids 0, 1, ... (IDX data)", v);
        }
        map[c] = (size_t)v;
        if (map[c] + 1 > top) top = map[c] + 1;
    }
    dn_status st = renumber(data, map, NULL, top, err);
    dni_free(map);
    return st;
}

dn_status dn_dataset_align_classes(dn_dataset *data, const char *const *names, size_t count,
                                   dn_error *err) {
    if (data == NULL) return dni_fail(err, DN_ERR_ARGUMENT, "data must not be NULL");
    if (data->classes == 0) return DN_OK; /* float targets: nothing to align */
    if (names == NULL || count == 0) return align_to_values(data, err);
    char own[24];
    size_t *map = dni_alloc_zeroed(data->classes, sizeof *map);
    if (map == NULL) return dni_fail(err, DN_ERR_MEMORY, "out of memory");
    for (size_t c = 0; c < data->classes; ++c) {
        const char *name = data->class_names ? data->class_names[c] : own;
        if (data->class_names == NULL) snprintf(own, sizeof own, "%zu", c);
        map[c] = find_name(names, count, name);
        if (map[c] == count) {
            /* an unnamed id that no row uses is no contradiction */
            int used = data->class_names != NULL;
            for (size_t r = 0; !used && r < data->rows; ++r) used = (size_t)data->labels[r] == c;
            if (!used) {
                map[c] = 0;
                continue;
            }
            dn_status st = dni_fail(err, DN_ERR_SHAPE, "label \"%s\" was not a class when the model "
                                    "was trained (%zu classes, from \"%s\")", name, count,
                                    names[0]);
            dni_free(map);
            return st;
        }
    }
    dn_status st = renumber(data, map, names, count, err);
    dni_free(map);
    return st;
}
