/* bench_workloads.c — the workloads of `make bench`, one JSON line per workload (or W4 shape).
 *
 *   build/bench-workloads [--threads N] [--repeat N (1-64)] [--cli PATH] [--train SPEC] [--test SPEC]
 *                         WORKLOAD...
 *
 * WORKLOAD is one of
 *   machine  the CPU, the load and the measured peak: an FMA-only loop on 1 and on N threads
 *            (the figure every "fraction of peak" below divides by; a datasheet peak would
 *            assume a clock the virtual machine may not give us);
 *   W1       the demo pipeline (1000 × 20, Dropout 0.2 → Dense 10 relu → Dense 3 softmax, Adam,
 *            5 epochs): the whole `dropnet demo` process (spawned, so exec, dynamic linking and
 *            printing count) and the in-process fit;
 *   W2       one Fashion-MNIST epoch (60,000 × 784 → dropout 0.2 → 1024 relu → dropout 0.5 →
 *            1024 relu → dropout 0.5 → 10 softmax, batch 128, SGD momentum 0.9);
 *   W3       the W2 network at inference: the 10,000 test images in one call, and one image per
 *            call (median latency);
 *   W5       the W2 network's latency curve at inference: one dn_model_predict call of B rows for
 *            B = 1, 2, 4, … 256 (one line per B): the median time of a call in a block of calls
 *            (about 4096 rows), median of --repeat blocks;
 *   W4       the products of W2's big layers (forward, input gradient, weight gradient) and the
 *            square 1024³, through the same dni_gemm_ws entry the layers call.
 * bench/run.sh runs each workload in its own process, so that the peak RSS a line reports is
 * that workload's alone (ru_maxrss never goes down).
 *
 * Every timed figure is the median of --repeat runs (default 3), after one untimed run that
 * faults in pages and starts the OpenMP team (W2 times every epoch: each is a real epoch); the
 * fastest and slowest runs go beside it as NAME_min and NAME_max. The median, not the best: on a
 * shared machine the best run is the luckiest, and a figure someone else can expect is the
 * typical one. W3's latency is a median over single-image calls. The machine's peak stays the
 * best of its runs: it is a ceiling, measured on CPU time.
 * The GEMM kernel is dni_gemm's own choice (DROPNET_KERNEL=avx512|avx2|portable forces one);
 * each line says which ran. */
#include "dropnet.h"
#include "kernels/gemm.h"

#include <fcntl.h>
#include <math.h>
#include <spawn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#ifdef _OPENMP
#include <omp.h>
#endif

/* The peak loop needs x86 SIMD; elsewhere the peak is reported as 0 and fractions as 0. */
#if defined(__GNUC__) && (defined(__x86_64__) || defined(__i386__))
#define DN_BENCH_X86 1
#include <immintrin.h>
#else
#define DN_BENCH_X86 0
#endif

extern char **environ; /* for posix_spawn: the demo runs with our environment (OMP_NUM_THREADS) */

/* The W2 network and its cost. FLOPs per training example: the forward products, every weight
 * gradient, and the input gradients of the dense layers above the first (the first one's input
 * gradient is never formed: nothing below it learns), 2 FLOPs per multiply-add. */
#define DN_BENCH_W2_SPEC                                                                           \
    "dropout:0.2,dense:1024:relu,dropout:0.5,dense:1024:relu,dropout:0.5,dense:10:softmax"
static const double dn_bench_w2_macs_forward = 784.0 * 1024 + 1024.0 * 1024 + 1024.0 * 10;
static const double dn_bench_w2_macs_input_grad = 1024.0 * 1024 + 1024.0 * 10;

typedef struct dn_bench_options {
    int threads, repeat;
    dn_precision precision; /* --precision fp32|bf16: the W2/W3 network's products */
    const char *cli, *train, *test;
} dn_bench_options;

static double dn_bench_now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

/* The 1-minute load average, printed beside every figure: on 2 cores one busy neighbour halves
 * a 2-thread result, and the reader should be able to see that it happened. */
static double dn_bench_load(void) {
    double load = -1.0;
    FILE *f = fopen("/proc/loadavg", "r");
    if (f != NULL) {
        if (fscanf(f, "%lf", &load) != 1) load = -1.0;
        fclose(f);
    }
    return load;
}

/* Peak resident set of this process so far, in MB (ru_maxrss is in KiB on Linux). */
static double dn_bench_peak_rss_mb(int who) {
    struct rusage u;
    if (getrusage(who, &u) != 0) return -1.0;
    return (double)u.ru_maxrss * 1024.0 / 1e6;
}

static const char *dn_bench_kernel(void) {
    return dni_gemm_backend_name();
}

