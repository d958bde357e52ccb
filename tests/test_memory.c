/* test_memory.c — the memory estimate counts the slabs and buffers by hand, and a loader refuses
 * a dataset over its cap before allocating it. */
#include "test.h"

#include "dropnet.h"
#include "model/fit_blocks.h"
#include "model/inference_plan.h"

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

/* A reducer that is never called: dni_blocks_init only reads its rank and workers. */
static dn_status never_int64(int64_t *v, size_t n, void *user, dn_error *err) {
    (void)v, (void)n, (void)user, (void)err;
    return DN_ERR_STATE;
}
static dn_status never_double(double *v, size_t n, void *user, dn_error *err) {
    (void)v, (void)n, (void)user, (void)err;
    return DN_ERR_STATE;
}

/* The most bytes fit_blocks.c allocates on any of `workers` ranks (dni_blocks.bytes, counted
 * where it allocates), and the most blocks a rank runs in a step; 0 when init fails. */
static size_t allocated_blocks(const dn_model *m, const dn_fit_config *c, size_t workers,
                               size_t *busiest) {
    size_t most = 0;
    *busiest = 0;
    for (size_t r = 0; r < workers; ++r) {
        dn_reducer red = {.rank = r, .workers = workers, .sum_int64 = never_int64,
                          .max_double = never_double};
        dn_fit_config rc = *c;
        rc.reducer = &red;
        dni_blocks b;
        dn_error err;
        if (dni_blocks_init(&b, m, &rc, c->batch_size, &err) != DN_OK) return 0;
        /* rank r runs blocks [K·r/W, K·(r+1)/W) of K (fit_blocks.c) */
        size_t k = (c->batch_size + b.block_rows - 1) / b.block_rows;
        size_t local = k * (r + 1) / workers - k * r / workers;
        if (local > *busiest) *busiest = local;
        if (b.bytes > most) most = b.bytes;
        dni_blocks_free(&b);
    }
    return most;
}

/* dn_model_fit_memory_estimate's blocks are what fit_blocks.c allocates, on the busiest rank, for
 * several block sizes, batch sizes and worker counts (before and after compile), plus the packed
 * weights exactly when a rank runs more than one block; one case counted by hand; its buffers
 * are those of one block; and fit's own refusals. */
TEST(fit_memory_estimate_counts_what_the_reproducible_step_allocates) {
    dn_error err;
    dn_model *m = NULL;
    /* 4 → dense 3 (15 parameters) → dropout → dense 2 (8 parameters): 23 parameters. */
    CHECK_OK(dn_model_from_spec(&m, 4, "dense:3:relu,dropout:0.5,dense:2:softmax", &err), &err);
    if (m == NULL) return;
    dn_fit_config c = dn_fit_defaults();
    c.reproducible = 1;
    c.batch_size = 10;
    c.block_rows = 4;
    dn_memory_estimate hand, before[4][3][3];
    /* 3 blocks on one worker: 3 × 23 floats, 3 doubles, 25 int64, and the packed weights */
    CHECK_OK(dn_model_fit_memory_estimate(m, &c, 1, &hand, &err), &err);
    size_t plan = dni_inference_plan_bytes(m);
    CHECK_MSG(hand.blocks == 3 * 23 * 4 + 3 * 8 + 25 * 8 + plan, "blocks %zu, plan %zu",
              hand.blocks, plan);
    const size_t block_rows[3] = {4, 8, 16}, batches[3] = {16, 37, 64}, workers[4] = {1, 2, 3, 4};
    for (int pass = 0; pass < 2; ++pass) {
        for (size_t w = 0; w < 4; ++w)
            for (size_t b = 0; b < 3; ++b)
                for (size_t k = 0; k < 3; ++k) {
                    c.block_rows = block_rows[b];
                    c.batch_size = batches[k];
                    dn_memory_estimate e, one;
                    dn_status st = dn_model_fit_memory_estimate(m, &c, workers[w], &e, &err);
                    size_t blocks = (batches[k] + block_rows[b] - 1) / block_rows[b];
                    if (workers[w] > blocks) { /* refused, as fit refuses it */
                        CHECK(st == DN_ERR_ARGUMENT && strstr(err.message, "blocks to share"));
                        continue;
                    }
                    CHECK_OK(st, &err);
                    if (pass == 0) {
                        before[w][b][k] = e;
                        continue;
                    }
                    /* compiled now: fit_blocks.c can allocate, with the model's param_count */
                    size_t busiest, held = allocated_blocks(m, &c, workers[w], &busiest);
                    size_t want = held + (busiest > 1 ? plan : 0);
                    CHECK_MSG(held > 0 && e.blocks == want && before[w][b][k].blocks == e.blocks,
                              "blocks of %zu rows, batch %zu, %zu workers: estimated %zu (%zu "
                              "before compile), allocated %zu + packed %zu",
                              block_rows[b], batches[k], workers[w], e.blocks,
                              before[w][b][k].blocks, held, busiest > 1 ? plan : 0);
                    /* one pass holds one block (fewer rows when the batch is smaller) */
                    size_t rows = block_rows[b] < batches[k] ? block_rows[b] : batches[k];
                    CHECK_OK(dn_model_memory_estimate(m, rows, &one, &err), &err);
                    CHECK(e.buffers == one.buffers && e.total == one.total + e.blocks);
                }
        if (pass == 0) {
            dn_optimizer_config adam = dn_optimizer_defaults(DN_OPTIMIZER_ADAM);
            CHECK_OK(dn_model_compile(m, DN_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY, &adam, 1,
                                      &err), &err);
        }
    }
    /* Plain fit: no blocks, buffers for a whole batch (NULL config: the defaults' 32 rows). */
    dn_memory_estimate plain, rows32;
    CHECK_OK(dn_model_fit_memory_estimate(m, NULL, 0, &plain, &err), &err);
    CHECK_OK(dn_model_memory_estimate(m, 32, &rows32, &err), &err);
    CHECK(plain.blocks == 0 && plain.total == rows32.total && plain.buffers == rows32.buffers);
    /* Workers 0: the reducer's. */
    dn_reducer three = {.rank = 0, .workers = 3, .sum_int64 = never_int64,
                        .max_double = never_double};
    c.block_rows = 4;
    c.batch_size = 37;
    c.reducer = &three;
    dn_memory_estimate from_reducer, explicit3;
    CHECK_OK(dn_model_fit_memory_estimate(m, &c, 0, &from_reducer, &err), &err);
    c.reducer = NULL;
    CHECK_OK(dn_model_fit_memory_estimate(m, &c, 3, &explicit3, &err), &err);
    CHECK(from_reducer.blocks == explicit3.blocks);
    /* fit's refusals */
    c.block_rows = 6;
    CHECK(dn_model_fit_memory_estimate(m, &c, 1, &plain, &err) == DN_ERR_ARGUMENT &&
          strstr(err.message, "multiple of 4"));
    c.block_rows = 4;
    c.reproducible = 0;
    CHECK(dn_model_fit_memory_estimate(m, &c, 2, &plain, &err) == DN_ERR_ARGUMENT &&
          strstr(err.message, "reproducible"));
    c.batch_size = 0;
    CHECK(dn_model_fit_memory_estimate(m, &c, 1, &plain, &err) == DN_ERR_ARGUMENT);
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
