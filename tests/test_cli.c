/* test_cli.c — the dropnet tool end to end: the demo's accuracy and determinism, --log, and
 * every kind of bad command line answered with "dropnet: error: ..." and a non-zero exit. */
#include "test.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char output[1 << 16];

static int run_cli(const char *args) {
    char command[1024];
    snprintf(command, sizeof command, "%s %s", dn_test_cli_path(), args);
    return dn_test_run(command, output, sizeof output);
}

/* The value of "key": in the last line of a JSON-lines file, or NAN. */
static double last_log_value(const char *path, const char *key) {
    FILE *f = fopen(path, "r");
    if (f == NULL) return NAN;
    char line[512], last[512] = "";
    while (fgets(line, sizeof line, f)) strcpy(last, line);
    fclose(f);
    char pattern[64];
    snprintf(pattern, sizeof pattern, "\"%s\":", key);
    const char *at = strstr(last, pattern);
    return at ? strtod(at + strlen(pattern), NULL) : NAN;
}

static int count_lines(const char *path) {
    FILE *f = fopen(path, "r");
    if (f == NULL) return -1;
    int lines = 0, c;
    while ((c = fgetc(f)) != EOF) lines += c == '\n';
    fclose(f);
    return lines;
}

TEST(demo_defaults_reach_80_percent_and_log_every_epoch) {
    char log[] = "/tmp/dropnet-test-log-XXXXXX";
    int fd = mkstemp(log);
    CHECK(fd >= 0);
    close(fd);
    char args[256];
    snprintf(args, sizeof args, "demo --log %s", log);
    CHECK(run_cli(args) == 0);
    CHECK(strstr(output, "Total params: 243") != NULL);
    CHECK(strstr(output, "Dropout(0.2) (inference)   passes values through unchanged") != NULL);
    CHECK(count_lines(log) == 5);
    double val_accuracy = last_log_value(log, "val_accuracy");
    CHECK_MSG(val_accuracy >= 0.80, "final val_accuracy %.4f < 0.80", val_accuracy);
    CHECK(last_log_value(log, "epoch") == 5.0);
    CHECK(last_log_value(log, "loss") < 0.6);
    unlink(log);
}

TEST(demo_is_deterministic_for_a_seed) {
    static char first[sizeof output];
    CHECK(run_cli("demo --seed 7 --epochs 2") == 0);
    memcpy(first, output, sizeof output);
    CHECK(run_cli("demo --seed 7 --epochs 2") == 0);
    CHECK(strcmp(first, output) == 0);
    CHECK(run_cli("demo --seed 8 --epochs 2") == 0);
    CHECK(strcmp(first, output) != 0);
}

TEST(demo_batch_dropout_fraction_is_reported) {
    CHECK(run_cli("demo --epochs 1 --rate 0.5") == 0);
    const char *at = strstr(output, "this batch: ");
    CHECK(at != NULL);
    if (at) {
        unsigned dropped = 0, total = 0;
        CHECK(sscanf(at, "this batch: %u of %u dropped", &dropped, &total) == 2);
        CHECK(total == 640);
        /* Binomial(640, 0.5): sd 12.6, so ±64 is five standard deviations. */
        CHECK_MSG(dropped > 256 && dropped < 384, "dropped %u of %u at rate 0.5", dropped, total);
    }
}

TEST(demo_rate_zero_trains_without_dropping) {
    CHECK(run_cli("demo --epochs 1 --rate 0") == 0);
    CHECK(strstr(output, "this batch: 0 of 640 dropped") != NULL);
}

/* Each bad command line: exit code 2, the message on stderr, no signal. */
static void expect_usage_error(const char *args, const char *message) {
    int code = run_cli(args);
    CHECK_MSG(code == 2, "'%s' exited %d, expected 2", args, code);
    CHECK_MSG(strstr(output, "dropnet: error: ") != NULL, "'%s': no error prefix in: %s", args, output);
    CHECK_MSG(strstr(output, message) != NULL, "'%s': expected \"%s\" in: %s", args, message, output);
}

TEST(cli_rejects_bad_command_lines) {
    expect_usage_error("", "no command given");
    expect_usage_error("frobnicate", "unknown command 'frobnicate'");
    expect_usage_error("demo --epoch 3", "unknown option '--epoch'");
    expect_usage_error("demo --epochs", "--epochs needs a value");
    expect_usage_error("demo --epochs three", "--epochs expects a non-negative integer, got 'three'");
    expect_usage_error("demo --epochs -1", "--epochs expects a non-negative integer, got '-1'");
    expect_usage_error("demo --seed 12x", "--seed expects a non-negative integer, got '12x'");
    expect_usage_error("demo --rate abc", "--rate expects a number, got 'abc'");
    expect_usage_error("demo --rate 1", "--rate must be in [0, 1), got 1");
    expect_usage_error("demo --rate 1.5", "--rate must be in [0, 1), got 1.5");
    expect_usage_error("demo --rate=-0.1", "--rate must be in [0, 1), got -0.1");
    expect_usage_error("demo --rate nan", "--rate expects a number, got 'nan'");
    expect_usage_error("demo --batch 0", "--batch must be > 0");
    expect_usage_error("demo --log", "--log needs a value");
    expect_usage_error("demo extra", "unexpected argument 'extra'");
}

TEST(cli_help_describes_every_option) {
    CHECK(run_cli("--help") == 0);
    CHECK(strstr(output, "demo") != NULL);
    CHECK(run_cli("demo --help") == 0);
    const char *options[] = {"--seed N", "--epochs N", "--rate R", "--batch N", "--lr X", "--log FILE"};
    for (size_t i = 0; i < sizeof options / sizeof options[0]; ++i)
        CHECK_MSG(strstr(output, options[i]) != NULL, "demo --help lacks %s", options[i]);
    CHECK(run_cli("--version") == 0);
    CHECK(strstr(output, "dropnet 0.") != NULL);
    /* compare refuses --epochs 0, so its help does not offer it (train's does) */
    CHECK(run_cli("compare --help") == 0);
    CHECK_MSG(strstr(output, "--epochs N             training epochs of each run, > 0 (1)") != NULL &&
              strstr(output, "0 saves the initial model") == NULL, "%s", output);
    CHECK(run_cli("train --help") == 0);
    CHECK(strstr(output, "training epochs (1; 0 saves the initial model)") != NULL);
}

TEST(cli_unwritable_log_fails_cleanly) {
    /* Refused before the run (issue 12: outputs are checked up front). */
    int code = run_cli("demo --epochs 1 --log /nonexistent-dir/x.jsonl");
    CHECK(code == 2);
    CHECK_MSG(strstr(output, "dropnet: error: demo: --log: cannot write \"/nonexistent-dir/x.jsonl\": "
                             "directory \"/nonexistent-dir\": No such file or directory") != NULL,
              "got: %s", output);
}
