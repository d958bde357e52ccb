/* onnx_tools.h — the real ONNX tools the ONNX tests run (shared by tests/test_onnx_*.c): the
 * checker of Debian's python3-onnx, ONNX Runtime (npm onnxruntime-node, installed by `make
 * onnxruntime` into <build>/npm) and PyTorch. A missing tool fails the test with the fix. */
#ifndef DN_TEST_ONNX_TOOLS_H
#define DN_TEST_ONNX_TOOLS_H

#include <stddef.h>

/* A fresh scratch directory (path[64]); 1 on success. */
int onnx_tmp_dir(char *path);

/* Runs the ONNX checker (full check + strict shape inference) on `files` (paths separated by
 * spaces, no quoting needed: scratch paths); 1 when it passes (a failure is recorded with the
 * checker's words). */
int onnx_check(const char *files);

/* Runs `model` in ONNX Runtime on the rows of `csv` (numbers only) `runs` times in one session;
 * writes the mean outputs [rows×cols] to out and the count of runs whose output differed from
 * the first run's to *differing. Returns 1 on success (failures recorded). */
int onnx_ort_run(const char *model, const char *csv, size_t runs, float *out, size_t rows,
                 size_t cols, size_t *differing);

/* Writes x [rows×cols] as a CSV of numbers ("%.9g") to `path`; 1 on success. */
int onnx_write_csv(const char *path, const float *x, size_t rows, size_t cols);

#endif
