/* test_output_policy.c — the output policy of dn_write_file_atomic and dn_check_outputs (issue
 * 12): modes, symlinks, FIFOs, devices, descriptors, same-file refusal, signal cleanup. */
#include "test.h"

#include "dropnet.h"
#include "io/output_path.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static char dir[64];

static void setup(void) {
    snprintf(dir, sizeof dir, "/tmp/dn-outputs-XXXXXX");
    CHECK(mkdtemp(dir) != NULL);
}

static void path_in(char *out, size_t size, const char *name) {
    snprintf(out, size, "%s/%s", dir, name);
}

/* Entries of `d` whose name contains `part` (all when NULL). */
static int count_entries(const char *d, const char *part) {
    DIR *h = opendir(d);
    if (h == NULL) return -1;
    int n = 0;
    for (struct dirent *e; (e = readdir(h)) != NULL;)
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..") && (!part || strstr(e->d_name, part)))
            n++;
    closedir(h);
    return n;
}

static dn_status write_hello(FILE *f, void *context, dn_error *err) {
    (void)err;
    fputs(context ? (const char *)context : "hello\n", f);
    return DN_OK;
}

static int read_text(const char *path, char *buf, size_t size) {
    FILE *f = fopen(path, "rb");
    if (f == NULL) return 0;
    size_t n = fread(buf, 1, size - 1, f);
    buf[n] = '\0';
    fclose(f);
    return 1;
}

static void write_text(const char *path, const char *text) {
    FILE *f = fopen(path, "wb");
    if (CHECK(f != NULL)) {
        fputs(text, f);
        fclose(f);
    }
}

TEST(output_new_file_follows_umask_existing_keeps_mode) {
    setup();
    char p[256], q[256], buf[64];
    dn_error err;
    path_in(p, sizeof p, "new.txt");
    mode_t old = umask(027);
    CHECK_OK(dn_write_file_atomic(p, write_hello, NULL, &err), &err);
    umask(old);
    struct stat s;
    CHECK(stat(p, &s) == 0 && (s.st_mode & 0777) == 0640);

    path_in(q, sizeof q, "private.txt");
    write_text(q, "old\n");
    CHECK(chmod(q, 0600) == 0);
    CHECK_OK(dn_write_file_atomic(q, write_hello, NULL, &err), &err);
    CHECK(stat(q, &s) == 0 && (s.st_mode & 0777) == 0600);
    CHECK(read_text(q, buf, sizeof buf) && strcmp(buf, "hello\n") == 0);

    /* A read-only file is refused (as a shell redirection would), unless root may write it. */
    CHECK(chmod(q, 0444) == 0);
    dn_status st = dn_write_file_atomic(q, write_hello, "new\n", &err);
    if (geteuid() != 0) {
        CHECK(st == DN_ERR_IO && strstr(err.message, "Permission denied") != NULL);
        CHECK(read_text(q, buf, sizeof buf) && strcmp(buf, "hello\n") == 0);
    } else {
        CHECK(st == DN_OK && stat(q, &s) == 0 && (s.st_mode & 0777) == 0444);
    }
    CHECK(count_entries(dir, ".tmp.") == 0);
    CHECK(dn_test_remove_dir(dir));
}

TEST(output_symlink_is_written_through) {
    setup();
    char target[256], link[256], dangling[256], buf[64];
    dn_error err;
    path_in(target, sizeof target, "target.txt");
    path_in(link, sizeof link, "link.txt");
    write_text(target, "old\n");
    CHECK(symlink("target.txt", link) == 0);
    CHECK_OK(dn_write_file_atomic(link, write_hello, NULL, &err), &err);
    struct stat s;
    CHECK(lstat(link, &s) == 0 && S_ISLNK(s.st_mode));
    CHECK(read_text(target, buf, sizeof buf) && strcmp(buf, "hello\n") == 0);

    /* A dangling link: its target is created where the link points. */
    path_in(dangling, sizeof dangling, "dangling.txt");
    CHECK(symlink("made.txt", dangling) == 0);
    CHECK_OK(dn_write_file_atomic(dangling, write_hello, "made\n", &err), &err);
    path_in(target, sizeof target, "made.txt");
    CHECK(lstat(dangling, &s) == 0 && S_ISLNK(s.st_mode));
    CHECK(read_text(target, buf, sizeof buf) && strcmp(buf, "made\n") == 0);

    /* A loop is refused with the system's reason. */
    path_in(link, sizeof link, "loop");
    CHECK(symlink("loop", link) == 0);
    CHECK(dn_write_file_atomic(link, write_hello, NULL, &err) == DN_ERR_IO);
    CHECK_MSG(strstr(err.message, "symbolic links") != NULL, "got %s", err.message);
    CHECK(count_entries(dir, ".tmp.") == 0);
    CHECK(dn_test_remove_dir(dir));
}

