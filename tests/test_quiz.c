/* test_quiz.c — `dropnet quiz` driven through a pipe: the score for scripted answers, polite
 * refusal of anything but A–D, repeatability by seed, numbers taken from the real run. */
#include "test.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

static char output[1 << 17];

/* Runs `printf 'ANSWERS' | dropnet quiz ARGS`; answers use \n between letters. */
static int quiz(const char *answers, const char *args) {
    char command[4096];
    snprintf(command, sizeof command, "printf '%s' | %s quiz %s", answers, dn_test_cli_path(), args);
    return dn_test_run(command, output, sizeof output);
}

/* The letters of "the answer is X" in order, into letters [size]; returns how many. */
static size_t right_letters(char *letters, size_t size) {
    size_t n = 0;
    for (const char *at = strstr(output, "the answer is "); at && n + 1 < size;
         at = strstr(at + 1, "the answer is "))
        letters[n++] = at[strlen("the answer is ")];
    letters[n] = '\0';
    return n;
}

static int score(void) {
    const char *at = strstr(output, "\nScore: ");
    int right = -1, total = -1;
    if (at == NULL || sscanf(at, "\nScore: %d of %d", &right, &total) != 2) return -1;
    return total == 12 ? right : -2;
}

/* answers[i] + "\n" for each letter. */
static void script(const char *letters, char *buf, size_t size) {
    size_t used = 0;
    for (const char *c = letters; *c && used + 3 < size; ++c) {
        buf[used++] = *c;
        buf[used++] = '\\';
        buf[used++] = 'n';
    }
    buf[used] = '\0';
}

TEST(quiz_scores_scripted_answers) {
    char all_a[64], letters[32], answers[128];
    script("AAAAAAAAAAAA", all_a, sizeof all_a);
    CHECK(quiz(all_a, "--seed 3") == 0);
    CHECK(strstr(output, "Question 12 of 12") != NULL && strstr(output, "Question 13") == NULL);
    CHECK(right_letters(letters, sizeof letters) == 12);
    int expected = 0;
    for (size_t i = 0; i < 12; ++i) expected += letters[i] == 'A';
    CHECK_MSG(score() == expected, "score %d for all-A answers, %d of the answers are A", score(), expected);
    CHECK(expected < 12); /* the shuffle moved some right answers away from A */

    script(letters, answers, sizeof answers);
    CHECK(quiz(answers, "--seed 3") == 0);
    CHECK(score() == 12);
    CHECK(strstr(output, "Not quite") == NULL);

    char wrong[16], mixed[16];
    for (size_t i = 0; i < 12; ++i) {
        wrong[i] = (char)('A' + (letters[i] - 'A' + 1) % 4);
        mixed[i] = i < 5 ? (char)(letters[i] - 'A' + 'a') : wrong[i]; /* lower case counts too */
    }
    wrong[12] = mixed[12] = '\0';
    script(wrong, answers, sizeof answers);
    CHECK(quiz(answers, "--seed 3") == 0);
    CHECK(score() == 0);
    script(mixed, answers, sizeof answers);
    CHECK(quiz(answers, "--seed 3") == 0);
    CHECK(score() == 5);
}

TEST(quiz_rejects_invalid_answers_politely) {
    char letters[32], answers[256];
    char all_a[64];
    script("AAAAAAAAAAAA", all_a, sizeof all_a);
    CHECK(quiz(all_a, "") == 0);
    right_letters(letters, sizeof letters);
    snprintf(answers, sizeof answers, "E\\n\\nhello\\n  AB \\n%c\\n", letters[0]);
    script(letters + 1, answers + strlen(answers), sizeof answers - strlen(answers));
    CHECK(quiz(answers, "") == 0);
    CHECK(strstr(output, "Please answer with one letter: A, B, C or D (\"E\" is not one of them).") != NULL);
    CHECK(strstr(output, "(\"hello\" is not one of them)") != NULL);
    CHECK(strstr(output, "(\"AB\" is not one of them)") != NULL);
    const char *empty = "Please answer with one letter: A, B, C or D.\n";
    CHECK(strstr(output, empty) != NULL);
    CHECK(score() == 12);
    CHECK(strstr(output, "dropnet: error") == NULL);
}

TEST(quiz_input_ending_early_fails_cleanly) {
    CHECK(quiz("A\\nB\\nC\\n", "") == 1);
    CHECK(strstr(output, "dropnet: error: quiz: standard input ended before question 4 of 12") != NULL);
    CHECK(strstr(output, "Score so far: ") != NULL);
    CHECK(quiz("A\\n", "--seed x") == 2);
    CHECK(strstr(output, "--seed expects a non-negative integer") != NULL);
}

TEST(quiz_is_repeatable_by_seed) {
    static char first[sizeof output];
    char all_a[64];
    script("AAAAAAAAAAAA", all_a, sizeof all_a);
    CHECK(quiz(all_a, "--seed 9") == 0);
    memcpy(first, output, sizeof output);
    CHECK(quiz(all_a, "--seed 9") == 0);
    CHECK(strcmp(first, output) == 0);
    CHECK(quiz(all_a, "--seed 10") == 0);
    CHECK(strcmp(first, output) != 0);
}

/* The computed questions quote the same run as `dropnet demo --seed N`. */
TEST(quiz_numbers_come_from_the_demo_run) {
    char all_a[64], command[512];
    script("AAAAAAAAAAAA", all_a, sizeof all_a);
    CHECK(quiz(all_a, "--seed 7") == 0);
    static char quiz_text[sizeof output];
    memcpy(quiz_text, output, sizeof output);
    snprintf(command, sizeof command, "%s demo --seed 7 --epochs 1", dn_test_cli_path());
    CHECK(dn_test_run(command, output, sizeof output) == 0);
    unsigned dropped = 0, total = 0;
    const char *at = strstr(output, "this batch: ");
    CHECK(at && sscanf(at, "this batch: %u of %u dropped", &dropped, &total) == 2);
    char expected[128];
    snprintf(expected, sizeof expected, "Dropout(0.2) dropped %u of %u inputs", dropped, total);
    CHECK_MSG(strstr(quiz_text, expected) != NULL, "quiz lacks \"%s\"", expected);
    double loss = 0.0, val_loss = 0.0;
    at = strstr(output, "\n 1     |");
    CHECK(at && sscanf(at, "\n 1     | %lf | %*f | %lf", &loss, &val_loss) == 2);
    snprintf(expected, sizeof expected, "training loss was %.4f and the validation loss %.4f", loss, val_loss);
    CHECK_MSG(strstr(quiz_text, expected) != NULL, "quiz lacks \"%s\"", expected);
}
