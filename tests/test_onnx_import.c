/* test_onnx_import.c — `dropnet import`: MLPs exported by torch.onnx.export (opsets 11-17, Gemm
 * and MatMul+Add, every activation, Flatten, Dropout in training-mode exports) predict as PyTorch
 * does within 1e-5; export → import → export is byte-exact; unsupported ops and hostile files
 * (truncated, huge dims, cycles, external data, wrong types, 10,000 nodes, size/dims mismatch)
 * are refused with a message naming the problem. */
#include "onnx_tools.h"
#include "test.h"

#include "dropnet.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

enum { ROWS = 16, FEATURES = 6 };

static char output[1 << 16];

/* Reads a CSV of numbers into v [max]; returns the count. */
static size_t read_csv(const char *path, float *v, size_t max) {
    FILE *f = fopen(path, "r");
    if (!CHECK_MSG(f != NULL, "cannot open %s", path)) return 0;
    size_t n = 0;
    while (n < max && fscanf(f, "%f", &v[n]) == 1) {
        ++n;
        int c = fgetc(f);
        if (c != ',' && c != '\n') break;
    }
    fclose(f);
    return n;
}

/* Imports <case>.onnx, predicts x.csv and compares with PyTorch's <case>.csv. */
static void import_and_compare(const char *dir, const char *name, const char *spec) {
    int rc = dn_test_cli_in(dir, output, sizeof output, "import --onnx %s.onnx --out %s.safetensors",
                            name, name);
    if (!CHECK_MSG(rc == 0, "%s: import failed (%d): %s", name, rc, output)) return;
    char path[256];
    snprintf(path, sizeof path, "%s/%s.safetensors", dir, name);
    dn_model *m = NULL;
    dn_error err;
    CHECK_OK(dn_model_load(&m, path, &err), &err);
    if (m == NULL) return;
    char got_spec[256];
    dn_model_spec(m, got_spec, sizeof got_spec);
    CHECK_MSG(strcmp(got_spec, spec) == 0, "%s: spec %s, expected %s", name, got_spec, spec);
    float x[ROWS * FEATURES], want[ROWS * 8], got[ROWS * 8];
    snprintf(path, sizeof path, "%s/x.csv", dir);
    CHECK(read_csv(path, x, ROWS * FEATURES) == ROWS * FEATURES);
    snprintf(path, sizeof path, "%s/%s.csv", dir, name);
    size_t cols = dn_model_output_size(m);
    CHECK_MSG(read_csv(path, want, ROWS * 8) == ROWS * cols, "%s: PyTorch outputs", name);
    CHECK_OK(dn_model_predict(m, x, ROWS, got, &err), &err);
    double worst = 0;
    for (size_t i = 0; i < ROWS * cols; ++i) worst = fmax(worst, fabs((double)got[i] - want[i]));
    CHECK_MSG(worst <= 1e-5, "%s: dropnet differs from PyTorch by %g", name, worst);
    dn_model_free(m);
}

TEST(onnx_import_pytorch_models_predict_as_pytorch) {
    char dir[64], cmd[256];
    if (!onnx_tmp_dir(dir)) return;
    snprintf(cmd, sizeof cmd, "/usr/bin/python3 tests/onnx/torch_mlp.py %s", dir);
    int rc = dn_test_run(cmd, output, sizeof output);
    if (!CHECK_MSG(rc == 0 && strstr(output, "ok 8"), "torch_mlp.py failed (%d; `make setup` "
                   "installs python3-torch):\n%s", rc, output))
        return;
    import_and_compare(dir, "relu_gelu_softmax_11", "dense:10:relu,dense:8:gelu,dense:4:softmax");
    import_and_compare(dir, "relu_gelu_softmax_17", "dense:10:relu,dense:8:gelu,dense:4:softmax");
    import_and_compare(dir, "tanh_sigmoid_flatten_13", "dense:9:tanh,dense:2:sigmoid");
    import_and_compare(dir, "selu_elu_leaky_matmul_15",
                       "dense:7:selu,dense:7:elu,dense:5:leaky_relu,dense:3:linear");
    import_and_compare(dir, "dropout_training_12", "dense:12:relu,dropout:0.25,dense:3:linear");
    import_and_compare(dir, "dropout_training_11", "dense:12:relu,dropout:0.4,dense:3:linear");
    rc = dn_test_cli_in(dir, output, sizeof output,
                        "import --onnx leaky_default_refused.onnx --out l.safetensors");
    CHECK_MSG(rc == 1 && strstr(output, "LeakyRelu") && strstr(output, "0.01") &&
              strstr(output, "slope 0.3"), "%d %s", rc, output);
    rc = dn_test_cli_in(dir, output, sizeof output,
                        "import --onnx softplus_refused.onnx --out s.safetensors");
    CHECK_MSG(rc == 1 && strstr(output, "Softplus") && strstr(output, "supported: Gemm"), "%d %s",
              rc, output);
    /* The imported model fine-tunes with dropout: train --init takes its weights. */
    FILE *f = fopen(strcat(strcpy(cmd, dir), "/train.csv"), "w");
    if (CHECK(f != NULL)) {
        for (int r = 0; r < 64; ++r) {
            for (int c = 0; c < FEATURES; ++c) fprintf(f, "%g,", sin(r * 7.0 + c));
            fprintf(f, "%d\n", r % 4);
        }
        fclose(f);
        rc = dn_test_cli_in(dir, output, sizeof output,
                            "train --train train.csv --model dense:10:relu,dropout:0.5,dense:8:gelu,"
                            "dense:4:softmax --init relu_gelu_softmax_17.safetensors --epochs 2 "
                            "--out tuned.safetensors");
        CHECK_MSG(rc == 0, "train --init from an imported model: %d %s", rc, output);
    }
    CHECK(dn_test_remove_dir(dir));
}

