/* commands.h — the subcommands of the dropnet tool, one cli/cmd_NAME.c each; cli/main.c
 * dispatches to them.
 *
 * Return conventions of the whole CLI (cli/ and its folders):
 *  - A command (cli_cmd_*) returns the process exit status: 0 success, 1 failure of the run,
 *    2 usage error (bad or missing options). The error is already printed (cli_error).
 *  - Every other CLI function that can fail returns 0 on success, or -1 after printing the error
 *    (or writing it into a `message` buffer, for the pure parsers); the command turns -1 into 1
 *    or 2. cli_error(-1, ...) prints and returns -1 in one step.
 *  - Predicates ("whether ...") return 1 or 0; fit observers (dn_callback) return non-zero to
 *    stop training, as dropnet.h defines; the library's own calls return a dn_status. */
#ifndef CLI_COMMANDS_H
#define CLI_COMMANDS_H

int cli_cmd_demo(int argc, char **argv);
int cli_cmd_train(int argc, char **argv);
int cli_cmd_eval(int argc, char **argv);
int cli_cmd_predict(int argc, char **argv);
int cli_cmd_summary(int argc, char **argv);
int cli_cmd_compare(int argc, char **argv);
int cli_cmd_trace(int argc, char **argv);
int cli_cmd_quiz(int argc, char **argv);
int cli_cmd_explain(int argc, char **argv);
int cli_cmd_play(int argc, char **argv);
int cli_cmd_export(int argc, char **argv);
int cli_cmd_import(int argc, char **argv);
int cli_cmd_report(int argc, char **argv);

#endif
