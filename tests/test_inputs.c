/* test_inputs.c — what the library reads (issue 12): stat before open, CSV from a FIFO or
 * standard input, FIFOs refused for model and IDX files without blocking, binary data refused in
 * the first block, FLT_MAX's shortest text, class-name checks. */
#include "test.h"

#include "dropnet.h"
#include "data/dataset.h"

#include <float.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static char dir[64];
static char out[1 << 14];

static void setup(void) {
    snprintf(dir, sizeof dir, "/tmp/dn-inputs-XXXXXX");
    CHECK(mkdtemp(dir) != NULL);
}

static const char CSV[] = "a,b,label\n1,2,x\n3,4,y\n5,6,x\n";

TEST(inputs_fifos_refused_for_model_and_idx_without_blocking) {
    setup();
    char fifo[256], spec[600];
    snprintf(fifo, sizeof fifo, "%s/model.safetensors", dir);
    CHECK(mkfifo(fifo, 0600) == 0);
    dn_error err;
    dn_model *m = NULL;
    alarm(20); /* a regression blocks in open(): the alarm then fails the whole run loudly */
    CHECK(dn_model_load(&m, fifo, &err) == DN_ERR_IO);
    CHECK_MSG(strstr(err.message, "FIFO or pipe") != NULL, "got %s", err.message);
    dn_dataset *d = NULL;
    snprintf(spec, sizeof spec, "%s+%s", fifo, fifo);
    CHECK(dn_dataset_open(&d, spec, NULL, &err) == DN_ERR_IO);
    CHECK_MSG(strstr(err.message, "not a regular file") != NULL, "got %s", err.message);
    /* through the binary */
    CHECK(dn_test_cli_in(dir, out, sizeof out, "summary --model model.safetensors") == 1);
    CHECK_MSG(strstr(out, "FIFO or pipe") != NULL, "got %s", out);
    alarm(0);
    CHECK(dn_test_remove_dir(dir));
}

TEST(inputs_csv_streams_from_a_fifo_and_standard_input) {
    setup();
    char fifo[256];
    snprintf(fifo, sizeof fifo, "%s/data.csv", dir);
    CHECK(mkfifo(fifo, 0600) == 0);
    pid_t child = fork();
    if (child == 0) {
        FILE *f = fopen(fifo, "w");
        _exit(f && fputs(CSV, f) >= 0 && fclose(f) == 0 ? 0 : 1);
    }
    dn_error err;
    dn_dataset *d = NULL;
    alarm(20);
    CHECK_OK(dn_dataset_open(&d, fifo, NULL, &err), &err);
    alarm(0);
    int status;
    CHECK(waitpid(child, &status, 0) == child && WIFEXITED(status) && WEXITSTATUS(status) == 0);
    if (d) CHECK(dn_dataset_rows(d) == 3 && dn_dataset_classes(d) == 2);
    dn_dataset_free(d);
    d = NULL;

    /* "-": standard input (a pipe holding the whole text). */
    int fds[2], saved = dup(0);
    if (CHECK(pipe(fds) == 0 && saved >= 0)) {
        CHECK(write(fds[1], CSV, sizeof CSV - 1) == (ssize_t)(sizeof CSV - 1));
        close(fds[1]);
        dup2(fds[0], 0);
        close(fds[0]);
        CHECK_OK(dn_dataset_open(&d, "-", NULL, &err), &err);
        dup2(saved, 0);
        close(saved);
        if (d) {
            float row[2];
            CHECK(dn_dataset_rows(d) == 3 && dn_dataset_get_row(d, 2, row, &err) == DN_OK &&
                  row[0] == 5.0f && row[1] == 6.0f);
            CHECK(strcmp(dn_dataset_class_name(d, 1), "y") == 0);
        }
        dn_dataset_free(d);
    }
    CHECK(dn_test_remove_dir(dir));
}

TEST(inputs_binary_refused_in_the_first_block) {
    setup();
    char path[256];
    snprintf(path, sizeof path, "%s/sparse.csv", dir);
    FILE *f = fopen(path, "wb");
    /* 2 GB of holes: the reader must stop at the first block. With an 8 MB cap, reading the
     * whole file first would end in a memory-cap error instead of this one. */
    if (CHECK(f != NULL)) {
        CHECK(ftruncate(fileno(f), 2147483648LL) == 0);
        fclose(f);
    }
    dn_dataset_options o = {.max_bytes = 8u << 20};
    dn_dataset *d = NULL;
    dn_error err;
    CHECK(dn_dataset_open(&d, path, &o, &err) == DN_ERR_FORMAT);
    CHECK_MSG(strstr(err.message, "NUL byte (at byte 0)") != NULL, "got %s", err.message);
    CHECK(dn_test_remove_dir(dir));
}

