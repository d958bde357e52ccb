/* cmd_report.c — `dropnet report`: the HTML report of a run that is over, from its saved model
 * and its epoch log (and optionally held-out data to trace), e.g. a model trained in Python
 * (dropnet.report writes the log from a History and calls this command). */
#include "commands.h"
#include "common/cli_error.h"
#include "common/model_data.h"
#include "common/options.h"
#include "common/output_check.h"
#include "report/report.h"
#include "report/report_log.h"
#include "report/report_page.h"
#include "report/report_train.h"

#include <stdio.h>
#include <stdlib.h>

typedef struct report_args {
    const char *model, *log, *data, *label, *out, *delimiter, *header, *examples_name, *run;
} report_args;

/* The model alone, or the model and the examples to trace (read by its columns, as eval). */
static int load_inputs(const report_args *a, dn_model **model, dn_dataset **data) {
    *data = NULL;
    if (a->data != NULL) {
        const cli_data_request request = {.spec = a->data, .label = a->label,
                                          .allow_unlabeled = 1, .delimiter = a->delimiter,
                                          .header = a->header};
        return cli_load_model_and_data(a->model, &request, model, data);
    }
    dn_error err;
    if (dn_model_load(model, a->model, &err) != DN_OK) return cli_error(-1, "%s", err.message);
    return 0;
}

static int write_page(const report_args *a, cli_report *r, dn_model *model, dn_dataset *data,
                      const cli_report_log *log) {
    r->model = model;
    r->history = log->history;
    r->epochs = log->epochs;
    r->examples = data;
    r->mask_note = "Not recorded: this page was made after training (dropnet report) from the "
                   "saved model and its epoch log, which keep no dropout mask. Train with "
                   "`dropnet train --report` to see one.";
    snprintf(r->examples_name, sizeof r->examples_name, "%s",
             a->examples_name ? a->examples_name : "held-out");
    if (data != NULL)
        snprintf(r->data_text, sizeof r->data_text, "examples traced: %s, %zu rows × %zu features"
                 " · epochs from %s", a->data, dn_dataset_rows(data), dn_dataset_features(data),
                 a->log);
    else
        snprintf(r->data_text, sizeof r->data_text, "no examples given (--data) · epochs from %s",
                 a->log);
    if (a->run != NULL) snprintf(r->command_line, sizeof r->command_line, "%s", a->run);
    cli_target_scale scale; /* a regression model: errors in the target's units, not classes */
    int regression = cli_target_scale_of_model(model, a->model, &scale);
    if (regression < 0) return -1;
    if (regression) { /* the data (read as eval reads it) is in those units */
        r->target = &scale;
        r->val_history = log->val;
        r->train_reg_history = log->train;
    }
    cli_report_list_settings(r, model);
    if (cli_report_write(r, a->out) != 0) return -1;
    printf("report written to %s\n", a->out);
    return 0;
}

int cli_cmd_report(int argc, char **argv) {
    report_args a = {0};
    const cli_option options[] = {
        {"model", CLI_OPT_STRING, &a.model, "FILE", "the trained model (safetensors)"},
        {"log", CLI_OPT_STRING, &a.log, "FILE", "its epoch log: the JSON lines of train --log"},
        {"data", CLI_OPT_STRING, &a.data, "DATA", "examples to trace and count (held-out rows; optional)"},
        {"label", CLI_OPT_STRING, &a.label, "COL", "CSV label column of --data (default: the model's)"},
        {"examples-name", CLI_OPT_STRING, &a.examples_name, "WORD", "what --data is: validation, test, ... (held-out)"},
        {"run", CLI_OPT_STRING, &a.run, "TEXT", "how the run was made, shown under Reproduce (this command)"},
        {"out", CLI_OPT_STRING, &a.out, "FILE.html", "the page to write (never one of the inputs)"},
        {"delimiter", CLI_OPT_STRING, &a.delimiter, "C", "CSV cell delimiter: , ; | tab or auto (auto)"},
        {"header", CLI_OPT_STRING, &a.header, "WHEN", "CSV line 1 is a header: yes, no or auto (auto)"},
    };
    const cli_command cmd = {
        .name = "report",
        .summary = "Writes the HTML report (docs/REPORT.md) of a finished run from its saved model "
                   "and epoch log,\ne.g. a model trained in Python (dropnet.report).",
        .usage = "--model FILE --log FILE --out FILE.html [--data DATA]",
        .options = options,
        .option_count = CLI_COUNT(options),
    };
    int exit_code;
    if (cli_parse_command(&cmd, argc, argv, &exit_code) != 0) return exit_code;
    if (a.model == NULL || a.log == NULL || a.out == NULL)
        return cli_error(2, "report: --model FILE, --log FILE and --out FILE.html are required");
    const cli_named_file outputs[] = {{"--out", a.out}};
    const cli_named_file inputs[] = {{"--model", a.model}, {"--log", a.log}, {"--data", a.data}};
    if (cli_report_check_path(a.out, "report") != 0 ||
        cli_check_outputs("report", outputs, 1, inputs, CLI_COUNT(inputs)) != 0)
        return 2;
    cli_report_log log;
    if (cli_report_read_log(a.log, &log) != 0) return 1;
    dn_model *model = NULL;
    dn_dataset *data = NULL;
    int code = load_inputs(&a, &model, &data);
    cli_report report;
    cli_report_init(&report, "report", argc, argv);
    if (code == 0) code = write_page(&a, &report, model, data, &log);
    cli_report_free(&report);
    dn_dataset_free(data);
    dn_model_free(model);
    cli_report_log_free(&log);
    return code == 0 ? 0 : 1;
}
