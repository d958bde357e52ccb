/* threads.h — how many OpenMP threads a piece of work gets (internal). */
#ifndef DN_CORE_THREADS_H
#define DN_CORE_THREADS_H

#include <stddef.h>

/* The team size for `work` items when `requested` threads were asked for (≤ 0: all cores):
 * 1 below `min_work` items, where starting a team costs more than it saves. Always ≥ 1, and 1
 * in a build without OpenMP. */
int dni_threads_for(int requested, size_t work, size_t min_work);

/* `requested` resolved: ≤ 0 → the number of cores OpenMP would use; 1 without OpenMP. */
int dni_threads_resolve(int requested);

#endif
