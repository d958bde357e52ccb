/* test_bf16_store.c — dn_model_save_as(…, DN_PRECISION_BF16): the dense kernels stored as BF16
 * (half their bytes; biases stay F32), each weight rounded as the bf16 products round it; the file
 * loads as a bf16-precision model whose predictions equal the saved model's bf16 predictions bit
 * for bit (1 and 2 threads, with and without the inference packing); a checkpoint with BF16
 * kernels is refused, naming why. */
#include "test.h"

#include "dropnet.h"
#include "kernels/bf16.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { IN = 64, HIDDEN = 96, CLASSES = 10, R = 40 };

/* Occurrences of `needle` in the first `n` bytes of `text`. */
static size_t count_in(const char *text, size_t n, const char *needle) {
    size_t count = 0, len = strlen(needle);
    for (size_t i = 0; i + len <= n; ++i) count += memcmp(text + i, needle, len) == 0;
    return count;
}

/* The whole file at `path` (NUL-terminated; its size in *size), or NULL. */
static char *slurp(const char *path, size_t *size) {
    FILE *f = fopen(path, "rb");
    if (f == NULL) return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    rewind(f);
    char *bytes = n > 0 ? malloc((size_t)n + 1) : NULL;
    if (bytes != NULL && fread(bytes, 1, (size_t)n, f) == (size_t)n) {
        bytes[n] = '\0';
        *size = (size_t)n;
    } else {
        free(bytes);
        bytes = NULL;
    }
    fclose(f);
    return bytes;
}

/* `from` rewritten as a checkpoint (metadata "dropnet.checkpoint_state" added; the checksum no
 * longer matches, but tensors are checked first) into `to`; 1 on success. */
static int as_checkpoint(const char *from, const char *to) {
    size_t size = 0;
    char *file = slurp(from, &size);
    if (file == NULL || size < 8) return free(file), 0;
    size_t header = 0;
    for (int b = 7; b >= 0; --b) header = header << 8 | (unsigned char)file[b];
    const char *key = "{\"__metadata__\":{", *add = "\"dropnet.checkpoint_state\":\"{}\",";
    if (memcmp(file + 8, key, strlen(key)) != 0) return free(file), 0;
    size_t grown = (header + strlen(add) + 7) / 8 * 8;
    FILE *f = fopen(to, "wb");
    int ok = f != NULL;
    unsigned char length[8];
    for (int b = 0; b < 8; ++b) length[b] = (unsigned char)(grown >> (8 * b));
    if (ok) {
        ok = fwrite(length, 1, 8, f) == 8 && fwrite(key, 1, strlen(key), f) == strlen(key) &&
             fwrite(add, 1, strlen(add), f) == strlen(add) &&
             fwrite(file + 8 + strlen(key), 1, header - strlen(key), f) == header - strlen(key);
        for (size_t i = header + strlen(add); ok && i < grown; ++i) ok = fputc(' ', f) != EOF;
        ok = ok && fwrite(file + 8 + header, 1, size - 8 - header, f) == size - 8 - header;
        ok = fclose(f) == 0 && ok;
    }
    free(file);
    return ok;
}

