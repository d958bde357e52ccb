/* options.h — the command line parser shared by every subcommand.
 *
 * Each command describes its options in a table; parsing fills the targets and reports the
 * first problem (unknown option, missing or malformed value) as a message. */
#ifndef CLI_OPTIONS_H
#define CLI_OPTIONS_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

typedef enum cli_opt_kind {
    CLI_OPT_FLAG,   /* int: set to 1 when present */
    CLI_OPT_U64,    /* uint64_t: a non-negative integer */
    CLI_OPT_SIZE,   /* size_t: a non-negative integer */
    CLI_OPT_FLOAT,  /* float: any finite number (ranges are checked where they are defined) */
    CLI_OPT_DOUBLE, /* double: any finite number, kept exact (fractions such as --val-split) */
    CLI_OPT_STRING  /* const char *: pointer into argv */
} cli_opt_kind;

typedef struct cli_option {
    const char *name;    /* without the leading "--" */
    cli_opt_kind kind;
    void *target;
    const char *metavar; /* e.g. "N"; NULL for flags */
    const char *help;
} cli_option;

/* The number of entries of an array whose size the compiler knows (an option table, a list of
 * commands): never counted by hand. */
#define CLI_COUNT(array) (sizeof(array) / sizeof((array)[0]))

typedef struct cli_command {
    const char *name;
    const char *summary;  /* one line */
    const char *usage;    /* the arguments after the command name */
    const cli_option *options;
    size_t option_count;
} cli_command;

typedef enum cli_parse_result { CLI_PARSE_OK, CLI_PARSE_HELP, CLI_PARSE_ERROR } cli_parse_result;

/* Parses argv[0..argc) (the words after the command name): `--name value`, `--name=value`,
 * `--flag`. Positional words are errors. On CLI_PARSE_ERROR `message` says what is wrong. */
cli_parse_result cli_parse(const cli_command *cmd, int argc, char **argv, char *message,
                             size_t size);

/* The thread count from the environment variable DROPNET_THREADS (0 when unset: all cores).
 * Returns 0, or -1 with a message when it is set but not a non-negative integer. */
int cli_env_threads(size_t *threads, char *message, size_t size);

/* Parses a command's words: returns 0 to go on, or -1 with *exit_code set after printing the
 * help (exit 0) or "dropnet: error: ..." (exit 2). */
int cli_parse_command(const cli_command *cmd, int argc, char **argv, int *exit_code);

/* Prints "usage: dropnet NAME USAGE", the summary and every option with its help. */
void cli_print_help(const cli_command *cmd, FILE *out);

#endif
