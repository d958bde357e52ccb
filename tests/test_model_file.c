/* test_model_file.c — saving and loading models (bit-exact weights and predictions, every
 * setting and annotation restored, the layout of the file), atomic saves, standardisation, class
 * names, metadata and copying weights between models. */
#include "test.h"

#include "dropnet.h"
#include "io/safetensors.h"
#include "model/model.h"

#include <dirent.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* A fresh directory for one test's files, removed (with its files) by tmp_done. */
typedef struct tmp_dir {
    char path[64];
} tmp_dir;

static int tmp_make(tmp_dir *t) {
    snprintf(t->path, sizeof t->path, "/tmp/dn-model-file-XXXXXX");
    return CHECK(mkdtemp(t->path) != NULL);
}

static void tmp_file(const tmp_dir *t, const char *name, char *out, size_t size) {
    snprintf(out, size, "%s/%s", t->path, name);
}

/* Number of entries in `dir` (without . and ..); those whose name contains `part` when set. */
static int count_entries(const char *dir, const char *part) {
    DIR *d = opendir(dir);
    if (d == NULL) return -1;
    int n = 0;
    for (struct dirent *e; (e = readdir(d)) != NULL;)
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..") && (!part || strstr(e->d_name, part)))
            n++;
    closedir(d);
    return n;
}

static void tmp_done(tmp_dir *t) {
    DIR *d = opendir(t->path);
    if (d == NULL) return;
    for (struct dirent *e; (e = readdir(d)) != NULL;) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
        char path[sizeof t->path + sizeof e->d_name + 1];
        snprintf(path, sizeof path, "%s/%s", t->path, e->d_name);
        if (unlink(path) != 0) rmdir(path);
    }
    closedir(d);
    rmdir(t->path);
}

static long file_size(const char *path) {
    struct stat st;
    return stat(path, &st) == 0 ? (long)st.st_size : -1;
}

static dn_model *spec_model(size_t inputs, const char *spec, dn_loss loss,
                            const dn_optimizer_config *opt, uint64_t seed) {
    dn_model *m = NULL;
    dn_error err;
    CHECK_OK(dn_model_from_spec(&m, inputs, spec, &err), &err);
    if (m == NULL) return NULL;
    if (dn_model_compile(m, loss, opt, seed, &err) != DN_OK) {
        CHECK_MSG(0, "compile: %s", err.message);
        dn_model_free(m);
        return NULL;
    }
    return m;
}

static const char *const CLASS_NAMES[] = {"alpha", "beta",
                                          "\xce\xb3\xce\xac\xce\xbc\xce\xbc\xce\xb1"};

/* A trained model with every annotation set: class names, standardisation, metadata. */
static dn_model *trained_model(dn_dataset **data_out) {
    dn_optimizer_config sgd = dn_optimizer_defaults(DN_OPTIMIZER_SGD);
    sgd.learning_rate = 0.05f;
    sgd.momentum = 0.9f;
    sgd.nesterov = 1;
    dn_model *m = spec_model(6,
                             "dense:16:relu,dropout:0.3,dense:8:tanh,dropout:0.1,"
                             "dense:3:softmax",
                             DN_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY, &sgd, 1234);
    dn_dataset *d = NULL;
    dn_error err;
    CHECK_OK(dn_dataset_create_synthetic(&d, 64, 6, 3, 7, &err), &err);
    *data_out = d;
    if (m == NULL || d == NULL) return m;
    dn_fit_config fc = dn_fit_defaults();
    fc.epochs = 2;
    fc.batch_size = 16;
    CHECK_OK(dn_model_fit(m, d, &fc, NULL, NULL, NULL, &err), &err);
    CHECK_OK(dn_model_set_class_names(m, CLASS_NAMES, 3, &err), &err);
    float mean[6], std[6];
    for (int i = 0; i < 6; ++i) {
        mean[i] = (float)i / 3.0f - 0.7f;
        std[i] = 1.0f + (float)i * 0.1f;
    }
    CHECK_OK(dn_model_set_standardization(m, mean, std, &err), &err);
    CHECK_OK(dn_model_set_metadata(m, "epochs", "2", &err), &err);
    CHECK_OK(dn_model_set_metadata(m, "note", "quote \" backslash \\ newline \n end", &err), &err);
    return m;
}

