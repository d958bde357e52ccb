/* prepare_json.h — a preparation (prepare.h) to and from the JSON a model stores
 * (prepare_json.c; internal). */
#ifndef DN_DATA_PREPARE_JSON_H
#define DN_DATA_PREPARE_JSON_H

#include "data/prepare.h"

/* prep as JSON (heap string, free()); NULL when memory runs out. */
char *dni_prep_to_json(const dni_prep *prep);

/* JSON (dn_dataset_prepare's) to *out; DN_ERR_FORMAT naming what is damaged. */
dn_status dni_prep_from_json(const char *json, dni_prep **out, dn_error *err);

#endif
