/* test_trace_cmd.c — `dropnet trace`: the probabilities it prints equal the library's
 * dn_model_predict for the same example; bad indexes are refused; colour only on a terminal. */
#include "test.h"

#include "dropnet.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char output[1 << 16];
static char dir[64];

/* Runs the CLI inside `dir`, output into `output`. */
#define cli(...) dn_test_cli_in(dir, output, sizeof output, __VA_ARGS__)

static void setup_model(void) {
    snprintf(dir, sizeof dir, "/tmp/dropnet-trace-XXXXXX");
    CHECK(mkdtemp(dir) != NULL);
    char path[256];
    snprintf(path, sizeof path, "%s/data.csv", dir);
    FILE *f = fopen(path, "w");
    static const char *names[] = {"cat", "dog", "emu"};
    srand(5);
    fprintf(f, "a,b,c,d,label\n");
    for (int r = 0; r < 300; ++r) {
        int c = rand() % 3;
        for (int j = 0; j < 4; ++j)
            fprintf(f, "%.4f,", (j == c ? 2.0 : 0.0) + ((double)rand() / RAND_MAX - 0.5) * 3.0);
        fprintf(f, "%s\n", names[c]);
    }
    fclose(f);
    CHECK(cli("train --train data.csv --model dropout:0.2,dense:8:relu,dense:3:softmax --epochs 3 "
              "--standardize --out m.st") == 0);
}

static void remove_dir(void) { CHECK(dn_test_remove_dir(dir)); }

/* The probability printed for `name` after "Probabilities", or NAN. */
static double printed_probability(const char *name) {
    const char *at = strstr(output, "\nProbabilities\n");
    char pattern[32];
    snprintf(pattern, sizeof pattern, "\n %-16s ", name);
    at = at ? strstr(at, pattern) : NULL;
    return at ? strtod(at + strlen(pattern), NULL) : NAN;
}

TEST(trace_matches_the_library_predict) {
    setup_model();
    dn_error err;
    dn_model *model = NULL;
    dn_dataset *data = NULL;
    char path[256];
    snprintf(path, sizeof path, "%s/m.st", dir);
    CHECK_OK(dn_model_load(&model, path, &err), &err);
    snprintf(path, sizeof path, "%s/data.csv", dir);
    CHECK_OK(dn_dataset_open(&data, path, NULL, &err), &err);
    static const size_t rows[] = {0, 17, 299};
    for (size_t i = 0; model && data && i < 3; ++i) {
        CHECK(cli("trace --model m.st --data data.csv --index %zu", rows[i]) == 0);
        CHECK(strstr(output, " Layer 1   Input") != NULL && strstr(output, "Dropout(0.2) (inference)") != NULL);
        float x[4], p[3];
        CHECK_OK(dn_dataset_get_row(data, rows[i], x, &err), &err);
        CHECK_OK(dn_model_predict(model, x, 1, p, &err), &err);
        CHECK_NEAR(printed_probability("cat"), p[0], 1e-6);
        CHECK_NEAR(printed_probability("dog"), p[1], 1e-6);
        CHECK_NEAR(printed_probability("emu"), p[2], 1e-6);
        size_t predicted = dn_predicted_class(p, 3);
        char verdict[64];
        snprintf(verdict, sizeof verdict, "Predicted class %s (p = %.3f)",
                 dn_model_class_name(model, predicted), (double)p[predicted]);
        CHECK_MSG(strstr(output, verdict) != NULL, "trace lacks \"%s\"", verdict);
    }
    dn_model_free(model);
    dn_dataset_free(data);
    remove_dir();
}

TEST(trace_refuses_bad_arguments) {
    setup_model();
    CHECK(cli("trace --model m.st --data data.csv --index 300") == 2);
    CHECK(strstr(output, "dropnet: error: trace: --index 300 is out of range: data.csv has 300 rows (0 to 299)") != NULL);
    CHECK(cli("trace --model m.st") == 2);
    CHECK(strstr(output, "--model FILE and --data DATA are required") != NULL);
    CHECK(cli("trace --model missing.st --data data.csv") == 1);
    CHECK(cli("trace --model m.st --data data.csv --index -1") == 2);
    remove_dir();
}

TEST(trace_draws_idx_images_as_text) {
    if (access("/usr/share/datasets/fashion-mnist", R_OK) != 0) {
        SKIP("dataset-fashion-mnist is not installed; scripts/setup.sh installs it");
    }
    snprintf(dir, sizeof dir, "/tmp/dropnet-trace-XXXXXX");
    CHECK(mkdtemp(dir) != NULL);
    CHECK(cli("train --train fashion-mnist:train --max-rows 300 --model dense:10:softmax --out f.st") == 0);
    CHECK(cli("trace --model f.st --data fashion-mnist:test --index 2") == 0);
    const char *at = strstr(output, "a 28 × 28 image:\n");
    int lines = 0;
    for (at = at ? strchr(at, '\n') + 1 : NULL; at && strncmp(at, "   ", 3) == 0; at = strchr(at, '\n') + 1) {
        CHECK(strchr(at, '\n') - at == 3 + 56);
        lines++;
    }
    CHECK(lines == 28);
    remove_dir();
}

/* Colour escapes appear on a pseudo-terminal (script(1) provides one), never with NO_COLOR set,
 * never in a pipe. */
TEST(colour_only_on_a_terminal) {
    if (access("/usr/bin/script", X_OK) != 0) {
        SKIP("script(1) is not installed (bsdutils)");
    }
    setup_model();
    char command[1024];
    const char *trace = "trace --model m.st --data data.csv --index 1";
    snprintf(command, sizeof command, "cd %s && env -u NO_COLOR script -qec '%s %s' /dev/null", dir,
             dn_test_cli_path(), trace);
    CHECK(dn_test_run(command, output, sizeof output) == 0);
    CHECK_MSG(strstr(output, "\033[1m") != NULL, "no colour on a terminal: %s", output);
    snprintf(command, sizeof command, "cd %s && NO_COLOR= script -qec '%s %s' /dev/null", dir,
             dn_test_cli_path(), trace);
    CHECK(dn_test_run(command, output, sizeof output) == 0);
    CHECK(strstr(output, "Probabilities") != NULL && strchr(output, '\033') == NULL);
    CHECK(cli("%s", trace) == 0);
    CHECK(strstr(output, "Probabilities") != NULL && strchr(output, '\033') == NULL);
    remove_dir();
}
