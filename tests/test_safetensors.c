/* test_safetensors.c — model files written byte by byte in the test (an independent writer:
 * hand-written header JSON, offsets and little-endian floats) load with the expected weights, and
 * every corruption is refused with a message that names it. */
#include "test.h"

#include "dropnet.h"
#include "io/safetensors.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The model of every file here: 3 inputs → dense:4:relu (layer 0) → dropout (layer 1) →
 * dense:2:softmax (layer 2); 26 parameters. */
#define BASE_KEYS "\"dropnet.format\":\"1\"," UNVERSIONED_KEYS
#define UNVERSIONED_KEYS                                                                           \
    "\"dropnet.version\":\"0.0.1\",\"dropnet.input_size\":\"3\","                                  \
    "\"dropnet.spec\":\"dense:4:relu,dropout:0.5,dense:2:softmax\","                               \
    "\"dropnet.loss\":\"sparse_categorical_crossentropy\",\"dropnet.optimizer\":\"sgd\","          \
    "\"dropnet.learning_rate\":\"0.1\",\"dropnet.seed\":\"42\",\"dropnet.step\":\"7\""
#define META_KEYS                                                                                  \
    BASE_KEYS ",\"dropnet.class_names\":\"[\\\"no\\\",\\\"yes\\\"]\",\"owner\":\"test\""
#define META "\"__metadata__\":{" META_KEYS "}"
#define ENTRY(name, dtype, shape, begin, end)                                                      \
    "\"" name "\":{\"dtype\":\"" dtype "\",\"shape\":" shape ",\"data_offsets\":[" #begin "," #end \
    "]}"
#define K0 ENTRY("layers.0.kernel", "F32", "[3,4]", 0, 48)
#define B0 ENTRY("layers.0.bias", "F32", "[4]", 48, 64)
#define K2 ENTRY("layers.2.kernel", "F32", "[4,2]", 64, 96)
#define B2 ENTRY("layers.2.bias", "F32", "[2]", 96, 104)
#define GOOD_TENSORS B2 "," K0 "," K2 "," B0 /* JSON order does not matter, offsets do */
enum { PARAMS = 26, GOOD_BYTES = 4 * PARAMS, DATA_CAPACITY = 256 };

/* Parameter k of the good file: exact binary fractions, so every check can be exact. */
static float param_value(size_t k) { return ((float)k - 11.0f) / 16.0f; }

typedef struct fixture {
    char dir[64], path[128];
    unsigned char data[DATA_CAPACITY]; /* the data buffer */
} fixture;

static int fixture_open(fixture *f) {
    snprintf(f->dir, sizeof f->dir, "/tmp/dn-safetensors-XXXXXX");
    if (!CHECK(mkdtemp(f->dir) != NULL)) return 0;
    snprintf(f->path, sizeof f->path, "%s/m.safetensors", f->dir);
    memset(f->data, 0, sizeof f->data);
    for (size_t k = 0; k < PARAMS; ++k) {
        float v = param_value(k);
        uint32_t bits;
        memcpy(&bits, &v, 4);
        for (int b = 0; b < 4; ++b) f->data[4 * k + (size_t)b] = (unsigned char)(bits >> (8 * b));
    }
    return 1;
}

static void fixture_close(fixture *f) {
    unlink(f->path);
    rmdir(f->dir);
}

/* Writes: 8-byte little-endian length (the padded header's, or `length` when not 0), the header
 * padded with spaces to a multiple of 8, then `data_len` bytes of the data buffer; the file is
 * cut to `cut` bytes when cut > 0. */
static void write_file(fixture *f, const char *header, uint64_t length, size_t data_len,
                       size_t cut) {
    size_t n = strlen(header), padded = (n + 7) / 8 * 8;
    unsigned char *bytes = calloc(1, 8 + padded + data_len);
    if (!CHECK(bytes != NULL)) return;
    uint64_t stored = length ? length : padded;
    for (int b = 0; b < 8; ++b) bytes[b] = (unsigned char)(stored >> (8 * b));
    memcpy(bytes + 8, header, n);
    memset(bytes + 8 + n, ' ', padded - n);
    memcpy(bytes + 8 + padded, f->data, data_len);
    size_t total = 8 + padded + data_len;
    FILE *out = fopen(f->path, "wb");
    if (CHECK(out != NULL)) {
        CHECK(fwrite(bytes, 1, cut ? cut : total, out) == (cut ? cut : total));
        fclose(out);
    }
    free(bytes);
}

