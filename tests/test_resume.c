/* test_resume.c — `train --checkpoint / --resume` through the binary: a run killed with SIGKILL at
 * random moments (some during a checkpoint write) always leaves a newest checkpoint that loads,
 * and resuming to the end gives a model file byte-identical to an uninterrupted run. Also: the
 * guards (non-empty directory, changed settings, corrupt checkpoints skipped with a warning). */
#define _DEFAULT_SOURCE /* usleep */
#include "test.h"

#include "dropnet.h"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static char output[1 << 16];
static char dir[64];
#define cli(...) dn_test_cli_in(dir, output, sizeof output, __VA_ARGS__)

/* Wide enough that writing a checkpoint (about 0.9 MB with Adam's moments) takes a share of the
 * run, so that some kills land inside a write. */
static const char *SPEC = "dropout:0.2,dense:256:relu,dropout:0.5,dense:256:relu,dense:3:softmax";
enum { EPOCHS = 8, KILLS = 24 };

/* 600 rows of three noisy classes in 20 features. */
static void write_data(void) {
    char path[128];
    snprintf(path, sizeof path, "%s/d.csv", dir);
    FILE *f = fopen(path, "w");
    if (f == NULL) return;
    for (int j = 0; j < 20; ++j) fprintf(f, "f%d,", j);
    fprintf(f, "y\n");
    unsigned s = 7;
    for (int r = 0; r < 600; ++r) {
        int c = r % 3;
        for (int j = 0; j < 20; ++j) {
            s = s * 1103515245u + 12345u;
            fprintf(f, "%.3f,", (double)(s >> 16 & 0x7fff) / 32768.0 + (j % 3 == c ? 0.6 : 0.0));
        }
        fprintf(f, "%d\n", c);
    }
    fclose(f);
}

static int read_file(const char *name, char **data, size_t *size) {
    char path[128];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "rb");
    if (f == NULL) return 0;
    fseek(f, 0, SEEK_END);
    *size = (size_t)ftell(f);
    fseek(f, 0, SEEK_SET);
    *data = malloc(*size ? *size : 1);
    int ok = *data != NULL && fread(*data, 1, *size, f) == *size;
    fclose(f);
    return ok;
}

static int same_files(const char *a, const char *b) {
    char *x = NULL, *y = NULL;
    size_t nx = 0, ny = 0;
    int same = read_file(a, &x, &nx) && read_file(b, &y, &ny) && nx == ny && memcmp(x, y, nx) == 0;
    free(x);
    free(y);
    return same;
}

/* Starts `dropnet train ... --checkpoint ck --resume ck` in dir, output discarded. */
static pid_t start_training(int threads) {
    pid_t pid = fork();
    if (pid != 0) return pid;
    int null = open("/dev/null", O_WRONLY);
    if (chdir(dir) != 0 || null < 0) _exit(127);
    dup2(null, 1);
    dup2(null, 2);
    char epochs[16], team[16];
    snprintf(epochs, sizeof epochs, "%d", EPOCHS);
    snprintf(team, sizeof team, "%d", threads);
    execl(dn_test_cli_path(), "dropnet", "train", "--train", "d.csv", "--model", SPEC, "--epochs",
          epochs, "--val-split", "0.1", "--out", "out.safetensors", "--checkpoint", "ck",
          "--resume", "ck", "--threads", team, (char *)NULL);
    _exit(127);
}

/* The checkpoint directory after a kill: how many temporary files a write left, and whether
 * the newest checkpoint (if any) loads. */