/* The fields every line starts with. */
static void dn_bench_head(const char *workload, const dn_bench_options *o) {
    const char *request = getenv("DROPNET_KERNEL");
    printf("{\"bench\":\"dropnet\",\"workload\":\"%s\",\"threads\":%d,\"kernel\":\"%s\","
           "\"kernel_request\":\"%s\",\"precision\":\"%s\",\"load\":%.2f,\"runs\":%d",
           workload, o->threads,
           o->precision == DN_PRECISION_BF16
               ? dni_gemm_kernel_name(dni_gemm_precision_kernel(DN_GEMM_BF16_PRODUCTS))
               : dn_bench_kernel(),
           request ? request : "auto", o->precision == DN_PRECISION_BF16 ? "bf16" : "fp32",
           dn_bench_load(), o->repeat);
}

/* Median, fastest and slowest of n timed runs (t is sorted in place); the median of an even
 * count is the mean of the middle two. */
typedef struct dn_bench_spread {
    double median, min, max;
} dn_bench_spread;

static int dn_bench_compare_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static dn_bench_spread dn_bench_summarise(double *t, int n) {
    qsort(t, (size_t)n, sizeof *t, dn_bench_compare_double);
    double median = n % 2 ? t[n / 2] : 0.5 * (t[n / 2 - 1] + t[n / 2]);
    return (dn_bench_spread){.median = median, .min = t[0], .max = t[n - 1]};
}

/* ,"key":median,"key_min":…,"key_max":… of a time spread, with printf's format for each. */
static void dn_bench_print_spread(const char *key, const char *format, dn_bench_spread s) {
    printf(",\"%s\":", key);
    printf(format, s.median);
    printf(",\"%s_min\":", key);
    printf(format, s.min);
    printf(",\"%s_max\":", key);
    printf(format, s.max);
}

static int dn_bench_fail(const char *workload, const dn_bench_options *o, const char *message) {
    dn_bench_head(workload, o);
    printf(",\"error\":\"");
    for (const char *c = message; *c; ++c) { /* keep the line valid JSON whatever the message */
        if (*c == '"' || *c == '\\') putchar('\\');
        putchar((unsigned char)*c < 0x20 ? '?' : *c);
    }
    printf("\"}\n");
    return 1;
}

/* ---------------------------------------------------------------------------------------- */
/* machine: the measured peak                                                                */
/* ---------------------------------------------------------------------------------------- */

#if DN_BENCH_X86
/* Independent FMA chains, enough to cover 4 cycles of latency on 2 FMA ports with room to
 * spare, so the loop is bound by FMA throughput alone. The values stay bounded
 * (x <- 0.999999*x + 1e-7). Named variables, not an array: at -O2 GCC keeps an array of vectors
 * in memory, and the store-to-load latency then caps the loop at a fifth of the peak. */
#define DN_BENCH_FMA4(fma, a, b, c, d)                                                             \
    a = fma(a, scale, add);                                                                        \
    b = fma(b, scale, add);                                                                        \
    c = fma(c, scale, add);                                                                        \
    d = fma(d, scale, add)

enum { DN_BENCH_CHAINS_512 = 16, DN_BENCH_CHAINS_256 = 12 };

__attribute__((target("avx512f"))) static float dn_bench_fma512(long iterations) {
    const __m512 scale = _mm512_set1_ps(0.999999f), add = _mm512_set1_ps(1e-7f);
    /* distinct starting values: equal chains would be merged by the compiler */
#define DN_BENCH_V(i) _mm512_set1_ps((float)(i))
    __m512 a0 = DN_BENCH_V(0), a1 = DN_BENCH_V(1), a2 = DN_BENCH_V(2), a3 = DN_BENCH_V(3);
    __m512 a4 = DN_BENCH_V(4), a5 = DN_BENCH_V(5), a6 = DN_BENCH_V(6), a7 = DN_BENCH_V(7);
    __m512 a8 = DN_BENCH_V(8), a9 = DN_BENCH_V(9), a10 = DN_BENCH_V(10), a11 = DN_BENCH_V(11);
    __m512 a12 = DN_BENCH_V(12), a13 = DN_BENCH_V(13), a14 = DN_BENCH_V(14), a15 = DN_BENCH_V(15);
#undef DN_BENCH_V
    for (long i = 0; i < iterations; ++i) {
        DN_BENCH_FMA4(_mm512_fmadd_ps, a0, a1, a2, a3);
        DN_BENCH_FMA4(_mm512_fmadd_ps, a4, a5, a6, a7);
        DN_BENCH_FMA4(_mm512_fmadd_ps, a8, a9, a10, a11);
        DN_BENCH_FMA4(_mm512_fmadd_ps, a12, a13, a14, a15);
    }
    __m512 sum = _mm512_add_ps(_mm512_add_ps(_mm512_add_ps(a0, a1), _mm512_add_ps(a2, a3)),
                               _mm512_add_ps(_mm512_add_ps(a4, a5), _mm512_add_ps(a6, a7)));
    sum = _mm512_add_ps(sum, _mm512_add_ps(_mm512_add_ps(a8, a9), _mm512_add_ps(a10, a11)));
    sum = _mm512_add_ps(sum, _mm512_add_ps(_mm512_add_ps(a12, a13), _mm512_add_ps(a14, a15)));
    return _mm512_reduce_add_ps(sum);
}

