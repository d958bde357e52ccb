/* synthetic.c — the seed page's data: Gaussian class clusters that overlap. */
#include "data/dataset.h"

#include "core/error.h"
#include "core/rng.h"

#include <math.h>

/* Class centres lie about this far from the origin, in units of the unit-variance noise: the
 * classes overlap (a linear classifier makes roughly 1 error in 10), yet the demo network learns
 * them within its 5 epochs. Tuned over seeds 1-11 and 42: final validation accuracy 0.82-0.99. */
static const double CENTRE_RADIUS = 2.5;

dn_status dn_dataset_create_synthetic(dn_dataset **out, size_t rows, size_t features,
                                      size_t classes, uint64_t seed, dn_error *err) {
    if (out == NULL) return dni_fail(err, DN_ERR_ARGUMENT, "out must not be NULL");
    if (classes < 2) return dni_fail(err, DN_ERR_ARGUMENT, "synthetic data needs >= 2 classes");
    dn_dataset *d;
    dn_status st = dni_dataset_alloc(&d, rows, features, 0, classes, 0, err);
    if (st != DN_OK) return st;

    dn_rng_stream centres = dni_rng_stream_make(seed, DN_RNG_DATA, 0);
    dn_rng_stream labels = dni_rng_stream_make(seed, DN_RNG_DATA, 1);
    dn_rng_stream noise = dni_rng_stream_make(seed, DN_RNG_DATA, 2);
    double scale = CENTRE_RADIUS / sqrt((double)features);
    for (size_t r = 0; r < rows; ++r) {
        size_t c = (size_t)(((uint64_t)dni_rng_u32(&labels, 0, r) * classes) >> 32);
        d->labels[r] = (int32_t)c;
        for (size_t j = 0; j < features; ++j) {
            double centre = scale * dni_rng_normal(&centres, 0, c * features + j);
            double value = centre + dni_rng_normal(&noise, 0, r * features + j);
            d->x[r * features + j] = (float)value;
        }
    }
    *out = d;
    return DN_OK;
}
