/* test_cli_precision.c — `--precision` through the binary: bf16 training is the same file for 1
 * and 2 threads and differs from fp32; eval and predict take it; --resume keeps it (refuses a
 * change); train --store bf16 writes BF16 kernels that predict as the bf16 model; a bad value is
 * a usage error naming the choices. */
#include "test.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char output[1 << 16];
static char dir[64];
#define cli(...) dn_test_cli_in(dir, output, sizeof output, __VA_ARGS__)

/* d.csv: 300 rows of 40 features in 3 classes (a deterministic pattern the net can learn). */
static int scratch(void) {
    snprintf(dir, sizeof dir, "/tmp/dropnet-precision-XXXXXX");
    if (mkdtemp(dir) == NULL) return CHECK(0);
    char path[128];
    snprintf(path, sizeof path, "%s/d.csv", dir);
    FILE *f = fopen(path, "w");
    if (f == NULL) return CHECK(0);
    for (int c = 0; c < 40; ++c) fprintf(f, "x%d,", c);
    fputs("y\n", f);
    for (int r = 0; r < 300; ++r) {
        int y = r % 3;
        for (int c = 0; c < 40; ++c)
            fprintf(f, "%.4f,", (c % 3 == y ? 1.0 : 0.0) + 0.37 * ((r * 7 + c * 13) % 11) / 11.0);
        fprintf(f, "%d\n", y);
    }
    return CHECK(fclose(f) == 0);
}

/* Whether two files in dir have the same bytes (-1 when one cannot be read). */
static int same_file(const char *a, const char *b) {
    char command[256];
    snprintf(command, sizeof command, "cmp -s %s/%s %s/%s", dir, a, dir, b);
    int code = system(command);
    return code == 0 ? 1 : code == -1 ? -1 : 0;
}

#define RUN "--train d.csv --model dropout:0.2,dense:64:relu,dense:3:softmax --batch 32 --seed 5"

TEST(cli_precision_bf16_train_eval_predict_resume) {
    if (!scratch()) return;
    CHECK(cli("train %s --epochs 3 --threads 1 --precision bf16 --out b1.safetensors", RUN) == 0);
    CHECK(cli("train %s --epochs 3 --threads 2 --precision bf16 --out b2.safetensors", RUN) == 0);
    CHECK(cli("train %s --epochs 3 --threads 1 --out f.safetensors", RUN) == 0);
    CHECK_MSG(same_file("b1.safetensors", "b2.safetensors") == 1, "bf16: 1 and 2 threads differ");
    CHECK_MSG(same_file("b1.safetensors", "f.safetensors") == 0, "bf16 and fp32 gave one file");
    /* The precision is one of the recorded training settings. */
    CHECK(cli("summary --model b1.safetensors") == 0);
    CHECK_MSG(strstr(output, "bf16") != NULL, "summary does not show the precision: %s", output);

    CHECK(cli("eval --model b1.safetensors --data d.csv --precision bf16 --json") == 0);
    const char *at = strstr(output, "\"accuracy\":");
    CHECK_MSG(at != NULL && strtod(at + 11, NULL) > 0.9, "bf16 eval: %s", output);
    CHECK(cli("predict --model f.safetensors --data d.csv --precision bf16 --out p.csv") == 0);
    CHECK(cli("trace --model f.safetensors --data d.csv --precision bf16") == 0);
    CHECK(cli("trace --model f.safetensors --data d.csv --precision bf17") == 2);

    /* --resume with the checkpoint's precision continues; with another, it is refused. */
    CHECK(cli("train %s --epochs 2 --precision bf16 --checkpoint ck --out r.safetensors", RUN) == 0);
    CHECK(cli("train %s --epochs 3 --out r.safetensors --resume ck", RUN) != 0);
    CHECK_MSG(strstr(output, "precision = \"bf16\"") != NULL, "resume in fp32: %s", output);
    CHECK(cli("train %s --epochs 3 --precision bf16 --out r.safetensors --resume ck", RUN) == 0);
    CHECK_MSG(same_file("r.safetensors", "b1.safetensors") == 1,
              "a bf16 run resumed after 2 of 3 epochs differs from the uninterrupted one");

    /* --store bf16: BF16 kernels, a smaller file that predicts what the bf16 model did. */
    CHECK(cli("train %s --epochs 3 --threads 1 --precision bf16 --store bf16 --out s.safetensors",
              RUN) == 0);
    long full = dn_test_size_in(dir, "b1.safetensors"), half = dn_test_size_in(dir, "s.safetensors");
    long kernels = 40 * 64 + 64 * 3;
    CHECK_MSG(full - half > 2 * kernels - 64 && full - half < 2 * kernels + 64,
              "--store bf16: %ld bytes against %ld", half, full);
    CHECK(cli("predict --model b1.safetensors --data d.csv --precision bf16 --out p1.csv") == 0);
    CHECK(cli("predict --model s.safetensors --data d.csv --out p2.csv") == 0);
    CHECK_MSG(same_file("p1.csv", "p2.csv") == 1,
              "the --store bf16 file predicts otherwise than the bf16 model");
    CHECK(cli("train %s --store fp16 --out x.safetensors", RUN) == 2);
    CHECK(strstr(output, "--store must be fp32 or bf16, got 'fp16'") != NULL);

    CHECK(cli("eval --model f.safetensors --data d.csv --precision fp16") == 2);
    CHECK(strstr(output, "--precision must be fp32 or bf16, got 'fp16'") != NULL);
    CHECK(cli("train %s --precision half --out x.safetensors", RUN) != 0);
    CHECK(strstr(output, "--precision must be fp32 or bf16") != NULL);
    char command[160];
    snprintf(command, sizeof command, "rm -rf %s", dir);
    CHECK(system(command) == 0);
}
