/* spec.c — model spec strings: layers separated by commas, "dense:UNITS[:ACTIVATION]" or
 * "dropout:RATE", parsed into an uncompiled model and printed back in canonical form. */
#include "model/model.h"

#include "core/error.h"
#include "io/number_text.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

enum { MAX_FIELDS = 3, QUOTE_MAX = 40 };

static const char DENSE_FORM[] = "dense:UNITS[:ACTIVATION]";
static const char DROPOUT_FORM[] = "dropout:RATE";

/* A piece of the spec without its surrounding blanks, and its 1-based column. */
typedef struct field {
    const char *text;
    size_t len, column;
} field;

static int is_blank(char c) { return c == ' ' || c == '\t'; }

static field make_field(const char *spec, size_t begin, size_t end) {
    while (begin < end && is_blank(spec[begin])) begin++;
    while (end > begin && is_blank(spec[end - 1])) end--;
    field f = {spec + begin, end - begin, begin + 1};
    return f;
}

static int field_is(field f, const char *word) {
    return f.len == strlen(word) && memcmp(f.text, word, f.len) == 0;
}

/* Messages quote a field with "%.*s%s" and QUOTE(f): long fields are cut (the column still
 * locates them). */
static int quote_len(field f) { return (int)(f.len < QUOTE_MAX ? f.len : QUOTE_MAX); }
static const char *ellipsis(field f) { return f.len > QUOTE_MAX ? "..." : ""; }
#define QUOTE(f) quote_len(f), (f).text, ellipsis(f)

static dn_status spec_error(dn_error *err, field f, const char *what) {
    return dn_fail(err, DN_ERR_FORMAT, "model spec column %zu: %s \"%.*s%s\"", f.column, what,
                   QUOTE(f));
}

static dn_status unexpected_field(dn_error *err, field f, const char *form) {
    return dn_fail(err, DN_ERR_FORMAT,
                   "model spec column %zu: unexpected field \"%.*s%s\" (expected %s)", f.column,
                   QUOTE(f), form);
}

static dn_status add_dense(dn_model *m, const field *fields, size_t count, dn_error *err) {
    if (count < 2)
        return dn_fail(err, DN_ERR_FORMAT,
                       "model spec column %zu: \"dense\" needs a unit count (expected %s)",
                       fields[0].column, DENSE_FORM);
    uint64_t units;
    size_t digits = 0;
    while (digits < fields[1].len && fields[1].text[digits] >= '0' && fields[1].text[digits] <= '9')
        digits++;
    if (digits == 0 || digits != fields[1].len)
        return dn_fail(err, DN_ERR_FORMAT,
                       "model spec column %zu: units \"%.*s%s\" is not a whole "
                       "number > 0 (expected %s)",
                       fields[1].column, QUOTE(fields[1]), DENSE_FORM);
    /* A float per unit must be addressable, which also keeps size_t arithmetic safe. */
    if (!dn_parse_uint(fields[1].text, fields[1].len, SIZE_MAX / sizeof(float), &units))
        return spec_error(err, fields[1], "too many units:");
    if (units == 0) return spec_error(err, fields[1], "units must be > 0, found");
    dn_activation act = DN_ACT_LINEAR; /* Keras' default */
    if (count > 2) {
        char name[16];
        int known = fields[2].len < sizeof name;
        if (known) {
            memcpy(name, fields[2].text, fields[2].len);
            name[fields[2].len] = '\0';
            known = dn_activation_parse(name, &act, NULL) == DN_OK;
        }
        if (!known)
            return dn_fail(err, DN_ERR_FORMAT,
                           "model spec column %zu: unknown activation \"%.*s%s\" "
                           "(expected linear, relu, sigmoid, tanh or softmax)",
                           fields[2].column, QUOTE(fields[2]));
    }
    dn_error inner;
    if (dn_model_add_dense(m, (size_t)units, act, &inner) != DN_OK)
        return dn_fail(err, inner.status, "model spec column %zu: %s", fields[0].column,
                       inner.message);
    return DN_OK;
}

