/* main.c — the test runner: runs every registered test (or those whose name contains any of the
 * arguments) and ends with "N passed, N failed, N skipped". A test that calls SKIP is reported as
 * "skip" with its reason; with DROPNET_TEST_NO_SKIP=1 in the environment a skip is a failure. */
#define _DEFAULT_SOURCE /* realpath */
#include "test.h"

#include "dropnet.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>

enum { MAX_TESTS = 1024 };

typedef struct test_case {
    const char *name, *file;
    dn_test_fn fn;
} test_case;

static test_case tests[MAX_TESTS];
static size_t test_count;
static int current_failures;
static char current_skip[512]; /* the running test's skip reason; empty when it did not skip */
static char cli_path[4096] = "build/dropnet";

void dn_test_register(const char *name, const char *file, dn_test_fn fn) {
    if (test_count < MAX_TESTS) tests[test_count++] = (test_case){name, file, fn};
}

int dn_test_fail(const char *file, int line, const char *fmt, ...) {
    va_list args;
    va_start(args, fmt);
    fprintf(stdout, "    %s:%d: ", file, line);
    vfprintf(stdout, fmt, args);
    fputc('\n', stdout);
    va_end(args);
    current_failures++;
    return 0;
}

void dn_test_skip(const char *fmt, ...) {
    va_list args;
    va_start(args, fmt);
    vsnprintf(current_skip, sizeof current_skip, fmt, args);
    va_end(args);
    if (current_skip[0] == '\0') snprintf(current_skip, sizeof current_skip, "no reason given");
}

const char *dn_test_cli_path(void) { return cli_path; }

int dn_test_run(const char *command, char *output, size_t size) {
    char full[8192];
    snprintf(full, sizeof full, "%s 2>&1", command);
    FILE *p = popen(full, "r");
    if (p == NULL) return -1;
    size_t used = 0;
    int c;
    while ((c = fgetc(p)) != EOF)
        if (used + 1 < size) output[used++] = (char)c;
    if (size) output[used] = '\0';
    int status = pclose(p);
    if (WIFSIGNALED(status)) return -1;
    return WEXITSTATUS(status);
}

int dn_test_cli_in(const char *dir, char *output, size_t size, const char *fmt, ...) {
    char args[2048], command[8192];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(args, sizeof args, fmt, ap);
    va_end(ap);
    snprintf(command, sizeof command, "cd %s && %s %s", dir, cli_path, args);
    return dn_test_run(command, output, size);
}

int dn_test_flip_byte(const char *path, long offset, int whence) {
    FILE *f = fopen(path, "r+b");
    if (f == NULL) return 0;
    int c = fseek(f, offset, whence) == 0 ? fgetc(f) : EOF;
    int ok = c != EOF && fseek(f, offset, whence) == 0 && fputc(c ^ 0x10, f) != EOF;
    return fclose(f) == 0 && ok;
}

FILE *dn_test_scratch_file(char *dir, const char *tag, const char *file) {
    char path[256];
    snprintf(dir, 64, "/tmp/dropnet-%s-XXXXXX", tag);
    if (mkdtemp(dir) == NULL) {
        dn_test_fail(__FILE__, __LINE__, "cannot create scratch directory %s", dir);
        return NULL;
    }
    snprintf(path, sizeof path, "%s/%s", dir, file);
    FILE *f = fopen(path, "w");
    if (f == NULL) dn_test_fail(__FILE__, __LINE__, "cannot create %s", path);
    return f;
}

long dn_test_size_in(const char *dir, const char *name) {
    char path[512];
    struct stat st;
    snprintf(path, sizeof path, "%s/%s", dir, name);
    return stat(path, &st) == 0 ? (long)st.st_size : -1;
}

float *dn_test_copy_params(dn_model *model, size_t *count) {
    *count = dn_model_param_count(model);
    const float *params = dn_model_params(model);
    float *copy = params != NULL ? malloc(*count * sizeof *copy) : NULL;
    if (copy != NULL) memcpy(copy, params, *count * sizeof *copy);
    return copy;
}

unsigned long long dn_test_header_length(const char *dir, const char *name) {
    char path[512];
    unsigned char b[8] = {0};
    snprintf(path, sizeof path, "%s%s%s", dir ? dir : "", dir ? "/" : "", name);
    FILE *f = fopen(path, "rb");
    if (f == NULL || fread(b, 1, 8, f) != 8) b[0] = 0;
    if (f) fclose(f);
    unsigned long long n = 0;
    for (int i = 7; i >= 0; --i) n = n << 8 | b[i];
    return n;
}

int dn_test_remove_dir(const char *dir) {
    char command[256];
    snprintf(command, sizeof command, "rm -rf '%s'", dir);
    return system(command) == 0;
}

/* 1 when the test's name contains one of the filters (or there are none). */
static int selected(const char *name, int argc, char **argv) {
    if (argc < 2) return 1;
    for (int i = 1; i < argc; ++i)
        if (strstr(name, argv[i])) return 1;
    return 0;
}

static int by_file_then_order(const void *a, const void *b) {
    const test_case *x = a, *y = b;
    int c = strcmp(x->file, y->file);
    return c ? c : (x < y ? -1 : x > y);
}

int main(int argc, char **argv) {
    const char *no_skip = getenv("DROPNET_TEST_NO_SKIP");
    int skip_fails = no_skip && strcmp(no_skip, "1") == 0;
    /* The CLI sits beside the test binary. */
    char self[4096];
    const char *slash = realpath(argv[0], self) ? strrchr(self, '/') : NULL;
    if (slash) snprintf(cli_path, sizeof cli_path, "%.*s/dropnet", (int)(slash - self), self);
    qsort(tests, test_count, sizeof tests[0], by_file_then_order);
    size_t passed = 0, failed = 0, skipped = 0;
    for (size_t i = 0; i < test_count; ++i) {
        if (!selected(tests[i].name, argc, argv)) continue;
        current_failures = 0;
        current_skip[0] = '\0';
        tests[i].fn();
        if (current_failures) {
            printf("FAIL %s\n", tests[i].name);
            failed++;
        } else if (current_skip[0] && skip_fails) {
            printf("FAIL %s (skipped, and DROPNET_TEST_NO_SKIP=1: %s)\n", tests[i].name, current_skip);
            failed++;
        } else if (current_skip[0]) {
            printf("skip %s (%s)\n", tests[i].name, current_skip);
            skipped++;
        } else {
            printf("ok   %s\n", tests[i].name);
            passed++;
        }
        fflush(stdout);
    }
    printf("%zu passed, %zu failed, %zu skipped\n", passed, failed, skipped);
    return failed ? 1 : 0;
}
