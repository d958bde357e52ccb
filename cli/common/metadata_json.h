/* metadata_json.h — a JSON object stored as one of a model's metadata strings (metadata_json.c). */
#ifndef CLI_METADATA_JSON_H
#define CLI_METADATA_JSON_H

#include "dropnet.h"

struct cJSON;

/* Sets the model's metadata `key` to `o` printed without spaces, and frees `o` (NULL: out of
 * memory). DN_ERR_MEMORY when `o` is NULL or cannot be printed; else what dn_model_set_metadata
 * returns. */
dn_status cli_set_metadata_json(dn_model *model, const char *key, struct cJSON *o, dn_error *err);

#endif
