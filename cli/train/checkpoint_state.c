/* checkpoint_state.c — the CLI's part of a checkpoint (checkpoint_state.h).
 *
 * Text (metadata "dropnet.checkpoint_state"), small and bounded whatever the run's length:
 *   {"history_epochs": n, "early_stopping": {"best_value": x, "best_epoch": n, "waited": n,
 *    "stopped": bool}, "data": "FINGERPRINT"}
 * Values (tensor "checkpoint.values"): the history of epochs 1..n, 7 numbers per epoch (epoch,
 * loss, accuracy, val_loss, val_accuracy, seconds, validated), each double as its four 16-bit
 * pieces stored as the floats 0..65535 (exact, and finite as the tensor requires, for every bit
 * pattern: NaN and infinities included); then early stopping's best weights when it has them.
 * Every value comes back bit for bit, so a resumed --log repeats the uninterrupted one and early
 * stopping's comparisons are unchanged. The history used to be a JSON array in the text, which
 * grew 68 bytes an epoch until the header limit refused every checkpoint (issue 12); such
 * checkpoints are still read.
 * In text, NaN is null and ±infinity the strings "inf" and "-inf" (JSON has neither); finite
 * numbers have 17 significant digits. */
#include "train/checkpoint_state.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdint.h>
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

enum { PIECES = 4, NUMBERS = 7, PER_EPOCH = PIECES * NUMBERS };

static void put_number(float *out, double v) {
    uint64_t bits;
    memcpy(&bits, &v, sizeof bits);
    for (int k = 0; k < PIECES; ++k) out[k] = (float)((bits >> (16 * k)) & 0xffffu);
}

/* The double put_number stored at `in`; 0 when a piece is not a whole number in [0, 65535]. */
static int get_number(const float *in, double *v) {
    uint64_t bits = 0;
    for (int k = 0; k < PIECES; ++k) {
        if (!(in[k] >= 0.0f && in[k] <= 65535.0f) || in[k] != floorf(in[k])) return 0;
        bits |= (uint64_t)in[k] << (16 * k);
    }
    memcpy(v, &bits, sizeof bits);
    return 1;
}

int cli_checkpoint_state_make(const dn_epoch_metrics *history, size_t done,
                              const cli_controls *controls, size_t params, const char *data,
                              dn_checkpoint_extra *extra) {
    *extra = (dn_checkpoint_extra){.text = NULL, .values = NULL, .count = 0};
    size_t best = controls->early_stopping && controls->best != NULL ? params : 0;
    if (done > (SIZE_MAX / sizeof(float) - best) / PER_EPOCH) return -1;
    size_t count = done * PER_EPOCH + best;
    float *values = malloc((count ? count : 1) * sizeof *values);
    cJSON *root = cJSON_CreateObject(), *es = cJSON_AddObjectToObject(root, "early_stopping");
    int ok = values != NULL && es != NULL &&
             cJSON_AddItemToObject(root, "history_epochs", number_or_null((double)done)) &&
             cJSON_AddItemToObject(es, "best_value", number_or_null(controls->best_value)) &&
             cJSON_AddItemToObject(es, "best_epoch", number_or_null((double)controls->best_epoch)) &&
             cJSON_AddItemToObject(es, "waited", number_or_null((double)controls->waited)) &&
             cJSON_AddBoolToObject(es, "stopped", controls->stopped_early) != NULL &&
             (data == NULL || cJSON_AddStringToObject(root, "data", data) != NULL);
    char *text = ok ? cJSON_PrintUnformatted(root) : NULL;
    cJSON_Delete(root);
    if (text == NULL) {
        free(values);
        return -1;
    }
    for (size_t e = 0; e < done; ++e) {
        const dn_epoch_metrics *m = &history[e];
        double row[NUMBERS] = {(double)m->epoch, m->loss, m->accuracy, m->val_loss,
                               m->val_accuracy, m->seconds, (double)m->has_validation};
        for (int k = 0; k < NUMBERS; ++k) put_number(values + e * PER_EPOCH + k * PIECES, row[k]);
    }
    if (best > 0) memcpy(values + done * PER_EPOCH, controls->best, best * sizeof *values);
    *extra = (dn_checkpoint_extra){.text = text, .values = values, .count = count};
    return 0;
}

