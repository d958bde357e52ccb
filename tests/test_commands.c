/* test_commands.c — train / eval / predict / summary / compare through the CLI, on a CSV made
 * here and on a Fashion-MNIST subset. */
#include "test.h"

#include "dropnet.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char output[1 << 17];
static char dir[64];

/* Runs the CLI inside `dir`, output into `output`. */
#define cli(...) dn_test_cli_in(dir, output, sizeof output, __VA_ARGS__)

static int exists(const char *name) {
    char path[256];
    struct stat st;
    snprintf(path, sizeof path, "%s/%s", dir, name);
    return stat(path, &st) == 0;
}

/* Three Gaussian blobs in 4 features, labelled by name; `labels` 0 writes no label column. */
static void write_blobs(const char *name, int rows, int labels, unsigned seed) {
    static const char *names[] = {"cat", "dog", "emu"};
    char path[256];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    fprintf(f, "f1,f2,f3,f4%s\n", labels ? ",animal" : "");
    srand(seed);
    for (int r = 0; r < rows; ++r) {
        int c = rand() % 3;
        for (int j = 0; j < 4; ++j) {
            double noise = ((double)rand() / RAND_MAX - 0.5) * 2.0;
            fprintf(f, "%s%.4f", j ? "," : "", (j == c ? 4.0 : 0.0) + 10.0 * j + noise);
        }
        if (labels) fprintf(f, ",%s", names[c]);
        fputc('\n', f);
    }
    fclose(f);
}

static void setup_dir(void) {
    snprintf(dir, sizeof dir, "/tmp/dropnet-cmd-XXXXXX");
    CHECK(mkdtemp(dir) != NULL);
    write_blobs("train.csv", 600, 1, 1);
    write_blobs("test.csv", 150, 1, 2);
    write_blobs("new.csv", 5, 0, 3);
}

static void remove_dir(void) { CHECK(dn_test_remove_dir(dir)); }

static double json_number(const char *text, const char *key) {
    char pattern[64];
    snprintf(pattern, sizeof pattern, "\"%s\":", key);
    const char *at = strstr(text, pattern);
    return at ? strtod(at + strlen(pattern), NULL) : NAN;
}

static const char *SPEC = "dropout:0.1,dense:16:relu,dropout:0.2,dense:3:softmax";

TEST(commands_train_eval_predict_summary_round_trip) {
    setup_dir();
    CHECK(cli("train --train train.csv --test test.csv --model %s --out m.safetensors --epochs 8 "
              "--standardize --val-split 0.2 --log log.jsonl", SPEC) == 0);
    CHECK_MSG(strstr(output, "Epoch 8/8") != NULL, "no per-epoch line: %s", output);
    CHECK(strstr(output, "test accuracy") != NULL);
    CHECK(exists("m.safetensors") && exists("log.jsonl"));

    CHECK(cli("summary --model m.safetensors") == 0);
    CHECK(strstr(output, SPEC) != NULL);
    CHECK(strstr(output, "classes: cat dog emu") != NULL);
    CHECK(strstr(output, "standardisation: yes") != NULL);
    CHECK(strstr(output, "Total params: 131") != NULL); /* 4·16+16 + 16·3+3 */

    CHECK(cli("eval --model m.safetensors --data test.csv --json") == 0);
    double accuracy = json_number(output, "accuracy");
    CHECK_MSG(accuracy >= 0.95, "eval accuracy %.4f on separable blobs", accuracy);
    CHECK(json_number(output, "examples") == 150.0);
    CHECK(strstr(output, "\"name\":\"emu\"") != NULL);

    CHECK(cli("eval --model m.safetensors --data test.csv") == 0);
    CHECK(strstr(output, "confusion matrix") != NULL && strstr(output, "precision") != NULL);

    CHECK(cli("predict --model m.safetensors --data new.csv --out p.csv") == 0);
    char path[256], line[256];
    snprintf(path, sizeof path, "%s/p.csv", dir);
    FILE *f = fopen(path, "r");
    CHECK(f != NULL);
    if (f) {
        CHECK(fgets(line, sizeof line, f) && strcmp(line, "predicted,p_cat,p_dog,p_emu\n") == 0);
        int rows = 0;
        while (fgets(line, sizeof line, f)) {
            char name[16];
            double p[3];
            CHECK(sscanf(line, "\"%15[a-z]\",%lf,%lf,%lf", name, &p[0], &p[1], &p[2]) == 4);
            CHECK_NEAR(p[0] + p[1] + p[2], 1.0, 1e-5);
            rows++;
        }
        CHECK(rows == 5);
        fclose(f);
    }
    remove_dir();
}

