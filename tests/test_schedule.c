/* test_schedule.c — learning-rate schedules, the momentum ramp and early stopping (the CLI's
 * training controls, cli/train/controls.c), against values worked by hand. */
#include "test.h"

#include "train/checkpoint_state.h"
#include "train/controls.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

TEST(schedule_parse_accepts_and_refuses) {
    cli_schedule_spec s;
    char message[256];
    CHECK(cli_schedule_parse("exp:0.5", &s, message, sizeof message) == 0 && s.kind == CLI_SCHEDULE_EXP &&
          s.factor == 0.5f);
    CHECK(cli_schedule_parse("step:10:0.5", &s, message, sizeof message) == 0 &&
          s.kind == CLI_SCHEDULE_STEP && s.every == 10 && s.factor == 0.5f);
    CHECK(cli_schedule_parse("cosine", &s, message, sizeof message) == 0 && s.kind == CLI_SCHEDULE_COSINE &&
          s.min_fraction == 0.0f);
    CHECK(cli_schedule_parse("cosine:0.1", &s, message, sizeof message) == 0 && s.min_fraction == 0.1f);
    const char *bad[] = {"exp:0", "exp:1.5", "exp:", "exp:0.5:1", "step:0:0.5", "step:3",
                         "step:x:0.5", "cosine:1", "cosine:-0.1", "linear", ""};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; ++i) {
        message[0] = '\0';
        CHECK_MSG(cli_schedule_parse(bad[i], &s, message, sizeof message) != 0, "'%s' accepted", bad[i]);
        CHECK(strstr(message, "--lr-schedule expects") != NULL);
    }
}

TEST(schedule_rates_match_hand_values) {
    cli_schedule_spec exp = {CLI_SCHEDULE_EXP, 0.5f, 1, 0.0f};
    CHECK_NEAR(cli_schedule_rate(&exp, 0.1, 1, 10), 0.1, 1e-12);
    CHECK_NEAR(cli_schedule_rate(&exp, 0.1, 3, 10), 0.025, 1e-12);
    cli_schedule_spec step = {CLI_SCHEDULE_STEP, 0.5f, 2, 0.0f};
    CHECK_NEAR(cli_schedule_rate(&step, 0.1, 2, 10), 0.1, 1e-12);
    CHECK_NEAR(cli_schedule_rate(&step, 0.1, 3, 10), 0.05, 1e-12);
    CHECK_NEAR(cli_schedule_rate(&step, 0.1, 5, 10), 0.025, 1e-12);
    cli_schedule_spec cosine = {CLI_SCHEDULE_COSINE, 1.0f, 1, 0.0f};
    CHECK_NEAR(cli_schedule_rate(&cosine, 0.1, 1, 10), 0.1, 1e-12);
    CHECK_NEAR(cli_schedule_rate(&cosine, 0.1, 6, 10), 0.05, 1e-12); /* halfway: ½(1 + cos π/2) */
    cosine.min_fraction = 0.1f;
    CHECK_NEAR(cli_schedule_rate(&cosine, 0.1, 6, 10), 0.055, 1e-8); /* 0.1·(0.1 + 0.9·½) */
}

TEST(momentum_ramp_is_linear_then_flat) {
    cli_momentum_ramp r;
    char message[256];
    CHECK(cli_momentum_ramp_parse("0.5:0.99:5", &r, message, sizeof message) == 0);
    CHECK_NEAR(cli_momentum_ramp_value(&r, 1), 0.5, 1e-7);
    CHECK_NEAR(cli_momentum_ramp_value(&r, 3), 0.745, 1e-7);
    CHECK_NEAR(cli_momentum_ramp_value(&r, 5), 0.99, 1e-7);
    CHECK_NEAR(cli_momentum_ramp_value(&r, 9), 0.99, 1e-7);
    CHECK(cli_momentum_ramp_parse("0.5:1:5", &r, message, sizeof message) != 0);
    CHECK(cli_momentum_ramp_parse("0.5:0.9", &r, message, sizeof message) != 0);
    CHECK(cli_momentum_ramp_parse("0.5:0.9:0", &r, message, sizeof message) != 0);
    CHECK(strstr(message, "--momentum-ramp expects FROM:TO:N") != NULL);
}

/* Epoch ends with val_loss 1.0, 0.8, 0.9, 0.95 and patience 2: the best is epoch 2, the run
 * stops after epoch 4 (two epochs without improvement, as Keras counts), and finishing restores epoch 2's weights. */
