/* main.c — the dropnet command-line tool: dispatches to one subcommand. */
#include "commands.h"
#include "common/cli_error.h"
#include "common/close_stdout.h"
#include "common/options.h"
#include "parallel/parallel.h"

#include "dropnet.h"

#include <stdio.h>
#include <string.h>

typedef struct command_entry {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *summary;
} command_entry;

static const command_entry commands[] = {
    {"demo", cli_cmd_demo, "train the seed page's dropout pipeline and print its Model Pipeline Trace"},
    {"train", cli_cmd_train, "train a network on a dataset and save it (safetensors)"},
    {"eval", cli_cmd_eval, "loss, accuracy, per-class precision/recall and confusion matrix"},
    {"predict", cli_cmd_predict, "classify examples: CSV of predicted class and probabilities"},
    {"summary", cli_cmd_summary, "layers, shapes, parameter counts and settings of a saved model"},
    {"compare", cli_cmd_compare, "train with and without dropout and compare the train-test gap"},
    {"trace", cli_cmd_trace, "one example through a saved model, layer by layer, with its probabilities"},
    {"quiz", cli_cmd_quiz, "an interactive quiz on dropout, with numbers from a real run"},
    {"explain", cli_cmd_explain, "the key insight of dropout, shown with numbers from short runs"},
    {"play", cli_cmd_play, "write the playground page (make web): training in the browser, optionally on your table"},
    {"export", cli_cmd_export, "write a saved model as an ONNX graph, for ONNX Runtime and others"},
    {"import", cli_cmd_import, "read an ONNX MLP (e.g. from PyTorch) into a dropnet model file"},
    {"report", cli_cmd_report, "write the HTML report of a finished run from its saved model and epoch log (e.g. trained in Python)"},
};

#ifdef DN_BLAS_OPENBLAS
#include <stdlib.h>
#include <unistd.h>

/* `make BLAS=openblas` builds: OpenBLAS picks its kernels from its own CPU detection when it is
 * loaded, and Debian's 0.3.21 takes an AVX-512 machine for a 2004 "Prescott" (4× slower). Decide
 * from CPUID instead and start again with OPENBLAS_CORETYPE set, unless the user set it. */
static void choose_openblas_kernels(char **argv) {
    if (getenv("OPENBLAS_CORETYPE") != NULL) return;
    __builtin_cpu_init();
    const char *core = __builtin_cpu_supports("avx512f") ? "SkylakeX"
                       : __builtin_cpu_supports("avx2")  ? "Haswell"
                                                         : NULL;
    if (core == NULL || setenv("OPENBLAS_CORETYPE", core, 1) != 0) return;
    execv("/proc/self/exe", argv); /* returns only on failure: go on with OpenBLAS's guess */
}
#endif

static void print_usage(FILE *out) {
    fprintf(out, "dropnet %s — feed-forward neural networks with dropout\n\n"
                 "usage: dropnet COMMAND [OPTIONS]\n\ncommands:\n", dn_version());
    for (size_t i = 0; i < CLI_COUNT(commands); ++i)
        fprintf(out, "  %-10s %s\n", commands[i].name, commands[i].summary);
    fprintf(out, "\n'dropnet COMMAND --help' describes a command's options.\n"
                 "'dropnet --version' prints the version.\n");
}

static int run(int argc, char **argv) {
    if (argc < 2) {
        print_usage(stderr);
        return cli_error(2, "no command given");
    }
    const char *name = argv[1];
    if (strcmp(name, "--help") == 0 || strcmp(name, "-h") == 0 || strcmp(name, "help") == 0) {
        print_usage(stdout);
        return cli_close_stdout(0);
    }
    if (strcmp(name, "--version") == 0) {
        printf("dropnet %s\n", dn_version());
        return cli_close_stdout(0);
    }
    for (size_t i = 0; i < CLI_COUNT(commands); ++i)
        if (strcmp(name, commands[i].name) == 0)
            return cli_close_stdout(commands[i].run(argc - 2, argv + 2));
    return cli_error(2, "unknown command '%s' (see dropnet --help)", name);
}

/* Inside an MPI job every rank runs the command; only rank 0 prints (parallel/parallel.h), and
 * another rank's error is kept until cli_parallel_exit decides whether it must be shown. */
int main(int argc, char **argv) {
#ifdef DN_BLAS_OPENBLAS
    choose_openblas_kernels(argv);
#endif
    /* Any signal that ends the process removes the temporary file of a save under way first;
     * train replaces SIGINT/SIGTERM with its own Ctrl-C handling (common/interrupt.h). */
    dn_install_temp_cleanup();
    int code = cli_parallel_init(&argc, &argv, argc > 1 ? argv[1] : NULL);
    if (code != 0) return code;
    char message[1024] = "";
    if (!cli_parallel_is_root()) cli_error_capture(message, sizeof message);
    char where[160] = "";
    if (cli_parallel_size() > 1)
        snprintf(where, sizeof where, "rank 0 on %s", cli_parallel_host());
    cli_error_context(where);
    return cli_parallel_exit(run(argc, argv), message);
}
