/* epoch_log.c — JSON lines for --log, every write checked (epoch_log.h). */
#include "common/epoch_log.h"

#include "common/cli_error.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

int cli_epoch_log_open(cli_epoch_log *log, const char *path) {
    *log = (cli_epoch_log){.file = NULL, .path = path, .failed = 0};
    if (path == NULL) return 0;
    /* Not O_TRUNC: the file is emptied only once this run holds its lock. */
    int fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0666);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) != 0) {
        int cause = errno;
        if (fd >= 0) close(fd);
        return cli_error(-1, "cannot write log file %s: %s", path, strerror(cause));
    }
    if (S_ISREG(st.st_mode)) {
        if (flock(fd, LOCK_EX | LOCK_NB) != 0 && errno == EWOULDBLOCK) {
            close(fd);
            return cli_error(-1, "log file %s is in use by another dropnet run; give this run "
                                "another --log", path);
        }
        if (ftruncate(fd, 0) != 0) {
            int cause = errno;
            close(fd);
            return cli_error(-1, "cannot empty log file %s: %s", path, strerror(cause));
        }
    }
    if ((log->file = fdopen(fd, "w")) == NULL) {
        int cause = errno;
        close(fd);
        return cli_error(-1, "cannot write log file %s: %s", path, strerror(cause));
    }
    return 0;
}

static void number(FILE *out, const char *key, double v) {
    if (isfinite(v)) fprintf(out, ",\"%s\":%.9g", key, v);
    else fprintf(out, ",\"%s\":null", key);
}

void cli_epoch_log_write(cli_epoch_log *log, const dn_epoch_metrics *m) {
    cli_epoch_log_write_metrics(log, m, NULL);
}

void cli_epoch_log_write_test(cli_epoch_log *log, double loss, double accuracy,
                              const cli_regression_metrics *reg) {
    if (log->file == NULL || log->failed) return;
    FILE *out = log->file;
    fprintf(out, "{\"test_loss\":%.9g", loss);
    if (reg == NULL) number(out, "test_accuracy", accuracy);
    else {
        number(out, "test_mae", reg->mae);
        number(out, "test_rmse", reg->rmse);
        number(out, "test_r2", reg->r2);
    }
    fputs("}\n", out);
    cli_epoch_log_flush(log);
}

void cli_epoch_log_write_metrics(cli_epoch_log *log, const dn_epoch_metrics *m,
                                 const cli_regression_metrics *val) {
    if (log->file == NULL || log->failed) return;
    FILE *out = log->file;
    fprintf(out, "{\"epoch\":%zu", m->epoch);
    number(out, "loss", m->loss);
    number(out, "accuracy", m->accuracy);
    number(out, "val_loss", m->val_loss);
    number(out, "val_accuracy", m->val_accuracy);
    if (val != NULL) {
        number(out, "val_mae", val->mae);
        number(out, "val_rmse", val->rmse);
        number(out, "val_r2", val->r2);
    }
    number(out, "seconds", m->seconds);
    fputs("}\n", out);
    cli_epoch_log_flush(log);
}

void cli_epoch_log_flush(cli_epoch_log *log) {
    if (log->file == NULL || log->failed) return;
    errno = 0;
    if (fflush(log->file) != 0 || ferror(log->file)) {
        log->failed = 1;
        cli_error(-1, "cannot write log file %s: %s (training goes on without it)", log->path,
                  errno ? strerror(errno) : "write error");
    }
}

int cli_epoch_log_close(cli_epoch_log *log) {
    if (log->file == NULL) return log->failed ? -1 : 0;
    errno = 0;
    int closed = fclose(log->file) == 0; /* also releases the lock */
    log->file = NULL;
    if (!closed && !log->failed) {
        log->failed = 1;
        cli_error(-1, "cannot write log file %s: %s", log->path, errno ? strerror(errno) : "write error");
    }
    return log->failed ? -1 : 0;
}