static void inspect(int *leftovers, int *newest_loads) {
    char ck[128], newest[256] = "";
    snprintf(ck, sizeof ck, "%s/ck", dir);
    *leftovers = 0;
    *newest_loads = 1;
    DIR *d = opendir(ck);
    if (d == NULL) return;
    for (struct dirent *e; (e = readdir(d)) != NULL;) {
        if (strstr(e->d_name, ".tmp.") != NULL) (*leftovers)++;
        else if (strncmp(e->d_name, "checkpoint-", 11) == 0 && strcmp(e->d_name, newest) > 0)
            snprintf(newest, sizeof newest, "%s", e->d_name);
    }
    closedir(d);
    if (newest[0] == '\0') return;
    char path[512];
    snprintf(path, sizeof path, "%s/%s", ck, newest);
    dn_model *m = NULL;
    dn_checkpoint_state state;
    dn_error err;
    *newest_loads = dn_model_load_checkpoint(&m, path, &state, &err) == DN_OK;
    if (!*newest_loads) dn_test_fail(__FILE__, __LINE__, "after a kill: %s", err.message);
    dn_checkpoint_state_free(&state);
    dn_model_free(m);
}

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

/* A fresh scratch directory named from `pattern` (…XXXXXX) holding d.csv; 0 on failure. */
static int scratch_dir(const char *pattern) {
    snprintf(dir, sizeof dir, "%s", pattern);
    if (mkdtemp(dir) == NULL) return CHECK(0);
    write_data();
    return 1;
}

static void clear_run(void) {
    char path[128];
    snprintf(path, sizeof path, "%s/ck", dir);
    dn_test_remove_dir(path);
    snprintf(path, sizeof path, "%s/out.safetensors", dir);
    unlink(path);
}

TEST(sigkill_at_random_moments_then_resume_is_bit_identical) {
    if (!scratch_dir("/tmp/dropnet-kill-XXXXXX")) return;
    CHECK(cli("train --train d.csv --model %s --epochs %d --val-split 0.1 --out ref.safetensors",
              SPEC, EPOCHS) == 0);
    /* How long a whole checkpointed run takes here: kills are spread over that (disks differ). */
    double start = now();
    CHECK(cli("train --train d.csv --model %s --epochs %d --val-split 0.1 --out out.safetensors "
              "--checkpoint ck", SPEC, EPOCHS) == 0);
    long span_us = (long)((now() - start) * 1.1e6);
    CHECK(same_files("out.safetensors", "ref.safetensors")); /* checkpoints change nothing */
    clear_run();
    int kills = 0, mid_write = 0, finished = 0, finished_after_kill = 0, chain_kills = 0;
    unsigned lcg = 12345;
    for (int round = 0; round < 400 && (kills < KILLS || mid_write < 2 || finished_after_kill < 2);
         ++round) {
        pid_t pid = start_training(1 + round % 2); /* the thread count may change on resume */
        lcg = lcg * 1103515245u + 12345u;
        usleep((useconds_t)((lcg >> 8) % (unsigned)span_us)); /* start-up, epochs, writes */
        int status;
        int done = waitpid(pid, &status, WNOHANG) == pid;
        if (!done) {
            kill(pid, SIGKILL);
            waitpid(pid, &status, 0);
            done = WIFEXITED(status); /* it finished just before the signal */
        }
        if (done) {
            CHECK_MSG(WIFEXITED(status) && WEXITSTATUS(status) == 0, "a resumed run failed");
            CHECK_MSG(same_files("out.safetensors", "ref.safetensors"),
                      "the run resumed after %d kills differs from the uninterrupted one",
                      chain_kills);
            finished++;
            finished_after_kill += chain_kills > 0;
            chain_kills = 0;
            clear_run();
            continue;
        }
        CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
        kills++;
        chain_kills++;
        int leftovers, loads;
        inspect(&leftovers, &loads);
        mid_write += leftovers > 0;
    }
    /* The last chain runs to its end. */
    CHECK(cli("train --train d.csv --model %s --epochs %d --val-split 0.1 --out out.safetensors "
              "--checkpoint ck --resume ck", SPEC, EPOCHS) == 0);
    CHECK(same_files("out.safetensors", "ref.safetensors"));
    printf("    %d kills over %.0f ms runs (%d during a checkpoint write), %d runs resumed to the "
           "end after kills\n", kills, (double)span_us / 1e3, mid_write, finished_after_kill);
    CHECK_MSG(kills >= 20, "only %d kills", kills);
    CHECK_MSG(mid_write >= 1, "no kill landed during a checkpoint write in %d kills", kills);
    CHECK_MSG(finished_after_kill >= 1, "no run resumed to the end after a kill (%d finished)",
              finished);
    CHECK(dn_test_remove_dir(dir));
}

