/* demo_pipeline.h — the seed page's pipeline, defined once for `dropnet demo` (cli/cmd_demo.c)
 * and the lesson the quiz quotes (cli/learn/lesson.c), so that both run the same network on the
 * same data: 1000 rows × 20 features in 3 classes → Dropout(rate) → Dense(10, relu) →
 * Dense(3, softmax), Adam, the last 20 % held out for validation. */
#ifndef CLI_DEMO_PIPELINE_H
#define CLI_DEMO_PIPELINE_H

#include "dropnet.h"

#include <stddef.h>
#include <stdint.h>

enum { CLI_DEMO_ROWS = 1000, CLI_DEMO_FEATURES = 20, CLI_DEMO_CLASSES = 3, CLI_DEMO_HIDDEN = 10 };

/* The page's settings: Dropout(0.2), Adam at 0.005 (Keras' 0.001 needs more than 5 epochs
 * here), batch 32, 5 epochs, seed 42, validation split 0.2. */
#define CLI_DEMO_RATE 0.2f
#define CLI_DEMO_LEARNING_RATE 0.005f
#define CLI_DEMO_VALIDATION_SPLIT 0.2
enum { CLI_DEMO_BATCH = 32, CLI_DEMO_EPOCHS = 5, CLI_DEMO_SEED = 42 };

/* The synthetic data (dn_dataset_create_synthetic) for `seed`. */
dn_status cli_demo_data(dn_dataset **out, uint64_t seed, dn_error *err);

/* The network, compiled with sparse categorical cross-entropy and Adam at `learning_rate`. */
dn_status cli_demo_model(dn_model **out, float rate, float learning_rate, uint64_t seed,
                         dn_error *err);

/* Fit settings: `epochs` of `batch` rows, the last CLI_DEMO_VALIDATION_SPLIT for validation. */
dn_fit_config cli_demo_fit(size_t epochs, size_t batch);

#endif
