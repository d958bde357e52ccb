/* loaders.h — reading datasets from files (internal; dn_dataset_open is the public entry). */
#ifndef DN_DATA_LOADERS_H
#define DN_DATA_LOADERS_H

/* The loaders are declared in the headers named after their files (scripts/check_layout.sh); these
 * includes keep code that includes loaders.h (other branches) compiling. New code includes the
 * header it uses. */
#include "data/csv.h"
#include "data/idx.h"
#include "data/read_text.h"

#endif
