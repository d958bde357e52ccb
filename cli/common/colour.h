/* colour.h — ANSI colour for terminal output, and only there.
 *
 * Colour is used when the stream is a terminal and NO_COLOR is not in the environment at all
 * (https://no-color.org asks for "set and non-empty"; the issue asks for "never with NO_COLOR
 * set", so even NO_COLOR= turns colour off). Pipes, files and tests always get plain text. */
#ifndef DN_CLI_COLOUR_H
#define DN_CLI_COLOUR_H

#include <stdio.h>

typedef enum dn_colour_kind {
    DN_COLOUR_RESET = 0,
    DN_COLOUR_BOLD,
    DN_COLOUR_DIM,
    DN_COLOUR_GREEN,
    DN_COLOUR_RED,
    DN_COLOUR_YELLOW,
    DN_COLOUR_CYAN
} dn_colour_kind;

/* 1 when `out` is a terminal and NO_COLOR is unset, else 0. */
int dn_colour_enabled(FILE *out);

/* The escape sequence for `colour` when `enabled`, else "" (so it can go straight into printf). */
const char *dn_colour(int enabled, dn_colour_kind colour);

#endif