TEST(safetensors_hand_written_file_loads) {
    fixture f;
    if (!fixture_open(&f)) return;
    write_file(&f, "{" META "," GOOD_TENSORS "}", 0, GOOD_BYTES, 0);
    dn_model *m = NULL;
    dn_error err;
    CHECK_OK(dn_model_load(&m, f.path, &err), &err);
    if (m != NULL) {
        CHECK(dn_model_param_count(m) == PARAMS && dn_model_layer_count(m) == 3);
        const float *p = dn_model_params(m);
        for (size_t k = 0; k < PARAMS; ++k)
            CHECK_MSG(p[k] == param_value(k), "param %zu = %g, expected %g", k, p[k],
                      param_value(k));
        CHECK(dn_model_step(m) == 7 && dn_model_seed(m) == 42);
        CHECK(strcmp(dn_model_class_name(m, 1), "yes") == 0);
        CHECK(strcmp(dn_model_get_metadata(m, "owner"), "test") == 0);
        CHECK(dn_model_metadata_count(m) == 1); /* "dropnet." keys are not user metadata */
        dn_layer_info info;
        CHECK_OK(dn_model_layer_info(m, 1, &info, &err), &err);
        CHECK(info.kind == DN_LAYER_DROPOUT && info.rate == 0.5f);

        /* The prediction, computed here from the same numbers. */
        const float x[3] = {1.0f, -2.0f, 0.5f};
        double h[4], z[2];
        for (int j = 0; j < 4; ++j) {
            h[j] = param_value(12 + (size_t)j);
            for (int i = 0; i < 3; ++i) h[j] += x[i] * param_value((size_t)(i * 4 + j));
            h[j] = h[j] > 0 ? h[j] : 0;
        }
        for (int j = 0; j < 2; ++j) {
            z[j] = param_value(24 + (size_t)j);
            for (int i = 0; i < 4; ++i) z[j] += h[i] * param_value(16 + (size_t)(i * 2 + j));
        }
        double p1 = 1.0 / (1.0 + exp(z[0] - z[1]));
        float out[2];
        CHECK_OK(dn_model_predict(m, x, 1, out, &err), &err);
        CHECK_NEAR(out[1], p1, 1e-6);
        CHECK_NEAR(out[0], 1.0 - p1, 1e-6);
        CHECK(p1 > 0.01 && p1 < 0.99);
    }
    dn_model_free(m);
    fixture_close(&f);
}

/* The container accepts any dtype of the format; only the model loader insists on F32. */
TEST(safetensors_container_reads_other_dtypes) {
    fixture f;
    if (!fixture_open(&f)) return;
    write_file(&f,
               "{" ENTRY("h", "F16", "[2,3]", 0, 12) "," ENTRY("d", "F64", "[]", 12, 20) "," ENTRY(
                   "e", "I8", "[0]", 20, 20) "}",
               0, 20, 0);
    dn_st_file st;
    dn_error err;
    dn_status s = dni_st_open(&st, f.path, &err);
    CHECK_MSG(s == DN_OK, "%s", err.message);
    if (s == DN_OK) {
        const dn_st_tensor *h = dni_st_find(&st, "h"), *d = dni_st_find(&st, "d");
        CHECK(h && h->rank == 2 && h->shape[1] == 3 && strcmp(h->dtype, "F16") == 0);
        CHECK(d && d->rank == 0 && d->begin == 12 && d->end == 20);
        CHECK(dni_st_find(&st, "x") == NULL && st.metadata == NULL);
        dni_st_close(&st);
    }
    fixture_close(&f);
}

/* Layer 2 four bytes further on, leaving bytes [64, 68) to nobody. */
/* clang-format off */
#define HOLE_TENSORS K0 "," B0 ","                                                            \
    ENTRY("layers.2.kernel", "F32", "[4,2]", 68, 100) ","                                      \
    ENTRY("layers.2.bias", "F32", "[2]", 100, 108)
/* A consistent file whose first kernel is half precision. */
#define F16_TENSORS                                                                           \
    ENTRY("layers.0.kernel", "F16", "[3,4]", 0, 24) ","                                       \
    ENTRY("layers.0.bias", "F32", "[4]", 24, 40) ","                                          \
    ENTRY("layers.2.kernel", "F32", "[4,2]", 40, 72) ","                                      \
    ENTRY("layers.2.bias", "F32", "[2]", 72, 80)
/* clang-format on */

typedef struct bad_case {
    const char *what;
    const char *header;
    size_t data_len;
    dn_status status;
    const char *needle;
} bad_case;

