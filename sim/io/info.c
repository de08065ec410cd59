/*
 * info.c - a readable summary of an ipsim result file (ipsim_output_info),
 * as printed by `ipsim info`: checks the file, and hands it by its root
 * attribute ipsim_kind to the run summary (info_run.c), the sweep report
 * (experiment/report.c) or the generic listing (info_list.c).
 *
 * Only a regular file is opened (a FIFO or device is refused at once); a
 * run file is checked whole (info_check.c) before its summary reads
 * anything, and one that fails the check is IPSIM_ERR_DATA. The file is
 * opened read-only with HDF5's error printing switched off for the
 * duration of the call; nothing is printed, the text is returned.
 */
#define _POSIX_C_SOURCE 200809L

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <hdf5.h>

#include "ipsim/experiment.h"
#include "ipsim/ipsim.h"
#include "io/h5util.h"
#include "io/info.h"
#include "io/info_posterior.h"
#include "io/safe_file.h"

typedef ipsim_textbuf sbuf;

/* ---- entry point -------------------------------------------------------- */

/* IPSIM_ERR_NOINPUT unless path is a readable regular file (a FIFO,
 * device or directory is refused at once, never opened for reading). */
static ipsim_status check_readable(const char *path, char *err, size_t errlen)
{
    ipsim_status st;
    int fd = ipsim__safe_open_input(path, O_RDONLY, 0, "result file", &st, err, errlen);
    if (fd >= 0)
        close(fd);
    return st;
}

static ipsim_status summarize(const char *path, sbuf *b, char *err, size_t errlen)
{
    hid_t f = ipsim_h5_open_readonly(path);
    if (f < 0 || H5Aexists(f, "ipsim_version") <= 0) {
        if (f >= 0)
            H5Fclose(f);
        ipsim_set_error(err, errlen, "%s: not an ipsim result file", path);
        return IPSIM_ERR_DATA;
    }
    char kind[64];
    if (ipsim_h5_attr_text(f, "ipsim_kind", kind, sizeof kind) == 0 && strcmp(kind, "sweep") == 0) {
        char *text = NULL;
        H5Fclose(f);
        ipsim_status st = ipsim_sweep_report(path, &text, err, errlen);
        if (st == IPSIM_OK)
            ipsim_textbuf_printf(b, "%s", text);
        free(text);
        return st;
    }
    if (ipsim_h5_attr_text(f, "ipsim_kind", kind, sizeof kind) == 0 && strcmp(kind, "run") != 0) {
        if (strcmp(kind, "posterior") == 0)
            ipsim__info_posterior(b, f, path);
        else if (strcmp(kind, "optimize") == 0)
            ipsim__info_optimize(b, f, path);
        else
            ipsim__info_list(b, f, path, kind);
        H5Fclose(f);
        return IPSIM_OK;
    }
    char why[256] = "";
    if (ipsim__info_check_run(f, why, sizeof why) < 0) {
        H5Fclose(f);
        ipsim_set_error(err, errlen, "%s: not a valid ipsim run file: %s", path, why);
        return IPSIM_ERR_DATA;
    }
    ipsim__info_run(b, f, path);
    H5Fclose(f);
    return IPSIM_OK;
}

ipsim_status ipsim_output_info(const char *path, char **text, char *err, size_t errlen)
{
    if (text)
        *text = NULL;
    if (!path || !*path || !text) {
        ipsim_set_error(err, errlen, "ipsim_output_info: no path or no result pointer");
        return IPSIM_ERR_USAGE;
    }
    ipsim_status st = check_readable(path, err, errlen);
    if (st != IPSIM_OK)
        return st;
    ipsim_h5_quiet quiet;
    ipsim_h5_quiet_begin(&quiet);
    sbuf b = {0};
    st = summarize(path, &b, err, errlen);
    ipsim_h5_quiet_end(&quiet);
    if (st == IPSIM_OK && (b.oom || !b.p)) {
        ipsim_set_error(err, errlen, "%s: out of memory", path);
        st = IPSIM_ERR_NOMEM;
    }
    if (st == IPSIM_OK)
        *text = b.p;
    else
        free(b.p);
    return st;
}
