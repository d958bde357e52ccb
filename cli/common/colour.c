/* colour.c — ANSI escapes, switched off for pipes and by NO_COLOR. */
#include "common/colour.h"

#include <stdlib.h>
#include <unistd.h>

int cli_colour_enabled(FILE *out) {
    if (getenv("NO_COLOR") != NULL) return 0;
    return out != NULL && isatty(fileno(out));
}

const char *cli_colour(int enabled, cli_colour_kind colour) {
    static const char *const codes[] = {"\033[0m",  "\033[1m",  "\033[2m", "\033[32m",
                                        "\033[31m", "\033[33m", "\033[36m"};
    if (!enabled || (size_t)colour >= sizeof codes / sizeof codes[0]) return "";
    return codes[colour];
}
