/* metadata.h — class names and metadata a model carries (metadata.c; internal). */
#ifndef DN_MODEL_METADATA_H
#define DN_MODEL_METADATA_H

#include "dropnet.h"

/* Releases the class names and metadata (for dn_model_free). */
void dni_model_clear_annotations(dn_model *model);

/* Metadata keys beginning with this prefix belong to the file format (io/model_file.h). */
#define DN_RESERVED_KEY_PREFIX "dropnet."

#endif
