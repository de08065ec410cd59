/*
 * files.c - the files a command of the `ipsim` program reads and writes:
 * a scenario loaded with the --set overrides of the command line (and a hint
 * when that fails), and the output path, checked before any work so that a
 * long run never ends in "cannot create the output".
 */
#define _GNU_SOURCE /* mkstemp */

#include "cli/files.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/console.h"

#define HINT_LEN 512
#define PROBE_SUFFIX "/.ipsim-probe-XXXXXX"
#define PROBE_EXTRA 48 /* room for PROBE_SUFFIX and the NUL after a directory name */

int cli_load_scenario(const char *path, const cli_options *o, int hint_validate, ipsim_scenario **out)
{
    char err[CLI_ERRLEN] = "";
    ipsim_scenario *sc = NULL;
    ipsim_status st = ipsim_scenario_load(path, &sc, err, sizeof err);
    int i;
    if (st != IPSIM_OK) {
        char hint[HINT_LEN] = "";
        if (st == IPSIM_ERR_NOINPUT)
            snprintf(hint, sizeof hint, "check the scenario path ('%s'); scenarios live in scenarios/",
                     path);
        else if (hint_validate)
            snprintf(hint, sizeof hint,
                     "run 'ipsim validate %s' for details, and see "
                     "scenarios/ipsim.schema.json",
                     path);
        else
            snprintf(hint, sizeof hint,
                     "fix the file (see scenarios/ipsim.schema.json, or "
                     "'ipsim schema')");
        return cli_fail(st, err, hint);
    }
    /* every --set at once, validated once: their order never matters */
    err[0] = '\0';
    st = ipsim_scenario_set_all(sc, o->sets, o->n_sets, &i, err, sizeof err);
    if (st != IPSIM_OK) {
        if (*err)
            cli_msg("%s", err); /* the library names the assignment(s) */
        else
            cli_msg("--set %s: %s", i >= 0 ? o->sets[i] : "...", ipsim_strerror(st));
        cli_msg("use --set json.path=value with a path of the resolved scenario "
                "(see 'ipsim resolve %s')",
                path);
        ipsim_scenario_destroy(sc);
        return ipsim_status_exit_code(st == IPSIM_ERR_USAGE ? IPSIM_ERR_DATA : st);
    }
    *out = sc;
    return 0;
}

/* The kind of a file that is not a regular one, for messages. */
static const char *kind_of(mode_t m)
{
    return S_ISLNK(m)    ? "a symbolic link"
           : S_ISFIFO(m) ? "a FIFO (named pipe)"
           : S_ISCHR(m)  ? "a character device"
           : S_ISBLK(m)  ? "a block device"
           : S_ISSOCK(m) ? "a socket"
                         : "not a regular file";
}

/* 0 if dir (the directory part of path) is a directory; else the reason on
 * stderr and the exit code. */
static int check_directory(const char *path, const char *dir)
{
    struct stat st;
    if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
        int e = errno;
        if (stat(dir, &st) == 0)
            cli_msg("%s: cannot create the output: '%s' is not a directory; choose another -o", path,
                    dir);
        else
            cli_msg("%s: cannot create the output: directory '%s' does not exist (%s); create it "
                    "first (mkdir -p '%s') or choose another -o",
                    path, dir, strerror(e), dir);
        return ipsim_status_exit_code(IPSIM_ERR_CANTCREAT);
    }
    return 0;
}

int cli_refuse_csv_output(const char *path)
{
    size_t n = strlen(path);
    if (n < 4 || strcasecmp(path + n - 4, ".csv") != 0)
        return 0;
    cli_msg("%s: ipsim writes HDF5 result files, not CSV; write OUT.h5, then 'ipsim export "
            "OUT.h5 -o DIR' (every table as CSV) or 'ipsim export OUT.h5 -o %s --table NAME'",
            path, path);
    return ipsim_status_exit_code(IPSIM_ERR_USAGE);
}

int cli_check_output_path(const char *path, int force)
{
    struct stat st;
    char *dir, *slash, *probe;
    size_t len;
    int fd, rc;

    if (!*path) {
        cli_msg("-o: empty output path; give a file name such as results/run.h5");
        return ipsim_status_exit_code(IPSIM_ERR_USAGE);
    }
    if ((rc = cli_refuse_csv_output(path)) != 0)
        return rc;
    if (lstat(path, &st) == 0) {
        if (S_ISDIR(st.st_mode)) {
            cli_msg("%s: is a directory; give a file name such as %s/run.h5", path, path);
            return ipsim_status_exit_code(IPSIM_ERR_CANTCREAT);
        }
        if (!S_ISREG(st.st_mode)) { /* symlink, FIFO, device, socket: never replaced */
            cli_msg("%s: is %s, not a regular file; ipsim writes its output only as a new "
                    "file or over a regular file (--force does not change that): remove it or "
                    "choose another -o",
                    path, kind_of(st.st_mode));
            return ipsim_status_exit_code(IPSIM_ERR_CANTCREAT);
        }
        if (!force) {
            cli_msg("%s: already exists; use --force to overwrite it, or choose another -o", path);
            return ipsim_status_exit_code(IPSIM_ERR_EXISTS);
        }
    }
    /* The directory must exist and take a new file: try one. */
    len = strlen(path);
    dir = malloc(len + 2);
    probe = malloc(len + PROBE_EXTRA);
    if (!dir || !probe) {
        free(dir);
        free(probe);
        cli_msg("out of memory");
        return ipsim_status_exit_code(IPSIM_ERR_NOMEM);
    }
    memcpy(dir, path, len + 1);
    slash = strrchr(dir, '/');
    if (!slash)
        strcpy(dir, ".");
    else if (slash == dir)
        dir[1] = '\0';
    else
        *slash = '\0';
    if ((rc = check_directory(path, dir)) != 0) {
        free(dir);
        free(probe);
        return rc;
    }
    snprintf(probe, len + PROBE_EXTRA, "%s" PROBE_SUFFIX, dir);
    fd = mkstemp(probe);
    if (fd < 0) {
        cli_msg("%s: cannot create the output in '%s' (%s); choose a writable directory with -o", path,
                dir, strerror(errno));
        free(dir);
        free(probe);
        return ipsim_status_exit_code(IPSIM_ERR_CANTCREAT);
    }
    close(fd);
    unlink(probe);
    free(dir);
    free(probe);
    return 0;
}
