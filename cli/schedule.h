/* schedule.h — the learning-rate schedule of a training command, as a fit observer built only
 * from public calls (Keras' LearningRateScheduler): at the start of epoch e (1-based) the rate
 * becomes lr0 · decay^(e−1). */
#ifndef DN_CLI_SCHEDULE_H
#define DN_CLI_SCHEDULE_H

#include "dropnet.h"

typedef struct dn_schedule {
    dn_model *model;
    float initial_rate;
    float decay;       /* per epoch, in (0, 1]; 1 = constant */
    dn_callback next;  /* the observer events go to afterwards */
    void *next_user;
} dn_schedule;

/* The dn_callback to pass to dn_model_fit with a dn_schedule as `user`. */
int dn_schedule_callback(const dn_event *event, void *user);

#endif