/* 12 chains: AVX2 has 16 registers and two hold the constants. */
__attribute__((target("avx2,fma"))) static float dn_bench_fma256(long iterations) {
    const __m256 scale = _mm256_set1_ps(0.999999f), add = _mm256_set1_ps(1e-7f);
#define DN_BENCH_V(i) _mm256_set1_ps((float)(i))
    __m256 a0 = DN_BENCH_V(0), a1 = DN_BENCH_V(1), a2 = DN_BENCH_V(2), a3 = DN_BENCH_V(3);
    __m256 a4 = DN_BENCH_V(4), a5 = DN_BENCH_V(5), a6 = DN_BENCH_V(6), a7 = DN_BENCH_V(7);
    __m256 a8 = DN_BENCH_V(8), a9 = DN_BENCH_V(9), a10 = DN_BENCH_V(10), a11 = DN_BENCH_V(11);
#undef DN_BENCH_V
    for (long i = 0; i < iterations; ++i) {
        DN_BENCH_FMA4(_mm256_fmadd_ps, a0, a1, a2, a3);
        DN_BENCH_FMA4(_mm256_fmadd_ps, a4, a5, a6, a7);
        DN_BENCH_FMA4(_mm256_fmadd_ps, a8, a9, a10, a11);
    }
    __m256 sum = _mm256_add_ps(_mm256_add_ps(_mm256_add_ps(a0, a1), _mm256_add_ps(a2, a3)),
                               _mm256_add_ps(_mm256_add_ps(a4, a5), _mm256_add_ps(a6, a7)));
    sum = _mm256_add_ps(sum, _mm256_add_ps(_mm256_add_ps(a8, a9), _mm256_add_ps(a10, a11)));
    float lanes[8];
    _mm256_storeu_ps(lanes, sum);
    return lanes[0] + lanes[7];
}

#endif

/* FLOPs one iteration of the loop below does with the widest FMA the CPU has (0: none). */
static double dn_bench_flops_per_iteration(const char **isa) {
#if DN_BENCH_X86
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx512f")) {
        *isa = "avx512";
        return DN_BENCH_CHAINS_512 * 16.0 * 2.0;
    }
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) {
        *isa = "avx2";
        return DN_BENCH_CHAINS_256 * 8.0 * 2.0;
    }
#endif
    *isa = "none";
    return 0.0;
}

static volatile float dn_bench_sink; /* keeps the loops' results alive */

