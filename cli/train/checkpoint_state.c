/* checkpoint_state.c — the CLI's part of a checkpoint as JSON text:
 *   {"history": [[epoch, loss, accuracy, val_loss, val_accuracy, seconds, validated], ...],
 *    "early_stopping": {"best_value": x, "best_epoch": n, "waited": n, "stopped": bool}}
 * NaN (no validation, MSE accuracy) is null, ±infinity the strings "inf" and "-inf" (JSON has
 * neither), and finite numbers with 17 significant digits, so that every value, and so early
 * stopping's comparisons, come back bit for bit: a resumed --log repeats the uninterrupted one. */
#include "train/checkpoint_state.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* %.17g reads back as the same double; cJSON's own printing stops at 15 digits whenever the
 * two texts are within a relative 2^-52 (0.1 + 0.2 would come back as 0.3). */
static cJSON *number_or_null(double v) {
    if (isnan(v)) return cJSON_CreateNull();
    if (isinf(v)) return cJSON_CreateString(v > 0 ? "inf" : "-inf");
    char text[32];
    snprintf(text, sizeof text, "%.17g", v);
    return cJSON_CreateRaw(text);
}

static cJSON *epoch_row(const dn_epoch_metrics *m) {
    cJSON *row = cJSON_CreateArray();
    double values[7] = {(double)m->epoch, m->loss, m->accuracy, m->val_loss, m->val_accuracy,
                        m->seconds, (double)m->has_validation};
    for (size_t i = 0; row != NULL && i < 7; ++i)
        if (!cJSON_AddItemToArray(row, number_or_null(values[i]))) {
            cJSON_Delete(row);
            row = NULL;
        }
    return row;
}

char *cli_checkpoint_state_text(const dn_epoch_metrics *history, size_t done,
                               const cli_controls *controls) {
    cJSON *root = cJSON_CreateObject(), *rows = cJSON_AddArrayToObject(root, "history");
    int ok = rows != NULL;
    for (size_t e = 0; ok && e < done; ++e) ok = cJSON_AddItemToArray(rows, epoch_row(&history[e]));
    cJSON *es = ok ? cJSON_AddObjectToObject(root, "early_stopping") : NULL;
    ok = es != NULL && cJSON_AddItemToObject(es, "best_value", number_or_null(controls->best_value)) &&
         cJSON_AddItemToObject(es, "best_epoch", number_or_null((double)controls->best_epoch)) &&
         cJSON_AddItemToObject(es, "waited", number_or_null((double)controls->waited)) &&
         cJSON_AddBoolToObject(es, "stopped", controls->stopped_early) != NULL;
    char *text = ok ? cJSON_PrintUnformatted(root) : NULL;
    cJSON_Delete(root);
    return text;
}

/* A value as number_or_null wrote it: a number, null (NaN) or "inf" / "-inf"; 0 otherwise. */
static int number_of(const cJSON *item, double *out) {
    if (cJSON_IsNumber(item)) *out = item->valuedouble;
    else if (cJSON_IsNull(item)) *out = NAN;
    else if (cJSON_IsString(item) && strcmp(item->valuestring, "inf") == 0) *out = INFINITY;
    else if (cJSON_IsString(item) && strcmp(item->valuestring, "-inf") == 0) *out = -INFINITY;
    else return 0;
    return 1;
}

/* A whole number in [0, limit] held by `item`. */
static int count_of(const cJSON *item, size_t limit, size_t *out) {
    if (!cJSON_IsNumber(item) || !(item->valuedouble >= 0.0) ||
        item->valuedouble > (double)limit || item->valuedouble != floor(item->valuedouble))
        return 0;
    *out = (size_t)item->valuedouble;
    return 1;
}

static int read_history(const cJSON *rows, dn_epoch_metrics *history, size_t epochs, size_t done) {
    if (!cJSON_IsArray(rows) || (size_t)cJSON_GetArraySize(rows) != done || done > epochs) return 0;
    size_t e = 0;
    for (const cJSON *row = rows->child; row != NULL; row = row->next, ++e) {
        size_t epoch;
        if (!cJSON_IsArray(row) || cJSON_GetArraySize(row) != 7 ||
            !count_of(cJSON_GetArrayItem(row, 0), epochs, &epoch) || epoch != e + 1)
            return 0;
        dn_epoch_metrics *m = &history[e];
        double validated;
        m->epoch = epoch;
        if (!number_of(cJSON_GetArrayItem(row, 1), &m->loss) ||
            !number_of(cJSON_GetArrayItem(row, 2), &m->accuracy) ||
            !number_of(cJSON_GetArrayItem(row, 3), &m->val_loss) ||
            !number_of(cJSON_GetArrayItem(row, 4), &m->val_accuracy) ||
            !number_of(cJSON_GetArrayItem(row, 5), &m->seconds) ||
            !number_of(cJSON_GetArrayItem(row, 6), &validated) ||
            (validated != 0.0 && validated != 1.0))
            return 0;
        m->has_validation = validated == 1.0;
    }
    return 1;
}

int cli_checkpoint_state_parse(const char *text, dn_epoch_metrics *history, size_t epochs,
                              size_t done, cli_controls *controls, char *message, size_t size) {
    cJSON *root = cJSON_Parse(text);
    const cJSON *es = cJSON_GetObjectItemCaseSensitive(root, "early_stopping");
    int ok = cJSON_IsObject(root) &&
             read_history(cJSON_GetObjectItemCaseSensitive(root, "history"), history, epochs, done) &&
             cJSON_IsObject(es) &&
             count_of(cJSON_GetObjectItemCaseSensitive(es, "best_epoch"), done,
                      &controls->best_epoch) &&
             count_of(cJSON_GetObjectItemCaseSensitive(es, "waited"), done, &controls->waited) &&
             cJSON_IsBool(cJSON_GetObjectItemCaseSensitive(es, "stopped"));
    ok = ok && number_of(cJSON_GetObjectItemCaseSensitive(es, "best_value"), &controls->best_value);
    if (ok) {
        controls->stopped_early = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(es, "stopped"));
    } else {
        snprintf(message, size, "its dropnet.checkpoint_state is not the history of %zu epochs "
                 "and early stopping state that this version writes", done);
    }
    cJSON_Delete(root);
    return ok ? 0 : -1;
}