TEST(early_stopping_stops_after_patience_and_restores_best) {
    dn_model *m = NULL;
    dn_error err;
    CHECK_OK(dn_model_from_spec(&m, 2, "dense:2:softmax", &err), &err);
    if (m == NULL) return;
    CHECK_OK(dn_model_compile(m, DN_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY, NULL, 1, &err), &err);
    cli_controls c = {0};
    c.model = m;
    c.initial_rate = 0.001;
    c.epochs = 10;
    c.early_stopping = 1;
    c.patience = 2;
    const double losses[] = {1.0, 0.8, 0.9, 0.95};
    int stop = 0;
    size_t e;
    for (e = 1; e <= 4 && !stop; ++e) {
        dn_model_params(m)[0] = (float)e; /* marks whose weights these are */
        dn_epoch_metrics metrics = {e, 0.5, 0.5, 1, losses[e - 1], 0.5, 0.0};
        dn_event ev = {DN_EVENT_EPOCH_END, e, 10, 1, 1, 0, NULL, 0.5, 0.5, &metrics};
        stop = cli_controls_callback(&ev, &c);
    }
    CHECK(stop && e == 5 && c.stopped_early);
    CHECK(c.best_epoch == 2 && c.best_value == 0.8);
    CHECK(cli_controls_finish(&c, DN_ERR_STOPPED) == DN_OK);
    CHECK(dn_model_params(m)[0] == 2.0f);
    dn_model_free(m);
}

/* Epoch ends with val_loss 1.0, 0.8, 0.9 and patience 5 in a 3-epoch run: fit reaches
 * --epochs without stopping, and finishing still restores epoch 2's weights (Keras'
 * restore_best_weights does the same at the end of training). */
TEST(early_stopping_restores_best_when_the_run_reaches_its_epochs) {
    dn_model *m = NULL;
    dn_error err;
    CHECK_OK(dn_model_from_spec(&m, 2, "dense:2:softmax", &err), &err);
    if (m == NULL) return;
    CHECK_OK(dn_model_compile(m, DN_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY, NULL, 1, &err), &err);
    cli_controls c = {0};
    c.model = m;
    c.initial_rate = 0.001;
    c.epochs = 3;
    c.early_stopping = 1;
    c.patience = 5;
    const double losses[] = {1.0, 0.8, 0.9};
    for (size_t e = 1; e <= 3; ++e) {
        dn_model_params(m)[0] = (float)e;
        dn_epoch_metrics metrics = {e, 0.5, 0.5, 1, losses[e - 1], 0.5, 0.0};
        dn_event ev = {DN_EVENT_EPOCH_END, e, 3, 1, 1, 0, NULL, 0.5, 0.5, &metrics};
        CHECK(cli_controls_callback(&ev, &c) == 0);
    }
    CHECK(!c.stopped_early && c.best_epoch == 2 && c.waited == 1);
    CHECK(cli_controls_finish(&c, DN_OK) == DN_OK);
    CHECK(dn_model_params(m)[0] == 2.0f);
    /* A run that failed (not stopped by early stopping) keeps its weights as they are. */
    c = (cli_controls){0};
    c.model = m;
    c.epochs = 3;
    c.early_stopping = 1;
    c.patience = 5;
    dn_model_params(m)[0] = 1.0f;
    dn_epoch_metrics first = {1, 0.5, 0.5, 1, 1.0, 0.5, 0.0};
    dn_event ev = {DN_EVENT_EPOCH_END, 1, 3, 1, 1, 0, NULL, 0.5, 0.5, &first};
    CHECK(cli_controls_callback(&ev, &c) == 0);
    dn_model_params(m)[0] = 7.0f;
    CHECK(cli_controls_finish(&c, DN_ERR_NUMERIC) == DN_ERR_NUMERIC);
    CHECK(dn_model_params(m)[0] == 7.0f);
    dn_model_free(m);
}

TEST(momentum_can_change_only_for_sgd) {
    dn_model *m = NULL;
    dn_error err;
    CHECK_OK(dn_model_from_spec(&m, 2, "dense:2:softmax", &err), &err);
    if (m == NULL) return;
    dn_optimizer_config sgd = dn_optimizer_defaults(DN_OPTIMIZER_SGD);
    CHECK(dn_model_set_momentum(m, 0.5f, &err) == DN_ERR_STATE);
    CHECK_OK(dn_model_compile(m, DN_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY, &sgd, 1, &err), &err);
    CHECK_OK(dn_model_set_momentum(m, 0.9f, &err), &err);
    CHECK(dn_model_set_momentum(m, 1.0f, &err) == DN_ERR_ARGUMENT);
    dn_model_free(m);
}

