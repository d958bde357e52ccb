/* test.h — a tiny test framework: TEST(name) registers a function at load time; CHECK* record
 * failures with file:line and keep going; SKIP(...) ends a test that cannot run here; the runner
 * prints "N passed, N failed, N skipped" last. */
#ifndef DN_TEST_H
#define DN_TEST_H

#include <math.h>
#include <stdio.h>

typedef void (*dn_test_fn)(void);
void dn_test_register(const char *name, const char *file, dn_test_fn fn);
/* Records a failure of the running test; returns 0 so CHECK can be used in conditions. */
int dn_test_fail(const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Marks the running test skipped with a printf-formatted reason (say what is missing and what
 * installs it). A skip is not a pass: it is counted apart, and DROPNET_TEST_NO_SKIP=1 (CI, where
 * scripts/setup.sh installed everything) turns it into a failure. */
void dn_test_skip(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
#define SKIP(...)                                                                   \
    do {                                                                            \
        dn_test_skip(__VA_ARGS__);                                                  \
        return;                                                                     \
    } while (0)

#define TEST(name)                                                                  \
    static void test_##name(void);                                                  \
    __attribute__((constructor)) static void register_##name(void) {                \
        dn_test_register(#name, __FILE__, test_##name);                             \
    }                                                                               \
    static void test_##name(void)

#define CHECK(cond)                                                                 \
    ((cond) ? 1 : dn_test_fail(__FILE__, __LINE__, "CHECK(%s)", #cond))

#define CHECK_MSG(cond, ...) ((cond) ? 1 : dn_test_fail(__FILE__, __LINE__, __VA_ARGS__))

/* |a − b| ≤ tol */
#define CHECK_NEAR(a, b, tol)                                                       \
    do {                                                                            \
        double a_ = (double)(a), b_ = (double)(b), t_ = (double)(tol);              \
        if (!(fabs(a_ - b_) <= t_))                                                 \
            dn_test_fail(__FILE__, __LINE__, "%s = %.9g, expected %s = %.9g ± %g",  \
                         #a, a_, #b, b_, t_);                                       \
    } while (0)

/* Checks a dn_status call succeeded, printing the error message otherwise. */
#define CHECK_OK(call, errp)                                                        \
    do {                                                                            \
        dn_status s_ = (call);                                                      \
        if (s_ != DN_OK)                                                            \
            dn_test_fail(__FILE__, __LINE__, "%s failed: %s", #call, (errp)->message); \
    } while (0)

/* Path of the CLI binary under test (set by the runner from its own location). */
const char *dn_test_cli_path(void);

/* Runs a shell command, captures stdout+stderr (up to size−1 bytes) and returns the exit status,
 * or −1 when the command died from a signal. */
int dn_test_run(const char *command, char *output, size_t size);

/* Runs the CLI with printf-formatted arguments inside directory `dir` (cd first), capturing
 * stdout+stderr into output; returns as dn_test_run. */
int dn_test_cli_in(const char *dir, char *output, size_t size, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Flips bit 4 of the byte at `offset` (fseek's `whence`) of an existing file, to damage it in
 * place; returns 1 on success. */
int dn_test_flip_byte(const char *path, long offset, int whence);

/* Creates a scratch directory "/tmp/dropnet-TAG-XXXXXX" (its path written to dir [64]) and opens
 * the new file `file` in it for writing; returns the stream, or NULL with the failure recorded. */
FILE *dn_test_scratch_file(char *dir, const char *tag, const char *file);

/* The size of `name` in directory `dir`, or -1 when it does not exist. */
long dn_test_size_in(const char *dir, const char *name);

/* The safetensors header length of `name` in `dir` (dir NULL: name is the path): its first 8
 * bytes, little-endian; 0 when it cannot be read. */
unsigned long long dn_test_header_length(const char *dir, const char *name);

/* A malloc'd copy of the model's parameter slab (caller frees), its length in *count; NULL when the
 * model has no parameters yet or the copy cannot be allocated. Used by the tests that compare
 * trained weights across runs (threads, precision, blocks). */
struct dn_model;
float *dn_test_copy_params(struct dn_model *model, size_t *count);

/* Removes a scratch directory and everything in it; returns 1 on success. */
int dn_test_remove_dir(const char *dir);

#endif
