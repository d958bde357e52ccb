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
    FILE *f = dn_test_scratch_file(dir, "outputs", "d.csv");
    if (f == NULL) return 0;
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

static int exists(const char *name) { return dn_test_size_in(dir, name) > 0; }

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

static long size_of(const char *name) {
    char path[160];
    struct stat st;
    snprintf(path, sizeof path, "%s/%s", dir, name);
    return stat(path, &st) == 0 ? (long)st.st_size : -1;
}

/* Each refusal comes before any work: exit 2, nothing trained ("Epoch" never printed), and the
 * input the output named is intact. */
TEST(cli_outputs_checked_before_any_work) {
    if (!scratch("b")) return;
    const char *train = "train --train d.csv --model dense:2:softmax --epochs 1";
    CHECK(cli("%s --out m.safetensors", train) == 0);
    long data = size_of("d.csv"), model = size_of("m.safetensors");
    /* An output that is an input: --log over the training data truncated it before training. */
    CHECK(cli("%s --out n.safetensors --log d.csv", train) == 2);
    CHECK_MSG(strstr(output, "train: --log d.csv is the same file as --train d.csv: writing it "
                             "would destroy it") != NULL, "got: %s", output);
    CHECK(cli("%s --out d.csv", train) == 2);
    CHECK(strstr(output, "--out d.csv is the same file as --train d.csv") != NULL);
    CHECK(cli("train --train d.csv --init m.safetensors --epochs 1 --out n.safetensors --log "
              "m.safetensors") == 2);
    CHECK(strstr(output, "--log m.safetensors is the same file as --init m.safetensors") != NULL);
    CHECK(cli("train --train d.csv --init m.safetensors --epochs 1 --out n.safetensors --report "
              "m.safetensors") == 2);
    CHECK(cli("compare --train d.csv --model dropout:0.5,dense:2:softmax --epochs 1 --val-split "
              "0.25 --log d.csv") == 2);
    CHECK(cli("predict --model m.safetensors --data d.csv --out d.csv") == 2);
    CHECK(strstr(output, "predict: --out d.csv is the same file as --data d.csv") != NULL);
    CHECK(cli("predict --model m.safetensors --data d.csv --out m.safetensors") == 2);
    CHECK(strstr(output, "--out m.safetensors is the same file as --model m.safetensors") != NULL);
    /* Through a symlink: the same file after resolving. */
    char command[256];
    snprintf(command, sizeof command, "cd %s && ln -s d.csv link.csv", dir);
    CHECK(dn_test_run(command, output, sizeof output) == 0);
    CHECK(cli("predict --model m.safetensors --data d.csv --out link.csv") == 2);
    CHECK(strstr(output, "--out link.csv is the same file as --data d.csv") != NULL);
    CHECK(strstr(output, "Epoch") == NULL);
    CHECK(size_of("d.csv") == data && size_of("m.safetensors") == model);
    /* --init m --out m keeps working: the model is read completely before it is replaced. */
    CHECK(cli("train --train d.csv --init m.safetensors --epochs 1 --out m.safetensors") == 0);
    /* Outputs that could only fail at the end of the run. */
    CHECK(cli("%s --out .", train) == 2);
    CHECK_MSG(strstr(output, "train: --out: cannot write \".\": it is a directory") != NULL,
              "got: %s", output);
    CHECK(strstr(output, "Epoch") == NULL);
    char long_name[4200];
    memset(long_name, 'a', sizeof long_name - 1);
    long_name[sizeof long_name - 1] = '\0';
    for (size_t i = 200; i < sizeof long_name - 1; i += 200) long_name[i] = '/';
    static char long_command[6000]; /* longer than dn_test_cli_in's arguments */
    snprintf(long_command, sizeof long_command, "cd %s && %s %s --out %s", dir, dn_test_cli_path(),
             train, long_name);
    CHECK(dn_test_run(long_command, output, sizeof output) == 2);
    CHECK_MSG(strstr(output, "train: --out: output path \"") != NULL &&
              strstr(output, "is 4199 bytes long") != NULL, "got: %.300s", output);
    CHECK(cli("%s --out missing/m.safetensors", train) == 2);
    CHECK_MSG(strstr(output, "--out: cannot write \"missing/m.safetensors\": directory \"missing\": "
                             "No such file or directory") != NULL, "got: %s", output);
    CHECK(cli("%s --out x.safetensors --log x.safetensors", train) == 2);
    CHECK(strstr(output, "--out and --log name the same file x.safetensors") != NULL);
    CHECK(dn_test_remove_dir(dir));
}