/* The CLI's checkpoint state: history and early stopping come back exactly, infinities and
 * "no validation" included (an infinite best value once came back as NaN, which no later
 * epoch can improve on). */
TEST(checkpoint_state_round_trips_history_and_early_stopping) {
    dn_epoch_metrics history[3] = {
        {1, 0.5, 0.75, 0, NAN, NAN, 0.25},
        {2, 0.1 + 0.2, NAN, 1, INFINITY, 0.5, 1e-9},
        {3, 1e300, 0.0, 1, 0.125, -INFINITY, 3.0},
    };
    cli_controls c = {0};
    c.best_value = INFINITY;
    c.best_epoch = 2;
    c.waited = 1;
    float best[2] = {0.25f, -3.0f};
    c.early_stopping = 1;
    c.best = best;
    dn_checkpoint_extra extra;
    CHECK(cli_checkpoint_state_make(history, 3, &c, 2, "train 3×2", &extra) == 0);
    if (extra.text == NULL) return;
    /* The text stays small (no history in it); the values hold 28 numbers an epoch + 2. */
    CHECK(strstr(extra.text, "\"history_epochs\":3") != NULL && strlen(extra.text) < 200);
    CHECK(extra.count == 3 * 28 + 2);
    dn_checkpoint_state state = {.text = (char *)extra.text, .values = (float *)extra.values,
                                 .count = extra.count};
    dn_epoch_metrics back[4];
    memset(back, 0, sizeof back);
    cli_controls d = {0};
    char message[160], data[64];
    CHECK(cli_checkpoint_state_parse(&state, back, 4, 3, 2, &d, data, sizeof data, message,
                                     sizeof message) == 0);
    CHECK(strcmp(data, "train 3×2") == 0);
    CHECK(d.best != NULL && d.best[0] == 0.25f && d.best[1] == -3.0f);
    free(d.best);
    d.best = NULL;
    for (int e = 0; e < 3; ++e) {
        const dn_epoch_metrics *a = &history[e], *b = &back[e];
        CHECK(a->epoch == b->epoch && a->has_validation == b->has_validation);
        const double x[5] = {a->loss, a->accuracy, a->val_loss, a->val_accuracy, a->seconds};
        const double y[5] = {b->loss, b->accuracy, b->val_loss, b->val_accuracy, b->seconds};
        for (int k = 0; k < 5; ++k)
            CHECK_MSG((isnan(x[k]) && isnan(y[k])) || x[k] == y[k], "epoch %d value %d: %g vs %g",
                      e + 1, k, x[k], y[k]);
    }
    CHECK(d.best_value == INFINITY && d.best_epoch == 2 && d.waited == 1 && !d.stopped_early);
    /* A history of another length, or text that is not ours, is refused with a message. */
    CHECK(cli_checkpoint_state_parse(&state, back, 4, 2, 2, &d, data, sizeof data, message,
                                     sizeof message) != 0);
    CHECK(strstr(message, "history of 2 epochs") != NULL);
    /* A piece that is not a whole 16-bit number (a damaged value) is refused. */
    ((float *)extra.values)[5] = 0.5f;
    CHECK(cli_checkpoint_state_parse(&state, back, 4, 3, 2, &d, data, sizeof data, message,
                                     sizeof message) != 0);
    dn_checkpoint_state other = {.text = "{\"history\": 3}", .values = NULL, .count = 0};
    CHECK(cli_checkpoint_state_parse(&other, back, 4, 0, 0, &d, data, sizeof data, message,
                                     sizeof message) != 0);
    /* The older form, history as a JSON array in the text, is still read. */
    dn_checkpoint_state older = {
        .text = "{\"history\":[[1,0.5,0.75,null,null,0.25,0]],\"early_stopping\":{\"best_value\":"
                "\"inf\",\"best_epoch\":0,\"waited\":0,\"stopped\":false}}",
        .values = NULL, .count = 0};
    CHECK(cli_checkpoint_state_parse(&older, back, 4, 1, 0, &d, data, sizeof data, message,
                                     sizeof message) == 0);
    CHECK(back[0].loss == 0.5 && data[0] == '\0');
    cli_checkpoint_state_release(&extra);
}
