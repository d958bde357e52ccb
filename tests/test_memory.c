/* test_memory.c — the memory estimate counts the slabs and buffers by hand, and a loader refuses
 * a dataset over its cap before allocating it. */
#include "test.h"

#include "dropnet.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

TEST(memory_estimate_matches_a_hand_count) {
    dn_error err;
    dn_model *m = NULL;
    /* 4 → dense 3 (15 parameters) → dropout → dense 2 (8 parameters): 23 parameters. */
    CHECK_OK(dn_model_from_spec(&m, 4, "dense:3:relu,dropout:0.5,dense:2:softmax", &err), &err);
    if (m == NULL) return;
    dn_memory_estimate one, two, many;
    CHECK_OK(dn_model_memory_estimate(m, 1, &one, &err), &err); /* before compile */
    CHECK_OK(dn_model_memory_estimate(m, 2, &two, &err), &err);
    CHECK(one.parameters == 23 * 4 * 4);
    CHECK(one.snapshot == 23 * 3 * 4);
    CHECK(one.total == one.parameters + one.snapshot + one.buffers);
    /* One more row: input 4, loss gradient and targets 2 + 2, label 1, dense y and pre 3 + 3,
     * dropout y 3 (its mask bits stay in one word), d_in of dropout 3, dense y and pre 2 + 2,
     * d_in of the last dense 3: 27 floats and one int32. */
    CHECK_MSG(two.buffers - one.buffers == 27 * 4 + 4, "one more row costs %zu bytes",
              two.buffers - one.buffers);
    /* Same after compile, which allocates exactly these. */
    dn_optimizer_config adam = dn_optimizer_defaults(DN_OPTIMIZER_ADAM);
    CHECK_OK(dn_model_compile(m, DN_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY, &adam, 1, &err), &err);
    dn_memory_estimate after;
    CHECK_OK(dn_model_memory_estimate(m, 2, &after, &err), &err);
    CHECK(after.total == two.total);
    /* Rows beyond what size_t holds saturate instead of wrapping. */
    CHECK_OK(dn_model_memory_estimate(m, (size_t)-1 / 2, &many, &err), &err);
    CHECK(many.total == (size_t)-1);
    CHECK(dn_model_check_memory(m, 2, two.total, &err) == DN_OK);
    CHECK(dn_model_check_memory(m, 2, two.total - 1, &err) == DN_ERR_MEMORY);
    CHECK_MSG(strstr(err.message, "the model needs") && strstr(err.message, "buffers for 2 rows"),
              "got: %s", err.message);
    CHECK(dn_model_memory_estimate(m, 0, &many, &err) == DN_ERR_ARGUMENT);
    dn_model_free(m);
}

TEST(dataset_over_its_memory_cap_is_refused_before_loading) {
    char path[] = "/tmp/dropnet-cap-XXXXXX";
    int fd = mkstemp(path);
    CHECK(fd >= 0);
    if (fd < 0) return;
    FILE *f = fdopen(fd, "w");
    fprintf(f, "a,b,label\n");
    for (int r = 0; r < 100; ++r) fprintf(f, "%d,%d,%d\n", r, r * 2, r % 2);
    fclose(f);
    dn_dataset *d = NULL;
    dn_error err;
    dn_dataset_options generous = {.max_bytes = 1 << 20};
    CHECK_OK(dn_dataset_open(&d, path, &generous, &err), &err);
    /* 100 rows × 2 features × 4 bytes + 100 labels × 4 bytes. */
    CHECK(dn_dataset_bytes(d) == 100 * 2 * 4 + 100 * 4);
    dn_dataset_free(d);
    d = NULL;
    dn_dataset_options tight = {.max_bytes = 2000};
    CHECK(dn_dataset_open(&d, path, &tight, &err) == DN_ERR_MEMORY);
    CHECK(d == NULL);
    CHECK_MSG(strstr(err.message, path) && strstr(err.message, "loading 100 rows x 2 features") &&
              strstr(err.message, "over the memory limit of 2.0 KiB"), "got: %s", err.message);
    unlink(path);
}

/* What loading a model file takes, from its header: 16 bytes per parameter whatever the file
 * stores (a checkpoint's optimizer slabs fill the same slabs), the header twice, and nothing for
 * the file's size. Counted by hand and against the model dn_model_load builds. */
TEST(model_file_memory_is_read_from_the_header_before_loading) {
    char plain[] = "/tmp/dropnet-filemem-XXXXXX", checkpoint[] = "/tmp/dropnet-filemem-ck-XXXXXX";
    int fd1 = mkstemp(plain), fd2 = mkstemp(checkpoint);
    CHECK(fd1 >= 0 && fd2 >= 0);
    if (fd1 < 0 || fd2 < 0) return;
    close(fd1);
    close(fd2);
    dn_error err;
    dn_model *m = NULL;
    /* 5 → 7 → 3: 5·7 + 7 + 7·3 + 3 = 66 parameters. */
    CHECK_OK(dn_model_from_spec(&m, 5, "dense:7:relu,dropout:0.5,dense:3:softmax", &err), &err);
    if (m == NULL) return;
    dn_optimizer_config adam = dn_optimizer_defaults(DN_OPTIMIZER_ADAM);
    CHECK_OK(dn_model_compile(m, DN_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY, &adam, 1, &err), &err);
    CHECK_OK(dn_model_save(m, plain, &err), &err);
    float extra[10] = {0};
    dn_checkpoint_extra state = {.text = "{}", .values = extra, .count = 10};
    CHECK_OK(dn_model_save_checkpoint(m, checkpoint, &state, &err), &err);
    size_t need = 0;
    CHECK_OK(dn_model_file_memory(plain, &need, &err), &err);
    CHECK_MSG(need == 66 * 16 + 2 * dn_test_header_length(NULL, plain), "plain: %zu bytes", need);
    dn_memory_estimate loaded;
    CHECK_OK(dn_model_memory_estimate(m, 1, &loaded, &err), &err);
    CHECK(loaded.parameters == 66 * 16); /* the slabs a loaded model holds */
    /* A checkpoint stores 3 floats per parameter and 10 caller floats: 16 per parameter still. */
    CHECK_OK(dn_model_file_memory(checkpoint, &need, &err), &err);
    CHECK_MSG(need == 66 * 16 + 10 * 4 + 2 * dn_test_header_length(NULL, checkpoint), "checkpoint: %zu bytes",
              need);
    /* Junk past the tensors: no memory (loading refuses it as bytes belonging to no tensor). */
    FILE *f = fopen(plain, "ab");
    for (int i = 0; f != NULL && i < 4096; ++i) fputc(0x5a, f);
    CHECK(f != NULL && fclose(f) == 0);
    CHECK(dn_model_file_memory(plain, &need, &err) == DN_ERR_FORMAT);
    CHECK_MSG(strstr(err.message, "belong to no tensor") != NULL, "got: %s", err.message);
    CHECK(dn_model_file_memory("/nonexistent/m.safetensors", &need, &err) == DN_ERR_IO);
    dn_model_free(m);
    unlink(plain);
    unlink(checkpoint);
}
