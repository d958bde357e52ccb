/* colour.h — ANSI colour for terminal output, and only there.
 *
 * Colour is used when the stream is a terminal and NO_COLOR is not in the environment at all
 * (https://no-color.org asks for "set and non-empty"; the issue asks for "never with NO_COLOR
 * set", so even NO_COLOR= turns colour off). Pipes, files and tests always get plain text. */
#ifndef CLI_COLOUR_H
#define CLI_COLOUR_H

#include <stdio.h>

typedef enum cli_colour_kind {
    CLI_COLOUR_RESET = 0,
    CLI_COLOUR_BOLD,
    CLI_COLOUR_DIM,
    CLI_COLOUR_GREEN,
    CLI_COLOUR_RED,
    CLI_COLOUR_YELLOW,
    CLI_COLOUR_CYAN
} cli_colour_kind;

/* 1 when `out` is a terminal and NO_COLOR is unset, else 0. */
int cli_colour_enabled(FILE *out);

/* The escape sequence for `colour` when `enabled`, else "" (so it can go straight into printf). */
const char *cli_colour(int enabled, cli_colour_kind colour);

#endif