static const bad_case BAD_FILES[] = {
    {"invalid JSON", "{\"a\":", GOOD_BYTES, DN_ERR_FORMAT,
     "invalid JSON in the header at file offset"},
    {"not an object", "[1,2]", GOOD_BYTES, DN_ERR_FORMAT, "the header is JSON but not an object"},
    {"text after the JSON", "{} x", GOOD_BYTES, DN_ERR_FORMAT,
     "unexpected text after the JSON header at file offset 11"},
    {"bad UTF-8", "{\"\xff\":1}", GOOD_BYTES, DN_ERR_FORMAT, "not valid UTF-8 at file offset 10"},
    {"offsets past the end",
     "{" META "," K0 "," B0 "," K2 "," ENTRY("layers.2.bias", "F32", "[2]", 96, 200) "}",
     GOOD_BYTES, DN_ERR_FORMAT,
     "tensor \"layers.2.bias\" has data_offsets [96, 200] past the end of the data buffer (104 "
     "bytes"},
    {"begin after end",
     "{" META "," K0 "," B0 "," K2 "," ENTRY("layers.2.bias", "F32", "[2]", 104, 96) "}",
     GOOD_BYTES, DN_ERR_FORMAT,
     "\"layers.2.bias\" has data_offsets [104, 96] with begin after end"},
    {"length not the shape's",
     "{" META "," ENTRY("layers.0.kernel", "F32", "[3,4]", 0, 44) "," B0 "," K2 "," B2 "}",
     GOOD_BYTES, DN_ERR_FORMAT,
     "\"layers.0.kernel\" (F32, shape [3, 4]) has data_offsets [0, 44] holding 44 bytes; the shape "
     "needs 48"},
    {"overlapping tensors",
     "{" META "," K0 "," ENTRY("layers.0.bias", "F32", "[4]", 40, 56) "," K2 "," B2 "}", GOOD_BYTES,
     DN_ERR_FORMAT, "tensors \"layers.0.kernel\" [0, 48) and \"layers.0.bias\" [40, 56) overlap"},
    {"hole between tensors", "{" META "," HOLE_TENSORS "}", GOOD_BYTES + 4, DN_ERR_FORMAT,
     "bytes [64, 68) of the data buffer belong to no tensor"},
    {"bytes after the last tensor", "{" META "," GOOD_TENSORS "}", GOOD_BYTES + 8, DN_ERR_FORMAT,
     "bytes [104, 112) at the end of the data buffer belong to no tensor"},
    {"wrong dtype", "{" META "," F16_TENSORS "}", 80, DN_ERR_FORMAT,
     "tensor \"layers.0.kernel\" has dtype F16, expected F32"},
    {"unknown dtype",
     "{" META "," ENTRY("layers.0.kernel", "F17", "[3,4]", 0, 48) "," B0 "," K2 "," B2 "}",
     GOOD_BYTES, DN_ERR_FORMAT, "tensor \"layers.0.kernel\" has unknown dtype \"F17\""},
    {"shape mismatch",
     "{" META "," ENTRY("layers.0.kernel", "F32", "[4,3]", 0, 48) "," B0 "," K2 "," B2 "}",
     GOOD_BYTES, DN_ERR_FORMAT, "tensor \"layers.0.kernel\" has shape [4, 3], expected [3, 4]"},
    {"rank mismatch",
     "{" META "," K0 "," ENTRY("layers.0.bias", "F32", "[1,4]", 48, 64) "," K2 "," B2 "}",
     GOOD_BYTES, DN_ERR_FORMAT, "tensor \"layers.0.bias\" has shape [1, 4], expected [4]"},
    {"missing tensor", "{" META "," K0 "," B0 "," K2 "}", 96, DN_ERR_FORMAT,
     "tensor \"layers.2.bias\" (F32, shape [2]) is missing"},
    {"unknown tensor",
     "{" META "," GOOD_TENSORS "," ENTRY("layers.1.kernel", "F32", "[1]", 104, 108) "}",
     GOOD_BYTES + 4, DN_ERR_FORMAT, "unknown tensor \"layers.1.kernel\""},
    {"non-canonical name",
     "{" META "," K0 "," B0 "," K2 "," ENTRY("layers.02.bias", "F32", "[2]", 96, 104) "}",
     GOOD_BYTES, DN_ERR_FORMAT, "unknown tensor \"layers.02.bias\""},
    {"duplicate tensor", "{" META "," GOOD_TENSORS "," B2 "}", GOOD_BYTES, DN_ERR_FORMAT,
     "tensor \"layers.2.bias\" appears twice"},
    {"bad shape entry",
     "{" META "," ENTRY("layers.0.kernel", "F32", "[3,-4]", 0, 48) "," B0 "," K2 "," B2 "}",
     GOOD_BYTES, DN_ERR_FORMAT,
     "tensor \"layers.0.kernel\": shape entries must be non-negative integers"},
    {"no metadata", "{" GOOD_TENSORS "}", GOOD_BYTES, DN_ERR_FORMAT,
     "no \"__metadata__\" in the header"},
    {"non-string metadata", "{\"__metadata__\":{" META_KEYS ",\"n\":3}," GOOD_TENSORS "}",
     GOOD_BYTES, DN_ERR_FORMAT, "__metadata__ value of \"n\" is not a string"},
    {"missing required key", "{\"__metadata__\":{\"dropnet.format\":\"1\"}," GOOD_TENSORS "}",
     GOOD_BYTES, DN_ERR_FORMAT, "metadata key \"dropnet.input_size\" is missing"},
    {"unknown reserved key",
     "{\"__metadata__\":{" META_KEYS ",\"dropnet.colour\":\"red\"}," GOOD_TENSORS "}", GOOD_BYTES,
     DN_ERR_FORMAT, "unknown metadata key \"dropnet.colour\""},
    {"newer format",
     "{\"__metadata__\":{\"dropnet.format\":\"2\"," UNVERSIONED_KEYS "}," GOOD_TENSORS "}",
     GOOD_BYTES, DN_ERR_FORMAT, "dropnet.format is \"2\"; this build reads format 1"},
    {"key of another optimizer",
     "{\"__metadata__\":{" META_KEYS ",\"dropnet.beta1\":\"0.9\"}," GOOD_TENSORS "}", GOOD_BYTES,
     DN_ERR_FORMAT, "metadata key \"dropnet.beta1\" does not apply to the sgd optimizer"},
    {"bad number",
     "{\"__metadata__\":{" META_KEYS ",\"dropnet.epochs_done\":\"1x\"}," GOOD_TENSORS "}",
     GOOD_BYTES, DN_ERR_FORMAT, "metadata dropnet.epochs_done = \"1x\" is not a whole number"},
    {"duplicate metadata key",
     "{\"__metadata__\":{" META_KEYS ",\"owner\":\"other\"}," GOOD_TENSORS "}", GOOD_BYTES,
     DN_ERR_FORMAT, "__metadata__ key \"owner\" appears twice"},
    {"too many class names",
     "{\"__metadata__\":{" BASE_KEYS
     ",\"dropnet.class_names\":\"[\\\"a\\\",\\\"b\\\",\\\"c\\\"]\"}," GOOD_TENSORS "}",
     GOOD_BYTES, DN_ERR_FORMAT, "metadata dropnet.class_names has 3 entries, expected 2"},
    {"class names not strings",
     "{\"__metadata__\":{" BASE_KEYS ",\"dropnet.class_names\":\"[\\\"a\\\",2]\"}," GOOD_TENSORS
     "}",
     GOOD_BYTES, DN_ERR_FORMAT, "metadata dropnet.class_names entry 1 is not a string"},
    {"standardisation half given",
     "{\"__metadata__\":{" META_KEYS ",\"dropnet.standardization_mean\":\"[0,0,0]\"}," GOOD_TENSORS
     "}",
     GOOD_BYTES, DN_ERR_FORMAT, "must be given together"},
    {"standardisation std 0",
     "{\"__metadata__\":{" META_KEYS ",\"dropnet.standardization_mean\":\"[0,0,0]\","
     "\"dropnet.standardization_std\":\"[1,0,1]\"}," GOOD_TENSORS "}",
     GOOD_BYTES, DN_ERR_ARGUMENT,
     "dropnet.standardization_std: standardization std[1] must be > 0"},
    {"standardisation too short",
     "{\"__metadata__\":{" META_KEYS ",\"dropnet.standardization_mean\":\"[0,0]\","
     "\"dropnet.standardization_std\":\"[1,1,1]\"}," GOOD_TENSORS "}",
     GOOD_BYTES, DN_ERR_FORMAT, "metadata dropnet.standardization_mean has 2 entries, expected 3"},
    {"bad spec",
     "{\"__metadata__\":{\"dropnet.format\":\"1\",\"dropnet.input_size\":\"3\",\"dropnet.spec\":"
     "\"dense:4:relu,drop:0.5\","
     "\"dropnet.loss\":\"sparse_categorical_crossentropy\",\"dropnet.optimizer\":\"sgd\"}"
     "," GOOD_TENSORS "}",
     GOOD_BYTES, DN_ERR_FORMAT, "dropnet.spec: model spec column 14: unknown layer type \"drop\""},
    {"loss that does not fit",
     "{\"__metadata__\":{\"dropnet.format\":\"1\",\"dropnet.input_size\":\"3\","
     "\"dropnet.spec\":\"dense:4:relu,dropout:0.5,dense:2:softmax\",\"dropnet.loss\":\"binary_"
     "crossentropy\","
     "\"dropnet.optimizer\":\"adam\"}," GOOD_TENSORS "}",
     GOOD_BYTES, DN_ERR_SHAPE,
     "cannot compile the stored model: binary cross-entropy needs a sigmoid"},
};

