/* parallel.h — the tool's data-parallel glue: this process alone, or one rank of an MPI job
 * (`make mpi` builds with -DDN_WITH_MPI; docs/SCALING.md). The lowest layer of cli/: it uses
 * only the library's public header, and nothing above it in cli/.
 *
 * One voice: rank 0 alone prints and writes files. cli_parallel_init sends the other ranks'
 * stdout to /dev/null; train's code asks cli_parallel_is_root before writing a file; an error
 * reaches the user once (cli_parallel_exit). */
#ifndef CLI_PARALLEL_H
#define CLI_PARALLEL_H

#include "dropnet.h"

#include <stddef.h>
#include <stdint.h>

/* Joins the MPI job (MPI build), or refuses a plain build started as one of several processes by
 * mpirun (OMPI_COMM_WORLD_SIZE or PMI_SIZE > 1), which would train independent copies. `command`
 * is the subcommand: only train and compare run data-parallel. Returns 0, or an exit status
 * after printing why (the plain build's refusal prints from rank 0 only). */
int cli_parallel_init(int *argc, char ***argv, const char *command);

/* Leaves the job with the command's exit status `code`: 0 finalises MPI and returns 0. A failure
 * is shown once: rank 0's message was printed (by cli_error) and rank 0 ends the job; another
 * rank waits 2 s for rank 0 to do so (the same error on every rank), then prints `message`
 * naming its rank and host and ends the job. Outside MPI, returns `code`. With
 * DROPNET_MPI_STATS set, rank 0 first prints the gradient sums' count, size and time as one JSON
 * line on stderr (bench/mpi.sh reads it). */
int cli_parallel_exit(int code, const char *message);

/* This process's rank and the job's size (0 and 1 outside MPI). */
size_t cli_parallel_rank(void);
size_t cli_parallel_size(void);
static inline int cli_parallel_is_root(void) { return cli_parallel_rank() == 0; }

/* Whether this is an MPI build (then train always runs fit's reproducible mode, so that any
 * number of ranks, and a resume on another number, gives the same weights). */
int cli_parallel_built_with_mpi(void);

/* The reducer for dn_model_fit and dn_model_evaluate_reduced: NULL outside an MPI job of more
 * than one rank. Its collectives give up after DROPNET_MPI_TIMEOUT seconds (default 60) and end
 * the job with a message naming the rank and host, so a stalled rank cannot hang the others. */
const dn_reducer *cli_parallel_reducer(void);

/* Waits for every rank (no timeout: ranks may take long to load data). */
void cli_parallel_barrier(void);

/* A point every rank reaches whether it failed or not (the end of loading, of building): `code`
 * is this rank's status so far (0: fine). Returns 0 when every rank succeeded, else a non-zero
 * status on every rank, so that they all stop together before any file is written (a --log
 * opened by rank 0 for a job another rank cannot run). The error shown is the lowest failing
 * rank's, once: rank 0 printed its own already; another rank's is printed by cli_parallel_exit,
 * naming the rank and host, at once (no grace, no MPI_Abort). No timeout: ranks may take long to
 * load data. 0 or `code` outside MPI. */
int cli_parallel_all_ok(int code);

/* This process's host name ("" outside MPI), for error lines. */
const char *cli_parallel_host(void);

/* Whether `value` is the same on every rank (1 outside MPI). */
int cli_parallel_agree(uint64_t value);

#endif