TEST(inputs_float_max_text_and_label_checks) {
    setup();
    char path[256];
    snprintf(path, sizeof path, "%s/edge.csv", dir);
    FILE *f = fopen(path, "w");
    if (CHECK(f != NULL)) {
        fputs("a,b,label\n3.4028235e38,-3.4028235e38,x\n1,2,y\n", f);
        fclose(f);
    }
    dn_dataset *d = NULL;
    dn_error err;
    CHECK_OK(dn_dataset_open(&d, path, NULL, &err), &err);
    float row[2] = {0, 0};
    if (d) CHECK(dn_dataset_get_row(d, 0, row, &err) == DN_OK && row[0] == FLT_MAX &&
                 row[1] == -FLT_MAX);
    dn_dataset_free(d);
    d = NULL;

    /* Just past FLT_MAX + half an ulp: rounds to infinity, refused. */
    f = fopen(path, "w");
    if (CHECK(f != NULL)) {
        fputs("a,b,label\n3.4028236e38,0,x\n", f);
        fclose(f);
    }
    CHECK(dn_dataset_open(&d, path, NULL, &err) == DN_ERR_FORMAT);
    CHECK(strstr(err.message, "expected a finite number") != NULL);

    /* A Latin-1 label: file, line, column and the value with the byte shown. */
    f = fopen(path, "w");
    if (CHECK(f != NULL)) {
        fputs("a,label\n1,tea\n2,caf\xe9\n", f);
        fclose(f);
    }
    CHECK(dn_dataset_open(&d, path, NULL, &err) == DN_ERR_FORMAT);
    CHECK_MSG(strstr(err.message, "edge.csv:3:2: class label \"caf\\xe9\" is not valid UTF-8") !=
                  NULL, "got %s", err.message);
    /* 45 such bytes: the quoted value is cut, within its buffer (the fuzzer found 40 × "\xNN"
     * plus the NUL overflowing it) */
    f = fopen(path, "w");
    if (CHECK(f != NULL)) {
        fputs("a,label\n1,tea\n2,", f);
        for (int i = 0; i < 45; ++i) fputc(0xbd, f);
        fputs("\n", f);
        fclose(f);
    }
    CHECK(dn_dataset_open(&d, path, NULL, &err) == DN_ERR_FORMAT);
    CHECK_MSG(strstr(err.message, "edge.csv:3:2: class label \"\\xbd\\xbd") != NULL &&
                  strstr(err.message, "is not valid UTF-8 (byte 1;") != NULL, "got %s", err.message);

    /* A label of 45 high bytes: the first 40 shown, 160 characters and their NUL (the buffer
     * once had no byte for the NUL: a stack overflow fuzz_csv found; fuzz/corpus/csv). */
    f = fopen(path, "w");
    if (CHECK(f != NULL)) {
        fputs("a,label\n1,tea\n2,", f);
        for (int i = 0; i < 45; ++i) fputc(0xff, f);
        fputs("\n", f);
        fclose(f);
    }
    CHECK(dn_dataset_open(&d, path, NULL, &err) == DN_ERR_FORMAT);
    char shown[4 * 40 + 3];
    snprintf(shown, sizeof shown, "\"%s", "");
    for (int i = 0; i < 40; ++i) strcat(shown, "\\xff");
    strcat(shown, "\"");
    CHECK_MSG(strstr(err.message, shown) != NULL && strstr(err.message, "is not valid UTF-8 (byte 1"),
              "got %s", err.message);

    /* Class names given to a dataset: empty and duplicate names refused. */
    if (dn_dataset_create_synthetic(&d, 10, 2, 2, 1, &err) == DN_OK) {
        const char *empty[] = {"a", ""}, *twice[] = {"same", "same"}, *fine[] = {"a", "b"};
        CHECK(dni_dataset_set_class_names(d, empty, &err) == DN_ERR_ARGUMENT);
        CHECK(strstr(err.message, "class name 1 is empty") != NULL);
        CHECK(dni_dataset_set_class_names(d, twice, &err) == DN_ERR_ARGUMENT);
        CHECK(strstr(err.message, "\"same\" is given twice") != NULL);
        CHECK_OK(dni_dataset_set_class_names(d, fine, &err), &err);
        CHECK(strcmp(dn_dataset_class_name(d, 1), "b") == 0);
    }
    dn_dataset_free(d);
    CHECK(dn_test_remove_dir(dir));
}