static void check_same_model(dn_model *a, dn_model *b) {
    CHECK(dn_model_input_size(b) == dn_model_input_size(a));
    CHECK(dn_model_layer_count(b) == dn_model_layer_count(a));
    CHECK(dn_model_param_count(b) == dn_model_param_count(a));
    CHECK(dn_model_step(b) == dn_model_step(a) && dn_model_step(a) > 0);
    CHECK(a->epochs_done == b->epochs_done && a->epochs_done > 0);
    CHECK(dn_model_seed(b) == dn_model_seed(a));
    CHECK(dn_model_loss(b) == dn_model_loss(a));
    CHECK(memcmp(&a->optimizer, &b->optimizer, sizeof a->optimizer) == 0);
    CHECK_MSG(memcmp(dn_model_params(a), dn_model_params(b),
                     dn_model_param_count(a) * sizeof(float)) == 0,
              "parameters differ");
    char sa[256], sb[256];
    dn_model_spec(a, sa, sizeof sa);
    dn_model_spec(b, sb, sizeof sb);
    CHECK_MSG(strcmp(sa, sb) == 0, "spec \"%s\" came back as \"%s\"", sa, sb);
    for (size_t i = 0; i < 4; ++i) {
        const char *na = dn_model_class_name(a, i), *nb = dn_model_class_name(b, i);
        CHECK(na == nb || (na && nb && strcmp(na, nb) == 0));
    }
    const float *ma, *sa_, *mb, *sb_;
    CHECK(dn_model_get_standardization(a, &ma, &sa_) == dn_model_get_standardization(b, &mb, &sb_));
    if (a->std_mean && b->std_mean) {
        size_t n = dn_model_input_size(a) * sizeof(float);
        CHECK(memcmp(ma, mb, n) == 0 && memcmp(sa_, sb_, n) == 0);
    }
    CHECK(dn_model_metadata_count(b) == dn_model_metadata_count(a));
    for (size_t i = 0; i < dn_model_metadata_count(a); ++i) {
        const char *key = dn_model_metadata_key(a, i);
        const char *vb = dn_model_get_metadata(b, key);
        CHECK_MSG(vb && strcmp(vb, dn_model_get_metadata(a, key)) == 0, "metadata %s", key);
    }
}

TEST(model_file_round_trip_is_bit_exact) {
    tmp_dir t;
    if (!tmp_make(&t)) return;
    dn_dataset *d = NULL;
    dn_model *m = trained_model(&d), *back = NULL;
    char path[128];
    tmp_file(&t, "model.safetensors", path, sizeof path);
    dn_error err;
    if (m != NULL && d != NULL) {
        CHECK_OK(dn_model_save(m, path, &err), &err);
        CHECK_OK(dn_model_load(&back, path, &err), &err);
    }
    if (back != NULL) {
        check_same_model(m, back);
        CHECK(strcmp(dn_model_class_name(back, 2), CLASS_NAMES[2]) == 0);
        CHECK(strcmp(dn_model_get_metadata(back, "note"), "quote \" backslash \\ newline \n end") ==
              0);
        /* Predictions on 40 rows (more than one chunk of 32) are bit-identical. */
        enum { ROWS = 40 };
        float x[ROWS * 6], pa[ROWS * 3], pb[ROWS * 3];
        for (size_t r = 0; r < ROWS; ++r) CHECK_OK(dn_dataset_get_row(d, r, x + r * 6, &err), &err);
        CHECK_OK(dn_model_predict(m, x, ROWS, pa, &err), &err);
        CHECK_OK(dn_model_predict(back, x, ROWS, pb, &err), &err);
        CHECK_MSG(memcmp(pa, pb, sizeof pa) == 0, "predictions differ");
        CHECK(pa[0] > 0.0f && pa[0] < 1.0f); /* real probabilities, not an untouched buffer */
        /* Saving the loaded model again gives the same bytes. */
        char again[128];
        tmp_file(&t, "again.safetensors", again, sizeof again);
        CHECK_OK(dn_model_save(back, again, &err), &err);
        CHECK(file_size(again) == file_size(path) && file_size(path) > 0);
    }
    dn_model_free(back);
    dn_model_free(m);
    dn_dataset_free(d);
    tmp_done(&t);
}

