/* precision.h — the --precision option of train, compare, eval, predict and trace, and the --store
 * option of train and import (precision.c). */
#ifndef CLI_COMMON_PRECISION_H
#define CLI_COMMON_PRECISION_H

#include "dropnet.h"

/* The option's help text (one place, so every command says the same). */
#define CLI_PRECISION_HELP                                                                      \
    "fp32 or bf16: bf16 rounds both operands of every dense product to bfloat16 and sums in "   \
    "fp32, as PyTorch's CPU autocast (fp32 weights, loss and optimizer); same results on every " \
    "CPU, fastest with AVX512_BF16 (fp32; eval, predict and trace: bf16 for a model saved with " \
    "train --store bf16)"

/* The --store option's help text (train and import), the default said by each command. */
#define CLI_STORE_HELP                                                                          \
    "dense kernels in --out as fp32 or bf16: bf16 halves them (rounded to nearest even) and "  \
    "the file loads as a bf16-precision model"

/* "fp32" or "bf16" (NULL: fp32) → *out. Otherwise prints "COMMAND: --precision must be fp32 or
 * bf16, got 'TEXT'" and returns -1; returns 0 on success. */
int cli_precision_parse(const char *command, const char *text, dn_precision *out);

/* The same for another option taking fp32|bf16 (--store): the message names `option`. */
int cli_precision_parse_option(const char *command, const char *option, const char *text,
                               dn_precision *out);

/* "fp32" or "bf16". */
const char *cli_precision_name(dn_precision precision);

#endif
