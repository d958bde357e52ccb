/* lesson.h — one epoch of the seed page's pipeline (the demo's data, network and settings), with
 * the numbers the quiz asks about: the first training batch's dropout mask, one surviving input
 * before and after scaling, the first epoch's losses, the parameter counts. */
#ifndef CLI_LESSON_H
#define CLI_LESSON_H

#include "dropnet.h"

#include <stddef.h>
#include <stdint.h>

typedef struct cli_lesson {
    uint64_t seed;
    float rate;                    /* the page's Dropout(0.2) */
    size_t rows, features, hidden, classes, train_rows;
    size_t batch_elements, batch_dropped; /* first training batch: rows × features, dropped */
    size_t sample_row;             /* dataset row of the batch's first row */
    size_t sample_unit;            /* a unit of that row that survived, with |x| ≥ 0.1 if any */
    float sample_before, sample_after; /* its value before and after dropout */
    float validation_first;        /* the first feature of the first validation row */
    dn_epoch_metrics epoch1;       /* the first epoch's metrics */
    size_t dense_params, total_params;
} cli_lesson;

/* Trains one epoch of the demo's pipeline with `seed` (so the numbers equal `dropnet demo
 * --seed SEED`'s first epoch) and fills `out`. Prints and returns -1 on error, else 0. */
int cli_lesson_run(uint64_t seed, cli_lesson *out);

#endif
