/* quiz.h — the questions of `dropnet quiz`: the learning page's question and eleven more, several
 * computed from a real run (dn_lesson), each with four options and an explanation. */
#ifndef DN_CLI_QUIZ_H
#define DN_CLI_QUIZ_H

#include "learn/lesson.h"

#include <stddef.h>
#include <stdint.h>

enum { DN_QUIZ_OPTIONS = 4, DN_QUIZ_TEXT = 480, DN_QUIZ_OPTION_TEXT = 200, DN_QUIZ_MAX = 16 };

typedef struct dn_quiz_question {
    char text[DN_QUIZ_TEXT];
    char options[DN_QUIZ_OPTIONS][DN_QUIZ_OPTION_TEXT];
    int answer; /* index of the right option */
    char why[DN_QUIZ_TEXT];
} dn_quiz_question;

/* Writes the questions for `lesson` into q [DN_QUIZ_MAX], the right option first; returns the
 * count. */
size_t dn_quiz_build(const dn_lesson *lesson, dn_quiz_question *q);

/* Puts each question's options in an order drawn from `seed` (Philox, so the same seed gives the
 * same quiz) and updates `answer`. */
void dn_quiz_shuffle(dn_quiz_question *q, size_t count, uint64_t seed);

#endif
