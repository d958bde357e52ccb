/* spec.c — model spec strings: layers separated by commas, "dense:UNITS[:ACTIVATION][:OPTION]..."
 * (options init=NAME, dropconnect=RATE), "dropout:RATE", "alpha_dropout:RATE",
 * "gaussian_dropout:RATE" or "gaussian_noise:STDDEV", parsed into an uncompiled model and
 * printed back in canonical form. */
#include "model/model.h"

#include "core/error.h"
#include "core/number_text.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

enum { MAX_FIELDS = 5, QUOTE_MAX = 40 };

static const char DENSE_FORM[] = "dense:UNITS[:ACTIVATION][:init=NAME][:dropconnect=RATE]";
static const char DROPOUT_FORM[] = "dropout:RATE";
static const char LAYER_TYPES[] =
    "dense, dropout, alpha_dropout, gaussian_dropout or gaussian_noise";

/* The layers with one number: their word, what the number is, and how they are added. */
typedef dn_status (*add_number_fn)(dn_model *, float, dn_error *);
static const struct {
    const char *word, *form, *what;
    add_number_fn add;
} NUMBER_LAYERS[] = {
    {"dropout", "dropout:RATE", "rate", dn_model_add_dropout},
    {"alpha_dropout", "alpha_dropout:RATE", "rate", dn_model_add_alpha_dropout},
    {"gaussian_dropout", "gaussian_dropout:RATE", "rate", dn_model_add_gaussian_dropout},
    {"gaussian_noise", "gaussian_noise:STDDEV", "stddev", dn_model_add_gaussian_noise},
};
enum { NUMBER_LAYER_COUNT = sizeof NUMBER_LAYERS / sizeof NUMBER_LAYERS[0] };

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
    return dni_fail(err, DN_ERR_FORMAT, "model spec column %zu: %s \"%.*s%s\"", f.column, what,
                    QUOTE(f));
}

static dn_status unexpected_field(dn_error *err, field f, const char *form) {
    return dni_fail(err, DN_ERR_FORMAT,
                    "model spec column %zu: unexpected field \"%.*s%s\" (expected %s)", f.column,
                    QUOTE(f), form);
}

/* One "key=value" option of a dense layer into `options`; seen[0] init, seen[1] dropconnect
 * (an option given twice is an error). */
static dn_status dense_option(field f, dn_dense_options *options, int *seen, dn_error *err) {
    const char *eq = memchr(f.text, '=', f.len);
    if (eq == NULL) return unexpected_field(err, f, DENSE_FORM);
    field key = {f.text, (size_t)(eq - f.text), f.column};
    field value = {eq + 1, f.len - key.len - 1, f.column + key.len + 1};
    int is_init = field_is(key, "init"), is_connect = field_is(key, "dropconnect");
    if (!is_init && !is_connect)
        return dni_fail(err, DN_ERR_FORMAT,
                        "model spec column %zu: unknown dense option \"%.*s%s\" "
                       "(expected init=NAME or dropconnect=RATE)", f.column, QUOTE(key));
    if (seen[is_connect]++) return spec_error(err, f, "dense option given twice:");
    if (is_connect) {
        if (!dni_parse_float(value.text, value.len, &options->dropconnect))
            return spec_error(err, value, "dropconnect rate is not a number:");
        if (!(options->dropconnect >= 0.0f && options->dropconnect < 1.0f))
            return dni_fail(err, DN_ERR_FORMAT,
                            "model spec column %zu: dropconnect rate \"%.*s%s\" "
                           "must be in [0, 1)", value.column, QUOTE(value));
        return DN_OK;
    }
    char name[32];
    int known = value.len < sizeof name;
    if (known) {
        memcpy(name, value.text, value.len);
        name[value.len] = '\0';
        known = dn_initializer_parse(name, &options->initializer, NULL) == DN_OK;
    }
    if (!known)
        return dni_fail(err, DN_ERR_FORMAT, "model spec column %zu: unknown initializer \"%.*s%s\" "
                        "(expected glorot_uniform, he_normal or lecun_normal)", value.column,
                        QUOTE(value));
    return DN_OK;
}

static dn_status add_dense(dn_model *m, const field *fields, size_t count, dn_error *err) {
    if (count < 2)
        return dni_fail(err, DN_ERR_FORMAT,
                        "model spec column %zu: \"dense\" needs a unit count (expected %s)",
                        fields[0].column, DENSE_FORM);
    uint64_t units;
    size_t digits = 0;
    while (digits < fields[1].len && fields[1].text[digits] >= '0' && fields[1].text[digits] <= '9')
        digits++;
    if (digits == 0 || digits != fields[1].len)
        return dni_fail(err, DN_ERR_FORMAT,
                        "model spec column %zu: units \"%.*s%s\" is not a whole "
                        "number > 0 (expected %s)",
                        fields[1].column, QUOTE(fields[1]), DENSE_FORM);
    /* A float per unit must be addressable, which also keeps size_t arithmetic safe. */
    if (!dni_parse_uint(fields[1].text, fields[1].len, SIZE_MAX / sizeof(float), &units))
        return spec_error(err, fields[1], "too many units:");
    if (units == 0) return spec_error(err, fields[1], "units must be > 0, found");
    dn_activation act = DN_ACT_LINEAR; /* Keras' default */
    size_t first_option = 2;
    if (count > 2 && memchr(fields[2].text, '=', fields[2].len) == NULL) {
        first_option = 3;
        char name[16];
        int known = fields[2].len < sizeof name;
        if (known) {
            memcpy(name, fields[2].text, fields[2].len);
            name[fields[2].len] = '\0';
            known = dn_activation_parse(name, &act, NULL) == DN_OK;
        }
        if (!known)
            return dni_fail(err, DN_ERR_FORMAT,
                            "model spec column %zu: unknown activation \"%.*s%s\" "
                            "(expected linear, relu, sigmoid, tanh, softmax, selu, elu, gelu or "
                            "leaky_relu)",
                            fields[2].column, QUOTE(fields[2]));
    }
    dn_dense_options options = {.initializer = DN_INIT_DEFAULT, .dropconnect = 0.0f};
    int seen[2] = {0, 0};
    for (size_t i = first_option; i < count; ++i) {
        dn_status st = dense_option(fields[i], &options, seen, err);
        if (st != DN_OK) return st;
    }
    dn_error inner;
    if (dn_model_add_dense(m, (size_t)units, act, &options, &inner) != DN_OK)
        return dni_fail(err, inner.status, "model spec column %zu: %s", fields[0].column,
                        inner.message);
    return DN_OK;
}

