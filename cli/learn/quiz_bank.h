/* quiz_bank.h — the questions of `dropnet quiz`: the learning page's question and eleven more, several
 * computed from a real run (cli_lesson), each with four options and an explanation. */
#ifndef CLI_QUIZ_BANK_H
#define CLI_QUIZ_BANK_H

#include "learn/lesson.h"

#include <stddef.h>
#include <stdint.h>

enum { CLI_QUIZ_OPTIONS = 4, CLI_QUIZ_TEXT = 480, CLI_QUIZ_OPTION_TEXT = 200, CLI_QUIZ_MAX = 16 };

typedef struct cli_quiz_question {
    char text[CLI_QUIZ_TEXT];
    char options[CLI_QUIZ_OPTIONS][CLI_QUIZ_OPTION_TEXT];
    int answer; /* index of the right option */
    char why[CLI_QUIZ_TEXT];
} cli_quiz_question;

/* Writes the questions for `lesson` into q [CLI_QUIZ_MAX], the right option first; returns the
 * count. */
size_t cli_quiz_build(const cli_lesson *lesson, cli_quiz_question *q);

/* Puts each question's options in an order drawn from `seed` (Philox, so the same seed gives the
 * same quiz) and updates `answer`. */
void cli_quiz_shuffle(cli_quiz_question *q, size_t count, uint64_t seed);

#endif
