/* quiz_bank.c — the quiz's questions, with numbers from the lesson run wherever the answer can be
 * computed from it. */
#include "learn/quiz_bank.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>

enum { QUIZ_STREAM = 0x5155 }; /* "QU": a Philox stream of the quiz's own, apart from training */

/* The formatted options (right one first) and explanation of one question. */
typedef struct texts {
    char option[CLI_QUIZ_OPTIONS][CLI_QUIZ_OPTION_TEXT];
    char why[CLI_QUIZ_TEXT];
} texts;

/* Fills one question: the options and explanation from `t`, the text from fmt. */
static void ask(cli_quiz_question *q, const texts *t, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void ask(cli_quiz_question *q, const texts *t, const char *fmt, ...) {
    va_list args;
    va_start(args, fmt);
    vsnprintf(q->text, sizeof q->text, fmt, args);
    va_end(args);
    for (int i = 0; i < CLI_QUIZ_OPTIONS; ++i)
        snprintf(q->options[i], sizeof q->options[i], "%s", t->option[i]);
    snprintf(q->why, sizeof q->why, "%s", t->why);
    q->answer = 0;
}

/* A question whose options and explanation are fixed text. */
static void fixed(cli_quiz_question *q, const char *text, const char *right, const char *w1,
                  const char *w2, const char *w3, const char *why) {
    texts t;
    const char *options[CLI_QUIZ_OPTIONS] = {right, w1, w2, w3};
    for (int i = 0; i < CLI_QUIZ_OPTIONS; ++i) snprintf(t.option[i], sizeof t.option[i], "%s", options[i]);
    snprintf(t.why, sizeof t.why, "%s", why);
    ask(q, &t, "%s", text);
}

static double dropped_percent(const cli_lesson *l) {
    return 100.0 * (double)l->batch_dropped / (double)l->batch_elements;
}

static void survivor(const cli_lesson *l, cli_quiz_question *q) {
    texts t;
    double x = l->sample_before, r = l->rate;
    snprintf(t.option[0], CLI_QUIZ_OPTION_TEXT, "%.4f", (double)l->sample_after);
    snprintf(t.option[1], CLI_QUIZ_OPTION_TEXT, "%.4f", x);
    snprintf(t.option[2], CLI_QUIZ_OPTION_TEXT, "%.4f", x * (1.0 - r));
    snprintf(t.option[3], CLI_QUIZ_OPTION_TEXT, "%.4f", x * r);
    snprintf(t.why, sizeof t.why, "Inverted dropout scales every survivor by 1/(1 - %g) = %g during "
             "training: %.4f / %g = %.4f, the value the run computed. Dropped inputs become 0.", r,
             1.0 / (1.0 - r), x, 1.0 - r, (double)l->sample_after);
    ask(q, &t, "In this run's first training batch Dropout(%g) dropped %zu of %zu inputs (%.1f %%). "
        "Input %zu of example #%zu, %.4f, survived. What value did the next layer receive?", r,
        l->batch_dropped, l->batch_elements, dropped_percent(l), l->sample_unit + 1, l->sample_row, x);
}

static void batch_count(const cli_lesson *l, cli_quiz_question *q) {
    texts t;
    double n = (double)l->batch_elements, r = l->rate;
    snprintf(t.option[0], CLI_QUIZ_OPTION_TEXT, "Each input is dropped independently with "
             "probability %g, so the count varies from batch to batch around %.0f", r, n * r);
    snprintf(t.option[1], CLI_QUIZ_OPTION_TEXT, "Dropout drops exactly %g %% of every row, rounded "
             "down", r * 100.0);
    snprintf(t.option[2], CLI_QUIZ_OPTION_TEXT, "The rate only takes full effect from the second epoch on");
    snprintf(t.option[3], CLI_QUIZ_OPTION_TEXT, "Part of the batch ran at inference, where nothing "
             "is dropped");
    snprintf(t.why, sizeof t.why, "Every element gets its own random draw, so the number dropped is "
             "binomial(%.0f, %g): %.0f on average, give or take %.1f (one standard deviation). %zu "
             "is an ordinary outcome.", n, r, n * r, sqrt(n * r * (1.0 - r)), l->batch_dropped);
    ask(q, &t, "That batch dropped %.1f %% of its inputs, but the rate is %g %%. Why the "
        "difference?", dropped_percent(l), r * 100.0);
}

static void expected_count(const cli_lesson *l, cli_quiz_question *q) {
    texts t;
    double n = (double)l->batch_elements, r = l->rate;
    snprintf(t.option[0], CLI_QUIZ_OPTION_TEXT, "%.0f", n * r);
    snprintf(t.option[1], CLI_QUIZ_OPTION_TEXT, "%.0f", n * (1.0 - r));
    snprintf(t.option[2], CLI_QUIZ_OPTION_TEXT, "%.0f", n * r / 2.0);
    snprintf(t.option[3], CLI_QUIZ_OPTION_TEXT, "%.0f", n * r / (1.0 - r));
    snprintf(t.why, sizeof t.why, "The rate is the probability of being dropped: %.0f × %g = %.0f "
             "on average (this run's first batch dropped %zu).", n, r, n * r, l->batch_dropped);
    ask(q, &t, "A batch of %zu examples × %zu features goes through Dropout(%g) in training. How "
        "many of its %.0f inputs are dropped on average?", l->batch_elements / l->features,
        l->features, r, n);
}

static void inference(const cli_lesson *l, cli_quiz_question *q) {
    texts t;
    double x = l->validation_first, r = l->rate;
    snprintf(t.option[0], CLI_QUIZ_OPTION_TEXT, "%.4f: dropout passes values through unchanged", x);
    snprintf(t.option[1], CLI_QUIZ_OPTION_TEXT, "%.4f: scaled by 1/(1 - %g)", x / (1.0 - r), r);
    snprintf(t.option[2], CLI_QUIZ_OPTION_TEXT, "%.4f: scaled by 1 - %g", x * (1.0 - r), r);
    snprintf(t.option[3], CLI_QUIZ_OPTION_TEXT, "0 with probability %g, else %.4f", r, x / (1.0 - r));
    snprintf(t.why, sizeof t.why, "At inference dropout is the identity. The scaling happens in "
             "training instead, so both modes see inputs of the same expected size.");
    ask(q, &t, "After training, validation example #%zu is predicted (inference). Its first feature "
        "is %.4f. What does Dropout(%g) pass on?", l->train_rows, x, r);
}

static void first_epoch(const cli_lesson *l, cli_quiz_question *q) {
    const dn_epoch_metrics *m = &l->epoch1;
    texts t;
    snprintf(t.option[0], CLI_QUIZ_OPTION_TEXT, "Training loss is measured with dropout active and "
             "averaged over the epoch while the network was still learning; validation uses the "
             "whole network at the end of the epoch");
    snprintf(t.option[1], CLI_QUIZ_OPTION_TEXT, "The validation rows were chosen to be easier");
    snprintf(t.option[2], CLI_QUIZ_OPTION_TEXT, "Validation loss leaves out the softmax");
    snprintf(t.option[3], CLI_QUIZ_OPTION_TEXT, "The network has already memorised the validation rows");
    snprintf(t.why, sizeof t.why, "Epoch 1 here: loss %.4f in training, %.4f on validation. A "
             "thinned, noisy network scores worse than the full one, and the epoch's mean includes "
             "its first, worst batches. The validation rows are never trained on.", m->loss,
             m->val_loss);
    ask(q, &t, "After epoch 1 of this run the training loss was %.4f and the validation loss "
        "%.4f. Which explains validation %s training?", m->loss, m->val_loss,
        m->val_loss < m->loss ? "beating" : "being this close to");
}

static void parameters(const cli_lesson *l, cli_quiz_question *q, int dense) {
    texts t;
    size_t in = l->features, out = l->hidden;
    if (dense) {
        snprintf(t.option[0], CLI_QUIZ_OPTION_TEXT, "%zu", l->dense_params);
        snprintf(t.option[1], CLI_QUIZ_OPTION_TEXT, "%zu", in * out);
        snprintf(t.option[2], CLI_QUIZ_OPTION_TEXT, "%zu", in + out);
        snprintf(t.option[3], CLI_QUIZ_OPTION_TEXT, "%zu", (in + 1) * (out + 1));
        snprintf(t.why, sizeof t.why, "A kernel of %zu × %zu weights plus %zu biases: %zu.", in,
                 out, out, l->dense_params);
        ask(q, &t, "The demo's Dense(%zu, relu) takes the %zu outputs of Dropout. How many "
            "trainable parameters does it have?", out, in);
        return;
    }
    snprintf(t.option[0], CLI_QUIZ_OPTION_TEXT, "0");
    snprintf(t.option[1], CLI_QUIZ_OPTION_TEXT, "%zu", in);
    snprintf(t.option[2], CLI_QUIZ_OPTION_TEXT, "%.0f", (double)in * l->rate);
    snprintf(t.option[3], CLI_QUIZ_OPTION_TEXT, "%zu", l->dense_params);
    snprintf(t.why, sizeof t.why, "Dropout learns nothing: its mask is random and its rate fixed. "
             "All %zu parameters are the two dense layers' weights and biases.", l->total_params);
    ask(q, &t, "The demo's network has %zu trainable parameters. How many belong to its "
        "Dropout(%g) layer?", l->total_params, l->rate);
}

size_t cli_quiz_build(const cli_lesson *l, cli_quiz_question *q) {
    size_t n = 0;
    fixed(&q[n++], "What does the dropout layer do during training?",
          "Randomly turns off some neurons to prevent overfitting",
          "Increases the number of neurons to improve learning",
          "Normalizes the input data to zero mean", "Combines multiple layers into one",
          "Each training step zeroes a random subset of the values it receives, so no unit can "
          "rely on any particular other one (the learning page's question).");
    survivor(l, &q[n++]);
    batch_count(l, &q[n++]);
    expected_count(l, &q[n++]);
    inference(l, &q[n++]);
    fixed(&q[n++], "With inverted dropout at rate r, what is the expected training-time output of "
          "a unit whose input is x?", "x", "(1 - r)·x", "x / (1 - r)", "r·x",
          "Kept with probability 1 - r and then scaled by 1/(1 - r): (1 - r) · x/(1 - r) + r · 0 = "
          "x. That is why inference needs no correction.");
    first_epoch(l, &q[n++]);
    fixed(&q[n++], "Keras' Dropout(0.2): what fraction of its inputs does it keep during "
          "training, on average?", "80 %", "20 %", "100 %, but scaled by 0.8", "50 %",
          "The argument is the rate of DROPPED inputs (PyTorch's p means the same). An old "
          "tiny-dnn bug kept `rate` instead of 1 - rate.");
    fixed(&q[n++], "In back-propagation through Dropout(0.2), what gradient does each unit pass "
          "back?", "0 for dropped units, the incoming gradient × 1.25 for kept ones",
          "The incoming gradient, unchanged, for every unit",
          "The incoming gradient × 0.8 for every unit", "0 for kept units, × 1.25 for dropped ones",
          "The backward pass applies the same mask and scale as the forward pass: y = x·keep/(1 - r) "
          "gives dy/dx = keep/(1 - r).");
    parameters(l, &q[n++], 0);
    parameters(l, &q[n++], 1);
    fixed(&q[n++], "What does dropout mainly reduce?",
          "Overfitting: the gap between training and held-out accuracy",
          "The time each epoch takes", "The number of parameters to store",
          "The need for a validation set",
          "A network that cannot count on any single unit learns features that generalise; "
          "`dropnet compare` and `dropnet explain` measure the gap with and without it.");
    return n;
}

void cli_quiz_shuffle(cli_quiz_question *q, size_t count, uint64_t seed) {
    const uint32_t key[2] = {(uint32_t)seed, (uint32_t)(seed >> 32)};
    for (size_t i = 0; i < count; ++i) {
        uint32_t counter[4] = {(uint32_t)i, QUIZ_STREAM, 0, 0}, word[4];
        dn_philox4x32_10(counter, key, word);
        int order[CLI_QUIZ_OPTIONS] = {0, 1, 2, 3};
        for (int k = CLI_QUIZ_OPTIONS - 1; k > 0; --k) { /* Fisher–Yates */
            int j = (int)(word[k] % (uint32_t)(k + 1)), t = order[k];
            order[k] = order[j];
            order[j] = t;
        }
        cli_quiz_question copy = q[i];
        for (int k = 0; k < CLI_QUIZ_OPTIONS; ++k) {
            snprintf(q[i].options[k], sizeof q[i].options[k], "%s", copy.options[order[k]]);
            if (order[k] == copy.answer) q[i].answer = k;
        }
    }
}
