/* data_fingerprint.h — what a checkpoint records of the data it was trained on, so that --resume
 * notices changed data (cli/train/data_fingerprint.c). */
#ifndef CLI_TRAIN_DATA_FINGERPRINT_H
#define CLI_TRAIN_DATA_FINGERPRINT_H

#include "dropnet.h"

#include <stddef.h>

enum { CLI_FINGERPRINT_SIZE = 192 };

/* "NAME rows×features, C classes, fnv1a64 HHHHHHHHHHHHHHHH" into out [CLI_FINGERPRINT_SIZE]
 * (appended after what out holds, "; " between): the sizes and a 64-bit FNV-1a hash of every
 * row's features (float bits), its label and the class names. data NULL adds nothing. */
void cli_data_fingerprint_add(char out[CLI_FINGERPRINT_SIZE], const char *name,
                              const dn_dataset *data);

#endif
