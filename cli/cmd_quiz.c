/* cmd_quiz.c — `dropnet quiz`: questions on dropout in the terminal, answered with a letter on
 * standard input (so it can be piped), an explanation after each answer and a score at the end. */
#include "commands.h"
#include "common/cli_error.h"
#include "common/colour.h"
#include "common/options.h"
#include "learn/quiz_bank.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

enum { LINE_SIZE = 256 };

typedef struct quiz_io {
    int colour;    /* ANSI colour on stdout */
    int echo;      /* stdin is not a terminal: repeat each answer so the transcript reads well */
    size_t asked;  /* questions answered so far */
    size_t right;
} quiz_io;

/* Reads one line into buf (the rest of an over-long line is discarded); 0 at end of input. */
static int read_line(char *buf, size_t size) {
    if (fgets(buf, (int)size, stdin) == NULL) return 0;
    size_t len = strlen(buf);
    if (len > 0 && buf[len - 1] != '\n') {
        int c;
        while ((c = getchar()) != EOF && c != '\n') continue;
    }
    return 1;
}

/* The answer in `line` as 0–3 (A–D, either case, spaces around ignored), or -1. */
static int parse_answer(const char *line, char *shown, size_t size) {
    while (isspace((unsigned char)*line)) ++line;
    size_t len = strlen(line);
    while (len > 0 && isspace((unsigned char)line[len - 1])) --len;
    snprintf(shown, size, "%.*s", (int)(len < 40 ? len : 40), line);
    if (len != 1) return -1;
    int c = toupper((unsigned char)line[0]);
    return c >= 'A' && c <= 'D' ? c - 'A' : -1;
}

/* Asks until a valid letter arrives; returns 0–3, or -1 when the input ends. */
static int read_answer(const quiz_io *io) {
    char line[LINE_SIZE], shown[48];
    for (;;) {
        printf("Your answer (A-D): ");
        fflush(stdout);
        if (!read_line(line, sizeof line)) {
            if (io->echo) putchar('\n');
            return -1;
        }
        int answer = parse_answer(line, shown, sizeof shown);
        if (io->echo) printf("%s\n", shown);
        if (answer >= 0) return answer;
        if (shown[0] == '\0') printf("Please answer with one letter: A, B, C or D.\n");
        else printf("Please answer with one letter: A, B, C or D (\"%s\" is not one of them).\n", shown);
    }
}

static void show_question(const quiz_io *io, const cli_quiz_question *q, size_t i, size_t count) {
    printf("\n%sQuestion %zu of %zu%s\n%s\n", cli_colour(io->colour, CLI_COLOUR_BOLD), i + 1, count,
           cli_colour(io->colour, CLI_COLOUR_RESET), q->text);
    for (int k = 0; k < CLI_QUIZ_OPTIONS; ++k) printf("  %c) %s\n", 'A' + k, q->options[k]);
}

static void show_result(quiz_io *io, const cli_quiz_question *q, int answer) {
    char letter = (char)('A' + q->answer);
    if (answer == q->answer) {
        io->right++;
        printf("%sCorrect%s: the answer is %c.\n", cli_colour(io->colour, CLI_COLOUR_GREEN),
               cli_colour(io->colour, CLI_COLOUR_RESET), letter);
    } else {
        printf("%sNot quite%s: the answer is %c (you said %c): %s\n",
               cli_colour(io->colour, CLI_COLOUR_RED), cli_colour(io->colour, CLI_COLOUR_RESET), letter,
               'A' + answer, q->options[q->answer]);
    }
    printf("Why: %s\n", q->why);
}

static void show_score(const quiz_io *io, size_t count) {
    size_t pct = io->asked ? (io->right * 100 + io->asked / 2) / io->asked : 0;
    const char *remark = io->right == count ? "Perfect: you know how dropout works."
                         : pct >= 75        ? "Well done."
                         : pct >= 50        ? "A good start: the explanations above fill the gaps."
                                            : "Read the explanations above and try again (the same "
                                              "--seed gives the same questions).";
    printf("\n%sScore: %zu of %zu%s (%zu %%). %s\n", cli_colour(io->colour, CLI_COLOUR_BOLD), io->right,
           count, cli_colour(io->colour, CLI_COLOUR_RESET), pct, remark);
}

int cli_cmd_quiz(int argc, char **argv) {
    uint64_t seed = 42;
    const cli_option options[] = {
        {"seed", CLI_OPT_U64, &seed, "N", "seed of the run the questions quote and of the option order (42)"},
    };
    const cli_command cmd = {
        .name = "quiz",
        .summary = "An interactive quiz on dropout: questions with answers A-D, "
                   "several computed from a real run\n(the demo's first epoch), an "
                   "explanation after each answer and a score at the end.\nAnswers are "
                   "read from standard input, one letter a line, so it can be piped.",
        .usage = "[--seed N]",
        .options = options,
        .option_count = CLI_COUNT(options),
    };
    int exit_code;
    if (cli_parse_command(&cmd, argc, argv, &exit_code) != 0) return exit_code;
    cli_lesson lesson;
    if (cli_lesson_run(seed, &lesson) != 0) return 1;
    cli_quiz_question questions[CLI_QUIZ_MAX];
    size_t count = cli_quiz_build(&lesson, questions);
    cli_quiz_shuffle(questions, count, seed);
    quiz_io io = {.colour = cli_colour_enabled(stdout), .echo = !isatty(fileno(stdin))};
    printf("dropnet quiz — %zu questions on dropout, with numbers from a real run (seed %llu: the "
           "first epoch of `dropnet demo --seed %llu`).\nAnswer each with a letter, A to D.\n", count,
           (unsigned long long)seed, (unsigned long long)seed);
    for (size_t i = 0; i < count; ++i) {
        show_question(&io, &questions[i], i, count);
        int answer = read_answer(&io);
        if (answer < 0) {
            printf("\nScore so far: %zu of %zu answered.\n", io.right, io.asked);
            return cli_error(1, "quiz: standard input ended before question %zu of %zu was "
                                "answered", i + 1, count);
        }
        io.asked++;
        show_result(&io, &questions[i], answer);
    }
    show_score(&io, count);
    return 0;
}
