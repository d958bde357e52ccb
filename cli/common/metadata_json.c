/* metadata_json.c — JSON objects kept as model metadata (the training settings, the regression
 * target's standardisation). */
#include "common/metadata_json.h"

#include <cjson/cJSON.h>
#include <stdio.h>

dn_status cli_set_metadata_json(dn_model *model, const char *key, cJSON *o, dn_error *err) {
    char *text = o ? cJSON_PrintUnformatted(o) : NULL;
    cJSON_Delete(o);
    if (text == NULL) {
        if (err) snprintf(err->message, sizeof err->message, "out of memory for metadata %s", key);
        return DN_ERR_MEMORY;
    }
    dn_status st = dn_model_set_metadata(model, key, text, err);
    cJSON_free(text);
    return st;
}