/* A layer of NUMBER_LAYERS[kind]: "word:NUMBER". */
static dn_status add_number_layer(dn_model *m, size_t kind, const field *fields, size_t count,
                                  dn_error *err) {
    const char *word = NUMBER_LAYERS[kind].word, *what = NUMBER_LAYERS[kind].what;
    if (count < 2)
        return dni_fail(err, DN_ERR_FORMAT,
                        "model spec column %zu: \"%s\" needs a %s (expected %s)",
                       fields[0].column, word, what, NUMBER_LAYERS[kind].form);
    if (count > 2) return unexpected_field(err, fields[2], NUMBER_LAYERS[kind].form);
    float value;
    if (!dni_parse_float(fields[1].text, fields[1].len, &value))
        return dni_fail(err, DN_ERR_FORMAT, "model spec column %zu: %s %s is not a number: "
                        "\"%.*s%s\"", fields[1].column, word, what, QUOTE(fields[1]));
    dn_error inner;
    if (NUMBER_LAYERS[kind].add(m, value, &inner) != DN_OK)
        return dni_fail(err, DN_ERR_FORMAT, "model spec column %zu: %s %s \"%.*s%s\": %s",
                        fields[1].column, word, what, QUOTE(fields[1]), inner.message);
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
        return dni_fail(err, DN_ERR_FORMAT,
                        "model spec column %zu: empty layer (expected %s or %s)",
                       fields[0].column, DENSE_FORM, DROPOUT_FORM);
    if (field_is(fields[0], "dense")) {
        if (count > MAX_FIELDS) return unexpected_field(err, fields[MAX_FIELDS], DENSE_FORM);
        return add_dense(m, fields, count, err);
    }
    for (size_t k = 0; k < NUMBER_LAYER_COUNT; ++k)
        if (field_is(fields[0], NUMBER_LAYERS[k].word))
            return add_number_layer(m, k, fields, count, err);
    return dni_fail(err, DN_ERR_FORMAT, "model spec column %zu: unknown layer type \"%.*s%s\" "
                    "(expected %s)", fields[0].column, QUOTE(fields[0]), LAYER_TYPES);
}

dn_status dn_model_from_spec(dn_model **out, size_t input_size, const char *spec, dn_error *err) {
    if (out == NULL || spec == NULL)
        return dni_fail(err, DN_ERR_ARGUMENT, "out and spec must not be NULL");
    size_t len = strlen(spec);
    if (make_field(spec, 0, len).len == 0)
        return dni_fail(err, DN_ERR_FORMAT,
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

/* "dense:UNITS:ACTIVATION", then the options that differ from the defaults. */
static void dense_text(const dn_layer *l, char *piece, size_t size) {
    int n = snprintf(piece, size, "dense:%zu:%s", l->out, dn_activation_name(l->activation));
    dn_initializer usual =
        l->activation == DN_ACT_SELU ? DN_INIT_LECUN_NORMAL : DN_INIT_GLOROT_UNIFORM;
    if (l->init != usual)
        n += snprintf(piece + n, size - (size_t)n, ":init=%s", dn_initializer_name(l->init));
    if (l->connect_rate > 0.0f) {
        char rate[DN_FLOAT_TEXT_SIZE];
        dni_format_float(rate, l->connect_rate);
        snprintf(piece + n, size - (size_t)n, ":dropconnect=%s", rate);
    }
}

/* "word:NUMBER" for the layers of NUMBER_LAYERS. */
static void number_layer_text(const dn_layer *l, char *piece, size_t size) {
    static const char *const words[] = {
        [DN_LAYER_DROPOUT] = "dropout",
        [DN_LAYER_ALPHA_DROPOUT] = "alpha_dropout",
        [DN_LAYER_GAUSSIAN_DROPOUT] = "gaussian_dropout",
        [DN_LAYER_GAUSSIAN_NOISE] = "gaussian_noise"};
    char number[DN_FLOAT_TEXT_SIZE];
    dni_format_float(number, l->rate);
    snprintf(piece, size, "%s:%s", words[l->kind], number);
}

size_t dn_model_spec(const dn_model *model, char *buf, size_t size) {
    if (buf != NULL && size > 0) buf[0] = '\0';
    if (buf == NULL) size = 0;
    if (model == NULL) return 0;
    size_t used = 0;
    for (size_t i = 0; i < model->layer_count; ++i) {
        const dn_layer *l = &model->layers[i];
        char piece[96 + 2 * DN_FLOAT_TEXT_SIZE];
        if (i) append(buf, size, &used, ",");
        if (l->kind == DN_LAYER_DENSE) dense_text(l, piece, sizeof piece);
        else number_layer_text(l, piece, sizeof piece);
        append(buf, size, &used, piece);
    }
    return used;
}
