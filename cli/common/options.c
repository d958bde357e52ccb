/* options.c — parsing `--name value` options against a command's table. */
#include "common/options.h"

#include "common/cli_error.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static const cli_option *find_option(const cli_command *cmd, const char *name, size_t len) {
    for (size_t i = 0; i < cmd->option_count; ++i)
        if (strlen(cmd->options[i].name) == len && strncmp(cmd->options[i].name, name, len) == 0)
            return &cmd->options[i];
    return NULL;
}

static int parse_unsigned(const char *text, uint64_t *out) {
    if (*text == '\0' || *text == '-' || *text == '+' || *text == ' ') return 0;
    char *end;
    errno = 0;
    unsigned long long v = strtoull(text, &end, 10);
    if (errno != 0 || *end != '\0') return 0;
    *out = (uint64_t)v;
    return 1;
}

static int parse_float(const char *text, float *out) {
    if (*text == '\0' || *text == ' ') return 0;
    char *end;
    errno = 0;
    double v = strtod(text, &end);
    if (errno != 0 || *end != '\0' || !isfinite(v) || fabs(v) > 3.4e38) return 0;
    *out = (float)v;
    return 1;
}

/* Stores `value` into the option's target; returns 0 with a message when it does not parse. */
static int assign(const cli_command *cmd, const cli_option *opt, const char *value,
                  char *message, size_t size) {
    uint64_t u;
    switch (opt->kind) {
    case CLI_OPT_FLAG:
        *(int *)opt->target = 1;
        return 1;
    case CLI_OPT_U64:
    case CLI_OPT_SIZE:
        if (!parse_unsigned(value, &u) || (opt->kind == CLI_OPT_SIZE && u > SIZE_MAX)) {
            snprintf(message, size, "%s: --%s expects a non-negative integer, got '%s'", cmd->name,
                     opt->name, value);
            return 0;
        }
        if (opt->kind == CLI_OPT_U64) *(uint64_t *)opt->target = u;
        else *(size_t *)opt->target = (size_t)u;
        return 1;
    case CLI_OPT_FLOAT:
        if (!parse_float(value, (float *)opt->target)) {
            snprintf(message, size, "%s: --%s expects a number, got '%s'", cmd->name, opt->name,
                     value);
            return 0;
        }
        return 1;
    case CLI_OPT_DOUBLE: {
        char *end;
        errno = 0;
        double v = *value && *value != ' ' ? strtod(value, &end) : NAN;
        if (!isfinite(v) || errno != 0 || *end != '\0') {
            snprintf(message, size, "%s: --%s expects a number, got '%s'", cmd->name, opt->name,
                     value);
            return 0;
        }
        *(double *)opt->target = v;
        return 1;
    }
    case CLI_OPT_STRING:
        if (*value == '\0') {
            snprintf(message, size, "%s: --%s expects a value, got an empty string", cmd->name,
                     opt->name);
            return 0;
        }
        *(const char **)opt->target = value;
        return 1;
    }
    return 0;
}

cli_parse_result cli_parse(const cli_command *cmd, int argc, char **argv, char *message,
                             size_t size) {
    for (int i = 0; i < argc; ++i) {
        const char *word = argv[i];
        if (strcmp(word, "--help") == 0 || strcmp(word, "-h") == 0) return CLI_PARSE_HELP;
        if (strncmp(word, "--", 2) != 0 || word[2] == '\0') {
            snprintf(message, size, "%s: unexpected argument '%s' (options start with --; see "
                     "dropnet %s --help)", cmd->name, word, cmd->name);
            return CLI_PARSE_ERROR;
        }
        const char *name = word + 2, *eq = strchr(name, '=');
        size_t len = eq ? (size_t)(eq - name) : strlen(name);
        const cli_option *opt = find_option(cmd, name, len);
        if (opt == NULL) {
            snprintf(message, size, "%s: unknown option '--%.*s' (see dropnet %s --help)", cmd->name,
                     (int)len, name, cmd->name);
            return CLI_PARSE_ERROR;
        }
        const char *value = NULL;
        if (opt->kind == CLI_OPT_FLAG) {
            if (eq) {
                snprintf(message, size, "%s: --%s takes no value", cmd->name, opt->name);
                return CLI_PARSE_ERROR;
            }
        } else if (eq) {
            value = eq + 1;
        } else if (i + 1 < argc) {
            value = argv[++i];
        } else {
            snprintf(message, size, "%s: --%s needs a value (%s)", cmd->name, opt->name,
                     opt->metavar ? opt->metavar : "VALUE");
            return CLI_PARSE_ERROR;
        }
        if (!assign(cmd, opt, value, message, size)) return CLI_PARSE_ERROR;
    }
    return CLI_PARSE_OK;
}

int cli_parse_command(const cli_command *cmd, int argc, char **argv, int *exit_code) {
    char message[512];
    switch (cli_parse(cmd, argc, argv, message, sizeof message)) {
    case CLI_PARSE_HELP:
        cli_print_help(cmd, stdout);
        *exit_code = 0;
        return -1;
    case CLI_PARSE_ERROR:
        *exit_code = cli_error(2, "%s", message);
        return -1;
    case CLI_PARSE_OK:
        break;
    }
    return 0;
}

int cli_env_threads(size_t *threads, char *message, size_t size) {
    const char *text = getenv("DROPNET_THREADS");
    uint64_t v = 0;
    if (text != NULL && (!parse_unsigned(text, &v) || v > 4096)) {
        snprintf(message, size, "DROPNET_THREADS must be an integer in 0..4096, got '%s'", text);
        return -1;
    }
    *threads = (size_t)v;
    return 0;
}

void cli_print_help(const cli_command *cmd, FILE *out) {
    fprintf(out, "usage: dropnet %s %s\n\n%s\n\noptions:\n", cmd->name, cmd->usage, cmd->summary);
    for (size_t i = 0; i < cmd->option_count; ++i) {
        const cli_option *o = &cmd->options[i];
        char left[64];
        snprintf(left, sizeof left, "--%s%s%s", o->name, o->metavar ? " " : "",
                 o->metavar ? o->metavar : "");
        fprintf(out, "  %-22s %s\n", left, o->help);
    }
    fprintf(out, "  %-22s %s\n", "--help", "show this help and exit");
}
