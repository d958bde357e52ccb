/* regression.c — the target standardisation of a regression model, and its metrics. */
#include "common/regression.h"

#include "common/cli_error.h"
#include "common/metadata_json.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdlib.h>

cli_target_scale cli_target_scale_of(const dn_dataset *rows) {
    const float *t = dn_dataset_target_values(rows);
    size_t n = dn_dataset_rows(rows);
    cli_target_scale s = {0.0, 1.0};
    if (t == NULL || n == 0) return s;
    double sum = 0.0, sq = 0.0;
    for (size_t i = 0; i < n; ++i) sum += t[i];
    s.mean = sum / (double)n;
    for (size_t i = 0; i < n; ++i) sq += ((double)t[i] - s.mean) * ((double)t[i] - s.mean);
    double std = sqrt(sq / (double)n);
    s.std = std > 0.0 && (float)std > 0.0f ? std : 1.0; /* a constant target: StandardScaler's 1 */
    /* Stored and applied as floats: keep exactly the values that will be used. */
    s.mean = (float)s.mean;
    s.std = (float)s.std;
    return s;
}

dn_status cli_target_scale_record(dn_model *model, const char *target, const cli_target_scale *s,
                                  dn_error *err) {
    cJSON *o = cJSON_CreateObject();
    if (o != NULL) {
        cJSON_AddStringToObject(o, "target", target ? target : "");
        cJSON_AddNumberToObject(o, "mean", s->mean);
        cJSON_AddNumberToObject(o, "std", s->std);
    }
    return cli_set_metadata_json(model, "regression", o, err);
}

int cli_target_scale_of_model(const dn_model *model, const char *model_path, cli_target_scale *out) {
    const char *text = dn_model_get_metadata(model, "regression");
    *out = (cli_target_scale){0.0, 1.0};
    if (text == NULL) {
        dn_loss loss = dn_model_loss(model);
        return loss == DN_LOSS_MEAN_SQUARED_ERROR || loss == DN_LOSS_MEAN_ABSOLUTE_ERROR;
    }
    cJSON *o = cJSON_Parse(text);
    const cJSON *mean = cJSON_GetObjectItemCaseSensitive(o, "mean");
    const cJSON *std = cJSON_GetObjectItemCaseSensitive(o, "std");
    int ok = cJSON_IsNumber(mean) && cJSON_IsNumber(std) && isfinite(mean->valuedouble) &&
             isfinite(std->valuedouble) && std->valuedouble > 0.0;
    if (ok) *out = (cli_target_scale){mean->valuedouble, std->valuedouble};
    cJSON_Delete(o);
    if (!ok)
        return cli_error(-1, "%s: its \"regression\" metadata is not {\"target\":NAME,\"mean\":M,"
                            "\"std\":S} with a finite mean and std > 0: retrain it", model_path);
    return 1;
}

void cli_target_unscale(const cli_target_scale *s, float *y, size_t n) {
    for (size_t i = 0; i < n; ++i) y[i] = (float)((double)y[i] * s->std + s->mean);
}

int cli_regression_evaluate(dn_model *model, const dn_dataset *data, const cli_target_scale *s,
                            int scaled, cli_regression_metrics *out) {
    size_t n = dn_dataset_rows(data), outputs = dn_model_output_size(model);
    const float *t = dn_dataset_target_values(data);
    if (t == NULL || outputs != 1 || n == 0)
        return cli_error(-1, "regression metrics need one float target and one output");
    float *y = malloc(n * sizeof *y);
    dn_error err = {.status = DN_OK, .message = "out of memory"};
    if (y == NULL || dn_model_predict_dataset(model, data, y, &err) != DN_OK) {
        free(y);
        return cli_error(-1, "%s", err.message);
    }
    cli_target_unscale(s, y, n);
    double mean = 0.0, abs_sum = 0.0, sq_sum = 0.0, tot = 0.0;
    for (size_t i = 0; i < n; ++i) mean += scaled ? (double)t[i] * s->std + s->mean : t[i];
    mean /= (double)n;
    for (size_t i = 0; i < n; ++i) {
        double truth = scaled ? (double)t[i] * s->std + s->mean : (double)t[i];
        double d = (double)y[i] - truth;
        abs_sum += fabs(d);
        sq_sum += d * d;
        tot += (truth - mean) * (truth - mean);
    }
    free(y);
    out->mae = abs_sum / (double)n;
    out->rmse = sqrt(sq_sum / (double)n);
    out->r2 = tot > 0.0 ? 1.0 - sq_sum / tot : NAN;
    return 0;
}