TEST(output_fifo_and_devices_are_written_in_place) {
    setup();
    char fifo[256], got[256], buf[64];
    dn_error err;
    path_in(fifo, sizeof fifo, "pipe");
    path_in(got, sizeof got, "got.txt");
    CHECK(mkfifo(fifo, 0600) == 0);
    pid_t child = fork();
    if (child == 0) { /* reader: copies the FIFO into got.txt */
        FILE *in = fopen(fifo, "rb"), *out = fopen(got, "wb");
        int c;
        while (in && out && (c = fgetc(in)) != EOF) fputc(c, out);
        _exit(in && out && fclose(out) == 0 ? 0 : 1);
    }
    CHECK_OK(dn_write_file_atomic(fifo, write_hello, "through the pipe\n", &err), &err);
    int status = 0;
    CHECK(waitpid(child, &status, 0) == child && WIFEXITED(status) && WEXITSTATUS(status) == 0);
    struct stat s;
    CHECK(lstat(fifo, &s) == 0 && S_ISFIFO(s.st_mode));
    CHECK(read_text(got, buf, sizeof buf) && strcmp(buf, "through the pipe\n") == 0);

    /* Devices are classified as streams before anything is written (so even as root a
     * regression could not rename over them here), then written in place. */
    dn_output_target t;
    CHECK_OK(dni_output_resolve("/dev/null", &t, &err), &err);
    CHECK(t.kind == DN_OUTPUT_STREAM);
    dni_output_target_free(&t);
    CHECK_OK(dn_write_file_atomic("/dev/null", write_hello, NULL, &err), &err);
    CHECK(stat("/dev/null", &s) == 0 && S_ISCHR(s.st_mode));
    if (dni_output_resolve("/dev/full", &t, &err) == DN_OK && CHECK(t.kind == DN_OUTPUT_STREAM)) {
        CHECK(dn_write_file_atomic("/dev/full", write_hello, NULL, &err) == DN_ERR_IO);
        CHECK_MSG(strstr(err.message, "No space left on device") != NULL, "got %s", err.message);
        CHECK(stat("/dev/full", &s) == 0 && S_ISCHR(s.st_mode));
    }
    dni_output_target_free(&t);

    /* /dev/fd/N writes to the open descriptor (here a pipe), never reopens or renames. */
    int fds[2];
    if (CHECK(pipe(fds) == 0)) {
        char name[32];
        snprintf(name, sizeof name, "/dev/fd/%d", fds[1]);
        CHECK_OK(dn_write_file_atomic(name, write_hello, "via fd\n", &err), &err);
        close(fds[1]);
        ssize_t n = read(fds[0], buf, sizeof buf - 1);
        buf[n > 0 ? n : 0] = '\0';
        CHECK(strcmp(buf, "via fd\n") == 0);
        close(fds[0]);
    }
    CHECK(dni_output_resolve("/dev/stdout", &t, &err) == DN_OK && t.kind == DN_OUTPUT_FD &&
          t.fd == 1);
    dni_output_target_free(&t);
    CHECK(dn_test_remove_dir(dir));
}

/* The child starts a save, and its writer raises `sig` half-way: the process must die of that
 * signal and leave no temporary file. `own_handler` uses an application handler calling
 * dn_remove_temp_files instead of dn_install_temp_cleanup. */
static void on_signal_remove(int sig) {
    dn_remove_temp_files();
    _exit(128 + sig);
}

