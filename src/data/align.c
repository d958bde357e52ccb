/* align.c — making a dataset's class ids mean what they meant to a trained model.
 *
 * CSV string labels are numbered in sorted order within each file, so a test file that lacks a
 * class (or has one more) would otherwise shift every id. Aligning by name fixes that. */
#include "data/dataset.h"

#include "core/alloc.h"
#include "core/error.h"

#include <string.h>

static size_t find_name(const char *const *names, size_t count, const char *name) {
    for (size_t i = 0; i < count; ++i)
        if (strcmp(names[i], name) == 0) return i;
    return count;
}

dn_status dn_dataset_align_classes(dn_dataset *data, const char *const *names, size_t count,
                                   dn_error *err) {
    if (data == NULL) return dni_fail(err, DN_ERR_ARGUMENT, "data must not be NULL");
    if (data->classes == 0) return DN_OK; /* float targets: nothing to align */
    if (names == NULL || count == 0) {
        if (data->class_names != NULL)
            return dni_fail(err, DN_ERR_SHAPE, "the data has named classes (\"%s\", ...) but the "
                            "model was trained on integer labels", data->class_names[0]);
        return DN_OK;
    }
    if (data->class_names == NULL)
        return dni_fail(err, DN_ERR_SHAPE, "the data has integer labels but the model was trained "
                        "on named classes (\"%s\", ...)", names[0]);
    size_t *map = dni_alloc_zeroed(data->classes, sizeof *map);
    if (map == NULL) return dni_fail(err, DN_ERR_MEMORY, "out of memory");
    for (size_t c = 0; c < data->classes; ++c) {
        map[c] = find_name(names, count, data->class_names[c]);
        if (map[c] == count) {
            dn_status st = dni_fail(err, DN_ERR_SHAPE,
                                    "label \"%s\" was not a class when the model "
                                   "was trained (%zu classes, from \"%s\")", data->class_names[c],
                                   count, names[0]);
            dni_free(map);
            return st;
        }
    }
    size_t old_classes = data->classes;
    data->classes = count; /* set_class_names copies `classes` names */
    dn_status st = dni_dataset_set_class_names(data, names, err);
    if (st == DN_OK)
        for (size_t r = 0; r < data->rows; ++r) data->labels[r] = (int32_t)map[data->labels[r]];
    else
        data->classes = old_classes;
    dni_free(map);
    return st;
}
