/* test_interrupt.c — Ctrl-C like real tools, through the binary (issue 12): the first SIGINT or
 * SIGTERM stops `train` after the current batch, saves --out (and the last complete epoch's
 * checkpoint), exits 128 + the signal saying what was saved, and leaves no temporary file. */
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
#include <unistd.h>

static char dir[64];

/* 3000 rows of three classes in 20 features: an epoch of a 256-wide network takes a while. */
static int scratch(void) {
    FILE *f = dn_test_scratch_file(dir, "interrupt", "d.csv");
    if (f == NULL) return 0;
    for (int j = 0; j < 20; ++j) fprintf(f, "f%d,", j);
    fputs("y\n", f);
    unsigned s = 5;
    for (int r = 0; r < 3000; ++r) {
        for (int j = 0; j < 20; ++j) {
            s = s * 1103515245u + 12345u;
            fprintf(f, "%.3f,", (double)(s >> 16 & 0x7fff) / 32768.0 + (j % 3 == r % 3 ? 0.4 : 0.0));
        }
        fprintf(f, "%d\n", r % 3);
    }
    return CHECK(fclose(f) == 0);
}

static pid_t start_training(void) {
    pid_t pid = fork();
    if (pid != 0) return pid;
    if (chdir(dir) != 0) _exit(127);
    int out = open("run.out", O_WRONLY | O_CREAT | O_TRUNC, 0644);
    int err = open("run.err", O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (out < 0 || err < 0) _exit(127);
    dup2(out, 1);
    dup2(err, 2);
    execl(dn_test_cli_path(), "dropnet", "train", "--train", "d.csv", "--model",
          "dense:256:relu,dropout:0.5,dense:256:relu,dense:3:softmax", "--epochs", "100000",
          "--out", "m.safetensors", "--checkpoint", "ck", "--log", "l.jsonl", (char *)NULL);
    _exit(127);
}

static long file_size(const char *name) { return dn_test_size_in(dir, name); }

/* Temporary files anywhere in dir or dir/ck. */
static char leftover_name[300]; /* the last one leftovers() found, for the failure message */
static int leftovers(void) {
    int n = 0;
    leftover_name[0] = '\0';
    const char *subs[2] = {"", "/ck"};
    for (int i = 0; i < 2; ++i) {
        char path[128];
        snprintf(path, sizeof path, "%s%s", dir, subs[i]);
        DIR *d = opendir(path);
        for (struct dirent *e; d != NULL && (e = readdir(d)) != NULL;)
            if (strstr(e->d_name, ".tmp.") != NULL) {
                ++n;
                snprintf(leftover_name, sizeof leftover_name, "%s/%s", subs[i], e->d_name);
            }
        if (d) closedir(d);
    }
    return n;
}

static void read_text(const char *name, char *buf, size_t size) {
    char path[160];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "r");
    size_t n = f ? fread(buf, 1, size - 1, f) : 0;
    buf[n] = '\0';
    if (f) fclose(f);
}

/* Runs training until its first epoch is logged, sends `signo`, and checks the outcome. */
static void interrupt_once(int signo) {
    pid_t pid = start_training();
    CHECK(pid > 0);
    if (pid <= 0) return;
    for (int i = 0; i < 1200 && file_size("l.jsonl") <= 0; ++i) usleep(100000);
    CHECK_MSG(file_size("l.jsonl") > 0, "no epoch logged after 120 s");
    usleep(50000); /* into the next epoch */
    kill(pid, signo);
    int status = 0;
    CHECK(waitpid(pid, &status, 0) == pid);
    CHECK_MSG(WIFEXITED(status) && WEXITSTATUS(status) == 128 + signo, "status %d", status);
    char err[4096];
    read_text("run.err", err, sizeof err);
    CHECK_MSG(strstr(err, signo == SIGINT ? "interrupted by SIGINT: saved m.safetensors ("
                                          : "interrupted by SIGTERM: saved m.safetensors (") != NULL &&
              strstr(err, "the newest checkpoint, ck/checkpoint-") != NULL, "stderr: %s", err);
    CHECK_MSG(leftovers() == 0, "temporary file left: %s", leftover_name);
    /* --out holds the model as training left it: it loads, with the epochs that completed. */
    char path[160];
    snprintf(path, sizeof path, "%s/m.safetensors", dir);
    dn_model *m = NULL;
    dn_error e;
    CHECK_OK(dn_model_load(&m, path, &e), &e);
    CHECK(m != NULL && dn_model_epochs_done(m) >= 1 && dn_model_step(m) > 0);
    dn_model_free(m);
}

TEST(interrupt_sigint_saves_out_and_checkpoint_exit_130) {
    if (!scratch()) return;
    interrupt_once(SIGINT);
    CHECK(dn_test_remove_dir(dir));
}

TEST(interrupt_sigterm_saves_out_exit_143) {
    if (!scratch()) return;
    interrupt_once(SIGTERM);
    CHECK(dn_test_remove_dir(dir));
}

/* A second signal ends the process at once (same status), removing the temporary file of a save
 * under way; the files already complete stay loadable. */
TEST(interrupt_second_signal_exits_at_once_leaving_no_temp_file) {
    if (!scratch()) return;
    pid_t pid = start_training();
    CHECK(pid > 0);
    if (pid <= 0) return;
    for (int i = 0; i < 1200 && file_size("l.jsonl") <= 0; ++i) usleep(100000);
    kill(pid, SIGINT);
    usleep(1000);
    kill(pid, SIGINT);
    int status = 0;
    CHECK(waitpid(pid, &status, 0) == pid);
    CHECK_MSG(WIFEXITED(status) && WEXITSTATUS(status) == 130, "status %d", status);
    CHECK_MSG(leftovers() == 0, "temporary file left: %s", leftover_name);
    CHECK(dn_test_remove_dir(dir));
}
