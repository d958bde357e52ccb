/* threads.c — resolving thread counts; the only place that asks OpenMP about the machine. */
#include "core/threads.h"

#ifdef _OPENMP
#include <omp.h>
#endif

int dni_threads_resolve(int requested) {
#ifdef _OPENMP
    return requested > 0 ? requested : omp_get_max_threads();
#else
    (void)requested;
    return 1;
#endif
}

int dni_threads_for(int requested, size_t work, size_t min_work) {
    return work < min_work ? 1 : dni_threads_resolve(requested);
}
