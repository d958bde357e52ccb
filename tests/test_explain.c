/* test_explain.c — `dropnet explain`: its numbers hang together (the inverted-scaling ratio near 1,
 * the unscaled one exactly (1 - rate) times it, gaps equal train - validation) and, for the
 * default seed, dropout narrows the gap. */
#include "test.h"

#include <stdlib.h>
#include <string.h>

static char output[1 << 15];

static int explain(const char *args) {
    char command[1024];
    snprintf(command, sizeof command, "%s explain %s", dn_test_cli_path(), args);
    return dn_test_run(command, output, sizeof output);
}

/* The number after `label` in the output, or NAN. */
static double after(const char *label) {
    const char *at = strstr(output, label);
    return at ? strtod(at + strlen(label), NULL) : NAN;
}

TEST(explain_numbers_hang_together) {
    CHECK(explain("") == 0);
    double inverted = after("with inverted scaling (Keras, PyTorch, dropnet)");
    double plain = after("mask alone, no scaling");
    CHECK_MSG(fabs(inverted - 1.0) < 0.03, "inverted-dropout ratio %.4f", inverted);
    CHECK_NEAR(plain, inverted * 0.5, 1e-4); /* default rate 0.5 */
    double kept = after("kept in ");
    CHECK_MSG(kept > 200 && kept < 300, "kept in %.0f of 500 steps at rate 0.5", kept);
    double with[3], without[3];
    const char *row = strstr(output, "     with dropout ");
    CHECK(row && sscanf(row, "     with dropout %lf %lf %lf", &with[0], &with[1], &with[2]) == 3);
    row = strstr(output, "     without dropout ");
    CHECK(row && sscanf(row, "     without dropout %lf %lf %lf", &without[0], &without[1], &without[2]) == 3);
    CHECK_NEAR(with[2], with[0] - with[1], 1.5e-4);
    CHECK_NEAR(without[2], without[0] - without[1], 1.5e-4);
    /* Seed 42: 200 training rows, a 128-unit layer; without dropout it fits the training rows. */
    CHECK_MSG(with[2] < without[2], "gap %.4f with dropout, %.4f without", with[2], without[2]);
    CHECK(without[0] > 0.99);
    CHECK(strstr(output, "Dropout narrows the gap") != NULL);
    CHECK(strstr(output, "The key insight") != NULL);
}

TEST(explain_is_deterministic_and_checks_its_options) {
    static char first[sizeof output];
    CHECK(explain("--seed 3 --rate 0.3 --epochs 5") == 0);
    memcpy(first, output, sizeof output);
    CHECK(explain("--seed 3 --rate 0.3 --epochs 5") == 0);
    CHECK(strcmp(first, output) == 0);
    CHECK(strstr(output, "Dropout(0.3)") != NULL);
    CHECK_NEAR(after("mask alone, no scaling"), after("with inverted scaling (Keras, PyTorch, dropnet)") * 0.7, 1e-4);
    CHECK(explain("--rate 1") == 2);
    CHECK(strstr(output, "dropnet: error: explain: --rate must be in (0, 1), got 1") != NULL);
    CHECK(explain("--epochs 0") == 2);
}