TEST(commands_init_with_zero_epochs_keeps_the_weights) {
    setup_dir();
    CHECK(cli("train --train train.csv --model %s --out a.safetensors --epochs 2", SPEC) == 0);
    CHECK(cli("train --train train.csv --init a.safetensors --epochs 0 --out b.safetensors") == 0);
    CHECK(cli("eval --model a.safetensors --data test.csv --json") == 0);
    double loss_a = json_number(output, "loss");
    CHECK(cli("eval --model b.safetensors --data test.csv --json") == 0);
    CHECK_MSG(json_number(output, "loss") == loss_a, "loss %.9g after --init, %.9g before",
              json_number(output, "loss"), loss_a);
    /* Fine-tuning without dropout: the same dense shapes, other rates (or no dropout layers). */
    CHECK(cli("train --train train.csv --init a.safetensors --model dense:16:relu,dense:3:softmax "
              "--epochs 0 --out d.safetensors") == 0);
    CHECK(cli("eval --model d.safetensors --data test.csv --json") == 0);
    CHECK(json_number(output, "loss") == loss_a);
    CHECK(cli("train --train train.csv --init a.safetensors --model dense:17:relu,dense:3:softmax "
              "--epochs 0 --out e.safetensors") == 1);
    CHECK(strstr(output, "dropnet: error: --init a.safetensors: ") != NULL && !exists("e.safetensors"));
    CHECK(cli("train --train train.csv --init a.safetensors --model "
              "dropout:0,dense:16:relu,dropout:0,dense:3:softmax --epochs 0 --out c.safetensors") == 0);
    CHECK(cli("eval --model c.safetensors --data test.csv --json") == 0);
    CHECK(json_number(output, "loss") == loss_a);
    remove_dir();
}

TEST(commands_compare_prints_both_runs) {
    setup_dir();
    CHECK(cli("compare --train train.csv --test test.csv --model %s --epochs 2", SPEC) == 0);
    CHECK(strstr(output, "with dropout") != NULL);
    CHECK(strstr(output, "without dropout (every rate 0)") != NULL);
    CHECK(strstr(output, " final  |") != NULL);
    CHECK(strstr(output, "train-test gap") != NULL);
    CHECK(cli("compare --train train.csv --model %s --epochs 2", SPEC) == 2);
    CHECK(strstr(output, "give --test DATA or --val-split F") != NULL);
    remove_dir();
}

/* Errors: exit code, message, and no output file left behind. */
TEST(commands_refuse_bad_input_without_writing) {
    setup_dir();
    CHECK(cli("train --train missing.csv --model %s --out m.safetensors", SPEC) == 1);
    CHECK(strstr(output, "missing.csv") != NULL);
    CHECK(cli("train --train train.csv --model dropout:0.2,dens:3:softmax --out m.safetensors") == 1);
    CHECK(strstr(output, "column 13") != NULL);
    CHECK(cli("train --train train.csv --model dropout:1.5,dense:3:softmax --out m.safetensors") == 1);
    CHECK(strstr(output, "[0, 1)") != NULL);
    CHECK(cli("train --train train.csv --model dense:4:softmax --out m.safetensors") == 1);
    CHECK(strstr(output, "3 classes but the output layer has 4 units") != NULL);
    CHECK(cli("train --train train.csv --model %s --out nodir/m.safetensors", SPEC) == 2);
    CHECK(cli("train --train train.csv --model %s --out m.safetensors --optimizer rmsprop", SPEC) == 2);
    CHECK(cli("train --train train.csv --out m.safetensors") == 2);
    CHECK(!exists("m.safetensors"));

    CHECK(cli("train --train train.csv --model %s --out m.safetensors --epochs 1", SPEC) == 0);
    CHECK(cli("eval --model m.safetensors --data new.csv") == 1); /* 4 features, model needs 4: no labels */
    CHECK(cli("predict --model train.csv --data test.csv --out p.csv") == 1);
    CHECK(strstr(output, "train.csv") != NULL);
    CHECK(!exists("p.csv"));
    remove_dir();
}

