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

/* Accuracy of model `name` on `data` by `eval` (NAN on failure). */
static double eval_accuracy(const char *name, const char *data) {
    return cli("eval --model %s --data %s --json", name, data) == 0 ? json_number(output, "accuracy")
                                                                  : NAN;
}

/* The line of compare's --log for (run, epoch): {"compare":run,"epoch":epoch,...}; NULL when absent.
 * The text is copied into `line` [size]. */
static const char *compare_log_line(const char *name, const char *run, unsigned epoch, char *line,
                                    size_t size) {
    char path[256], start[96];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    snprintf(start, sizeof start, "{\"compare\":\"%s\",\"epoch\":%u,", run, epoch);
    FILE *f = fopen(path, "r");
    const char *found = NULL;
    while (f != NULL && found == NULL && fgets(line, (int)size, f) != NULL)
        if (strncmp(line, start, strlen(start)) == 0) found = line;
    if (f != NULL) fclose(f);
    return found;
}

/* compare's final row holds the numbers of two separate `train` runs — the spec as given and the
 * same spec with every rate 0 — evaluated on the training and test files, and each gap is
 * train − test. */
TEST(commands_compare_prints_both_runs) {
    setup_dir();
    const char *heavy = "dropout:0.5,dense:16:relu,dropout:0.5,dense:3:softmax";
    CHECK(cli("compare --train train.csv --test test.csv --model %s --epochs 2 --standardize "
              "--log cmp.jsonl", heavy) == 0);
    CHECK(strstr(output, "with dropout") != NULL);
    CHECK(strstr(output, "without dropout (every rate 0)") != NULL);
    CHECK(strstr(output, "train-test gap") != NULL);
    double v[6] = {NAN, NAN, NAN, NAN, NAN, NAN}; /* train, test, gap with; the same without */
    const char *row = strstr(output, " final  |");
    CHECK(row != NULL && sscanf(row, " final | %lf | %lf | %lf | %lf | %lf | %lf", &v[0], &v[1],
                                &v[2], &v[3], &v[4], &v[5]) == 6);
    CHECK(cli("train --train train.csv --model %s --epochs 2 --standardize --out with.st", heavy) == 0);
    CHECK(cli("train --train train.csv --model dropout:0,dense:16:relu,dropout:0,dense:3:softmax "
              "--epochs 2 --standardize --out without.st") == 0);
    const double want[4] = {eval_accuracy("with.st", "train.csv"), eval_accuracy("with.st", "test.csv"),
                            eval_accuracy("without.st", "train.csv"),
                            eval_accuracy("without.st", "test.csv")};
    CHECK_NEAR(v[0], want[0], 5e-5); /* printed to 4 decimals */
    CHECK_NEAR(v[1], want[1], 5e-5);
    CHECK_NEAR(v[3], want[2], 5e-5);
    CHECK_NEAR(v[4], want[3], 5e-5);
    CHECK_NEAR(v[2], want[0] - want[1], 5e-5);
    CHECK_NEAR(v[5], want[2] - want[3], 5e-5);
    /* --log carries the same table (scripts/compare_table.py builds the README's from it). */
    char line[512];
    const char *runs[2] = {"with_dropout", "without_dropout"};
    for (int r = 0; r < 2; ++r) {
        const char *at = compare_log_line("cmp.jsonl", runs[r], 2, line, sizeof line);
        CHECK_MSG(at != NULL, "no %s line for epoch 2 in compare's log", runs[r]);
        if (at == NULL) continue;
        CHECK_NEAR(json_number(at, "train_accuracy"), want[2 * r], 1e-6);
        CHECK_NEAR(json_number(at, "test_accuracy"), want[2 * r + 1], 1e-6);
        CHECK_NEAR(json_number(at, "gap"), want[2 * r] - want[2 * r + 1], 1e-6);
    }
    CHECK(compare_log_line("cmp.jsonl", runs[1], 1, line, sizeof line) != NULL);
    CHECK(compare_log_line("cmp.jsonl", runs[1], 3, line, sizeof line) == NULL);
    /* The two runs really differ (dropout changed training), so the columns are not one run's. */
    CHECK_MSG(want[0] != want[2] || want[1] != want[3], "%g %g %g %g", want[0], want[1], want[2], want[3]);
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

/* --lr-decay 0.5 trains epoch e at lr·0.5^(e−1): three decayed epochs end exactly where three
 * chained one-epoch runs at 0.01, 0.005 and 0.0025 end (plain SGD keeps no state between steps,
 * no shuffle and no dropout make the epochs independent of where a run starts), and not where
 * the rates one epoch late (0.01, 0.01, 0.005) end. */
TEST(commands_lr_decay_changes_training_and_is_validated) {
    setup_dir();
    const char *plain = "dense:16:relu,dense:3:softmax";
    const char *common = "--train train.csv --optimizer sgd --no-shuffle --standardize";
    CHECK(cli("train %s --model %s --out decayed.st --epochs 3 --lr-decay 0.5", common, plain) == 0);
    CHECK(cli("eval --model decayed.st --data test.csv --json") == 0);
    double decayed = json_number(output, "loss");
    CHECK(cli("train %s --model %s --out e1.st --epochs 1 --lr 0.01", common, plain) == 0);
    CHECK(cli("train %s --init e1.st --out e2.st --epochs 1 --lr 0.005", common) == 0);
    CHECK(cli("train %s --init e2.st --out e3.st --epochs 1 --lr 0.0025", common) == 0);
    CHECK(cli("eval --model e3.st --data test.csv --json") == 0);
    CHECK_MSG(json_number(output, "loss") == decayed, "chained %.17g vs decayed %.17g",
              json_number(output, "loss"), decayed);
    CHECK(cli("train %s --init e1.st --out late2.st --epochs 1 --lr 0.01", common) == 0);
    CHECK(cli("train %s --init late2.st --out late3.st --epochs 1 --lr 0.005", common) == 0);
    CHECK(cli("eval --model late3.st --data test.csv --json") == 0);
    CHECK_MSG(json_number(output, "loss") != decayed, "rates one epoch late give the same loss");
    CHECK(cli("summary --model decayed.st") == 0);
    CHECK(strstr(output, "\"lr_decay\":0.5") != NULL);
    CHECK(cli("train --train train.csv --model %s --out c.safetensors --lr-decay 0", SPEC) == 2);
    CHECK(strstr(output, "--lr-decay must be in (0, 1], got 0") != NULL);
    remove_dir();
}

/* val_loss of `epoch` in the JSON-lines log `name` (NAN when absent). */
static double log_val_loss(const char *name, unsigned epoch) {
    char path[256], line[512], start[32];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    snprintf(start, sizeof start, "{\"epoch\":%u,", epoch);
    FILE *f = fopen(path, "r");
    double value = NAN;
    while (f != NULL && fgets(line, sizeof line, f) != NULL)
        if (strncmp(line, start, strlen(start)) == 0) value = json_number(line, "val_loss");
    if (f != NULL) fclose(f);
    return value;
}

/* Early stopping keeps the best epoch's weights whether it stops the run or the run reaches
 * --epochs: evaluating the saved model on the validation file gives the best epoch's val_loss
 * (from the log), not the last epoch's. */
TEST(commands_early_stopping_keeps_the_best_epoch) {
    setup_dir();
    write_blobs("val.csv", 150, 1, 4);
    CHECK(cli("train --train train.csv --val-data val.csv --model %s --out m.safetensors "
              "--epochs 300 --standardize --lr 0.05 --early-stopping 2 --log log.jsonl", SPEC) == 0);
    const char *at = strstr(output, "early stopping after epoch ");
    CHECK_MSG(at != NULL, "no early stop in 300 epochs: %.300s", output);
    unsigned last = 0, best = 0;
    double value = -1;
    if (at) {
        CHECK(sscanf(at, "early stopping after epoch %u: best val_loss %lf at epoch %u", &last,
                     &value, &best) == 3);
        CHECK(last == best + 2 && last < 300); /* patience 2: the second epoch without gain stops */
    }
    double best_loss = log_val_loss("log.jsonl", best), last_loss = log_val_loss("log.jsonl", last);
    CHECK_NEAR(best_loss, value, 5e-5); /* printed to 4 decimals */
    /* Relative: the blobs separate well, so these losses are small. */
    CHECK_MSG(fabs(last_loss - best_loss) > 1e-2 * best_loss, "the last epoch's val_loss %.9g is "
              "the best's %.9g", last_loss, best_loss);
    CHECK(cli("eval --model m.safetensors --data val.csv --json") == 0);
    CHECK_NEAR(json_number(output, "loss"), best_loss, 1e-6 * best_loss);
    /* The same run to --epochs `last` with patience beyond it: no stop, best restored anyway. */
    CHECK(cli("train --train train.csv --val-data val.csv --model %s --out n.safetensors "
              "--epochs %u --standardize --lr 0.05 --early-stopping 1000", SPEC, last) == 0);
    CHECK(strstr(output, "early stopping after") == NULL);
    CHECK(cli("eval --model n.safetensors --data val.csv --json") == 0);
    CHECK_NEAR(json_number(output, "loss"), best_loss, 1e-6 * best_loss);
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
