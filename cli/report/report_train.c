/* report_train.c — a report from `train` and `compare`: their data, settings and held-out rows. */
#include "report/report_train.h"

#include "common/cli_error.h"
#include "common/options.h"
#include "report/report_page.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <string.h>

enum { SPEC_SIZE = 4096 };

/* The held-out rows: the test set, else the validation split (of --train), else the
 * training rows themselves (said so on the page). */
static int choose_examples(cli_report *r, const cli_train_settings *s, const cli_train_job *job) {
    size_t rows = dn_dataset_rows(job->train), kept = dn_dataset_rows(cli_train_fitted_rows(job));
    if (job->test) {
        r->examples = job->test;
        snprintf(r->examples_name, sizeof r->examples_name, "test");
        return 0;
    }
    if (kept < rows && job->val != NULL) {
        r->examples = job->val;
        r->examples_first = s->val_shuffle || s->stratify ? 0 : kept;
        snprintf(r->examples_name, sizeof r->examples_name, "validation");
        return 0;
    }
    r->examples = cli_train_fitted_rows(job);
    snprintf(r->examples_name, sizeof r->examples_name, "training");
    return 0;
}

static void describe_data(cli_report *r, const cli_train_settings *s, const cli_train_job *job) {
    size_t rows = dn_dataset_rows(job->train), kept = dn_dataset_rows(cli_train_fitted_rows(job));
    char target[32];
    if (job->regression) snprintf(target, sizeof target, "a regression target");
    else snprintf(target, sizeof target, "%zu classes", dn_dataset_classes(job->train));
    size_t used = (size_t)snprintf(r->data_text, sizeof r->data_text,
                                   "%s: %zu rows × %zu features, %s · %zu train", s->train, rows,
                                   dn_dataset_features(job->train), target, kept);
    if (used < sizeof r->data_text && kept < rows)
        used += (size_t)snprintf(r->data_text + used, sizeof r->data_text - used,
                                 " / %zu validation (%s %g %%)", rows - kept,
                                 s->stratify ? "stratified" : s->val_shuffle ? "shuffled" : "last",
                                 s->val_split * 100.0);
    if (used < sizeof r->data_text && job->test)
        snprintf(r->data_text + used, sizeof r->data_text - used, " · test: %s, %zu rows", s->test,
                 dn_dataset_rows(job->test));
}

/* One metadata value as text: strings as they are, numbers shortest, booleans as words. */
static void json_text(const cJSON *item, char *buf, size_t size) {
    if (cJSON_IsString(item)) snprintf(buf, size, "%s", item->valuestring);
    else if (cJSON_IsNumber(item)) snprintf(buf, size, "%.7g", item->valuedouble); /* floats */
    else if (cJSON_IsBool(item)) snprintf(buf, size, "%s", cJSON_IsTrue(item) ? "true" : "false");
    else snprintf(buf, size, "?");
}

void cli_report_list_settings(cli_report *r, dn_model *model) {
    char spec[SPEC_SIZE];
    dn_model_spec(model, spec, sizeof spec);
    cli_report_set(r, "model", "%s", spec);
    const char *losses[] = {"sparse categorical cross-entropy", "mean squared error",
                            "binary cross-entropy", "mean absolute error"};
    dn_loss loss = dn_model_loss(model);
    cli_report_set(r, "loss", "%s", (size_t)loss < CLI_COUNT(losses) ? losses[loss] : "?");
    cJSON *settings = cJSON_Parse(dn_model_get_metadata(model, "training"));
    const cJSON *item;
    cJSON_ArrayForEach(item, settings) {
        char value[512];
        json_text(item, value, sizeof value);
        cli_report_set(r, item->string, "%s", value);
    }
    cJSON_Delete(settings);
}

int cli_report_from_training(cli_report *r, const cli_train_settings *s, const cli_train_job *job,
                            dn_model *model, const dn_epoch_metrics *history) {
    r->model = model;
    r->history = history;
    r->epochs = s->epochs;
    describe_data(r, s, job);
    if (job->regression) {
        r->target = &job->target;
        r->targets_scaled = 1;
        r->val_history = job->val_history;
    }
    cli_report_list_settings(r, model);
    return choose_examples(r, s, job);
}

int cli_report_write_training(cli_report *r, const cli_train_settings *s, const cli_train_job *job,
                             dn_model *model, const dn_epoch_metrics *history) {
    if (cli_report_from_training(r, s, job, model, history) != 0 || cli_report_write(r, s->report) != 0)
        return -1;
    printf("report written to %s\n", s->report);
    return 0;
}