/* A short Fashion-MNIST run: 3000 training images, 2 epochs, 1000 test images. */
TEST(commands_fashion_mnist_subset_reaches_floor) {
    if (access("/usr/share/datasets/fashion-mnist", R_OK) != 0) {
        SKIP("dataset-fashion-mnist is not installed; scripts/setup.sh installs it");
    }
    setup_dir();
    CHECK(cli("train --train fashion-mnist:train --test fashion-mnist:test --max-rows 3000 "
              "--model dropout:0.2,dense:128:relu,dropout:0.5,dense:10:softmax --epochs 3 "
              "--out f.safetensors") == 0);
    CHECK(cli("eval --model f.safetensors --data fashion-mnist:test --json") == 0);
    double accuracy = json_number(output, "accuracy");
    /* 10 classes: chance is 0.10; this small run measures about 0.78 on all 10,000 images. */
    CHECK_MSG(accuracy >= 0.72, "Fashion-MNIST subset accuracy %.4f", accuracy);
    remove_dir();
}

TEST(commands_lr_decay_changes_training_and_is_validated) {
    setup_dir();
    CHECK(cli("train --train train.csv --model %s --out a.safetensors --epochs 3 --optimizer sgd", SPEC) == 0);
    CHECK(cli("eval --model a.safetensors --data test.csv --json") == 0);
    double constant = json_number(output, "loss");
    CHECK(cli("train --train train.csv --model %s --out b.safetensors --epochs 3 --optimizer sgd "
              "--lr-decay 0.5", SPEC) == 0);
    CHECK(cli("eval --model b.safetensors --data test.csv --json") == 0);
    /* Slower steps after epoch 1: the decayed run ends elsewhere (here, higher: SGD lr 0.01 is
     * still far from converged after 3 epochs). */
    CHECK_MSG(json_number(output, "loss") > constant, "decayed loss %.6f vs constant %.6f",
              json_number(output, "loss"), constant);
    CHECK(cli("summary --model b.safetensors") == 0);
    CHECK(strstr(output, "\"lr_decay\":0.5") != NULL);
    CHECK(cli("train --train train.csv --model %s --out c.safetensors --lr-decay 0", SPEC) == 2);
    CHECK(strstr(output, "--lr-decay must be in (0, 1], got 0") != NULL);
    remove_dir();
}

TEST(commands_early_stopping_keeps_the_best_epoch) {
    setup_dir();
    CHECK(cli("train --train train.csv --model %s --out m.safetensors --epochs 300 --val-split 0.2 "
              "--standardize --lr 0.05 --early-stopping 2 --log log.jsonl", SPEC) == 0);
    const char *at = strstr(output, "early stopping after epoch ");
    CHECK_MSG(at != NULL, "no early stop in 300 epochs: %.300s", output);
    if (at) {
        unsigned last = 0, best = 0;
        double value = -1;
        CHECK(sscanf(at, "early stopping after epoch %u: best val_loss %lf at epoch %u", &last,
                     &value, &best) == 3);
        CHECK(last == best + 3 && last < 300); /* patience 2: the third epoch without gain stops */
        /* The saved weights are the best epoch's: evaluating the validation rows gives its loss. */
        CHECK(value >= 0.0);
    }
    CHECK(cli("train --train train.csv --model %s --out m.safetensors --early-stopping 2", SPEC) == 2);
    CHECK(strstr(output, "--early-stopping needs validation") != NULL);
    CHECK(cli("train --train train.csv --model %s --out m.safetensors --lr-schedule linear", SPEC) == 2);
    CHECK(strstr(output, "--lr-schedule expects") != NULL);
    CHECK(cli("train --train train.csv --model %s --out m.safetensors --momentum-ramp 0.5:0.9:5", SPEC) == 2);
    CHECK(strstr(output, "--momentum-ramp needs --optimizer sgd") != NULL);
    remove_dir();
}

TEST(train_keeps_the_last_good_model_after_a_numeric_failure) {
    setup_dir();
    CHECK(cli("train --train train.csv --model dense:8:relu,dense:3:softmax --optimizer sgd "
              "--lr 1e30 --epochs 3 --out m.safetensors") == 1);
    CHECK_MSG(strstr(output, "became NaN or infinite in epoch 1, batch ") != NULL, "got: %s", output);
    CHECK(strstr(output, "saved the last good model (0 epochs done) to m.safetensors") != NULL);
    char path[128];
    snprintf(path, sizeof path, "%s/m.safetensors", dir);
    dn_model *m = NULL;
    dn_error err;
    CHECK_OK(dn_model_load(&m, path, &err), &err); /* loading refuses non-finite weights */
    if (m != NULL) CHECK(dn_model_step(m) == 0);
    dn_model_free(m);
    remove_dir();
}