static int same_file(const char *a, const char *b) {
    char cmd[512];
    snprintf(cmd, sizeof cmd, "cmp '%s' '%s'", a, b);
    return dn_test_run(cmd, output, sizeof output) == 0;
}

TEST(onnx_export_import_export_is_exact) {
    char dir[64], path[128], a[128], b[128];
    if (!onnx_tmp_dir(dir)) return;
    snprintf(path, sizeof path, "%s/m.safetensors", dir);
    dn_model *m = NULL;
    dn_error err;
    CHECK_OK(dn_model_from_spec(&m, 4, "dropout:0.1,dense:8:gelu,dropout:0.5,dense:3:softmax", &err),
             &err);
    if (m == NULL) return;
    dn_optimizer_config opt = dn_optimizer_defaults(DN_OPTIMIZER_ADAM);
    CHECK_OK(dn_model_compile(m, DN_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY, &opt, 1234, &err), &err);
    const float mean[4] = {1, 2, 3, 4}, std[4] = {0.5f, 1, 2, 4};
    const char *names[3] = {"cat", "dog", "émeu"};
    CHECK_OK(dn_model_set_standardization(m, mean, std, &err), &err);
    CHECK_OK(dn_model_set_class_names(m, names, 3, &err), &err);
    CHECK_OK(dn_model_set_metadata(m, "note", "from a test", &err), &err);
    CHECK_OK(dn_model_save(m, path, &err), &err);
    dn_model_free(m);
    static const char *const variants[] = {"", "--mc-dropout", "--opset 11"};
    for (size_t v = 0; v < 3; ++v) {
        int rc = dn_test_cli_in(dir, output, sizeof output,
                                "export --model m.safetensors --out a.onnx %s && %s import --onnx "
                                "a.onnx --out i.safetensors && %s export --model i.safetensors "
                                "--out b.onnx %s", variants[v], dn_test_cli_path(),
                                dn_test_cli_path(), variants[v]);
        CHECK_MSG(rc == 0, "%s: %s", variants[v], output);
        snprintf(a, sizeof a, "%s/a.onnx", dir);
        snprintf(b, sizeof b, "%s/b.onnx", dir);
        CHECK_MSG(same_file(a, b), "export → import → export %s is not byte-exact", variants[v]);
    }
    snprintf(a, sizeof a, "%s/i.safetensors", dir);
    dn_model *i = NULL;
    CHECK_OK(dn_model_load(&i, a, &err), &err);
    if (i != NULL) {
        char spec[128];
        dn_model_spec(i, spec, sizeof spec);
        CHECK(strcmp(spec, "dropout:0.1,dense:8:gelu,dropout:0.5,dense:3:softmax") == 0);
        CHECK(dn_model_class_name(i, 2) && strcmp(dn_model_class_name(i, 2), "émeu") == 0);
        CHECK(dn_model_get_metadata(i, "note") && strcmp(dn_model_get_metadata(i, "note"), "from a test") == 0);
        CHECK(dn_model_seed(i) == 1234);
        dn_model_free(i);
    }
    CHECK(dn_test_remove_dir(dir));
}

/* import --store bf16 writes what dn_model_save_as(…, BF16) writes for the imported model (the
 * peer: dn_model_import_onnx, then the library's save), a smaller file that loads as a bf16
 * model; --store fp32 is the default's file; another value is refused as train refuses it. */