TEST(model_file_keeps_adam_settings_and_writes_only_its_keys) {
    tmp_dir t;
    if (!tmp_make(&t)) return;
    dn_optimizer_config adam = dn_optimizer_defaults(DN_OPTIMIZER_ADAM);
    adam.beta1 = 0.85f;
    adam.beta2 = 0.995f;
    adam.epsilon = 1e-6f;
    adam.learning_rate = 3e-4f;
    dn_model *m = spec_model(3, "dense:2", DN_LOSS_MEAN_SQUARED_ERROR, &adam, UINT64_MAX),
             *back = NULL;
    char path[128];
    tmp_file(&t, "adam.safetensors", path, sizeof path);
    dn_error err;
    if (m != NULL) {
        CHECK_OK(dn_model_save(m, path, &err), &err);
        CHECK_OK(dn_model_load(&back, path, &err), &err);
    }
    if (back != NULL) {
        CHECK(memcmp(&back->optimizer, &adam, sizeof adam) == 0);
        CHECK(dn_model_seed(back) == UINT64_MAX);
        CHECK(dn_model_loss(back) == DN_LOSS_MEAN_SQUARED_ERROR);
        CHECK(dn_model_class_name(back, 0) == NULL);
        CHECK(!dn_model_get_standardization(back, NULL, NULL));
        CHECK(dn_model_metadata_count(back) == 0);
    }
    dn_st_file f;
    dn_status opened = m ? dni_st_open(&f, path, &err) : DN_ERR_STATE;
    CHECK_MSG(opened == DN_OK, "open: %s", err.message);
    if (opened == DN_OK) {
        const char *expect[][2] = {{"dropnet.format", "1"},
                                   {"dropnet.version", DN_VERSION_STRING},
                                   {"dropnet.input_size", "3"},
                                   {"dropnet.spec", "dense:2:linear"},
                                   {"dropnet.loss", "mean_squared_error"},
                                   {"dropnet.optimizer", "adam"},
                                   {"dropnet.learning_rate", "0.0003"},
                                   {"dropnet.beta1", "0.85"},
                                   {"dropnet.beta2", "0.995"},
                                   {"dropnet.epsilon", "1e-06"},
                                   {"dropnet.seed", "18446744073709551615"},
                                   {"dropnet.step", "0"}};
        for (size_t i = 0; i < sizeof expect / sizeof expect[0]; ++i) {
            const char *v = dni_st_metadata(&f, expect[i][0]);
            CHECK_MSG(v && strcmp(v, expect[i][1]) == 0, "%s = \"%s\", expected \"%s\"",
                      expect[i][0], v ? v : "(absent)", expect[i][1]);
        }
        CHECK(dni_st_metadata(&f, "dropnet.momentum") == NULL);
        CHECK(dni_st_metadata(&f, "dropnet.class_names") == NULL);
        CHECK(f.tensor_count == 2);
        dni_st_close(&f);
    }
    dn_model_free(back);
    dn_model_free(m);
    tmp_done(&t);
}

static unsigned char *read_all(const char *path, size_t *size) {
    FILE *f = fopen(path, "rb");
    if (f == NULL) return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    unsigned char *bytes = malloc(n > 0 ? (size_t)n : 1);
    *size = bytes && n > 0 ? fread(bytes, 1, (size_t)n, f) : 0;
    fclose(f);
    return bytes;
}

/* The bytes on disk, read independently of the library: length, padded header, then every
 * parameter as a little-endian float in slab order (kernel, bias per dense layer). */