static dn_status write_then_raise(FILE *f, void *context, dn_error *err) {
    (void)err;
    for (int i = 0; i < 100000; ++i) fputs("0123456789", f);
    fflush(f);
    raise(*(int *)context);
    return DN_OK;
}

static void check_signal_cleanup(int sig, int own_handler) {
    setup();
    char p[256];
    path_in(p, sizeof p, "model.bin");
    pid_t child = fork();
    if (child == 0) {
        /* The default action first: a suite started in the background (`cmd &` in a script,
         * nohup) inherits SIGINT, SIGQUIT or SIGHUP ignored, which dn_install_temp_cleanup
         * rightly leaves alone — the case this test is not about. */
        signal(sig, SIG_DFL);
        if (own_handler) signal(sig, on_signal_remove);
        else if (dn_install_temp_cleanup() < 4) _exit(3);
        dn_error err;
        dn_write_file_atomic(p, write_then_raise, &sig, &err);
        _exit(4); /* the signal should have ended the process */
    }
    int status = 0;
    CHECK(waitpid(child, &status, 0) == child);
    if (own_handler)
        CHECK_MSG(WIFEXITED(status) && WEXITSTATUS(status) == 128 + sig, "status %d", status);
    else
        CHECK_MSG(WIFSIGNALED(status) && WTERMSIG(status) == sig, "signal %d: status %d", sig,
                  status);
    CHECK_MSG(count_entries(dir, NULL) == 0, "signal %d left %d files", sig,
              count_entries(dir, NULL));
    CHECK(dn_test_remove_dir(dir));
}

TEST(output_temp_files_removed_on_signals) {
    const int sigs[] = {SIGINT, SIGTERM, SIGHUP, SIGPIPE, SIGQUIT, SIGXFSZ};
    for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; ++i) check_signal_cleanup(sigs[i], 0);
    check_signal_cleanup(SIGINT, 1);
    check_signal_cleanup(SIGTERM, 1);
}

TEST(check_outputs_refuses_inputs_and_unwritable_places) {
    setup();
    char in[256], hard[256], lnk[256], missing[300], sub[256], fresh[256];
    dn_error err;
    path_in(in, sizeof in, "train.csv");
    write_text(in, "a,b\n1,0\n");
    path_in(hard, sizeof hard, "hard.csv");
    CHECK(link(in, hard) == 0);
    path_in(lnk, sizeof lnk, "sym.csv");
    CHECK(symlink("train.csv", lnk) == 0);
    const char *inputs[] = {"/nonexistent/x", in};

    const char *same[] = {in}, *via_hard[] = {hard}, *via_link[] = {lnk};
    CHECK(dn_check_outputs(same, 1, inputs, 2, &err) == DN_ERR_ARGUMENT);
    CHECK_MSG(strstr(err.message, "same file as input") != NULL, "got %s", err.message);
    CHECK(dn_check_outputs(via_hard, 1, inputs, 2, &err) == DN_ERR_ARGUMENT);
    CHECK(dn_check_outputs(via_link, 1, inputs, 2, &err) == DN_ERR_ARGUMENT);

    path_in(fresh, sizeof fresh, "model.safetensors");
    const char *ok[] = {fresh, NULL, "/dev/null", "/dev/null"};
    CHECK_OK(dn_check_outputs(ok, 4, inputs, 2, &err), &err);
    const char *twice[] = {fresh, fresh};
    CHECK(dn_check_outputs(twice, 2, NULL, 0, &err) == DN_ERR_ARGUMENT);

    path_in(missing, sizeof missing, "no-such-dir/out.csv");
    const char *in_missing[] = {missing};
    CHECK(dn_check_outputs(in_missing, 1, NULL, 0, &err) == DN_ERR_IO);
    CHECK_MSG(strstr(err.message, "No such file or directory") != NULL, "got %s", err.message);

    path_in(sub, sizeof sub, "sub");
    CHECK(mkdir(sub, 0700) == 0);
    const char *a_dir[] = {sub};
    CHECK(dn_check_outputs(a_dir, 1, NULL, 0, &err) == DN_ERR_IO);
    CHECK(strstr(err.message, "is a directory") != NULL);

    /* Too long: the whole path is measured, not a truncated copy. */
    static char longer[5000];
    memset(longer, 'a', sizeof longer - 1);
    longer[0] = '/';
    const char *too_long[] = {longer};
    CHECK(dn_check_outputs(too_long, 1, NULL, 0, &err) == DN_ERR_ARGUMENT);
    CHECK_MSG(strstr(err.message, "4999 bytes long") != NULL, "got %s", err.message);
    char name300[400];
    snprintf(name300, sizeof name300, "%s/%0300d", dir, 7);
    const char *long_name[] = {name300};
    CHECK(dn_check_outputs(long_name, 1, NULL, 0, &err) == DN_ERR_ARGUMENT);
    CHECK(strstr(err.message, "the limit is 255") != NULL);

    /* A directory without write permission (root may write anyway). */
    CHECK(chmod(sub, 0500) == 0);
    char inside[300];
    snprintf(inside, sizeof inside, "%s/out.csv", sub);
    const char *locked[] = {inside};
    dn_status st = dn_check_outputs(locked, 1, NULL, 0, &err);
    CHECK(geteuid() == 0 ? st == DN_OK : st == DN_ERR_IO);
    CHECK(chmod(sub, 0700) == 0);

    /* Standard input as an input: a file redirected to stdin is that input. */
    int saved = dup(0), fd = open(in, O_RDONLY);
    if (CHECK(saved >= 0 && fd >= 0) && CHECK(dup2(fd, 0) == 0)) {
        const char *stdin_in[] = {"-"};
        CHECK(dn_check_outputs(same, 1, stdin_in, 1, &err) == DN_ERR_ARGUMENT);
        dup2(saved, 0);
    }
    if (fd >= 0) close(fd);
    if (saved >= 0) close(saved);
    CHECK(dn_test_remove_dir(dir));
}

