/* test_resume_guards.c — issue 12 through the binary: a failed checkpoint write is a warning
 * and the run's --out is still saved; checkpoint names of any width; files that are not
 * checkpoints skipped with a warning (a FIFO never opened); the history kept out of the header;
 * --resume refusing changed data; --max-memory deciding on --init and checkpoints from their
 * header (what loading allocates) before reading their tensors; --epochs and --threads bounded. */
#include "test.h"

#include "dropnet.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char output[1 << 16];
static char dir[64];
#define cli(...) dn_test_cli_in(dir, output, sizeof output, __VA_ARGS__)

static const char *RUN = "--train d.csv --model dropout:0.2,dense:8:relu,dense:3:softmax --val-split 0.2";

/* 300 rows of three classes in 6 features. */
static int scratch(void) {
    FILE *f = dn_test_scratch_file(dir, "guards", "d.csv");
    if (f == NULL) return 0;
    fputs("a,b,c,d,e,f,y\n", f);
    unsigned s = 3;
    for (int r = 0; r < 300; ++r) {
        for (int j = 0; j < 6; ++j) {
            s = s * 1103515245u + 12345u;
            fprintf(f, "%.3f,", (double)(s >> 16 & 0x7fff) / 32768.0 + (j % 3 == r % 3 ? 0.5 : 0.0));
        }
        fprintf(f, "%d\n", r % 3);
    }
    return CHECK(fclose(f) == 0);
}

static int sh(const char *fmt, const char *arg) {
    char command[1024], inner[768];
    snprintf(inner, sizeof inner, fmt, arg);
    snprintf(command, sizeof command, "cd %s && %s", dir, inner);
    return dn_test_run(command, output, sizeof output);
}

static int exists(const char *name) { return dn_test_size_in(dir, name) >= 0; }

static uint64_t header_length(const char *name) { return dn_test_header_length(dir, name); }

TEST(resume_guard_failed_checkpoint_write_warns_and_training_goes_on) {
    if (!scratch()) return;
    /* The checkpoint of epoch 2 cannot be written: a directory has its name. */
    CHECK(sh("mkdir -p ck/checkpoint-000002.safetensors", "") == 0);
    CHECK(cli("train %s --epochs 3 --out m.safetensors --resume ck", RUN) == 0);
    CHECK_MSG(strstr(output, "warning: skipping ck/checkpoint-000002.safetensors: not a regular "
                             "file") != NULL, "got: %s", output);
    CHECK_MSG(strstr(output, "warning: checkpoint of epoch 2 not written") != NULL &&
              strstr(output, "training goes on") != NULL, "got: %s", output);
    CHECK(strstr(output, "Epoch 3/3") != NULL);
    CHECK(exists("m.safetensors") && exists("ck/checkpoint-000001.safetensors") &&
          exists("ck/checkpoint-000003.safetensors"));
    CHECK(dn_test_remove_dir(dir));
}

TEST(resume_guard_names_of_any_width_and_strangers_skipped) {
    if (!scratch()) return;
    CHECK(cli("train %s --epochs 3 --out a.safetensors --checkpoint ck", RUN) == 0);
    /* Seven digits, as past 999,999 epochs: recognised (it used to start again from epoch 1). */
    CHECK(sh("mkdir w && cp ck/checkpoint-000003.safetensors w/checkpoint-0000003.safetensors", "") == 0);
    CHECK(cli("train %s --epochs 4 --out b.safetensors --resume w", RUN) == 0);
    CHECK_MSG(strstr(output, "resuming from w/checkpoint-0000003.safetensors: 3 of 4 epochs done")
              != NULL, "got: %s", output);
    /* A plain model and a FIFO named like checkpoints: skipped with a warning, a fresh start (the
     * FIFO never opened: a read would block; timeout turns a hang into a failure). */
    CHECK(sh("mkdir p && cp a.safetensors p/checkpoint-000005.safetensors && "
             "mkfifo p/checkpoint-000009.safetensors", "") == 0);
    CHECK(sh("timeout 60 %s train --train d.csv --model dropout:0.2,dense:8:relu,dense:3:softmax "
             "--val-split 0.2 --epochs 1 --out c.safetensors --resume p", dn_test_cli_path()) == 0);
    CHECK_MSG(strstr(output, "skipping p/checkpoint-000009.safetensors: not a regular file") != NULL &&
              strstr(output, "skipping p/checkpoint-000005.safetensors: a model file, not a "
                             "checkpoint") != NULL, "got: %s", output);
    CHECK(strstr(output, "no checkpoint in p yet; starting from epoch 1") != NULL);
    /* A checkpoint whose name and epochs disagree is damaged: skipped, and alone it is an error. */
    CHECK(sh("mkdir q && cp ck/checkpoint-000002.safetensors q/checkpoint-000007.safetensors", "") == 0);
    CHECK(cli("train %s --epochs 8 --out d.safetensors --resume q", RUN) == 1);
    CHECK_MSG(strstr(output, "its name says epoch 7 but it holds 2 epochs done") != NULL &&
              strstr(output, "none of the 1 checkpoints in q loads") != NULL, "got: %s", output);
    CHECK(dn_test_remove_dir(dir));
}