TEST(model_file_layout_matches_the_format) {
    tmp_dir t;
    if (!tmp_make(&t)) return;
    dn_model *m = spec_model(6, "dense:16:relu,dropout:0.5,dense:3:softmax",
                             DN_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY, NULL, 9);
    char path[128];
    tmp_file(&t, "layout.safetensors", path, sizeof path);
    dn_error err;
    size_t size = 0;
    unsigned char *bytes = NULL;
    if (m != NULL) {
        CHECK_OK(dn_model_save(m, path, &err), &err);
        bytes = read_all(path, &size);
    }
    if (bytes != NULL && CHECK(size > 8)) {
        uint64_t n = 0;
        for (int i = 7; i >= 0; --i) n = n << 8 | bytes[i];
        CHECK_MSG(n % 8 == 0 && 8 + n <= size, "header length %llu", (unsigned long long)n);
        size_t params = dn_model_param_count(m);
        CHECK(params == 6 * 16 + 16 + 16 * 3 + 3);
        CHECK_MSG(size == 8 + n + 4 * params, "file %zu bytes, header %llu", size,
                  (unsigned long long)n);
        char *header = calloc(1, (size_t)n + 1);
        if (header != NULL && 8 + n <= size) {
            memcpy(header, bytes + 8, (size_t)n);
            CHECK(strncmp(header, "{\"__metadata__\":{", 17) == 0);
            CHECK(strstr(header, "\"layers.0.kernel\":{\"dtype\":\"F32\",\"shape\":[6,16],"
                                 "\"data_offsets\":[0,384]}") != NULL);
            CHECK(strstr(header, "\"layers.0.bias\":{\"dtype\":\"F32\",\"shape\":[16],"
                                 "\"data_offsets\":[384,448]}") != NULL);
            CHECK(strstr(header, "\"layers.2.kernel\":{\"dtype\":\"F32\",\"shape\":[16,3],"
                                 "\"data_offsets\":[448,640]}") != NULL);
            CHECK(strstr(header, "\"layers.2.bias\":{\"dtype\":\"F32\",\"shape\":[3],"
                                 "\"data_offsets\":[640,652]}") != NULL);
            char *close = strrchr(header, '}');
            CHECK(close != NULL && strspn(close + 1, " ") == strlen(close + 1) &&
                  strlen(close + 1) < 8);
        }
        free(header);
        const float *p = dn_model_params(m);
        size_t mismatches = 0;
        for (size_t k = 0; k < params && 8 + n + 4 * k + 4 <= size; ++k) {
            const unsigned char *b = bytes + 8 + n + 4 * k;
            uint32_t bits = (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 |
                            (uint32_t)b[3] << 24,
                     want;
            memcpy(&want, &p[k], 4);
            mismatches += bits != want;
        }
        CHECK_MSG(mismatches == 0, "%zu parameters differ on disk", mismatches);
        CHECK(p[6 * 16] == 0.0f && p[0] != 0.0f); /* bias 0, glorot kernel */
    }
    free(bytes);
    dn_model_free(m);
    tmp_done(&t);
}

TEST(model_save_is_atomic) {
    tmp_dir t;
    if (!tmp_make(&t)) return;
    dn_model *m =
        spec_model(4, "dense:3:softmax", DN_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY, NULL, 1);
    dn_error err;
    char path[128], missing[160], sub[128];
    if (m == NULL) goto done;

    /* A directory that does not exist: an i/o error naming the path, nothing created. */
    tmp_file(&t, "missing", missing, sizeof missing);
    strcat(missing, "/model.safetensors");
    CHECK(dn_model_save(m, missing, &err) == DN_ERR_IO);
    CHECK_MSG(strstr(err.message, missing) != NULL, "got \"%s\"", err.message);
    CHECK(count_entries(t.path, NULL) == 0);

    /* Over an existing, larger file: replaced whole. */
    tmp_file(&t, "over.safetensors", path, sizeof path);
    FILE *junk = fopen(path, "wb");
    if (CHECK(junk != NULL)) {
        for (int i = 0; i < 100000; ++i) fputc('j', junk);
        fclose(junk);
    }
    CHECK_OK(dn_model_save(m, path, &err), &err);
    long saved = file_size(path);
    CHECK_MSG(saved > 8 && saved < 100000, "size %ld", saved);
    dn_model *back = NULL;
    CHECK_OK(dn_model_load(&back, path, &err), &err);
    if (back) CHECK(memcmp(dn_model_params(back), dn_model_params(m), 15 * sizeof(float)) == 0);
    dn_model_free(back);
    CHECK(count_entries(t.path, ".tmp.") == 0 && count_entries(t.path, NULL) == 1);

    /* Onto a directory: refused before a temporary file is made; the directory stays. */
    tmp_file(&t, "sub", sub, sizeof sub);
    if (CHECK(mkdir(sub, 0700) == 0)) {
        CHECK(dn_model_save(m, sub, &err) == DN_ERR_IO);
        CHECK_MSG(strstr(err.message, "is a directory") != NULL, "got \"%s\"", err.message);
        CHECK(count_entries(t.path, ".tmp.") == 0 && count_entries(sub, NULL) == 0);
    }

    /* An uncompiled model: refused before any file is touched. */
    dn_model *raw = NULL;
    CHECK_OK(dn_model_from_spec(&raw, 4, "dense:3:softmax", &err), &err);
    tmp_file(&t, "raw.safetensors", path, sizeof path);
    CHECK(dn_model_save(raw, path, &err) == DN_ERR_STATE);
    CHECK(file_size(path) == -1);
    dn_model_free(raw);
done:
    dn_model_free(m);
    tmp_done(&t);
}

TEST(model_standardization) {
    dn_model *m = NULL;
    dn_error err;
    CHECK_OK(dn_model_from_spec(&m, 3, "dense:2", &err), &err);
    if (m == NULL) return;
    float x[6] = {1, 2, 3, -4, 5.5f, 0.25f}, x0[6];
    memcpy(x0, x, sizeof x);
    CHECK(!dn_model_get_standardization(m, NULL, NULL));
    dni_model_standardize_rows(m, x, 2);
    CHECK(memcmp(x, x0, sizeof x) == 0); /* no-op when unset */

    const float mean[3] = {0.5f, -1.0f, 3.0f}, std[3] = {2.0f, 0.5f, 4.0f};
    CHECK_OK(dn_model_set_standardization(m, mean, std, &err), &err);
    const float *gm = NULL, *gs = NULL;
    CHECK(dn_model_get_standardization(m, &gm, &gs) == 1);
    CHECK(gm && gs && gm != mean && memcmp(gm, mean, sizeof mean) == 0 &&
          memcmp(gs, std, sizeof std) == 0);
    dni_model_standardize_rows(m, x, 2);
    const float want[6] = {0.25f, 6.0f, 0.0f, -2.25f, 13.0f, -0.6875f};
    for (int i = 0; i < 6; ++i)
        CHECK_MSG(x[i] == want[i], "x[%d] = %g, expected %g", i, x[i], want[i]);

    /* Refusals keep the previous setting. */
    const float zero_std[3] = {1, 0, 1}, nan_mean[3] = {0, 0, NAN}, inf_std[3] = {1, 1, INFINITY};
    CHECK(dn_model_set_standardization(m, mean, zero_std, &err) == DN_ERR_ARGUMENT);
    CHECK_MSG(strstr(err.message, "std[1] must be > 0 and finite, got 0"), "got \"%s\"",
              err.message);
    CHECK(dn_model_set_standardization(m, mean, inf_std, &err) == DN_ERR_ARGUMENT);
    CHECK(strstr(err.message, "std[2]") != NULL);
    CHECK(dn_model_set_standardization(m, nan_mean, std, &err) == DN_ERR_ARGUMENT);
    CHECK_MSG(strstr(err.message, "mean[2] must be finite"), "got \"%s\"", err.message);
    CHECK(dn_model_set_standardization(m, mean, NULL, &err) == DN_ERR_ARGUMENT);
    CHECK(dn_model_get_standardization(m, &gm, &gs) == 1 && gs[1] == 0.5f);
    CHECK_OK(dn_model_set_standardization(m, NULL, NULL, &err), &err);
    CHECK(!dn_model_get_standardization(m, NULL, NULL));
    dn_model_free(m);
}

TEST(model_class_names_and_metadata) {
    dn_model *m = NULL, *empty = NULL;
    dn_error err;
    CHECK_OK(dn_model_from_spec(&m, 3, "dense:3:softmax", &err), &err);
    CHECK_OK(dn_model_create(&empty, 3, &err), &err);
    if (m == NULL || empty == NULL) goto done;
    CHECK(dn_model_class_name(m, 0) == NULL);
    const char *two[] = {"a", "b"};
    CHECK(dn_model_set_class_names(m, two, 2, &err) == DN_ERR_SHAPE);
    CHECK_MSG(strstr(err.message, "2 class names given but the output layer has 3 units"),
              "got \"%s\"", err.message);
    CHECK(dn_model_set_class_names(empty, two, 2, &err) == DN_ERR_STATE);
    const char *with_null[] = {"a", NULL, "c"}, *bad_utf8[] = {"a", "b\xff", "c"};
    CHECK(dn_model_set_class_names(m, with_null, 3, &err) == DN_ERR_ARGUMENT);
    CHECK(dn_model_set_class_names(m, bad_utf8, 3, &err) == DN_ERR_ARGUMENT);
    CHECK(strstr(err.message, "class name 1 is not valid UTF-8") != NULL);
    char mutable_name[] = "cat";
    const char *names[] = {mutable_name, "dog", "emu"};
    CHECK_OK(dn_model_set_class_names(m, names, 3, &err), &err);
    mutable_name[0] = 'b'; /* the model keeps its own copy */
    CHECK(dn_model_class_name(m, 0) && strcmp(dn_model_class_name(m, 0), "cat") == 0);
    CHECK(strcmp(dn_model_class_name(m, 2), "emu") == 0 && dn_model_class_name(m, 3) == NULL);

    CHECK(dn_model_get_metadata(m, "lr") == NULL);
    CHECK_OK(dn_model_set_metadata(m, "lr", "0.1", &err), &err);
    CHECK_OK(dn_model_set_metadata(m, "batch", "32", &err), &err);
    CHECK_OK(dn_model_set_metadata(m, "lr", "0.01", &err), &err);
    CHECK(strcmp(dn_model_get_metadata(m, "lr"), "0.01") == 0);
    CHECK(dn_model_metadata_count(m) == 2 && strcmp(dn_model_metadata_key(m, 1), "batch") == 0);
    CHECK(dn_model_set_metadata(m, "dropnet.spec", "x", &err) == DN_ERR_ARGUMENT);
    CHECK_MSG(strstr(err.message, "\"dropnet.spec\" is reserved"), "got \"%s\"", err.message);
    CHECK(dn_model_set_metadata(m, "", "x", &err) == DN_ERR_ARGUMENT);
    CHECK(dn_model_set_metadata(m, "k", "\xc0\xaf", &err) == DN_ERR_ARGUMENT); /* overlong '/' */
    CHECK_OK(dn_model_set_metadata(m, "lr", NULL, &err), &err);
    CHECK(dn_model_get_metadata(m, "lr") == NULL && dn_model_metadata_count(m) == 1);
    CHECK(strcmp(dn_model_metadata_key(m, 0), "batch") == 0 && !dn_model_metadata_key(m, 1));
    for (int i = 0; i < 20; ++i) { /* growth past the first allocation */
        char key[16];
        snprintf(key, sizeof key, "k%d", i);
        CHECK_OK(dn_model_set_metadata(m, key, key, &err), &err);
    }
    CHECK(dn_model_metadata_count(m) == 21 && strcmp(dn_model_get_metadata(m, "k19"), "k19") == 0);
    CHECK_OK(dn_model_set_class_names(m, NULL, 0, &err), &err);
    CHECK(dn_model_class_name(m, 0) == NULL);
done:
    dn_model_free(m);
    dn_model_free(empty);
}

TEST(model_copy_weights) {
    dn_model *src = spec_model(4, "dense:5:relu,dropout:0.5,dense:3:softmax",
                               DN_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY, NULL, 1);
    dn_model *dst = spec_model(4, "dropout:0.2,dense:5:tanh,dense:3:softmax",
                               DN_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY, NULL, 2);
    dn_model *wide = spec_model(4, "dense:6:relu,dense:3:softmax",
                                DN_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY, NULL, 3);
    dn_model *deep = spec_model(4, "dense:5,dense:5,dense:3:softmax",
                                DN_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY, NULL, 3);
    dn_error err;
    if (!src || !dst || !wide || !deep) goto done;
    size_t n = dn_model_param_count(src);
    CHECK(n == dn_model_param_count(dst) &&
          memcmp(dn_model_params(src), dn_model_params(dst), n * sizeof(float)) != 0);
    const float mean[4] = {1, 2, 3, 4}, std[4] = {1, 1, 2, 2};
    CHECK_OK(dn_model_set_standardization(src, mean, std, &err), &err);
    CHECK_OK(dn_model_set_class_names(src, (const char *const[]){"x", "y", "z"}, 3, &err), &err);
    CHECK_OK(dn_model_set_class_names(dst, (const char *const[]){"p", "q", "r"}, 3, &err), &err);
    CHECK_OK(dn_model_copy_weights(dst, src, &err), &err);
    CHECK(memcmp(dn_model_params(src), dn_model_params(dst), n * sizeof(float)) == 0);
    const float *gm;
    CHECK(dn_model_get_standardization(dst, &gm, NULL) && gm[3] == 4.0f); /* dst had none */
    CHECK(strcmp(dn_model_class_name(dst, 0), "p") == 0);                 /* dst's own kept */

    CHECK(dn_model_copy_weights(wide, src, &err) == DN_ERR_SHAPE);
    CHECK_MSG(strstr(err.message, "dense layer 0 (\"dense\") is 4×5 in the source but 4×6 here"),
              "got \"%s\"", err.message);
    CHECK(dn_model_copy_weights(deep, src, &err) == DN_ERR_SHAPE);
    CHECK_MSG(strstr(err.message, "the source has 2 dense layers, this model 3"), "got \"%s\"",
              err.message);
    dn_model *raw = NULL;
    CHECK_OK(dn_model_from_spec(&raw, 4, "dense:5,dense:3:softmax", &err), &err);
    CHECK(dn_model_copy_weights(raw, src, &err) == DN_ERR_STATE);
    dn_model_free(raw);
done:
    dn_model_free(src);
    dn_model_free(dst);
    dn_model_free(wide);
    dn_model_free(deep);
}
