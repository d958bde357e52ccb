/* test_threads.c — training results do not depend on the thread count, and a thread count
 * asked for is really used (a library that ran every parallel region on one thread would pass
 * the first check alone). */
#include "test.h"

#include "core/threads.h"
#include "dropnet.h"
#include "model/model.h"

#include <dirent.h>
#include <math.h>
#ifdef _OPENMP
#include <omp.h>
#endif
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* CPU time (user + system clock ticks) of each thread of this process other than the main one,
 * from /proc/self/task/TID/stat; returns how many were read (at most `max`). */
static size_t worker_ticks(long *tids, unsigned long long *ticks, size_t max) {
    DIR *d = opendir("/proc/self/task");
    if (d == NULL) return 0;
    size_t n = 0;
    for (struct dirent *e; (e = readdir(d)) != NULL && n < max;) {
        long tid = strtol(e->d_name, NULL, 10);
        if (tid <= 0 || tid == (long)getpid()) continue;
        char path[64], line[1024];
        snprintf(path, sizeof path, "/proc/self/task/%ld/stat", tid);
        FILE *f = fopen(path, "r");
        if (f == NULL) continue;
        size_t got = fread(line, 1, sizeof line - 1, f);
        fclose(f);
        line[got] = '\0';
        const char *rest = strrchr(line, ')'); /* the name may hold spaces; fields follow it */
        unsigned long long user = 0, sys = 0;
        if (rest && sscanf(rest + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu",
                           &user, &sys) == 2) {
            tids[n] = tid;
            ticks[n++] = user + sys;
        }
    }
    closedir(d);
    return n;
}

/* Trains a network big enough that every parallel path (GEMM tiles, dropout chunks, activation
 * bands, optimizer bands) splits work, with `threads` threads; returns the parameter slab, and
 * the initial one in *initial when it is not NULL. */
static float *train_with_threads(int threads, size_t *count, float **initial) {
    dn_error err;
    dn_dataset *data = NULL;
    dn_model *m = NULL;
    float *copy = NULL;
    dn_optimizer_config sgd = dn_optimizer_defaults(DN_OPTIMIZER_SGD);
    sgd.momentum = 0.9f;
    if (dn_dataset_create_synthetic(&data, 512, 300, 10, 5, &err) ||
        dn_model_from_spec(&m, 300, "dropout:0.2,dense:512:relu,dropout:0.5,dense:384:tanh,"
                           "dense:10:softmax", &err) ||
        dn_model_compile(m, DN_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY, &sgd, 99, &err) ||
        dn_model_set_threads(m, threads, &err)) {
        dn_test_fail(__FILE__, __LINE__, "setup: %s", err.message);
        goto done;
    }
    if (initial != NULL) *initial = dn_test_copy_params(m, count);
    dn_fit_config fit = dn_fit_defaults();
    fit.epochs = 2;
    fit.batch_size = 128;
    CHECK_OK(dn_model_fit(m, data, &fit, NULL, NULL, NULL, &err), &err);
    CHECK(dn_model_threads(m) == threads);
    copy = dn_test_copy_params(m, count);
done:
    dn_model_free(m);
    dn_dataset_free(data);
    return copy;
}

TEST(training_is_bit_identical_for_1_2_and_3_threads) {
    size_t n1 = 0, n2 = 0, n3 = 0;
    float *initial = NULL;
    float *one = train_with_threads(1, &n1, &initial), *two = train_with_threads(2, &n2, NULL),
          *three = train_with_threads(3, &n3, NULL);
    CHECK(one && two && three && initial && n1 == n2 && n2 == n3 && n1 > 0);
    if (one && two && three && initial) {
        CHECK(memcmp(one, two, n1 * sizeof(float)) == 0);
        CHECK(memcmp(one, three, n1 * sizeof(float)) == 0);
        /* The run trained: most parameters moved from their initial values (biases start at 0
         * and most kernel weights get a gradient in 8 steps). */
        size_t moved = 0;
        for (size_t i = 0; i < n1; ++i) moved += one[i] != initial[i];
        CHECK_MSG(moved > n1 / 2, "%zu of %zu parameters moved", moved, n1);
    }
    free(initial);
    free(one);
    free(two);
    free(three);
}

