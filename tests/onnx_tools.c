/* onnx_tools.c — running the ONNX checker and ONNX Runtime from the tests (onnx_tools.h). */
#include "onnx_tools.h"

#include "test.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char output[1 << 21]; /* ONNX Runtime's outputs for the 10,000 Fashion test images: 1.3 MB */

int onnx_tmp_dir(char *path) {
    snprintf(path, 64, "/tmp/dropnet-onnx-XXXXXX");
    return CHECK(mkdtemp(path) != NULL);
}

int onnx_check(const char *files) {
    char cmd[4096];
    snprintf(cmd, sizeof cmd, "/usr/bin/python3 tests/onnx/check.py %s", files);
    int rc = dn_test_run(cmd, output, sizeof output);
    return CHECK_MSG(rc == 0 && strncmp(output, "ok ", 3) == 0,
                     "ONNX checker refused %s (rc %d; `make setup` installs python3-onnx):\n%s",
                     files, rc, output);
}

/* <dir of the CLI>/npm/node_modules, where `make onnxruntime` installs onnxruntime-node. */
static void node_modules(char *path, size_t size) {
    snprintf(path, size, "%s", dn_test_cli_path());
    char *slash = strrchr(path, '/');
    if (slash) *slash = '\0';
    strncat(path, "/npm/node_modules", size - strlen(path) - 1);
}

int onnx_ort_run(const char *model, const char *csv, size_t runs, float *out, size_t rows,
                 size_t cols, size_t *differing) {
    char modules[512], cmd[2048];
    node_modules(modules, sizeof modules);
    snprintf(cmd, sizeof cmd, "/usr/bin/node tests/onnx/ort_run.js '%s' '%s' %zu '%s'", model, csv,
             runs, modules);
    int rc = dn_test_run(cmd, output, sizeof output);
    if (!CHECK_MSG(rc == 0, "ONNX Runtime failed on %s (rc %d; `make onnxruntime` installs "
                            "onnxruntime-node into %s):\n%s", model, rc, modules, output))
        return 0;
    unsigned long r = 0, d = 0;
    char *p = output;
    if (!CHECK_MSG(sscanf(p, "runs %lu differing %lu", &r, &d) == 2 && r == runs,
                   "unexpected ONNX Runtime output:\n%s", output))
        return 0;
    *differing = d;
    p = strchr(p, '\n');
    for (size_t i = 0; i < rows * cols; ++i) {
        if (!CHECK_MSG(p != NULL, "ONNX Runtime gave fewer than %zu values", rows * cols)) return 0;
        char *end;
        out[i] = strtof(p + 1, &end);
        if (!CHECK_MSG(end != p + 1, "ONNX Runtime output not a number at value %zu", i)) return 0;
        p = end;
    }
    return 1;
}

int onnx_write_csv(const char *path, const float *x, size_t rows, size_t cols) {
    FILE *f = fopen(path, "w");
    if (!CHECK(f != NULL)) return 0;
    for (size_t r = 0; r < rows; ++r)
        for (size_t c = 0; c < cols; ++c)
            fprintf(f, "%.9g%c", (double)x[r * cols + c], c + 1 < cols ? ',' : '\n');
    return CHECK(fclose(f) == 0);
}