static int ck_exists(const char *name) {
    char path[256];
    struct stat st;
    snprintf(path, sizeof path, "%s/ck/%s", dir, name);
    return stat(path, &st) == 0;
}

/* Damages a checkpoint in place: one bit of its last tensor (a finite float still). */
static void damage(const char *name) {
    char path[256];
    snprintf(path, sizeof path, "%s/ck/%s", dir, name);
    CHECK(dn_test_flip_byte(path, -10, SEEK_END));
}

TEST(checkpoint_directory_guards_retention_and_corrupt_files) {
    if (!scratch_dir("/tmp/dropnet-ckdir-XXXXXX")) return;
    const char *small = "dropout:0.2,dense:16:relu,dense:3:softmax";
    CHECK(cli("train --train d.csv --model %s --epochs 6 --out a.safetensors --early-stopping 10 "
              "--val-split 0.2 --checkpoint ck --checkpoint-every 2 --checkpoint-keep 2 --log a.jsonl",
              small) == 0);
    /* Every second epoch, the last two kept. */
    CHECK(!ck_exists("checkpoint-000002.safetensors") && ck_exists("checkpoint-000004.safetensors") &&
          ck_exists("checkpoint-000006.safetensors") && !ck_exists("checkpoint-000005.safetensors"));
    /* A directory with checkpoints is not overwritten by a new run. */
    CHECK(cli("train --train d.csv --model %s --epochs 6 --out b.safetensors --checkpoint ck", small) == 1);
    CHECK(strstr(output, "already holds checkpoints; add --resume") != NULL);
    /* Resuming needs the same settings (only --epochs and --test may change). */
    CHECK(cli("train --train d.csv --model %s --epochs 8 --lr 0.01 --out b.safetensors "
              "--early-stopping 10 --val-split 0.2 --resume ck", small) == 1);
    CHECK_MSG(strstr(output, "was trained with lr = 0.001, this command gives 0.01") != NULL, "got: %s", output);
    CHECK(cli("train --train d.csv --model dense:16:relu,dense:3:softmax --epochs 8 --out b.safetensors "
              "--early-stopping 10 --val-split 0.2 --resume ck") == 1);
    CHECK(strstr(output, "has layers \"dropout:0.2,dense:16:relu,dense:3:softmax\"") != NULL);
    CHECK(cli("train --train d.csv --init a.safetensors --epochs 8 --out b.safetensors --resume ck") == 2);
    /* A damaged newest checkpoint is skipped with a warning; training goes on from the one before
     * and ends where the uninterrupted run would have (longer run, same first 6 epochs). */
    damage("checkpoint-000006.safetensors");
    CHECK(cli("train --train d.csv --model %s --epochs 6 --out b.safetensors --early-stopping 10 "
              "--val-split 0.2 --resume ck --checkpoint-every 2 --checkpoint-keep 2 --log b.jsonl",
              small) == 0);
    CHECK_MSG(strstr(output, "warning: skipping checkpoint ck/checkpoint-000006.safetensors") != NULL &&
              strstr(output, "checksum mismatch") != NULL, "got: %s", output);
    CHECK(strstr(output, "resuming from ck/checkpoint-000004.safetensors: 4 of 6 epochs done") != NULL);
    CHECK(cli("summary --model ck/checkpoint-000004.safetensors") == 0);
    CHECK_MSG(strstr(output, "epochs done: 4") != NULL, "got: %s", output);
    CHECK(same_files("a.safetensors", "b.safetensors"));
    /* The log of the resumed run repeats epochs 1-4 from the checkpoint: only times differ. */
    char *la = NULL, *lb = NULL;
    size_t na = 0, nb = 0;
    if (read_file("a.jsonl", &la, &na) && read_file("b.jsonl", &lb, &nb)) {
        int lines_a = 0, lines_b = 0;
        for (size_t i = 0; i < na; ++i) lines_a += la[i] == '\n';
        for (size_t i = 0; i < nb; ++i) lines_b += lb[i] == '\n';
        CHECK(lines_a == 6 && lines_b == 6);
        CHECK(strncmp(la, lb, (size_t)(strstr(la, "\"seconds\"") - la)) == 0);
    }
    free(la);
    free(lb);
    /* Every checkpoint damaged: an error, not a silent fresh start. */
    damage("checkpoint-000004.safetensors");
    damage("checkpoint-000006.safetensors");
    CHECK(cli("train --train d.csv --model %s --epochs 6 --out b.safetensors --early-stopping 10 "
              "--val-split 0.2 --resume ck", small) == 1);
    CHECK(strstr(output, "none of the 2 checkpoints in ck loads") != NULL);
    /* The last epoch always gets a checkpoint, also when --checkpoint-every does not divide
     * --epochs. */
    CHECK(cli("train --train d.csv --model %s --epochs 3 --out e.safetensors --checkpoint ck3 "
              "--checkpoint-every 2", small) == 0);
    char path[256];
    struct stat st;
    snprintf(path, sizeof path, "%s/ck3/checkpoint-000002.safetensors", dir);
    CHECK(stat(path, &st) == 0);
    snprintf(path, sizeof path, "%s/ck3/checkpoint-000003.safetensors", dir);
    CHECK_MSG(stat(path, &st) == 0, "no checkpoint of the last epoch (3) with --checkpoint-every 2");
    /* An empty or missing directory with --resume is a fresh start. */
    CHECK(cli("train --train d.csv --model %s --epochs 2 --out c.safetensors --resume fresh", small) == 0);
    CHECK(strstr(output, "Epoch 1/2") != NULL);
    CHECK(dn_test_remove_dir(dir));
}

