/* resume.c — `train --resume` on the training side: checking that a checkpoint was made with this
 * command's settings, taking its model, and restoring the history, log lines and early stopping
 * it carries (train/job.c finds the checkpoint, train/checkpoint.h has the files themselves). */
#include "train/resume.h"

#include "common/cli_error.h"
#include "common/epoch_log.h"
#include "train/checkpoint_state.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { SPEC_SIZE = 4096 };

/* A setting that may differ on resume: it does not change the weights of the epochs done. */
static int may_change_on_resume(const char *key) {
    return strcmp(key, "epochs") == 0 || strcmp(key, "test") == 0;
}

/* The first setting in which `now` and `then` differ (either may lack it), or NULL. */
static const char *first_difference(const cJSON *now, const cJSON *then) {
    const cJSON *sides[2] = {now, then};
    for (int side = 0; side < 2; ++side)
        for (const cJSON *kv = sides[side]->child; kv != NULL; kv = kv->next) {
            if (may_change_on_resume(kv->string)) continue;
            const cJSON *other = cJSON_GetObjectItemCaseSensitive(sides[1 - side], kv->string);
            if (other == NULL || !cJSON_Compare(kv, other, 1)) return kv->string;
        }
    return NULL;
}

static void value_text(char *buf, size_t size, const cJSON *o, const char *key) {
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    if (cJSON_IsNumber(v)) { /* floats as the user typed them: 0.001, not 0.0010000000474974513 */
        snprintf(buf, size, "%.7g", v->valuedouble);
        return;
    }
    char *printed = v ? cJSON_PrintUnformatted(v) : NULL;
    snprintf(buf, size, "%s", printed ? printed : "(not set)");
    cJSON_free(printed);
}

/* The checkpoint was trained with this command's settings (and layers); else prints why not. */
static int check_resumable(const cli_train_settings *s, const cli_train_job *job, dn_model *m) {
    char spec[SPEC_SIZE], given[SPEC_SIZE];
    dn_model *parsed = NULL;
    dn_error err;
    if (s->model && dn_model_from_spec(&parsed, dn_dataset_features(job->train), s->model, &err) != DN_OK)
        return cli_error(-1, "--model: %s", err.message);
    if (parsed != NULL) {
        dn_model_spec(parsed, given, sizeof given);
        dn_model_spec(m, spec, sizeof spec);
        dn_model_free(parsed);
        if (strcmp(spec, given) != 0)
            return cli_error(-1, "--resume: %s has layers \"%s\", but --model is \"%s\"",
                                job->resumed_path, spec, given);
    }
    const char *stored = dn_model_get_metadata(m, "training");
    cJSON *then = stored ? cJSON_Parse(stored) : NULL, *now = cli_train_settings_json(s);
    const char *key = then && now ? first_difference(now, then) : NULL;
    int code = 0;
    if (then == NULL || now == NULL) {
        code = cli_error(-1, "--resume: %s does not record the settings it was trained with",
                            job->resumed_path);
    } else if (key != NULL) {
        char a[256], b[256];
        value_text(a, sizeof a, then, key);
        value_text(b, sizeof b, now, key);
        code = cli_error(-1, "--resume: %s was trained with %s = %s, this command gives %s "
                            "(resume with the same settings; only --epochs, unless a cosine schedule "
                            "depends on it, and --test may change)",
                            job->resumed_path, key, a, b);
    }
    cJSON_Delete(then);
    cJSON_Delete(now);
    return code;
}

/* The data is the data the checkpoint was trained on (its fingerprint: sizes and a hash), unless
 * --allow-data-change; a checkpoint that recorded none (older versions) is not checked. */
static int check_same_data(const cli_train_settings *s, const cli_train_job *job) {
    const char *text = job->resumed_state.text;
    cJSON *root = text ? cJSON_Parse(text) : NULL;
    const cJSON *then = cJSON_GetObjectItemCaseSensitive(root, "data");
    int code = 0;
    if (cJSON_IsString(then) && strcmp(then->valuestring, job->data_fingerprint) != 0) {
        if (s->allow_data_change)
            printf("--resume: the data changed since %s (--allow-data-change given)\n",
                   job->resumed_path);
        else
            code = cli_error(-1, "--resume: the data changed since %s: it was trained on %s; now "
                                "%s (give --allow-data-change to continue on the new data)",
                                job->resumed_path, then->valuestring, job->data_fingerprint);
    }
    cJSON_Delete(root);
    return code;
}

/* The resumed checkpoint's model, set up for this run (epochs may have grown; threads). */
int cli_train_take_resumed(const cli_train_settings *s, cli_train_job *job, dn_model **out) {
    if (check_resumable(s, job, job->resumed) != 0 || check_same_data(s, job) != 0 ||
        cli_train_check_memory(s, job, job->resumed) != 0)
        return -1;
    dn_error err = {.status = DN_ERR_MEMORY, .message = "out of memory"};
    dn_model *m = job->resumed;
    if (dn_model_epochs_done(m) > s->epochs)
        return cli_error(-1, "--resume: %s has %llu epochs done, more than --epochs %zu",
                            job->resumed_path, (unsigned long long)dn_model_epochs_done(m), s->epochs);
    /* The precision is one of the settings check_resumable found equal to the checkpoint's. */
    if (dn_model_set_threads(m, (int)s->threads, &err) != DN_OK ||
        dn_model_set_precision(m, s->precision, &err) != DN_OK ||
        cli_train_record_settings(m, s, &err) != DN_OK)
        return cli_error(-1, "%s", err.message);
    job->resumed = NULL;
    *out = m;
    printf("resuming from %s: %llu of %zu epochs done (step %llu)\n", job->resumed_path,
           (unsigned long long)dn_model_epochs_done(m), s->epochs,
           (unsigned long long)dn_model_step(m));
    return 0;
}

/* A resumed run: history, log lines and early stopping as the checkpoint left them. */
int cli_train_restore_resumed(const cli_train_settings *s, const cli_train_job *job, dn_model *model,
                             cli_epoch_log *log, cli_controls *controls, dn_epoch_metrics *history) {
    size_t done = (size_t)dn_model_epochs_done(model);
    const dn_checkpoint_state *state = &job->resumed_state;
    char message[160], data[CLI_FINGERPRINT_SIZE];
    size_t n = dn_model_param_count(model);
    if (cli_checkpoint_state_parse(state, history, s->epochs, done, n, controls, data, sizeof data,
                                   message, sizeof message) != 0)
        return cli_error(-1, "--resume: %s: %s", job->resumed_path, message);
    if (controls->early_stopping && controls->best_epoch > 0 && controls->best == NULL)
        return cli_error(-1, "--resume: %s holds no best weights for early stopping (%zu "
                            "parameters expected)", job->resumed_path, n);
    for (size_t e = 0; e < done; ++e) cli_epoch_log_write(log, &history[e]);
    return 0;
}