static dn_status add_dropout(dn_model *m, const field *fields, size_t count, dn_error *err) {
    if (count < 2)
        return dn_fail(err, DN_ERR_FORMAT,
                       "model spec column %zu: \"dropout\" needs a rate (expected %s)",
                       fields[0].column, DROPOUT_FORM);
    if (count > 2) return unexpected_field(err, fields[2], DROPOUT_FORM);
    float rate;
    if (!dn_parse_float(fields[1].text, fields[1].len, &rate))
        return spec_error(err, fields[1], "dropout rate is not a number:");
    dn_error inner;
    if (dn_model_add_dropout(m, rate, &inner) != DN_OK)
        return dn_fail(err, DN_ERR_FORMAT, "model spec column %zu: dropout rate \"%.*s%s\": %s",
                       fields[1].column, QUOTE(fields[1]), inner.message);
    return DN_OK;
}

/* Parses the layer spec[begin, end) and appends it to `m`. */
static dn_status add_layer(dn_model *m, const char *spec, size_t begin, size_t end, dn_error *err) {
    field fields[MAX_FIELDS + 1];
    size_t count = 0, start = begin;
    for (size_t i = begin; i <= end && count <= MAX_FIELDS; ++i) {
        if (i == end || spec[i] == ':') {
            fields[count++] = make_field(spec, start, i);
            start = i + 1;
        }
    }
    if (count == 1 && fields[0].len == 0)
        return dn_fail(err, DN_ERR_FORMAT, "model spec column %zu: empty layer (expected %s or %s)",
                       fields[0].column, DENSE_FORM, DROPOUT_FORM);
    if (field_is(fields[0], "dense")) {
        if (count > MAX_FIELDS) return unexpected_field(err, fields[MAX_FIELDS], DENSE_FORM);
        return add_dense(m, fields, count, err);
    }
    if (field_is(fields[0], "dropout")) return add_dropout(m, fields, count, err);
    return dn_fail(err, DN_ERR_FORMAT,
                   "model spec column %zu: unknown layer type \"%.*s%s\" "
                   "(expected dense or dropout)",
                   fields[0].column, QUOTE(fields[0]));
}

dn_status dn_model_from_spec(dn_model **out, size_t input_size, const char *spec, dn_error *err) {
    if (out == NULL || spec == NULL)
        return dn_fail(err, DN_ERR_ARGUMENT, "out and spec must not be NULL");
    size_t len = strlen(spec);
    if (make_field(spec, 0, len).len == 0)
        return dn_fail(err, DN_ERR_FORMAT,
                       "model spec is empty (expected layers such as "
                       "\"dense:64:relu,dropout:0.5,dense:10:softmax\")");
    dn_model *m = NULL;
    dn_status st = dn_model_create(&m, input_size, err);
    for (size_t begin = 0, i = 0; st == DN_OK && i <= len; ++i) {
        if (i == len || spec[i] == ',') {
            st = add_layer(m, spec, begin, i, err);
            begin = i + 1;
        }
    }
    if (st != DN_OK) {
        dn_model_free(m);
        return st;
    }
    *out = m;
    return DN_OK;
}

/* snprintf-style appending: `used` counts every character, written or not. */
static void append(char *buf, size_t size, size_t *used, const char *text) {
    size_t len = strlen(text);
    if (*used < size) {
        size_t room = size - *used - 1, n = len < room ? len : room;
        memcpy(buf + *used, text, n);
        buf[*used + n] = '\0';
    }
    *used += len;
}

size_t dn_model_spec(const dn_model *model, char *buf, size_t size) {
    if (buf != NULL && size > 0) buf[0] = '\0';
    if (buf == NULL) size = 0;
    if (model == NULL) return 0;
    size_t used = 0;
    for (size_t i = 0; i < model->layer_count; ++i) {
        const dn_layer *l = &model->layers[i];
        char piece[64 + DN_FLOAT_TEXT_SIZE];
        if (l->kind == DN_LAYER_DENSE) {
            snprintf(piece, sizeof piece, "%sdense:%zu:%s", i ? "," : "", l->out,
                     dn_activation_name(l->activation));
        } else {
            char rate[DN_FLOAT_TEXT_SIZE];
            dn_format_float(rate, l->rate);
            snprintf(piece, sizeof piece, "%sdropout:%s", i ? "," : "", rate);
        }
        append(buf, size, &used, piece);
    }
    return used;
}
