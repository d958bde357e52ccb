/* prepare_json.c — a preparation (prepare.h) as JSON, the form a model stores:
 * {"impute":"mean","columns":[{"name":"age","fill":31.5},
 *                             {"name":"color","categories":["blue","red"],"fill":"red"}]} */
#include "data/prepare_json.h"
#include "data/columns.h"

#include "core/alloc.h"
#include "core/error.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static const char *const DN_IMPUTE_NAMES[] = {"none", "mean", "median", "most_frequent"};

static const char *impute_name(dn_impute impute) {
    return impute >= DN_IMPUTE_NONE && impute <= DN_IMPUTE_MOST_FREQUENT ? DN_IMPUTE_NAMES[impute]
                                                                         : "none";
}

static int impute_parse(const char *name) {
    for (int i = 0; i < 4; ++i)
        if (strcmp(name, DN_IMPUTE_NAMES[i]) == 0) return i;
    return -1;
}

static cJSON *column_json(const dni_prep_column *c) {
    cJSON *o = cJSON_CreateObject();
    if (o == NULL || cJSON_AddStringToObject(o, "name", c->name) == NULL) goto fail;
    if (c->categorical) {
        cJSON *list = cJSON_AddArrayToObject(o, "categories");
        if (list == NULL) goto fail;
        for (size_t k = 0; k < c->count; ++k) {
            cJSON *item = cJSON_CreateString(c->categories[k]);
            if (item == NULL || !cJSON_AddItemToArray(list, item)) goto fail;
        }
        if (c->has_fill && cJSON_AddStringToObject(o, "fill", c->categories[c->fill_category]) == NULL)
            goto fail;
    } else if (c->has_fill && cJSON_AddNumberToObject(o, "fill", c->fill) == NULL) {
        goto fail;
    }
    return o;
fail:
    cJSON_Delete(o);
    return NULL;
}

char *dni_prep_to_json(const dni_prep *prep) {
    cJSON *o = cJSON_CreateObject(), *list = NULL;
    int ok = o != NULL && cJSON_AddStringToObject(o, "impute", impute_name(prep->impute)) &&
             (list = cJSON_AddArrayToObject(o, "columns")) != NULL;
    for (size_t j = 0; ok && j < prep->count; ++j) {
        cJSON *c = column_json(&prep->columns[j]);
        ok = c != NULL && cJSON_AddItemToArray(list, c);
        if (c != NULL && !ok) cJSON_Delete(c);
    }
    char *printed = ok ? cJSON_PrintUnformatted(o) : NULL;
    cJSON_Delete(o);
    char *text = printed ? dni_strdup(printed) : NULL; /* free()-able whatever cJSON's allocator */
    cJSON_free(printed);
    return text;
}

/* One column object into c; 0 when it is well formed. */
static int parse_column(const cJSON *o, dni_prep_column *c) {
    const cJSON *name = cJSON_GetObjectItemCaseSensitive(o, "name");
    const cJSON *list = cJSON_GetObjectItemCaseSensitive(o, "categories");
    const cJSON *fill = cJSON_GetObjectItemCaseSensitive(o, "fill");
    if (!cJSON_IsString(name) || (c->name = dni_strdup(name->valuestring)) == NULL) return -1;
    if (list == NULL) {
        if (fill != NULL && (!cJSON_IsNumber(fill) || !isfinite(fill->valuedouble))) return -1;
        c->has_fill = fill != NULL;
        c->fill = fill ? fill->valuedouble : 0.0;
        return 0;
    }
    int n = cJSON_GetArraySize(list);
    if (!cJSON_IsArray(list) || n < 1) return -1;
    c->categorical = 1;
    if ((c->categories = dni_alloc_zeroed((size_t)n, sizeof *c->categories)) == NULL) return -1;
    const cJSON *item;
    cJSON_ArrayForEach(item, list) {
        if (!cJSON_IsString(item) || (c->categories[c->count++] = dni_strdup(item->valuestring)) == NULL)
            return -1;
        if (c->count > 1 && strcmp(c->categories[c->count - 2], item->valuestring) >= 0) return -1;
    }
    if (fill == NULL) return 0;
    if (!cJSON_IsString(fill)) return -1;
    for (size_t k = 0; k < c->count && !c->has_fill; ++k)
        if (strcmp(c->categories[k], fill->valuestring) == 0) c->has_fill = 1, c->fill_category = k;
    return c->has_fill ? 0 : -1;
}

static int parse_prep(const cJSON *o, dni_prep *prep) {
    const cJSON *impute = cJSON_GetObjectItemCaseSensitive(o, "impute");
    const cJSON *columns = cJSON_GetObjectItemCaseSensitive(o, "columns");
    int kind = cJSON_IsString(impute) ? impute_parse(impute->valuestring) : -1;
    if (kind < 0 || !cJSON_IsArray(columns) || cJSON_GetArraySize(columns) < 1) return -1;
    prep->impute = (dn_impute)kind;
    size_t n = (size_t)cJSON_GetArraySize(columns);
    if ((prep->columns = dni_alloc_zeroed(n, sizeof *prep->columns)) == NULL) return -1;
    const cJSON *item;
    cJSON_ArrayForEach(item, columns) {
        if (!cJSON_IsObject(item) || parse_column(item, &prep->columns[prep->count++]) != 0)
            return -1;
    }
    return 0;
}

dn_status dni_prep_from_json(const char *json, dni_prep **out, dn_error *err) {
    dni_prep *prep = dni_alloc_zeroed(1, sizeof *prep);
    if (prep == NULL) return dni_fail(err, DN_ERR_MEMORY, "out of memory for the preprocessing");
    cJSON *o = cJSON_Parse(json);
    int bad = o == NULL || parse_prep(o, prep) != 0;
    cJSON_Delete(o);
    if (bad) {
        dni_prep_free(prep);
        return dni_fail(err, DN_ERR_FORMAT, "the preprocessing (a model's \"preprocessing\" "
                        "metadata) is damaged: expected {\"impute\":...,\"columns\":[...]} with "
                        "sorted categories and a fill among them");
    }
    *out = prep;
    return DN_OK;
}