/* Resuming in the middle of early stopping's patience keeps both its counter and the best
 * weights: an uninterrupted run stops at epoch L with best epoch B (patience 3, so L = B + 3, as Keras counts);
 * a run resumed from the checkpoint of epoch B + 2 (two epochs already waited) must stop at the
 * same epoch, restore the same best weights and write a byte-identical model. Forgetting the
 * wait would run to B + 5; forgetting the best weights would restore others. */
TEST(resume_keeps_early_stopping_patience_and_best_weights) {
    if (!scratch_dir("/tmp/dropnet-esresume-XXXXXX")) return;
    const char *run = "--train d.csv --model dropout:0.2,dense:16:relu,dense:3:softmax --epochs 300 "
                      "--early-stopping 3 --val-split 0.2 --lr 0.01";
    CHECK(cli("train %s --out a.safetensors --checkpoint ck --checkpoint-keep 1000", run) == 0);
    unsigned last = 0, best = 0;
    double value = 0;
    const char *at = strstr(output, "early stopping after epoch ");
    CHECK_MSG(at != NULL && sscanf(at, "early stopping after epoch %u: best val_loss %lf at epoch %u",
                                   &last, &value, &best) == 3, "got: %.400s", output);
    CHECK_MSG(best >= 2 && last == best + 3 && last < 300, "best %u, last %u", best, last);
    char stop[128], command[512];
    snprintf(stop, sizeof stop, "early stopping after epoch %u: best val_loss %.4f at epoch %u", last,
             value, best);
    /* A directory holding only the checkpoint of epoch B + 2. */
    snprintf(command, sizeof command, "mkdir %s/ck2 && cp %s/ck/checkpoint-%06u.safetensors %s/ck2/",
             dir, dir, best + 2, dir);
    CHECK(dn_test_run(command, output, sizeof output) == 0);
    CHECK(cli("train %s --out b.safetensors --resume ck2", run) == 0);
    char resumed[160];
    snprintf(resumed, sizeof resumed, "resuming from ck2/checkpoint-%06u.safetensors: %u of 300",
             best + 2, best + 2);
    CHECK_MSG(strstr(output, resumed) != NULL, "got: %.400s", output);
    CHECK_MSG(strstr(output, stop) != NULL, "expected \"%s\", got: %.600s", stop, output);
    CHECK(same_files("a.safetensors", "b.safetensors"));
    CHECK(dn_test_remove_dir(dir));
}
