/* fuzz_cli.c — libFuzzer harness for the command line (cli/common/options.c against the real
 * tables).
 *
 * Input: one selector byte, then the argument words separated by NUL bytes (at most 64).
 * Selector bit 0: the option table of `train` (with --out) or of `compare` (without), built by
 * cli_train_option_table exactly as the commands build it; a successful parse then goes through
 * cli_train_check, the range and requirement checks the parser leaves to the command. Bit 1:
 * the first word is put in DROPNET_THREADS instead (cli_env_threads). Bit 2: the words go to
 * cli_cmd_summary in-process, whose table is local to it.
 *
 * Why only these: parsing and checking are pure, and `summary` only reads the file it is given
 * (a fuzzed path names no file in practice). Running `train`, `eval`, `predict`, `demo` or
 * `compare` in-process would train models and write files wherever a fuzzed --out points; their
 * parsing is the same cli_parse, and the bad-input catalogue (tests/test_bad_inputs.c) runs
 * them through the binary. cli_error_capture sends every error message into last_error, where it is
 * checked instead of printed. */
#define _XOPEN_SOURCE 700 /* putenv */

#include "fuzz_file.h"

#include "commands.h"
#include "common/cli_error.h"
#include "common/options.h"
#include "train/settings.h"

#include <string.h>

enum { MAX_WORDS = 64 };

static char last_error[1024];

static FILE *null_out(void) {
    static FILE *f;
    if (f == NULL) f = fopen("/dev/null", "w");
    return f;
}

static void parse_train_table(int with_out, int argc, char **argv) {
    cli_train_settings s;
    cli_train_settings_defaults(&s);
    cli_option table[CLI_TRAIN_OPTION_COUNT];
    size_t count = cli_train_option_table(&s, table, with_out);
    DN_FUZZ_ASSERT(count <= CLI_TRAIN_OPTION_COUNT);
    const cli_command cmd = {
        .name = with_out ? "train" : "compare",
        .summary = "fuzzed",
        .usage = "[options]",
        .options = table,
        .option_count = count,
    };
    char message[512] = "";
    switch (cli_parse(&cmd, argc, argv, message, sizeof message)) {
    case CLI_PARSE_HELP:
        if (null_out()) cli_print_help(&cmd, null_out());
        return;
    case CLI_PARSE_ERROR:
        /* Every refusal names the command and is NUL-terminated within the buffer. */
        DN_FUZZ_ASSERT(memchr(message, '\0', sizeof message) != NULL);
        DN_FUZZ_ASSERT(strncmp(message, cmd.name, strlen(cmd.name)) == 0);
        return;
    case CLI_PARSE_OK: break;
    }
    last_error[0] = '\0';
    int code = cli_train_check(&s, cmd.name, with_out);
    DN_FUZZ_ASSERT(code == 0 || code == -1); /* -1: refused (the command then exits 2) */
    if (code != 0) {
        DN_FUZZ_ASSERT(last_error[0] != '\0');
        return;
    }
    /* What the commands rely on after a successful check. */
    DN_FUZZ_ASSERT(s.train != NULL && (s.model != NULL || s.init != NULL));
    DN_FUZZ_ASSERT(!with_out || s.out != NULL);
    DN_FUZZ_ASSERT(s.batch > 0 && s.threads <= 4096);
    DN_FUZZ_ASSERT(s.val_split >= 0.0 && s.val_split < 1.0);
    DN_FUZZ_ASSERT(s.momentum >= 0.0f && s.momentum < 1.0f);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size < 1) return 0;
    cli_error_capture(last_error, sizeof last_error);
    uint8_t flags = data[0];
    /* A private, NUL-terminated copy: argv words point into it, as they point into the
     * process's argument block. */
    char *text = malloc(size);
    if (text == NULL) return 0;
    memcpy(text, data + 1, size - 1);
    text[size - 1] = '\0';
    char *argv[MAX_WORDS + 1];
    int argc = 0;
    for (char *p = text; p < text + size - 1 && argc < MAX_WORDS; p += strlen(p) + 1)
        argv[argc++] = p;
    argv[argc] = NULL;
    char **words = argv;
    if (flags & 2) {
        if (argc > 0) {
            /* putenv with one static buffer: setenv would keep every old value allocated (glibc
             * never frees them), and millions of inputs would exhaust the RSS limit. */
            static char env[1100];
            snprintf(env, sizeof env, "DROPNET_THREADS=%s", argv[0]);
            putenv(env);
            words++;
            argc--;
        }
    } else {
        unsetenv("DROPNET_THREADS");
    }
    if (flags & 4) {
        /* stdout is closed by -close_fd_mask in `make fuzz-run`; the exit code is what counts. */
        last_error[0] = '\0';
        int code = cli_cmd_summary(argc, words);
        DN_FUZZ_ASSERT(code == 0 || code == 1 || code == 2);
        DN_FUZZ_ASSERT(code == 0 || last_error[0] != '\0');
    } else {
        parse_train_table(!(flags & 1), argc, words);
    }
    free(text);
    return 0;
}