TEST(resume_guard_history_stays_out_of_the_header) {
    if (!scratch()) return;
    CHECK(cli("train %s --epochs 2 --out a.safetensors --checkpoint c2", RUN) == 0);
    CHECK(cli("train %s --epochs 60 --out b.safetensors --checkpoint c60 --checkpoint-every 60", RUN) == 0);
    uint64_t short_run = header_length("c2/checkpoint-000002.safetensors");
    uint64_t long_run = header_length("c60/checkpoint-000060.safetensors");
    /* In the header the history took about 130 bytes an epoch (7,600 more for 58 more epochs);
     * now only a few digits differ (epochs, step, settings). */
    CHECK_MSG(short_run > 0 && long_run < short_run + 64, "header %llu bytes after 2 epochs, %llu "
              "after 60", (unsigned long long)short_run, (unsigned long long)long_run);
    CHECK(dn_test_remove_dir(dir));
}

TEST(resume_guard_refuses_changed_data_unless_allowed) {
    if (!scratch()) return;
    CHECK(cli("train %s --epochs 2 --out a.safetensors --checkpoint ck", RUN) == 0);
    /* Same sizes, one value changed: only the hash tells. */
    CHECK(sh("sed -i '2s/^[0-9.]*,/0.123,/' d.csv", "") == 0);
    CHECK(cli("train %s --epochs 3 --out b.safetensors --resume ck", RUN) == 1);
    CHECK_MSG(strstr(output, "--resume: the data changed since ck/checkpoint-000002.safetensors") != NULL &&
              strstr(output, "give --allow-data-change") != NULL, "got: %s", output);
    CHECK(!exists("b.safetensors"));
    CHECK(cli("train %s --epochs 3 --out b.safetensors --resume ck --allow-data-change", RUN) == 0);
    CHECK(strstr(output, "resuming from ck/checkpoint-000002.safetensors: 2 of 3") != NULL);
    /* Unchanged data resumes without a word about it. */
    CHECK(cli("train %s --epochs 4 --out b.safetensors --resume ck", RUN) == 0);
    CHECK(strstr(output, "data changed") == NULL);
    CHECK(dn_test_remove_dir(dir));
}