TEST(bf16_stored_weights_round_trip) {
    dn_model *m = NULL, *loaded = NULL;
    dn_dataset *data = NULL;
    dn_error err;
    char dir[64], f32[128], b16[128], ck[128];
    FILE *probe = dn_test_scratch_file(dir, "bf16store", "probe");
    if (probe == NULL) return;
    fclose(probe);
    snprintf(f32, sizeof f32, "%s/f32.safetensors", dir);
    snprintf(b16, sizeof b16, "%s/b16.safetensors", dir);
    snprintf(ck, sizeof ck, "%s/ck.safetensors", dir);
    CHECK_OK(dn_dataset_create_synthetic(&data, R, IN, CLASSES, 3, &err), &err);
    CHECK_OK(dn_model_from_spec(&m, IN, "dense:96:relu,dropout:0.5,dense:10:softmax", &err), &err);
    dn_optimizer_config sgd = dn_optimizer_defaults(DN_OPTIMIZER_SGD);
    CHECK_OK(dn_model_compile(m, DN_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY, &sgd, 5, &err), &err);
    static float x[R * IN], saved[R * CLASSES], got[R * CLASSES], saved_fp32[R * CLASSES];
    for (size_t r = 0; r < R; ++r) dn_dataset_get_row(data, r, x + r * IN, &err);
    CHECK_OK(dn_model_predict(m, x, R, saved_fp32, &err), &err);
    CHECK_OK(dn_model_set_precision(m, DN_PRECISION_BF16, &err), &err);
    CHECK_OK(dn_model_predict(m, x, R, saved, &err), &err);

    CHECK_OK(dn_model_save_as(m, f32, DN_PRECISION_FP32, &err), &err);
    CHECK_OK(dn_model_save_as(m, b16, DN_PRECISION_BF16, &err), &err);
    CHECK(dn_model_save_as(m, b16, (dn_precision)7, &err) == DN_ERR_ARGUMENT);
    /* Half the kernels' bytes: 2 per weight fewer, give or take the header's dtype texts and
     * offsets (under 64 bytes). */
    long kernels = IN * HIDDEN + HIDDEN * CLASSES;
    long saved_bytes = dn_test_size_in(dir, "f32.safetensors") - dn_test_size_in(dir, "b16.safetensors");
    CHECK_MSG(saved_bytes > 2 * kernels - 64 && saved_bytes < 2 * kernels + 64,
              "BF16 kernels saved %ld bytes, expected about %ld", saved_bytes, 2 * kernels);
    size_t size = 0;
    char *file = slurp(b16, &size);
    unsigned long long header = dn_test_header_length(NULL, b16);
    if (CHECK(file != NULL && header > 0 && header < size)) {
        CHECK_MSG(count_in(file + 8, header, "\"dtype\":\"BF16\"") == 2 &&
                      count_in(file + 8, header, "\"dtype\":\"F32\"") == 2,
                  "expected 2 BF16 kernels and 2 F32 biases: %.*s", (int)header, file + 8);
    }
    free(file);

    CHECK_OK(dn_model_load(&loaded, b16, &err), &err);
    if (loaded == NULL) goto done;
    CHECK(dn_model_precision(loaded) == DN_PRECISION_BF16);
    /* Kernels: the saved weights rounded (nearest even); biases: exact. */
    const float *w = dn_model_params(m), *v = dn_model_params(loaded);
    const size_t sizes[4] = {IN * HIDDEN, HIDDEN, HIDDEN * CLASSES, CLASSES};
    size_t at = 0, wrong = 0;
    for (int t = 0; t < 4; ++t)
        for (size_t i = 0; i < sizes[t]; ++i, ++at)
            wrong += (t % 2 == 0 ? dni_bf16_round(w[at]) : w[at]) != v[at];
    CHECK_MSG(wrong == 0 && at == dn_model_param_count(m), "%zu weights not as stored", wrong);
    for (int threads = 1; threads <= 2; ++threads)
        for (int prepared = 0; prepared <= 1; ++prepared) {
            CHECK_OK(dn_model_set_threads(loaded, threads, &err), &err);
            if (prepared) CHECK_OK(dn_model_prepare_inference(loaded, &err), &err);
            else (void)dn_model_params(loaded); /* drops the packing */
            CHECK_OK(dn_model_predict(loaded, x, R, got, &err), &err);
            CHECK_MSG(memcmp(got, saved, sizeof got) == 0,
                      "%d threads, %s: the BF16 file predicts other bits than the saved model "
                      "in bf16", threads, prepared ? "prepared" : "unprepared");
        }
    /* The weights really are rounded: in fp32 the loaded model differs from the saved one. */
    CHECK_OK(dn_model_set_precision(loaded, DN_PRECISION_FP32, &err), &err);
    CHECK_OK(dn_model_predict(loaded, x, R, got, &err), &err);
    CHECK(memcmp(got, saved_fp32, sizeof got) != 0);
    dn_model_free(loaded);
    loaded = NULL;

    /* A checkpoint resumes fp32 master weights: BF16 kernels there are refused. */
    if (CHECK(as_checkpoint(b16, ck))) {
        CHECK(dn_model_load(&loaded, ck, &err) == DN_ERR_FORMAT);
        CHECK_MSG(strstr(err.message, "is BF16, but a checkpoint resumes fp32 master weights") !=
                      NULL, "%s", err.message);
        CHECK(loaded == NULL);
    }
done:
    dn_model_free(loaded);
    dn_model_free(m);
    dn_dataset_free(data);
    CHECK(dn_test_remove_dir(dir));
}
