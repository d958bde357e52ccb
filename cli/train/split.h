/* split.h — rows held out of one file for validation (--val-split) or testing (--test-split):
 * Keras' rule for the sizes, the file's end or a seeded shuffled / stratified choice. */
#ifndef CLI_TRAIN_SPLIT_H
#define CLI_TRAIN_SPLIT_H

#include "dropnet.h"

#include <stdint.h>

typedef struct cli_split {
    double fraction; /* in (0, 1): held = n − floor(n·(1 − fraction)), as Keras computes it */
    int shuffle;     /* 1: a seeded random choice of rows instead of the file's end */
    int stratify;    /* 1: each class keeps its proportion (±1 row), seeded */
    uint64_t seed;
    uint32_t purpose; /* separates the test split's draws from the validation split's */
    const char *what; /* "validation" or "test", for messages */
} cli_split;

/* Cuts `data` into *kept and *held (rows in file order in each). Prints and returns -1 when a
 * side would be empty or memory runs out; prints a warning when held rows lack classes the kept
 * rows have. */
int cli_split_rows(const dn_dataset *data, const char *spec, const cli_split *split,
                   dn_dataset **kept, dn_dataset **held);

/* Keras' count of rows kept: floor(n · (1 − fraction)) in double precision. */
size_t cli_split_kept(size_t n, double fraction);

#endif