TEST(onnx_import_store_bf16_is_save_as_bf16) {
    char dir[64], path[160], onnx[128], fp32[128], bf16[128];
    if (!onnx_tmp_dir(dir)) return;
    snprintf(path, sizeof path, "%s/m.safetensors", dir);
    dn_model *m = NULL;
    dn_error err;
    CHECK_OK(dn_model_from_spec(&m, 5, "dense:40:relu,dropout:0.5,dense:3:softmax", &err), &err);
    if (m == NULL) return;
    dn_optimizer_config opt = dn_optimizer_defaults(DN_OPTIMIZER_ADAM);
    CHECK_OK(dn_model_compile(m, DN_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY, &opt, 77, &err), &err);
    CHECK_OK(dn_model_save(m, path, &err), &err);
    dn_model_free(m);
    m = NULL;
    int rc = dn_test_cli_in(dir, output, sizeof output,
                            "export --model m.safetensors --out a.onnx && %s import --onnx a.onnx "
                            "--out f.safetensors && %s import --onnx a.onnx --out d.safetensors "
                            "--store fp32 && %s import --onnx a.onnx --out h.safetensors --store "
                            "bf16", dn_test_cli_path(), dn_test_cli_path(), dn_test_cli_path());
    CHECK_MSG(rc == 0, "%s", output);
    snprintf(onnx, sizeof onnx, "%s/a.onnx", dir);
    snprintf(fp32, sizeof fp32, "%s/f.safetensors", dir);
    snprintf(bf16, sizeof bf16, "%s/d.safetensors", dir);
    CHECK_MSG(same_file(fp32, bf16), "--store fp32 wrote another file than the default");
    snprintf(path, sizeof path, "%s/peer.safetensors", dir);
    CHECK_OK(dn_model_import_onnx(&m, onnx, &err), &err);
    if (m != NULL) CHECK_OK(dn_model_save_as(m, path, DN_PRECISION_BF16, &err), &err);
    dn_model_free(m);
    m = NULL;
    snprintf(bf16, sizeof bf16, "%s/h.safetensors", dir);
    CHECK_MSG(same_file(bf16, path), "--store bf16 differs from dn_model_save_as(BF16)");
    FILE *f = fopen(fp32, "rb"), *h = fopen(bf16, "rb");
    long full = -1, half = -1;
    if (f != NULL && fseek(f, 0, SEEK_END) == 0) full = ftell(f);
    if (h != NULL && fseek(h, 0, SEEK_END) == 0) half = ftell(h);
    if (f != NULL) fclose(f);
    if (h != NULL) fclose(h);
    /* the kernels 5·40 + 40·3 = 320 weights at 2 bytes instead of 4, headers aside */
    CHECK_MSG(full > 0 && half > 0 && full - half >= 320 * 2 - 64, "%ld bytes against %ld", half,
              full);
    CHECK_OK(dn_model_load(&m, bf16, &err), &err);
    CHECK(m != NULL && dn_model_precision(m) == DN_PRECISION_BF16);
    dn_model_free(m);
    CHECK(dn_test_cli_in(dir, output, sizeof output,
                         "import --onnx a.onnx --out x.safetensors --store fp16") == 2);
    CHECK_MSG(strstr(output, "import: --store must be fp32 or bf16, got 'fp16'") != NULL, "got: %s",
              output);
    CHECK(dn_test_remove_dir(dir));
}

TEST(onnx_import_refuses_hostile_files) {
    static const struct {
        const char *name, *words;
    } cases[] = {
        {"truncated", "truncated or damaged"},
        {"huge_dims", "out of range"},
        {"size_mismatch", "holds 11 values"},
        {"wrong_type", "element type 11"},
        {"external_data", "external data"},
        {"cycle", "loop_add"},
        {"cycle_detached", "not on the path"},
        {"ten_thousand_nodes", "10000 nodes"},
        {"bad_opset", "opset 3"},
    };
    char dir[64], cmd[256];
    if (!onnx_tmp_dir(dir)) return;
    snprintf(cmd, sizeof cmd, "/usr/bin/python3 tests/onnx/hostile.py %s", dir);
    int rc = dn_test_run(cmd, output, sizeof output);
    if (!CHECK_MSG(rc == 0, "hostile.py failed (%d):\n%s", rc, output)) return;
    rc = dn_test_cli_in(dir, output, sizeof output, "import --onnx valid.onnx --out v.safetensors");
    CHECK_MSG(rc == 0, "the valid base file: %s", output);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; ++i) {
        rc = dn_test_cli_in(dir, output, sizeof output,
                            "import --onnx %s.onnx --out out.safetensors", cases[i].name);
        CHECK_MSG(rc == 1 && strstr(output, cases[i].name) && strstr(output, cases[i].words),
                  "%s: rc %d, expected a message with \"%s\": %s", cases[i].name, rc,
                  cases[i].words, output);
    }
    char out[128];
    snprintf(out, sizeof out, "%s/out.safetensors", dir);
    FILE *f = fopen(out, "r");
    CHECK_MSG(f == NULL, "a refused import wrote %s", out);
    if (f) fclose(f);
    rc = dn_test_cli_in(dir, output, sizeof output, "import --onnx valid.onnx --out valid.onnx");
    CHECK_MSG(rc == 2 && strstr(output, "the ONNX file itself"), "%d %s", rc, output);
    CHECK(dn_test_remove_dir(dir));
}