TEST(resume_guard_memory_and_size_limits_before_any_work) {
    if (!scratch()) return;
    CHECK(cli("train --train d.csv --model dense:2048:relu,dense:3:softmax --epochs 1 "
              "--out big.safetensors --checkpoint ck") == 0); /* about 57 KB of weights */
    /* 6 → 2048 → 3: 20,483 parameters, 80 KiB in the file, 320 KiB once loaded (weights,
     * gradients, the optimizer's two slabs). A cap the file's size fits under but the loaded
     * model does not is refused from the header, before loading (the message is not the one
     * the built model's check gives: nothing was built). */
    CHECK(cli("train --train d.csv --init big.safetensors --epochs 1 --out x.safetensors "
              "--max-memory 250K") == 1);
    CHECK_MSG(strstr(output, "--max-memory 250K: --init big.safetensors needs 0.3 MiB to load") != NULL &&
              strstr(output, "Epoch") == NULL, "got: %s", output);
    CHECK(cli("train --train d.csv --init big.safetensors --epochs 1 --out x.safetensors "
              "--max-memory 40K") == 1);
    CHECK_MSG(strstr(output, "--max-memory 40K: --init big.safetensors needs") != NULL, "got: %s", output);
    CHECK(cli("train --train d.csv --model dense:2048:relu,dense:3:softmax --epochs 2 "
              "--out x.safetensors --resume ck --max-memory 40K") == 1);
    CHECK_MSG(strstr(output, "--max-memory 40K: checkpoint ck/checkpoint-000001.safetensors needs") != NULL,
              "got: %s", output);
    CHECK(!exists("x.safetensors"));
    /* A small model padded with 6 MiB of junk past its tensors: over the cap by its size, but the
     * junk takes no memory, so the refusal is the file's real fault, not --max-memory. */
    CHECK(cli("train %s --epochs 1 --out small.safetensors", RUN) == 0);
    CHECK(sh("head -c 6291456 /dev/zero >> small.safetensors", "") == 0);
    CHECK(cli("train --train d.csv --init small.safetensors --epochs 1 --out x.safetensors "
              "--max-memory 4M") == 1);
    CHECK_MSG(strstr(output, "--max-memory") == NULL && strstr(output, "belong to no tensor") != NULL,
              "got: %s", output);
    /* Without the junk the same file, under the same cap, trains. */
    CHECK(sh("truncate -s -6291456 small.safetensors", "") == 0);
    CHECK(cli("train --train d.csv --init small.safetensors --epochs 1 --out x.safetensors "
              "--max-memory 4M") == 0);
    CHECK(exists("x.safetensors"));
    /* --epochs 10^12 asked for a 56 TB history; --threads 4096 for 4 GB of workspaces. */
    CHECK(cli("train %s --epochs 1000000000000 --out x.safetensors", RUN) == 2);
    CHECK_MSG(strstr(output, "--epochs must be at most 10000000") != NULL, "got: %s", output);
    CHECK(cli("train %s --epochs 1 --threads 4096 --out x.safetensors", RUN) == 2);
    CHECK(strstr(output, "--threads must be at most 256") != NULL);
    CHECK(cli("train %s --epochs 1 --threads 256 --out x.safetensors", RUN) == 0);
    CHECK(dn_test_remove_dir(dir));
}

/* --max-memory counts the reproducible mode's gradient blocks too, as the library counts them
 * (dn_model_fit_memory_estimate, whose bytes tests/test_memory.c holds to what fit allocates):
 * 6 → 2048 → 3 needs 8.6 MiB to train in batches of 128; its 8 blocks of 16 rows hold a gradient
 * each (8 × 20,483 floats), the int64 sums and the packed weights, about 1 MiB more (the packed
 * panels' padding follows this CPU's kernel), so under 9M the plain run trains, the reproducible
 * one is refused up front naming the blocks, and one block of 128 rows (0.2 MiB) fits again. */
TEST(resume_guard_max_memory_counts_reproducible_blocks) {
    if (!scratch()) return;
    dn_error err;
    dn_model *m = NULL;
    CHECK_OK(dn_model_from_spec(&m, 6, "dense:2048:relu,dense:3:softmax", &err), &err);
    if (m == NULL) return;
    dn_fit_config fit = dn_fit_defaults();
    fit.batch_size = 128;
    fit.reproducible = 1;
    dn_memory_estimate est;
    CHECK_OK(dn_model_fit_memory_estimate(m, &fit, 1, &est, &err), &err);
    dn_model_free(m);
    /* 8 blocks: 8 gradients and losses, 20,485 int64 sums, and packed weights beyond 20,483 floats */
    CHECK_MSG(est.blocks > 8 * (20483 * 4 + 8) + 20485 * 8 + 20483 * 4, "blocks %zu", est.blocks);
    char want[160];
    snprintf(want, sizeof want, "--max-memory 9M (0.0 MiB of it taken by the data, %.1f MiB by the "
             "reproducible mode's gradient blocks): the model needs 8.6 MiB",
             (double)est.blocks / 1048576.0);
    const char *run = "train --train d.csv --model dense:2048:relu,dense:3:softmax --epochs 1 "
                      "--batch 128 --out m.safetensors --max-memory 9M";
    CHECK_MSG(cli("%s", run) == 0, "got: %s", output);
    CHECK(cli("%s --reproducible", run) == 1);
    CHECK_MSG(strstr(output, want) != NULL, "want: %s\ngot: %s", want, output);
    CHECK_MSG(cli("%s --reproducible --block-rows 128", run) == 0, "got: %s", output);
    CHECK(dn_test_remove_dir(dir));
}
