/* precision.c — parsing --precision (and --store, of train and import). */
#include "common/precision.h"

#include "common/cli_error.h"

#include <string.h>

int cli_precision_parse(const char *command, const char *text, dn_precision *out) {
    return cli_precision_parse_option(command, "--precision", text, out);
}

int cli_precision_parse_option(const char *command, const char *option, const char *text,
                               dn_precision *out) {
    if (text == NULL || strcmp(text, "fp32") == 0) {
        *out = DN_PRECISION_FP32;
        return 0;
    }
    if (strcmp(text, "bf16") == 0) {
        *out = DN_PRECISION_BF16;
        return 0;
    }
    return cli_error(-1, "%s: %s must be fp32 or bf16, got '%s'", command, option, text);
}

const char *cli_precision_name(dn_precision precision) {
    return precision == DN_PRECISION_BF16 ? "bf16" : "fp32";
}
