/* main.c — the dropnet command-line tool: dispatches to one subcommand. */
#include "commands.h"

#include "dropnet.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

typedef struct command_entry {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *summary;
} command_entry;

static const command_entry commands[] = {
    {"demo", dn_cmd_demo, "train the seed page's dropout pipeline and print its Model Pipeline Trace"},
    {"train", dn_cmd_train, "train a network on a dataset and save it (safetensors)"},
    {"eval", dn_cmd_eval, "loss, accuracy, per-class precision/recall and confusion matrix"},
    {"predict", dn_cmd_predict, "classify examples: CSV of predicted class and probabilities"},
    {"summary", dn_cmd_summary, "layers, shapes, parameter counts and settings of a saved model"},
    {"compare", dn_cmd_compare, "train with and without dropout and compare the train-test gap"},
    {"trace", dn_cmd_trace, "one example through a saved model, layer by layer, with its probabilities"},
    {"quiz", dn_cmd_quiz, "an interactive quiz on dropout, with numbers from a real run"},
    {"explain", dn_cmd_explain, "the key insight of dropout, shown with numbers from short runs"},
};

int dn_cli_error(int code, const char *fmt, ...) {
    va_list args;
    va_start(args, fmt);
    fputs("dropnet: error: ", stderr);
    vfprintf(stderr, fmt, args);
    fputc('\n', stderr);
    va_end(args);
    return code;
}

static void print_usage(FILE *out) {
    fprintf(out, "dropnet %s — feed-forward neural networks with dropout\n\n"
                 "usage: dropnet COMMAND [OPTIONS]\n\ncommands:\n", dn_version());
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; ++i)
        fprintf(out, "  %-10s %s\n", commands[i].name, commands[i].summary);
    fprintf(out, "\n'dropnet COMMAND --help' describes a command's options.\n"
                 "'dropnet --version' prints the version.\n");
}

int main(int argc, char **argv) {
    if (argc < 2) {
        print_usage(stderr);
        return dn_cli_error(2, "no command given");
    }
    const char *name = argv[1];
    if (strcmp(name, "--help") == 0 || strcmp(name, "-h") == 0 || strcmp(name, "help") == 0) {
        print_usage(stdout);
        return 0;
    }
    if (strcmp(name, "--version") == 0) {
        printf("dropnet %s\n", dn_version());
        return 0;
    }
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; ++i)
        if (strcmp(name, commands[i].name) == 0) return commands[i].run(argc - 2, argv + 2);
    return dn_cli_error(2, "unknown command '%s' (see dropnet --help)", name);
}
