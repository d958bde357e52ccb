/* parallel.c — the tool's data-parallel glue (parallel.h): MPI in a `make mpi` build
 * (DN_WITH_MPI), a single process that refuses to run under mpirun otherwise. */
#include "parallel/parallel.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#ifdef DN_WITH_MPI
#include <mpi.h>
#endif

static size_t rank_, size_ = 1;

size_t cli_parallel_rank(void) { return rank_; }
size_t cli_parallel_size(void) { return size_; }

#ifndef DN_WITH_MPI

/* The size and rank an MPI launcher gave this process (OpenMPI, or MPICH/Slurm's PMI), else 1
 * and 0. */
static long launcher_size(long *rank) {
    const char *size = getenv("OMPI_COMM_WORLD_SIZE"), *r = getenv("OMPI_COMM_WORLD_RANK");
    if (size == NULL) size = getenv("PMI_SIZE"), r = getenv("PMI_RANK");
    *rank = r ? strtol(r, NULL, 10) : 0;
    return size ? strtol(size, NULL, 10) : 1;
}

int cli_parallel_init(int *argc, char ***argv, const char *command) {
    (void)argc, (void)argv, (void)command;
    long rank, size = launcher_size(&rank);
    if (size <= 1) return 0;
    if (rank == 0)
        fprintf(stderr, "dropnet: error: started by mpirun as one of %ld processes, but this "
                        "dropnet was built without MPI: each process would train its own copy. "
                        "Build the MPI version with `make mpi` and run build-mpi/dropnet under "
                        "mpirun, or run this one without mpirun\n", size);
    return 2;
}

int cli_parallel_exit(int code, const char *message) {
    (void)message;
    return code;
}

int cli_parallel_built_with_mpi(void) { return 0; }
int cli_parallel_all_ok(int code) { return code; }
const char *cli_parallel_host(void) { return ""; }
const dn_reducer *cli_parallel_reducer(void) { return NULL; }
void cli_parallel_barrier(void) {}
int cli_parallel_agree(uint64_t value) {
    (void)value;
    return 1;
}

#else /* DN_WITH_MPI */

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int data_parallel_command(const char *command) {
    return command != NULL && (strcmp(command, "train") == 0 || strcmp(command, "compare") == 0);
}

static char host_[MPI_MAX_PROCESSOR_NAME];
static double reduce_seconds, reduce_bytes; /* in the gradient sums: DROPNET_MPI_STATS */
static size_t reduce_calls;
static double timeout_seconds = 60.0;
static dn_reducer reducer_;
static int reporter_ = -1; /* after a failed cli_parallel_all_ok: the rank whose error is shown */

int cli_parallel_built_with_mpi(void) { return 1; }
const char *cli_parallel_host(void) { return host_; }

int cli_parallel_all_ok(int code) {
    if (size_ == 1) return code;
    int first = code != 0 ? (int)rank_ : (int)size_; /* the lowest failing rank, or size_ */
    if (MPI_Allreduce(MPI_IN_PLACE, &first, 1, MPI_INT, MPI_MIN, MPI_COMM_WORLD) != MPI_SUCCESS)
        return code != 0 ? code : 1;
    if (first == (int)size_) return 0;
    reporter_ = first;
    return code != 0 ? code : -1;
}

/* A collective that did not finish in time: some rank died or stalls. Nothing can continue. */
static void give_up(const char *what) {
    fprintf(stderr, "dropnet: error: rank %zu on %s: %s did not complete within %.0f s (a rank "
                    "died or stalls; DROPNET_MPI_TIMEOUT sets the limit); ending the job. The "
                    "last checkpoint, if any, is intact: continue with --resume\n",
            rank_, host_, what, timeout_seconds);
    fflush(stderr);
    MPI_Abort(MPI_COMM_WORLD, 1);
}

/* Waits for `request` with the deadline, yielding the core between tests (ranks may share
 * cores with each other and with OpenMP threads). */
static dn_status wait_for(MPI_Request *request, const char *what, dn_error *err) {
    double deadline = now() + timeout_seconds;
    for (unsigned spins = 0;; ++spins) {
        int done = 0, rc = MPI_Test(request, &done, MPI_STATUS_IGNORE);
        if (rc != MPI_SUCCESS) {
            char text[MPI_MAX_ERROR_STRING];
            int len = 0;
            MPI_Error_string(rc, text, &len);
            if (err != NULL) {
                err->status = DN_ERR_IO;
                snprintf(err->message, sizeof err->message, "rank %zu on %.64s: %.40s failed: %.120s",
                         rank_, host_, what, text);
            }
            return DN_ERR_IO;
        }
        if (done) return DN_OK;
        if (spins > 1000) {
            if (now() > deadline) give_up(what);
            struct timespec pause = {0, 50000}; /* 50 µs */
            nanosleep(&pause, NULL);
        }
    }
}

static dn_status allreduce(void *values, size_t count, MPI_Datatype type, MPI_Op op,
                           const char *what, dn_error *err) {
    MPI_Request request;
    if (MPI_Iallreduce(MPI_IN_PLACE, values, (int)count, type, op, MPI_COMM_WORLD, &request) !=
        MPI_SUCCESS) {
        if (err != NULL) {
            err->status = DN_ERR_IO;
            snprintf(err->message, sizeof err->message, "rank %zu on %.64s: %.40s could not start",
                     rank_, host_, what);
        }
        return DN_ERR_IO;
    }
    return wait_for(&request, what, err);
}