void cli_checkpoint_state_release(dn_checkpoint_extra *extra) {
    free((char *)extra->text);
    free((float *)extra->values);
    *extra = (dn_checkpoint_extra){.text = NULL, .values = NULL, .count = 0};
}

/* The history as cli_checkpoint_state_make stores it: values [done × PER_EPOCH]. */
static int read_history_values(const float *values, dn_epoch_metrics *history, size_t done) {
    for (size_t e = 0; e < done; ++e) {
        double row[NUMBERS];
        for (int k = 0; k < NUMBERS; ++k)
            if (!get_number(values + e * PER_EPOCH + k * PIECES, &row[k])) return 0;
        if (row[0] != (double)(e + 1) || (row[6] != 0.0 && row[6] != 1.0)) return 0;
        history[e] = (dn_epoch_metrics){.epoch = e + 1, .loss = row[1], .accuracy = row[2],
                                        .val_loss = row[3], .val_accuracy = row[4],
                                        .seconds = row[5], .has_validation = row[6] == 1.0};
    }
    return 1;
}

/* Where the history is (in the values, or the older JSON array) and whether the values then
 * hold best weights [params] too; reads the history. */
static int read_any_history(const cJSON *root, const dn_checkpoint_state *state,
                            dn_epoch_metrics *history, size_t epochs, size_t done, size_t params,
                            const float **best) {
    *best = NULL;
    const cJSON *rows = cJSON_GetObjectItemCaseSensitive(root, "history");
    if (rows != NULL) { /* the older form: history in the text, best weights alone in values */
        if (!read_history(rows, history, epochs, done)) return 0;
        if (state->count == params && params > 0) *best = state->values;
        return 1;
    }
    size_t stored;
    if (!count_of(cJSON_GetObjectItemCaseSensitive(root, "history_epochs"), epochs, &stored) ||
        stored != done || done > epochs)
        return 0;
    size_t need = done * PER_EPOCH;
    if (state->count != need && !(params > 0 && state->count == need + params)) return 0;
    if (done > 0 && !read_history_values(state->values, history, done)) return 0;
    if (state->count == need + params && params > 0) *best = state->values + need;
    return 1;
}

int cli_checkpoint_state_parse(const dn_checkpoint_state *state, dn_epoch_metrics *history,
                               size_t epochs, size_t done, size_t params, cli_controls *controls,
                               char *data, size_t data_size, char *message, size_t size) {
    if (data_size > 0) data[0] = '\0';
    if (state->text == NULL) {
        snprintf(message, size, "it holds no training history (not a checkpoint of dropnet train)");
        return -1;
    }
    cJSON *root = cJSON_Parse(state->text);
    const cJSON *es = cJSON_GetObjectItemCaseSensitive(root, "early_stopping");
    const float *best = NULL;
    int ok = cJSON_IsObject(root) &&
             read_any_history(root, state, history, epochs, done, params, &best) &&
             cJSON_IsObject(es) &&
             count_of(cJSON_GetObjectItemCaseSensitive(es, "best_epoch"), done,
                      &controls->best_epoch) &&
             count_of(cJSON_GetObjectItemCaseSensitive(es, "waited"), done, &controls->waited) &&
             cJSON_IsBool(cJSON_GetObjectItemCaseSensitive(es, "stopped"));
    ok = ok && number_of(cJSON_GetObjectItemCaseSensitive(es, "best_value"), &controls->best_value);
    const cJSON *fingerprint = cJSON_GetObjectItemCaseSensitive(root, "data");
    if (ok && cJSON_IsString(fingerprint) && data_size > 0)
        snprintf(data, data_size, "%s", fingerprint->valuestring);
    if (ok && best != NULL) {
        free(controls->best);
        if ((controls->best = malloc(params * sizeof *controls->best)) == NULL) ok = 0;
        else memcpy(controls->best, best, params * sizeof *controls->best);
    }
    if (ok) {
        controls->stopped_early = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(es, "stopped"));
    } else {
        snprintf(message, size, "its dropnet.checkpoint_state is not the history of %zu epochs "
                 "and early stopping state that this version writes", done);
    }
    cJSON_Delete(root);
    return ok ? 0 : -1;
}