/* Threads asked for are threads used: inference passes through a wide network with 3 threads
 * (GEMM tiles and activation bands) give CPU time to at least 2 threads besides the main one.
 * Worker threads left by earlier tests sleep between regions (after a short spin, waited out
 * first), so a run that ignored the thread count and did all the work on the main thread gives
 * them none. OMP_WAIT_POLICY=active keeps them spinning and makes this check blind, not wrong. Clock ticks are 10 ms; the
 * passes take some 100 ticks of CPU in all. */
TEST(threads_asked_for_are_used) {
#ifndef _OPENMP
    SKIP("built without OpenMP (OPENMP=): every region runs on one thread by design");
#else
    enum { ROWS = 1024, IN = 512, MAX_THREADS = 256 };
    dn_model *m = NULL;
    dn_error err;
    float *x = malloc((size_t)ROWS * IN * sizeof *x);
    if (!CHECK(x != NULL) ||
        dn_model_from_spec(&m, IN, "dense:1024:relu,dense:1024:relu,dense:10:softmax", &err) ||
        dn_model_compile(m, DN_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY, NULL, 3, &err) ||
        dn_model_set_threads(m, 3, &err) || dni_model_reserve(m, ROWS, &err)) {
        dn_test_fail(__FILE__, __LINE__, "setup: %s", x ? err.message : "out of memory");
    } else {
        for (size_t k = 0; k < (size_t)ROWS * IN; ++k) x[k] = (float)sin(0.01 * (double)k);
        long tids[2][MAX_THREADS];
        unsigned long long ticks[2][MAX_THREADS];
        /* Idle workers spin a while before they sleep (LLVM's libomp: KMP_BLOCKTIME, 200 ms by
         * default): let them settle, so that only work given to them now counts. */
        nanosleep(&(struct timespec){0, 300000000L}, NULL);
        size_t before = worker_ticks(tids[0], ticks[0], MAX_THREADS);
        for (int pass = 0; pass < 20; ++pass)
            CHECK_OK(dn_model_forward(m, x, ROWS, DN_MODE_INFERENCE, 0, NULL, &err), &err);
        size_t after = worker_ticks(tids[1], ticks[1], MAX_THREADS), busy = 0;
        for (size_t i = 0; i < after; ++i) {
            unsigned long long earlier = 0;
            for (size_t j = 0; j < before; ++j)
                if (tids[0][j] == tids[1][i]) earlier = ticks[0][j];
            busy += ticks[1][i] >= earlier + 2;
        }
        CHECK_MSG(busy >= 2, "%zu worker threads did work (of %zu) in 3-thread passes", busy, after);
    }
    dn_model_free(m);
    free(x);
#endif
}

/* Every element-wise parallel region (activations, dropout, noise, bias gradient, optimizer)
 * takes its team from dni_threads_for: the count asked for, above the work threshold. */
TEST(threads_resolve_gives_the_count_asked_for) {
#ifndef _OPENMP
    CHECK(dni_threads_resolve(3) == 1 && dni_threads_for(3, 1 << 20, 1) == 1);
#else
    CHECK(dni_threads_resolve(3) == 3);
    CHECK(dni_threads_resolve(0) == omp_get_max_threads());
    CHECK(dni_threads_for(3, 1 << 20, 1 << 16) == 3);
    CHECK(dni_threads_for(3, (1 << 16) - 1, 1 << 16) == 1); /* too little work to split */
#endif
}

TEST(threads_setting_is_validated) {
    dn_model *m = NULL;
    dn_error err;
    CHECK_OK(dn_model_create(&m, 4, &err), &err);
    CHECK(dn_model_set_threads(m, -1, &err) == DN_ERR_ARGUMENT);
    CHECK(strstr(err.message, "threads must be >= 0, got -1") != NULL);
    dn_model_free(m);
}
