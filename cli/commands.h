/* commands.h — the subcommands of the dropnet tool. Each returns the process exit status:
 * 0 success, 1 failure of the run (error already printed), 2 usage error. */
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

#endif
