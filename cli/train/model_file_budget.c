/* model_file_budget.c — --max-memory for --init and the checkpoint --resume loads, decided from
 * the file's header before its tensors are read: a 64 MB --init under --max-memory 10M peaked
 * at 258 MB when this was checked only after loading, and the file size misjudges both ways (a
 * compiled model holds four floats per stored one; junk past the tensors takes nothing). */
#include "train/model_file_budget.h"

#include "common/cli_error.h"

#include "dropnet.h"

int cli_model_file_fits(const char *what, const char *path, size_t bytes_left,
                        const char *max_memory) {
    size_t need;
    dn_error err;
    if (bytes_left == 0 || dn_model_file_memory(path, &need, &err) != DN_OK || need <= bytes_left)
        return 0;
    return cli_error(-1, "--max-memory %s: %s %s needs %.1f MiB to load (its header declares "
                        "the tensors; a loaded model holds weights, gradients and the optimizer's "
                        "two slabs), more than the %.1f MiB left after the data", max_memory, what,
                     path, (double)need / 1048576.0, (double)bytes_left / 1048576.0);
}