/* Integer sums are exact, so the library's order does not matter. */
static dn_status sum_int64(int64_t *values, size_t count, void *user, dn_error *err) {
    (void)user;
    double start = now();
    dn_status st = allreduce(values, count, MPI_INT64_T, MPI_SUM, "the gradient sum", err);
    reduce_seconds += now() - start;
    reduce_bytes += (double)count * sizeof *values;
    reduce_calls++;
    return st;
}

static dn_status max_double(double *values, size_t count, void *user, dn_error *err) {
    (void)user;
    return allreduce(values, count, MPI_DOUBLE, MPI_MAX, "the gradient scale", err);
}

/* Float sums in rank order, whatever the library's reduction algorithm: gather, then add. */
static dn_status sum_double(double *values, size_t count, void *user, dn_error *err) {
    (void)user;
    double *all = malloc(count * size_ * sizeof *all);
    if (all == NULL) return DN_ERR_MEMORY;
    MPI_Request request;
    dn_status st = DN_OK;
    if (MPI_Iallgather(values, (int)count, MPI_DOUBLE, all, (int)count, MPI_DOUBLE,
                       MPI_COMM_WORLD, &request) != MPI_SUCCESS)
        st = DN_ERR_IO;
    if (st == DN_OK) st = wait_for(&request, "the metric sum", err);
    for (size_t i = 0; st == DN_OK && i < count; ++i) {
        double sum = 0.0;
        for (size_t r = 0; r < size_; ++r) sum += all[r * count + i];
        values[i] = sum;
    }
    free(all);
    return st;
}

int cli_parallel_init(int *argc, char ***argv, const char *command) {
    int provided, rank, size, len = 0;
    /* OpenMP threads inside a rank never call MPI. */
    if (MPI_Init_thread(argc, argv, MPI_THREAD_FUNNELED, &provided) != MPI_SUCCESS) {
        fprintf(stderr, "dropnet: error: MPI_Init failed\n");
        return 1;
    }
    MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    MPI_Get_processor_name(host_, &len);
    rank_ = (size_t)rank;
    size_ = (size_t)size;
    const char *limit = getenv("DROPNET_MPI_TIMEOUT");
    if (limit != NULL && atof(limit) > 0.0) timeout_seconds = atof(limit);
    reducer_ = (dn_reducer){.rank = rank_, .workers = size_, .sum_int64 = sum_int64,
                            .max_double = max_double, .sum_double = sum_double};
    if (rank_ != 0 && freopen("/dev/null", "w", stdout) == NULL) return 1;
    if (size_ > 1 && !data_parallel_command(command)) {
        if (rank_ == 0)
            fprintf(stderr, "dropnet: error: only train and compare run data-parallel; run "
                            "'%s' without mpirun (or with -np 1)\n", command ? command : "");
        MPI_Finalize();
        return 2;
    }
    return 0;
}

int cli_parallel_exit(int code, const char *message) {
    if (code == 0 && rank_ == 0 && getenv("DROPNET_MPI_STATS") != NULL) /* for bench/mpi.sh */
        fprintf(stderr, "{\"mpi_ranks\":%zu,\"gradient_sums\":%zu,\"bytes_per_sum\":%.0f,"
                        "\"seconds_in_sums\":%.6f}\n", size_, reduce_calls,
                reduce_calls ? reduce_bytes / (double)reduce_calls : 0.0, reduce_seconds);
    if (code == 0) {
        MPI_Finalize();
        return 0;
    }
    fflush(stdout);
    fflush(stderr);
    if (size_ == 1 || reporter_ >= 0) { /* alone, or every rank stops here together */
        if (reporter_ > 0 && (size_t)reporter_ == rank_) {
            fprintf(stderr, "dropnet: error: rank %zu on %s: %s\n", rank_, host_,
                    message && message[0] ? message : "failed");
            fflush(stderr);
        }
        MPI_Finalize();
        return code;
    }
    if (rank_ != 0) {
        sleep(2); /* the same failure on rank 0 ends the job first, with its one message */
        fprintf(stderr, "dropnet: error: rank %zu on %s: %s\n", rank_, host_,
                message && message[0] ? message : "failed");
        fflush(stderr);
    }
    MPI_Abort(MPI_COMM_WORLD, code);
    return code;
}

const dn_reducer *cli_parallel_reducer(void) { return size_ > 1 ? &reducer_ : NULL; }

void cli_parallel_barrier(void) {
    if (size_ > 1) MPI_Barrier(MPI_COMM_WORLD);
}

int cli_parallel_agree(uint64_t value) {
    if (size_ == 1) return 1;
    uint64_t range[2] = {value, ~value}; /* max of v and of ~v: min and max in one call */
    if (MPI_Allreduce(MPI_IN_PLACE, range, 2, MPI_UINT64_T, MPI_MAX, MPI_COMM_WORLD) !=
        MPI_SUCCESS)
        return 0;
    return range[0] == value && ~range[1] == value;
}

#endif