static double dn_bench_thread_cpu(void) {
    struct timespec t;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

/* Best GFLOP/s of the FMA loop on `threads` threads: the sum of each thread's rate over its own
 * CPU time. CPU time, not wall time, because the figure is what the cores can do: on a shared
 * 2-core machine a neighbour that takes a core for a moment would otherwise lower the "peak"
 * and flatter every fraction computed against it. */
static double dn_bench_peak(int threads) {
    const char *isa;
    double per_iteration = dn_bench_flops_per_iteration(&isa);
    if (per_iteration == 0.0) return 0.0;
#ifndef _OPENMP
    (void)threads; /* a serial build (make OPENMP=) runs one thread whatever was asked */
#endif
    const long iterations = 20L * 1000 * 1000; /* about 0.05 s per thread at 3 GHz */
    double best = 0.0;
    for (int run = 0; run < 6; ++run) { /* run 0 is the warm-up: clocks ramp, threads start */
        double total = 0.0;
#ifdef _OPENMP
#pragma omp parallel num_threads(threads) reduction(+ : total)
#endif
        {
            double t0 = dn_bench_thread_cpu();
#if DN_BENCH_X86
            float r = per_iteration == DN_BENCH_CHAINS_512 * 32.0 ? dn_bench_fma512(iterations)
                                                                    : dn_bench_fma256(iterations);
#else
            float r = 0.0f; /* unreachable: per_iteration is 0 here */
#endif
            total += per_iteration * (double)iterations / (dn_bench_thread_cpu() - t0) * 1e-9;
            dn_bench_sink = r;
        }
        if (run > 0 && total > best) best = total;
    }
    return best;
}

static void dn_bench_cpu_model(char *buf, size_t size) {
    snprintf(buf, size, "unknown");
    FILE *f = fopen("/proc/cpuinfo", "r");
    if (f == NULL) return;
    char line[512];
    while (fgets(line, sizeof line, f) != NULL) {
        char *colon = strchr(line, ':');
        if (strncmp(line, "model name", 10) == 0 && colon != NULL) {
            colon += 2;
            colon[strcspn(colon, "\n\"\\")] = '\0';
            snprintf(buf, size, "%s", colon);
            break;
        }
    }
    fclose(f);
}

static int dn_bench_machine(const dn_bench_options *o) {
    char cpu[256];
    const char *isa;
    dn_bench_cpu_model(cpu, sizeof cpu);
    dn_bench_flops_per_iteration(&isa);
    double one = dn_bench_peak(1), all = dn_bench_peak(o->threads);
    dn_bench_head("machine", o);
    printf(",\"cpu\":\"%s\",\"online_cpus\":%ld,\"compiler\":\"%s\",\"peak_isa\":\"%s\","
           "\"peak_gflops_1_thread\":%.1f,\"peak_gflops\":%.1f,\"dropnet\":\"%s\"}\n",
           cpu, sysconf(_SC_NPROCESSORS_ONLN), __VERSION__, isa, one, all, dn_version());
    return 0;
}

/* ---------------------------------------------------------------------------------------- */
/* W1: the demo pipeline                                                                    */
/* ---------------------------------------------------------------------------------------- */

/* The whole `dropnet demo` process: the wall times of `repeat` spawns into times[repeat] (after
 * one untimed, so the binary and its libraries are in the page cache), and its children's peak
 * RSS. */
static int dn_bench_demo_process(const dn_bench_options *o, double *times, double *rss_mb) {
    char *argv[] = {(char *)o->cli, "demo", NULL};
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
    int ok = 1;
    for (int run = 0; run <= o->repeat && ok; ++run) {
        pid_t pid;
        int status = 0;
        double t0 = dn_bench_now();
        ok = posix_spawn(&pid, o->cli, &actions, NULL, argv, environ) == 0 &&
             waitpid(pid, &status, 0) == pid && WIFEXITED(status) && WEXITSTATUS(status) == 0;
        double t = dn_bench_now() - t0;
        if (run > 0) times[run - 1] = t;
    }
    posix_spawn_file_actions_destroy(&actions);
    *rss_mb = dn_bench_peak_rss_mb(RUSAGE_CHILDREN);
    return ok;
}

/* The demo's network and data, as cli/cmd_demo.c builds them; times fit alone into *fit_s and
 * everything (data, build, compile, fit) into *total_s. */
static dn_status dn_bench_demo_fit(int threads, double *fit_s, double *total_s, double *val_acc,
                                   dn_error *err) {
    double t0 = dn_bench_now();
    dn_dataset *data = NULL;
    dn_model *m = NULL;
    dn_optimizer_config adam = dn_optimizer_defaults(DN_OPTIMIZER_ADAM);
    adam.learning_rate = 0.005f;
    dn_status st = dn_dataset_create_synthetic(&data, 1000, 20, 3, 42, err);
    if (st == DN_OK) st = dn_model_create(&m, 20, err);
    if (st == DN_OK) st = dn_model_add_dropout(m, 0.2f, err);
    if (st == DN_OK) st = dn_model_add_dense(m, 10, DN_ACT_RELU, NULL, err);
    if (st == DN_OK) st = dn_model_add_dense(m, 3, DN_ACT_SOFTMAX, NULL, err);
    if (st == DN_OK)
        st = dn_model_compile(m, DN_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY, &adam, 42, err);
    if (st == DN_OK) st = dn_model_set_threads(m, threads, err);
    dn_fit_config fit = dn_fit_defaults();
    fit.epochs = 5;
    fit.validation_split = 0.2;
    dn_epoch_metrics history[5];
    double t1 = dn_bench_now();
    if (st == DN_OK) st = dn_model_fit(m, data, &fit, NULL, NULL, history, err);
    double t2 = dn_bench_now();
    *fit_s = t2 - t1;
    *total_s = t2 - t0;
    if (st == DN_OK) *val_acc = history[4].val_accuracy;
    dn_model_free(m);
    dn_dataset_free(data);
    return st;
}

static int dn_bench_w1(const dn_bench_options *o) {
    dn_error err;
    double val_acc = 0.0;
    double *fit = calloc((size_t)o->repeat * 3, sizeof *fit), *total = fit + o->repeat,
           *process = total + o->repeat;
    if (fit == NULL) return dn_bench_fail("W1", o, "out of memory");
    for (int run = 0; run <= o->repeat; ++run) { /* run 0 warms up */
        double fit_s, total_s;
        if (dn_bench_demo_fit(o->threads, &fit_s, &total_s, &val_acc, &err) != DN_OK) {
            free(fit);
            return dn_bench_fail("W1", o, err.message);
        }
        if (run > 0) fit[run - 1] = fit_s, total[run - 1] = total_s;
    }
    double process_rss = -1.0;
    for (int run = 0; run < o->repeat; ++run) process[run] = -1.0; /* no --cli */
    if (o->cli != NULL && !dn_bench_demo_process(o, process, &process_rss)) {
        free(fit);
        return dn_bench_fail("W1", o, "running the CLI's demo failed (--cli PATH)");
    }
    dn_bench_spread f = dn_bench_summarise(fit, o->repeat);
    double train_rows = 800.0 * 5; /* 5 epochs of the 800 training rows */
    dn_bench_head("W1", o);
    printf(",\"name\":\"seed demo 1000x20, 5 epochs\"");
    dn_bench_print_spread("process_seconds", "%.5f", dn_bench_summarise(process, o->repeat));
    printf(",\"process_peak_rss_mb\":%.1f", process_rss);
    dn_bench_print_spread("fit_seconds", "%.6f", f);
    dn_bench_print_spread("in_process_seconds", "%.6f", dn_bench_summarise(total, o->repeat));
    printf(",\"samples_per_s\":%.0f,\"val_accuracy\":%.4f,\"peak_rss_mb\":%.1f}\n",
           train_rows / f.median, val_acc, dn_bench_peak_rss_mb(RUSAGE_SELF));
    free(fit);
    return 0;
}

/* ---------------------------------------------------------------------------------------- */
/* W2: a Fashion-MNIST epoch; W3: inference                                                 */
/* ---------------------------------------------------------------------------------------- */

static dn_status dn_bench_w2_model(dn_model **out, const dn_bench_options *o, dn_error *err) {
    dn_model *m = NULL;
    dn_optimizer_config sgd = dn_optimizer_defaults(DN_OPTIMIZER_SGD); /* lr 0.01 */
    sgd.momentum = 0.9f;
    dn_status st = dn_model_from_spec(&m, 784, DN_BENCH_W2_SPEC, err);
    if (st == DN_OK)
        st = dn_model_compile(m, DN_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY, &sgd, 42, err);
    if (st == DN_OK) st = dn_model_set_threads(m, o->threads, err);
    if (st == DN_OK) st = dn_model_set_precision(m, o->precision, err);
    if (st != DN_OK) {
        dn_model_free(m);
        return st;
    }
    *out = m;
    return DN_OK;
}

/* Each run is one more epoch of the same model (the work per epoch does not change as it
 * learns); the first is timed too, since a user's first epoch is a real epoch, and it warms
 * nothing the second lacks but page faults of buffers sized at compile. */
static int dn_bench_w2(const dn_bench_options *o) {
    dn_error err;
    dn_dataset *train = NULL, *test = NULL;
    dn_model *m = NULL;
    double t0 = dn_bench_now();
    if (dn_dataset_open(&train, o->train, NULL, &err) != DN_OK)
        return dn_bench_fail("W2", o, err.message);
    double load_s = dn_bench_now() - t0;
    if (dn_bench_w2_model(&m, o, &err) != DN_OK) {
        dn_dataset_free(train);
        return dn_bench_fail("W2", o, err.message);
    }
    dn_fit_config fit = dn_fit_defaults();
    fit.batch_size = 128;
    double first = 0.0, loss = 0.0, acc = 0.0;
    double *times = calloc((size_t)o->repeat, sizeof *times);
    for (int run = 0; run < o->repeat; ++run) {
        dn_epoch_metrics h;
        double t = dn_bench_now();
        if (times == NULL || dn_model_fit(m, train, &fit, NULL, NULL, &h, &err) != DN_OK) {
            dn_model_free(m);
            dn_dataset_free(train);
            free(times);
            return dn_bench_fail("W2", o, times ? err.message : "out of memory");
        }
        t = dn_bench_now() - t;
        if (run == 0) first = t;
        times[run] = t;
        loss = h.loss;
        acc = h.accuracy;
    }
    dn_bench_spread epoch = dn_bench_summarise(times, o->repeat);
    free(times);
    double rss = dn_bench_peak_rss_mb(RUSAGE_SELF); /* before the test set is loaded */
    double rows = (double)dn_dataset_rows(train), test_acc = NAN;
    double flops = 2.0 * (2.0 * dn_bench_w2_macs_forward + dn_bench_w2_macs_input_grad) * rows;
    if (o->test != NULL && dn_dataset_open(&test, o->test, NULL, &err) == DN_OK)
        dn_model_evaluate(m, test, NULL, &test_acc, NULL);
    dn_bench_head("W2", o);
    printf(",\"name\":\"fashion-mnist epoch, 784-1024-1024-10, batch 128, sgd momentum 0.9\","
           "\"rows\":%.0f", rows);
    dn_bench_print_spread("seconds_per_epoch", "%.3f", epoch);
    printf(",\"first_epoch_seconds\":%.3f,\"samples_per_s\":%.0f,\"gflops\":%.1f,"
           "\"load_seconds\":%.3f,\"peak_rss_mb\":%.1f,\"last_loss\":%.4f,\"last_accuracy\":%.4f,"
           "\"test_accuracy\":%.4f}\n",
           first, rows / epoch.median, flops / epoch.median * 1e-9, load_s, rss, loss, acc,
           test_acc);
    dn_model_free(m);
    dn_dataset_free(train);
    dn_dataset_free(test);
    return 0;
}

/* The network has the weights compile gives it: inference costs the same for any weights, and
 * a model read by dn_model_load (the `dropnet predict` path) is compiled the same way. */
static int dn_bench_w3(const dn_bench_options *o) {
    enum { SINGLES = 2000 };
    dn_error err;
    dn_dataset *test = NULL;
    dn_model *m = NULL;
    if (dn_dataset_open(&test, o->test, NULL, &err) != DN_OK)
        return dn_bench_fail("W3", o, err.message);
    if (dn_bench_w2_model(&m, o, &err) != DN_OK) {
        dn_dataset_free(test);
        return dn_bench_fail("W3", o, err.message);
    }
    size_t rows = dn_dataset_rows(test), in = dn_dataset_features(test);
    float *y = malloc(rows * 10 * sizeof *y), *x = malloc(SINGLES * in * sizeof *x);
    double *lat = malloc(SINGLES * sizeof *lat);
    if (y == NULL || x == NULL || lat == NULL || rows < SINGLES) {
        free(y), free(x), free(lat);
        dn_model_free(m);
        dn_dataset_free(test);
        return dn_bench_fail("W3", o, "out of memory or fewer than 2000 test rows");
    }
    dn_model_prepare_inference(m, NULL); /* as a deployment would, before its first call */
    double batch[64]; /* --repeat is at most 64 (main) */
    for (int run = 0; run <= o->repeat; ++run) { /* run 0 warms up */
        double t = dn_bench_now();
        dn_model_predict_dataset(m, test, y, NULL);
        t = dn_bench_now() - t;
        if (run > 0) batch[run - 1] = t;
    }
    dn_bench_spread b = dn_bench_summarise(batch, o->repeat);
    size_t correct = 0;
    for (size_t r = 0; r < rows; ++r)
        correct += dn_predicted_class(y + r * 10, 10) == (size_t)dn_dataset_label(test, r);
    for (size_t i = 0; i < SINGLES; ++i) dn_dataset_get_row(test, i, x + i * in, NULL);
    for (int pass = 0; pass < 2; ++pass) /* pass 0 warms up; pass 1 is measured */
        for (size_t i = 0; i < SINGLES; ++i) {
            double t = dn_bench_now();
            dn_model_predict(m, x + i * in, 1, y, NULL);
            lat[i] = dn_bench_now() - t;
        }
    qsort(lat, SINGLES, sizeof *lat, dn_bench_compare_double);
    dn_bench_head("W3", o);
    printf(",\"name\":\"W2 network inference on the fashion-mnist test set\",\"rows\":%zu", rows);
    dn_bench_print_spread("batch_seconds", "%.5f", b);
    printf(",\"images_per_s\":%.0f,\"images_per_s_min\":%.0f,\"images_per_s_max\":%.0f,"
           "\"gflops\":%.1f,\"single_median_us\":%.1f,\"single_p90_us\":%.1f,\"single_images\":%d,"
           "\"untrained_accuracy\":%.4f,\"peak_rss_mb\":%.1f}\n",
           (double)rows / b.median, (double)rows / b.max, (double)rows / b.min,
           2.0 * dn_bench_w2_macs_forward * (double)rows / b.median * 1e-9, lat[SINGLES / 2] * 1e6,
           lat[SINGLES * 9 / 10] * 1e6, SINGLES, (double)correct / (double)rows,
           dn_bench_peak_rss_mb(RUSAGE_SELF));
    free(y), free(x), free(lat);
    dn_model_free(m);
    dn_dataset_free(test);
    return 0;
}

/* The W2 network as the ONNX Runtime peer runs it: the same compiled weights (seed 42) through
 * dropnet's own exporter, so the runtime computes what dn_model_predict does (softmax included). */
static int dn_bench_export_onnx(const char *path) {
    dn_error err;
    dn_model *m = NULL;
    const dn_bench_options fp32 = {.threads = 1, .repeat = 1, .precision = DN_PRECISION_FP32};
    dn_status st = dn_bench_w2_model(&m, &fp32, &err);
    if (st == DN_OK) st = dn_model_export_onnx(m, path, NULL, &err);
    dn_model_free(m);
    if (st != DN_OK) fprintf(stderr, "bench-workloads: --export-onnx: %s\n", err.message);
    return st != DN_OK;
}

/* W5: one call of B rows, B = 1 … 256, on the rows of the test set. Each block runs about 4096
 * rows (at least 16 calls) and gives the median time of its calls (on a shared machine a call
 * that lost its core to a neighbour says nothing about the library); a line per B holds the
 * median of --repeat blocks with the fastest and slowest, after one untimed block. */
static int dn_bench_w5(const dn_bench_options *o) {
    enum { MOST = 256, ROWS_PER_BLOCK = 4096 };
    dn_error err;
    dn_dataset *test = NULL;
    dn_model *m = NULL;
    if (dn_dataset_open(&test, o->test, NULL, &err) != DN_OK)
        return dn_bench_fail("W5", o, err.message);
    if (dn_bench_w2_model(&m, o, &err) != DN_OK) {
        dn_dataset_free(test);
        return dn_bench_fail("W5", o, err.message);
    }
    size_t in = dn_dataset_features(test);
    float *x = malloc(MOST * in * sizeof *x), *y = malloc(MOST * 10 * sizeof *y);
    if (x == NULL || y == NULL || dn_dataset_rows(test) < MOST) {
        free(x), free(y);
        dn_model_free(m);
        dn_dataset_free(test);
        return dn_bench_fail("W5", o, "out of memory or fewer than 256 test rows");
    }
    for (size_t i = 0; i < MOST; ++i) dn_dataset_get_row(test, i, x + i * in, NULL);
    dn_model_prepare_inference(m, NULL); /* as a deployment would, before its first call */
    double t_call[ROWS_PER_BLOCK];
    for (size_t b = 1; b <= MOST; b *= 2) {
        size_t calls = ROWS_PER_BLOCK / b < 16 ? 16 : ROWS_PER_BLOCK / b;
        double t_block[64];
        for (int run = 0; run <= o->repeat; ++run) { /* run 0 warms up */
            for (size_t c = 0; c < calls; ++c) {
                double t = dn_bench_now();
                dn_model_predict(m, x, b, y, NULL);
                t_call[c] = (dn_bench_now() - t) * 1e6;
            }
            if (run > 0) t_block[run - 1] = dn_bench_summarise(t_call, (int)calls).median;
        }
        dn_bench_spread s = dn_bench_summarise(t_block, o->repeat);
        dn_bench_head("W5", o);
        printf(",\"name\":\"W2 network inference, one call of B rows\",\"batch\":%zu,"
               "\"calls_per_block\":%zu", b, calls);
        dn_bench_print_spread("us_per_call", "%.1f", s);
        printf(",\"images_per_s\":%.0f}\n", (double)b / s.median * 1e6);
        fflush(stdout);
    }
    free(x), free(y);
    dn_model_free(m);
    dn_dataset_free(test);
    return 0;
}

/* ---------------------------------------------------------------------------------------- */
/* W4: GEMM                                                                                  */
/* ---------------------------------------------------------------------------------------- */

typedef struct dn_bench_shape {
    const char *name, *form;
    int ta, tb;
    size_t M, N, K;
} dn_bench_shape;

/* M×K · K×N with op() as in gemm.h; the names match bench/peers.py's. */
static const dn_bench_shape dn_bench_shapes[] = {
    {"fwd 128x784.784x1024", "X.W", 0, 0, 128, 1024, 784},
    {"dX 128x1024.(784x1024)T", "dZ.WT", 0, 1, 128, 784, 1024},
    {"dW (128x784)T.128x1024", "XT.dZ", 1, 0, 784, 1024, 128},
    {"fwd 128x1024.1024x1024", "X.W", 0, 0, 128, 1024, 1024},
    {"dX 128x1024.(1024x1024)T", "dZ.WT", 0, 1, 128, 1024, 1024},
    {"dW (128x1024)T.128x1024", "XT.dZ", 1, 0, 1024, 1024, 128},
    {"square 1024x1024.1024x1024", "A.B", 0, 0, 1024, 1024, 1024},
};

static void dn_bench_fill(float *x, size_t count, uint32_t seed) {
    for (size_t i = 0; i < count; ++i) { /* values in [-1, 1): no denormals, no overflow */
        seed = seed * 1664525u + 1013904223u;
        x[i] = (float)(seed >> 8) / (float)(1u << 23) - 1.0f;
    }
}

enum { DN_BENCH_W4_RUNS = 100000 };

static int dn_bench_w4(const dn_bench_options *o) {
    double peak = dn_bench_peak(o->threads);
    dn_gemm_workspace ws = {NULL, dni_gemm_workspace_floats(o->threads)};
    ws.data = aligned_alloc(64, (ws.floats * sizeof(float) + 63) / 64 * 64);
    if (ws.data == NULL) return dn_bench_fail("W4", o, "out of memory");
    int failed = 0;
    for (size_t si = 0; si < sizeof dn_bench_shapes / sizeof dn_bench_shapes[0]; ++si) {
        const dn_bench_shape *s = &dn_bench_shapes[si];
        float *A = malloc(s->M * s->K * sizeof *A), *B = malloc(s->K * s->N * sizeof *B);
        float *C = malloc(s->M * s->N * sizeof *C);
        if (A == NULL || B == NULL || C == NULL) {
            failed = dn_bench_fail("W4", o, "out of memory");
        } else {
            dn_bench_fill(A, s->M * s->K, 1);
            dn_bench_fill(B, s->K * s->N, 2);
            size_t lda = s->ta ? s->M : s->K, ldb = s->tb ? s->K : s->N;
            /* at least 10 timed runs and 0.3 s (a 128-row product takes about 0.5 ms), at most
             * DN_BENCH_W4_RUNS */
            static double times[DN_BENCH_W4_RUNS];
            int n = 0;
            double start = dn_bench_now();
            for (int run = 0; n < DN_BENCH_W4_RUNS && (run <= 10 || dn_bench_now() - start < 0.3);
                 ++run) {
                double t = dn_bench_now();
                dni_gemm_ws(&ws, o->threads, s->ta, s->tb, s->M, s->N, s->K, A, lda, B, ldb, 0.0f,
                            C, s->N);
                t = dn_bench_now() - t;
                if (run > 0) times[n++] = t;
            }
            dn_bench_spread t = dn_bench_summarise(times, n);
            double flop = 2.0 * (double)s->M * (double)s->N * (double)s->K,
                   gflops = flop / t.median * 1e-9;
            dn_bench_head("W4", o);
            printf(",\"shape\":\"%s\",\"form\":\"%s\",\"M\":%zu,\"N\":%zu,\"K\":%zu,"
                   "\"products_timed\":%d",
                   s->name, s->form, s->M, s->N, s->K, n);
            dn_bench_print_spread("seconds", "%.6f", t);
            printf(",\"gflops\":%.1f,\"gflops_min\":%.1f,\"gflops_max\":%.1f,\"peak_gflops\":%.1f,"
                   "\"fraction_of_peak\":%.3f}\n",
                   gflops, flop / t.max * 1e-9, flop / t.min * 1e-9, peak,
                   peak > 0.0 ? gflops / peak : 0.0);
            fflush(stdout);
        }
        free(A), free(B), free(C);
    }
    free(ws.data);
    return failed;
}

/* ---------------------------------------------------------------------------------------- */

static int dn_bench_usage(void) {
    fprintf(stderr, "usage: bench-workloads [--threads N] [--repeat N] [--cli PATH] [--train SPEC] "
                    "[--test SPEC] [--precision fp32|bf16] [--export-onnx PATH] machine|W1|W2|W3|W4|W5...\n"
                    "  --export-onnx PATH  writes the W2 network (its compiled weights) as ONNX with\n"
                    "                      dropnet's exporter, for the ONNX Runtime peer\n");
    return 2;
}

int main(int argc, char **argv) {
    dn_bench_options o = {2, 3, DN_PRECISION_FP32, NULL, "fashion-mnist:train",
                          "fashion-mnist:test"};
    int status = 0, ran = 0;
    for (int i = 1; i < argc; ++i) {
        const char *a = argv[i];
        int has_value = i + 1 < argc;
        if (strcmp(a, "--threads") == 0 && has_value) o.threads = atoi(argv[++i]);
        else if (strcmp(a, "--repeat") == 0 && has_value) o.repeat = atoi(argv[++i]);
        else if (strcmp(a, "--cli") == 0 && has_value) o.cli = argv[++i];
        else if (strcmp(a, "--precision") == 0 && has_value && strcmp(argv[i + 1], "fp32") == 0)
            o.precision = DN_PRECISION_FP32, ++i;
        else if (strcmp(a, "--precision") == 0 && has_value && strcmp(argv[i + 1], "bf16") == 0)
            o.precision = DN_PRECISION_BF16, ++i;
        else if (strcmp(a, "--train") == 0 && has_value) o.train = argv[++i];
        else if (strcmp(a, "--test") == 0 && has_value) o.test = argv[++i];
        else if (strcmp(a, "--export-onnx") == 0 && has_value) {
            status |= dn_bench_export_onnx(argv[++i]);
            ran = 1;
        }
        else if (a[0] == '-') return dn_bench_usage();
        else {
            int (*run)(const dn_bench_options *) = strcmp(a, "machine") == 0 ? dn_bench_machine
                                                   : strcmp(a, "W1") == 0    ? dn_bench_w1
                                                   : strcmp(a, "W2") == 0    ? dn_bench_w2
                                                   : strcmp(a, "W3") == 0    ? dn_bench_w3
                                                   : strcmp(a, "W4") == 0    ? dn_bench_w4
                                                   : strcmp(a, "W5") == 0    ? dn_bench_w5
                                                                             : NULL;
            if (run == NULL) return dn_bench_usage();
            if (o.threads < 1 || o.repeat < 1 || o.repeat > 64) return dn_bench_usage();
            status |= run(&o);
            fflush(stdout);
            ran = 1;
        }
    }
    return ran ? status : dn_bench_usage();
}
