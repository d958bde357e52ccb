/* output_check.h — every output of a command checked before any work (cli/common/output_check.c):
 * an output that is also an input is refused before anything is opened for writing (it would be
 * destroyed, and with it the data), and so is one that could only fail at the end of a long run:
 * an existing directory, a path too long, a missing or read-only directory, a read-only file. */
#ifndef CLI_OUTPUT_CHECK_H
#define CLI_OUTPUT_CHECK_H

#include <stddef.h>

/* A file named by an option: {"--out", path}; path NULL when the option was not given. */
typedef struct cli_named_file {
    const char *option;
    const char *path;
} cli_named_file;

/* Checks outputs [n_out] against each other and against inputs [n_in] (files the command reads;
 * "-" is standard input) with dn_check_outputs (the library's output policy). Devices and FIFOs
 * (/dev/null, /dev/stdout, a terminal) may be outputs and may be given twice. Prints "COMMAND: --log d.csv is the same file as --train d.csv ..."
 * and returns -1 on the first problem, else 0. A model that a command reads completely before it
 * writes anything (train --init m --out m) is not an input of --out: the caller leaves it out. */
int cli_check_outputs(const char *command, const cli_named_file *outputs, size_t n_out,
                      const cli_named_file *inputs, size_t n_in);

#endif
