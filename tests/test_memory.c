/* test_memory.c — the memory estimate counts the slabs and buffers by hand, and a loader refuses
 * a dataset over its cap before allocating it. */
#include "test.h"

#include "dropnet.h"

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