TEST(safetensors_corrupt_files_are_refused) {
    fixture f;
    if (!fixture_open(&f)) return;
    for (size_t i = 0; i < sizeof BAD_FILES / sizeof BAD_FILES[0]; ++i) {
        const bad_case *c = &BAD_FILES[i];
        write_file(&f, c->header, 0, c->data_len, 0);
        dn_model *m = NULL;
        dn_error err;
        memset(&err, 0, sizeof err);
        dn_status st = dn_model_load(&m, f.path, &err);
        CHECK_MSG(st == c->status, "%s: status %s, expected %s (%s)", c->what, dn_status_name(st),
                  dn_status_name(c->status), err.message);
        CHECK_MSG(strstr(err.message, c->needle) != NULL, "%s: message \"%s\" lacks \"%s\"",
                  c->what, err.message, c->needle);
        CHECK_MSG(strncmp(err.message, f.path, strlen(f.path)) == 0,
                  "%s: \"%s\" should start "
                  "with the path",
                  c->what, err.message);
        CHECK(m == NULL);
        dn_model_free(m);
    }
    fixture_close(&f);
}

/* Damage to the length prefix or the size of the file, and bad weights. */
TEST(safetensors_bad_lengths_and_values_are_refused) {
    fixture f;
    if (!fixture_open(&f)) return;
    const char *good = "{" META "," GOOD_TENSORS "}";
    size_t padded = (strlen(good) + 7) / 8 * 8, total = 8 + padded + GOOD_BYTES;
    static const struct {
        const char *what;
        uint64_t length; /* 0: the true one */
        size_t cut;      /* 0: whole file */
        const char *needle;
    } cases[] = {
        {"tiny file", 0, 5, "the file is 5 bytes, too short for the 8-byte header length"},
        {"header over the limit", 100000001, 0,
         "header length 100000001 (bytes 0-7) exceeds the "
         "limit of 100000000 bytes"},
        {"header past the file", 1u << 20, 0,
         "header length 1048576 (bytes 0-7) runs past the "
         "end of the file"},
        {"cut inside the header", 0, 40, "runs past the end of the file: only 32 bytes follow"},
        {"cut inside the data", 0, 1,
         "past the end of the data buffer (100 bytes; is the file "
         "truncated?)"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; ++i) {
        /* "cut inside the data" removes the last 4 bytes. */
        size_t cut = cases[i].cut == 1 ? total - 4 : cases[i].cut;
        write_file(&f, good, cases[i].length, GOOD_BYTES, cut);
        dn_model *m = NULL;
        dn_error err;
        memset(&err, 0, sizeof err);
        CHECK_MSG(dn_model_load(&m, f.path, &err) == DN_ERR_FORMAT, "%s: %s", cases[i].what,
                  err.message);
        CHECK_MSG(strstr(err.message, cases[i].needle) != NULL, "%s: message \"%s\" lacks \"%s\"",
                  cases[i].what, err.message, cases[i].needle);
        CHECK(m == NULL);
    }

    /* A NaN weight (bias 1 of layer 2, the last float). */
    f.data[GOOD_BYTES - 2] = 0xc0;
    f.data[GOOD_BYTES - 1] = 0x7f;
    write_file(&f, good, 0, GOOD_BYTES, 0);
    dn_model *m = NULL;
    dn_error err;
    CHECK(dn_model_load(&m, f.path, &err) == DN_ERR_NUMERIC);
    CHECK_MSG(strstr(err.message, "tensor \"layers.2.bias\" element 1 is nan"), "got \"%s\"",
              err.message);

    /* No file at all, and a directory. */
    unlink(f.path);
    CHECK(dn_model_load(&m, f.path, &err) == DN_ERR_IO);
    CHECK_MSG(strstr(err.message, "cannot open") && strstr(err.message, f.path), "got \"%s\"",
              err.message);
    CHECK(dn_model_load(&m, f.dir, &err) == DN_ERR_IO);
    CHECK(strstr(err.message, "not a regular file") != NULL);
    CHECK(m == NULL);
    fixture_close(&f);
}
