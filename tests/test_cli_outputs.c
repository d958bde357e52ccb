/* test_cli_outputs.c — issue 12, the CLI side, through the binary: every write checked (standard
 * output at exit as coreutils' close_stdout, --log lines and its close), --log locked like a
 * checkpoint directory, control characters from files escaped in what the tool prints. */
#include "test.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

static char output[1 << 16];
static char dir[64];
#define cli(...) dn_test_cli_in(dir, output, sizeof output, __VA_ARGS__)

/* A scratch directory holding d.csv: 40 rows, 2 features, classes "a" and the label `odd`. */
static int scratch(const char *odd) {
    snprintf(dir, sizeof dir, "/tmp/dropnet-outputs-XXXXXX");
    if (mkdtemp(dir) == NULL) return CHECK(0);
    char path[128];
    snprintf(path, sizeof path, "%s/d.csv", dir);
    FILE *f = fopen(path, "w");
    if (f == NULL) return CHECK(0);
    fputs("x1,x2,y\n", f);
    for (int r = 0; r < 40; ++r) fprintf(f, "%d,%d,%s\n", r % 2, r % 3, r % 2 ? odd : "a");
    return CHECK(fclose(f) == 0);
}

/* Runs `dropnet ARGS > REDIRECT` in dir, stderr captured (the suite's runner would send stderr
 * wherever stdout goes). */
static int cli_stdout_to(const char *redirect, const char *args) {
    char command[1024];
    snprintf(command, sizeof command, "cd %s && { %s %s > %s; }", dir, dn_test_cli_path(), args, redirect);
    return dn_test_run(command, output, sizeof output);
}

static int is_char_device(const char *path) {
    struct stat st;
    return stat(path, &st) == 0 && S_ISCHR(st.st_mode);
}

static int exists(const char *name) {
    char path[160];
    struct stat st;
    snprintf(path, sizeof path, "%s/%s", dir, name);
    return stat(path, &st) == 0 && st.st_size > 0;
}

TEST(cli_stdout_on_a_full_device_fails_naming_the_reason) {
    if (!is_char_device("/dev/full")) SKIP("/dev/full is not the kernel's full device here");
    if (!scratch("b")) return;
    CHECK(cli("train --train d.csv --model dense:2:softmax --epochs 2 --out m.safetensors") == 0);
    /* Before: exit 0 with nothing printed. Now: the failed flush is reported, exit 1. */
    CHECK(cli_stdout_to("/dev/full", "summary --model m.safetensors") == 1);
    CHECK_MSG(strstr(output, "dropnet: error: write error on standard output: No space left on "
                             "device") != NULL, "got: %s", output);
    CHECK(cli_stdout_to("/dev/full", "predict --model m.safetensors --data d.csv") == 1);
    CHECK_MSG(strstr(output, "No space left on device") != NULL, "got: %s", output);
    CHECK(cli_stdout_to("/dev/full", "eval --model m.safetensors --data d.csv") == 1);
    /* train: the model is still saved; only the progress lines were lost. */
    CHECK(cli_stdout_to("/dev/full", "train --train d.csv --model dense:2:softmax --epochs 1 "
                                     "--out n.safetensors") == 1);
    CHECK(exists("n.safetensors"));
    /* The same commands to a working stdout succeed (the check is not always failing). */
    CHECK(cli_stdout_to("/dev/null", "summary --model m.safetensors") == 0);
    CHECK(output[0] == '\0');
    CHECK(dn_test_remove_dir(dir));
}

TEST(cli_log_write_errors_fail_the_run_after_saving_the_model) {
    if (!is_char_device("/dev/full")) SKIP("/dev/full is not the kernel's full device here");
    if (!scratch("b")) return;
    CHECK(cli("train --train d.csv --model dense:2:softmax --epochs 3 --out m.safetensors "
              "--log /dev/full") == 1);
    CHECK_MSG(strstr(output, "cannot write log file /dev/full: No space left on device") != NULL,
              "got: %s", output);
    CHECK(strstr(output, "Epoch 3/3") != NULL); /* training went on */
    CHECK(exists("m.safetensors"));
    CHECK(cli("compare --train d.csv --model dropout:0.5,dense:2:softmax --epochs 1 "
              "--val-split 0.25 --log /dev/full") == 1);
    CHECK(strstr(output, "cannot write log file /dev/full") != NULL);
    CHECK(cli("demo --epochs 1 --log /dev/full") == 1);
    CHECK(strstr(output, "cannot write log file /dev/full") != NULL);
    /* A log that can be written: every epoch's line is there. */
    CHECK(cli("train --train d.csv --model dense:2:softmax --epochs 3 --out m.safetensors "
              "--log l.jsonl") == 0);
    char path[160];
    snprintf(path, sizeof path, "%s/l.jsonl", dir);
    FILE *f = fopen(path, "r");
    int lines = 0, c;
    while (f != NULL && (c = fgetc(f)) != EOF) lines += c == '\n';
    if (f) fclose(f);
    CHECK(lines == 3);
    CHECK(dn_test_remove_dir(dir));
}

TEST(cli_log_is_locked_while_a_run_writes_it) {
    if (!scratch("b")) return;
    char path[160];
    snprintf(path, sizeof path, "%s/l.jsonl", dir);
    int fd = open(path, O_RDWR | O_CREAT, 0644);
    CHECK(fd >= 0 && write(fd, "first run\n", 10) == 10);
    CHECK(flock(fd, LOCK_EX | LOCK_NB) == 0); /* as a running dropnet holds it */
    CHECK(cli("train --train d.csv --model dense:2:softmax --epochs 1 --out m.safetensors "
              "--log l.jsonl") == 1);
    CHECK_MSG(strstr(output, "log file l.jsonl is in use by another dropnet run") != NULL,
              "got: %s", output);
    struct stat st;
    CHECK(stat(path, &st) == 0 && st.st_size == 10); /* not truncated under the first run */
    close(fd);
    CHECK(cli("train --train d.csv --model dense:2:softmax --epochs 1 --out m.safetensors "
              "--log l.jsonl") == 0);
    CHECK(stat(path, &st) == 0 && st.st_size > 10);
    CHECK(dn_test_remove_dir(dir));
}

TEST(cli_control_characters_from_files_are_escaped) {
    /* A class name that retitles an xterm and rings the bell. */
    if (!scratch("\x1b]0;pwned\x07")) return;
    CHECK(cli("train --train d.csv --model dense:2:softmax --epochs 1 --out m.safetensors") == 0);
    CHECK(cli("summary --model m.safetensors") == 0);
    CHECK_MSG(strstr(output, "classes: \\x1b]0;pwned\\x07 a") != NULL ||
              strstr(output, "classes: a \\x1b]0;pwned\\x07") != NULL, "got: %s", output);
    CHECK(strchr(output, 0x1b) == NULL && strchr(output, 0x07) == NULL);
    CHECK(cli("predict --model m.safetensors --data d.csv") == 0);
    CHECK(strstr(output, "p_\\x1b]0;pwned\\x07") != NULL);
    CHECK(strchr(output, 0x1b) == NULL && strchr(output, 0x07) == NULL);
    CHECK(cli("eval --model m.safetensors --data d.csv") == 0);
    CHECK(strchr(output, 0x1b) == NULL);
    /* A message quoting a file name with an escape sequence in it. */
    CHECK(cli("summary --model $(printf 'no\\033[2Jsuch')") == 1);
    CHECK_MSG(strstr(output, "no\\x1b[2Jsuch") != NULL && strchr(output, 0x1b) == NULL,
              "got: %s", output);
    CHECK(dn_test_remove_dir(dir));
}