/* Through the binary: predict --out a symlink, /dev/stdout and a FIFO. */
TEST(output_policy_through_predict) {
    setup();
    static char out[1 << 15];
    char p[256], real[256], buf[256];
    path_in(p, sizeof p, "train.csv");
    FILE *f = fopen(p, "w");
    if (!CHECK(f != NULL)) return;
    fputs("a,b,label\n", f);
    for (int i = 0; i < 40; ++i) fprintf(f, "%d,%d,%s\n", i % 2, (i / 2) % 2, i % 2 ? "x" : "y");
    fclose(f);
    CHECK(dn_test_cli_in(dir, out, sizeof out, "train --train train.csv --model dense:2:softmax "
                         "--epochs 1 --out m.safetensors") == 0);
    CHECK(symlink("real.csv", (path_in(p, sizeof p, "link.csv"), p)) == 0);
    CHECK(dn_test_cli_in(dir, out, sizeof out, "predict --model m.safetensors --data train.csv "
                         "--out link.csv") == 0);
    struct stat s;
    path_in(real, sizeof real, "real.csv");
    CHECK(lstat(p, &s) == 0 && S_ISLNK(s.st_mode));
    CHECK(read_text(real, buf, sizeof buf) && strncmp(buf, "predicted,", 10) == 0);

    CHECK(dn_test_cli_in(dir, out, sizeof out, "predict --model m.safetensors --data train.csv "
                         "--out /dev/stdout") == 0);
    CHECK_MSG(strstr(out, "predicted,p_x,p_y") != NULL, "got %s", out);

    path_in(p, sizeof p, "fifo");
    CHECK(mkfifo(p, 0600) == 0);
    CHECK(dn_test_cli_in(dir, out, sizeof out, "predict --model m.safetensors --data train.csv "
                         "--out fifo & cat %s/fifo > %s/from-fifo.csv; wait $!", dir, dir) == 0);
    CHECK(lstat(p, &s) == 0 && S_ISFIFO(s.st_mode));
    path_in(p, sizeof p, "from-fifo.csv");
    CHECK(read_text(p, buf, sizeof buf) && strncmp(buf, "predicted,", 10) == 0);
    CHECK(count_entries(dir, ".tmp.") == 0);
    CHECK(dn_test_remove_dir(dir));
}
