/* output_check.c — outputs checked up front (output_check.h): the library's dn_check_outputs
 * (its output policy: symlinks resolved hop by hop, devices written in place, path and name
 * lengths, directories, writability, device + inode comparison) run output by output and input by
 * input, so that the message names the options involved. */
#include "common/output_check.h"

#include "common/cli_error.h"

#include "dropnet.h"

#include <string.h>

/* Whether writing `output` would overwrite `input` (the same file after resolving). */
static int same_file(const char *output, const char *input) {
    dn_error err;
    return dn_check_outputs(&output, 1, &input, 1, &err) == DN_ERR_ARGUMENT;
}

int cli_check_outputs(const char *command, const cli_named_file *outputs, size_t n_out,
                      const cli_named_file *inputs, size_t n_in) {
    for (size_t i = 0; i < n_out; ++i) {
        const cli_named_file *o = &outputs[i];
        if (o->path == NULL) continue;
        dn_error err;
        if (dn_check_outputs(&o->path, 1, NULL, 0, &err) != DN_OK)
            return cli_error(-1, "%s: %s: %s", command, o->option, err.message);
        for (size_t j = 0; j < n_in; ++j)
            if (inputs[j].path != NULL && same_file(o->path, inputs[j].path))
                return cli_error(-1, "%s: %s %s is the same file as %s %s: writing it would "
                                    "destroy it; choose another %s", command, o->option, o->path,
                                 inputs[j].option, inputs[j].path, o->option);
        for (size_t j = 0; j < i; ++j) {
            const char *pair[2] = {outputs[j].path, o->path};
            if (pair[0] != NULL && dn_check_outputs(pair, 2, NULL, 0, &err) != DN_OK)
                return cli_error(-1, "%s: %s and %s name the same file %s", command,
                                 outputs[j].option, o->option, o->path);
        }
    }
    return 0;
}
