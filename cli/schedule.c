/* schedule.c — exponential learning-rate decay per epoch. */
#include "schedule.h"

#include <math.h>

int dn_schedule_callback(const dn_event *event, void *user) {
    dn_schedule *s = user;
    if (event->kind == DN_EVENT_EPOCH_BEGIN && s->decay != 1.0f) {
        double rate = (double)s->initial_rate * pow((double)s->decay, (double)(event->epoch - 1));
        /* A rate that underflows to 0 is refused by the library; keep the smallest normal one. */
        if (dn_model_set_learning_rate(s->model, rate > 1e-30 ? (float)rate : 1e-30f, NULL) != DN_OK)
            return 1;
    }
    return s->next != NULL ? s->next(event, s->next_user) : 0;
}
