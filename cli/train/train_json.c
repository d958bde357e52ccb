/* train_json.c — the final metrics of a training run, printed, logged and as --json. */
#include "train/train_json.h"

#include "common/cli_error.h"
#include "parallel/parallel.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

int cli_train_metrics(dn_model *model, const cli_train_job *job, const dn_dataset *data,
                      cli_set_metrics *out) {
    dn_error err;
    *out = (cli_set_metrics){.regression = job->regression, .rows = dn_dataset_rows(data)};
    /* Split across the ranks of an MPI job and reduced (plain evaluation otherwise). */
    if (dn_model_evaluate_reduced(model, data, cli_parallel_reducer(), &out->loss, &out->accuracy,
                                  &err) != DN_OK)
        return cli_error(-1, "evaluation failed: %s", err.message);
    if (job->regression && cli_regression_evaluate(model, data, &job->target, 1, &out->reg) != 0)
        return -1;
    return 0;
}

void cli_train_print_test(const cli_set_metrics *m) {
    if (!m->regression) {
        printf("test loss %.4f - test accuracy %.4f\n", m->loss, m->accuracy);
        return;
    }
    printf("test loss %.4f - test mae %.6g - test rmse %.6g - test r2 %.4f\n", m->loss, m->reg.mae,
           m->reg.rmse, m->reg.r2);
}

static void add_number(cJSON *o, const char *key, double v) {
    if (isfinite(v)) cJSON_AddNumberToObject(o, key, v);
    else cJSON_AddNullToObject(o, key);
}

/* {"rows":N,"loss":…,"accuracy":…} or {"rows":N,"loss":…,"mae":…,"rmse":…,"r2":…}; null for no
 * data set. */
static void add_set(cJSON *o, const char *key, const cli_set_metrics *m) {
    if (m == NULL) {
        cJSON_AddNullToObject(o, key);
        return;
    }
    cJSON *set = cJSON_AddObjectToObject(o, key);
    cJSON_AddNumberToObject(set, "rows", (double)m->rows);
    add_number(set, "loss", m->loss);
    if (!m->regression) {
        add_number(set, "accuracy", m->accuracy);
        return;
    }
    add_number(set, "mae", m->reg.mae);
    add_number(set, "rmse", m->reg.rmse);
    add_number(set, "r2", m->reg.r2);
}

static dn_status write_text(FILE *out, void *context, dn_error *err) {
    if (fputs(context, out) == EOF || fflush(out) != 0) {
        if (err) snprintf(err->message, sizeof err->message, "cannot write the --json results");
        return DN_ERR_IO;
    }
    return DN_OK;
}

static const char *loss_name(dn_loss loss) {
    static const char *const names[] = {"sparse_categorical_crossentropy", "mean_squared_error",
                                        "binary_crossentropy", "mean_absolute_error"};
    return (size_t)loss < 4 ? names[loss] : "?";
}

int cli_train_write_json(const char *path, const cli_train_settings *s, const cli_train_job *job,
                         dn_model *model, const cli_set_metrics *test) {
    cli_set_metrics train, val;
    if (cli_train_metrics(model, job, cli_train_fitted_rows(job), &train) != 0) return -1;
    if (job->val != NULL && cli_train_metrics(model, job, job->val, &val) != 0) return -1;
    char spec[4096];
    dn_model_spec(model, spec, sizeof spec);
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "task", job->regression ? "regression" : "classification");
    cJSON_AddStringToObject(o, "model", spec);
    cJSON_AddStringToObject(o, "loss", loss_name(dn_model_loss(model)));
    cJSON_AddNumberToObject(o, "epochs_done", (double)dn_model_epochs_done(model));
    cJSON *settings = cli_train_settings_json(s);
    if (settings != NULL) cJSON_AddItemToObject(o, "settings", settings);
    if (job->regression) {
        cJSON *target = cJSON_AddObjectToObject(o, "target");
        const char *name = dn_dataset_label_name(job->train);
        cJSON_AddStringToObject(target, "name", name ? name : "");
        cJSON_AddNumberToObject(target, "mean", job->target.mean);
        cJSON_AddNumberToObject(target, "std", job->target.std);
    }
    add_set(o, "train", &train);
    add_set(o, "validation", job->val != NULL ? &val : NULL);
    add_set(o, "test", test);
    char *text = cJSON_Print(o);
    cJSON_Delete(o);
    if (text == NULL) return cli_error(-1, "out of memory");
    size_t n = strlen(text);
    char *line = cJSON_malloc(n + 2);
    if (line != NULL) snprintf(line, n + 2, "%s\n", text);
    cJSON_free(text);
    if (line == NULL) return cli_error(-1, "out of memory");
    dn_error err = {.status = DN_OK, .message = ""};
    dn_status st = strcmp(path, "-") == 0 ? write_text(stdout, line, &err)
                                          : dn_write_file_atomic(path, write_text, line, &err);
    cJSON_free(line);
    return st == DN_OK ? 0 : cli_error(-1, "%s", err.message);
}
