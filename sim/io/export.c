/*
 * export.c - the CSV export of a result file (include/ipsim/export.h): opens
 * the file, plans its tables (export_plan.c), picks those asked for, and
 * writes them (export_csv.c) with the README (export_readme.c), safely.
 *
 * Safe writing: every file is created with O_CREAT|O_EXCL|O_NOFOLLOW, so
 * nothing is written through a symbolic link or over a file that appeared
 * meanwhile. A directory export is written into a new directory
 * OUT.tmp-<pid>, synced, and renamed to OUT, which must be absent, empty, or
 * (with force) hold only a previous export; OUT itself may not be a link.
 * A one-file export is written to FILE.tmp-<pid> and renamed to FILE. On any
 * failure what was written is removed, and OUT is as it was.
 */
#define _GNU_SOURCE /* openat, fdopendir, O_NOFOLLOW, O_DIRECTORY */

#include "ipsim/export.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <hdf5.h>

#include "base/textbuf.h"
#include "io/export.h"
#include "io/h5util.h"

#define WRITE_BUFFER (1 << 20) /* stdio buffer of each file written */
#define FILE_MODE 0666         /* before the umask */
#define DIR_MODE 0777
#define SUFFIX_LEN 48 /* ".tmp-<pid>", ".old-<pid>" */
#define README_NAME "README.txt"

typedef ipsim_textbuf sbuf;

void ipsim_export_options_init(ipsim_export_options *opt)
{
    memset(opt, 0, sizeof *opt);
}

/* ---- naming -------------------------------------------------------------- */

static int has_suffix(const char *s, const char *sfx)
{
    size_t n = strlen(s), k = strlen(sfx);
    return n > k && strcasecmp(s + n - k, sfx) == 0;
}

/* A file a previous export wrote: *.csv, *.json or README.txt. */
static int export_file_name(const char *name)
{
    return has_suffix(name, ".csv") || has_suffix(name, ".json") || strcmp(name, README_NAME) == 0;
}

/* "a, b, c": the table names of p, for messages. */
static void table_names(const ipsim_ex_plan *p, sbuf *b)
{
    for (size_t i = 0; i < p->nt; i++)
        ipsim_textbuf_printf(b, "%s%s", i ? ", " : "", p->t[i].name);
}

/* Mark the tables named in the comma-separated list (NULL or "": all).
 * IPSIM_OK, or IPSIM_ERR_USAGE naming an unknown table. */
static ipsim_status select_tables(const ipsim_ex_plan *p, const char *list, const char *path,
                                  unsigned char *sel, size_t *n_sel, char *err, size_t errlen)
{
    *n_sel = 0;
    memset(sel, list && *list ? 0 : 1, p->nt);
    if (!list || !*list) {
        *n_sel = p->nt;
        return IPSIM_OK;
    }
    for (const char *s = list; *s;) {
        size_t len = strcspn(s, ",");
        size_t k = len > 4 && strncasecmp(s + len - 4, ".csv", 4) == 0 ? len - 4 : len;
        size_t i;
        for (i = 0; i < p->nt; i++)
            if (strlen(p->t[i].name) == k && strncmp(p->t[i].name, s, k) == 0)
                break;
        if (i == p->nt) {
            sbuf b = {0};
            table_names(p, &b);
            ipsim_set_error(err, errlen, "%s: no table '%.*s'; its tables are: %s", path, (int)len, s,
                            b.p ? b.p : "(none)");
            free(b.p);
            return IPSIM_ERR_USAGE;
        }
        if (!sel[i])
            (*n_sel)++;
        sel[i] = 1;
        s += len;
        if (*s == ',')
            s++;
    }
    return IPSIM_OK;
}

/* ---- writing files ------------------------------------------------------- */

/* What goes into one file. */
typedef struct {
    const ipsim_ex_plan *p;
    const ipsim_ex_table *t;       /* a table, or */
    const unsigned char *selected; /* the README (with t NULL and json 0), or */
    int json;                      /* the JSON of the scenario or experiment */
    const char *src;
} content;

static int write_content(const content *c, FILE *out, char *err, size_t errlen)
{
    if (c->t)
        return ipsim__ex_write_table(c->p, c->t, out, err, errlen);
    if (c->json) {
        size_t n = 0;
        char **s = ipsim_h5_read_strings(c->p->f, c->p->json_dataset, -1, &n);
        int rc = s && n == 1 && fputs(s[0], out) >= 0 && fputc('\n', out) != EOF ? 0 : -1;
        if (rc)
            ipsim_set_error(err, errlen, "cannot read /%s", c->p->json_dataset);
        ipsim_h5_free_strings(s, n);
        return rc;
    }
    return ipsim__ex_write_readme(c->p, c->src, c->selected, out);
}

/* Create name in directory dfd (or the path name when dfd is AT_FDCWD),
 * never through a link or over an existing file, write c into it and sync
 * it. IPSIM_OK, IPSIM_ERR_CANTCREAT or IPSIM_ERR_IO (the file is then
 * removed). */
static ipsim_status write_file(int dfd, const char *name, const char *shown, const content *c,
                               char *err, size_t errlen)
{
    char why[IPSIM_EX_NAME_LEN * 2] = "";
    int fd = openat(dfd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, FILE_MODE);
    if (fd < 0) {
        ipsim_set_error(err, errlen, "%s: cannot create: %s%s", shown, strerror(errno),
                        errno == ENOENT ? " (create its directory first)" : "");
        return IPSIM_ERR_CANTCREAT;
    }
    FILE *out = fdopen(fd, "w");
    if (!out) {
        close(fd);
        unlinkat(dfd, name, 0);
        ipsim_set_error(err, errlen, "%s: out of memory", shown);
        return IPSIM_ERR_NOMEM;
    }
    setvbuf(out, NULL, _IOFBF, WRITE_BUFFER);
    int rc = write_content(c, out, why, sizeof why);
    int e = errno;
    if (rc == 0 && (fflush(out) != 0 || fsync(fileno(out)) != 0))
        rc = -1, e = errno;
    if (fclose(out) != 0 && rc == 0)
        rc = -1, e = errno;
    if (rc != 0) {
        unlinkat(dfd, name, 0);
        ipsim_set_error(err, errlen, "%s: cannot write: %s", shown, why[0] ? why : strerror(e));
        return IPSIM_ERR_IO;
    }
    return IPSIM_OK;
}

/* Sync the directory holding path (best effort: the renames are durable). */
static void sync_parent(const char *path)
{
    char *dir = strdup(path);
    if (!dir)
        return;
    char *slash = strrchr(dir, '/');
    if (!slash)
        strcpy(dir, ".");
    else if (slash == dir)
        dir[1] = '\0';
    else
        *slash = '\0';
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd >= 0) {
        fsync(fd);
        close(fd);
    }
    free(dir);
}

/* ---- one table into one file ---------------------------------------------- */

static ipsim_status export_one(const ipsim_ex_plan *p, const ipsim_ex_table *t, const char *out,
                               int force, sbuf *report, char *err, size_t errlen)
{
    struct stat st;
    char *tmp = malloc(strlen(out) + SUFFIX_LEN);
    if (!tmp) {
        ipsim_set_error(err, errlen, "out of memory");
        return IPSIM_ERR_NOMEM;
    }
    if (lstat(out, &st) == 0 && S_ISDIR(st.st_mode)) {
        free(tmp);
        ipsim_set_error(err, errlen,
                        "%s: is a directory; give a file name ending in .csv, or a "
                        "directory name without .csv for every table",
                        out);
        return IPSIM_ERR_CANTCREAT;
    }
    if (lstat(out, &st) == 0 && !force) {
        free(tmp);
        ipsim_set_error(err, errlen,
                        "%s: already exists; use --force to replace it, or choose "
                        "another -o",
                        out);
        return IPSIM_ERR_EXISTS;
    }
    sprintf(tmp, "%s.tmp-%ld", out, (long)getpid());
    content c = {p, t, NULL, 0, NULL};
    ipsim_status st2 = write_file(AT_FDCWD, tmp, out, &c, err, errlen);
    if (st2 == IPSIM_OK && rename(tmp, out) != 0) {
        ipsim_set_error(err, errlen, "%s: cannot rename %s to it: %s", out, tmp, strerror(errno));
        unlink(tmp);
        st2 = IPSIM_ERR_CANTCREAT;
    }
    if (st2 == IPSIM_OK) {
        sync_parent(out);
        ipsim_textbuf_printf(report, "%s  %zu rows\n", out, ipsim__ex_table_rows(p, t));
    }
    free(tmp);
    return st2;
}

/* ---- every table into a directory ------------------------------------------ */

enum { DIR_ABSENT, DIR_EMPTY, DIR_EXPORT };

/* What out is: absent, an empty directory, or (with force) a previous
 * export. Else the reason in err and the status. */
static ipsim_status check_dir(const char *out, int force, int *state, char *err, size_t errlen)
{
    struct stat st;
    if (lstat(out, &st) != 0) {
        if (errno == ENOENT) {
            *state = DIR_ABSENT;
            return IPSIM_OK;
        }
        ipsim_set_error(err, errlen, "%s: %s", out, strerror(errno));
        return IPSIM_ERR_CANTCREAT;
    }
    if (S_ISLNK(st.st_mode)) {
        ipsim_set_error(err, errlen,
                        "%s: is a symbolic link; ipsim export never writes through "
                        "links: give the directory it points to, or another -o",
                        out);
        return IPSIM_ERR_CANTCREAT;
    }
    if (!S_ISDIR(st.st_mode)) {
        ipsim_set_error(err, errlen,
                        "%s: exists and is not a directory; choose another -o (a "
                        "name ending in .csv writes one table)",
                        out);
        return IPSIM_ERR_EXISTS;
    }
    int fd = open(out, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
    if (!d) {
        if (fd >= 0)
            close(fd);
        ipsim_set_error(err, errlen, "%s: cannot read the directory: %s", out, strerror(errno));
        return IPSIM_ERR_CANTCREAT;
    }
    struct dirent *e;
    ipsim_status rc = IPSIM_OK;
    *state = DIR_EMPTY;
    while (rc == IPSIM_OK && (e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        *state = DIR_EXPORT;
        if (!force) {
            ipsim_set_error(err, errlen,
                            "%s: is not empty; use --force to replace a previous "
                            "export, or choose another -o",
                            out);
            rc = IPSIM_ERR_EXISTS;
        } else if (fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0 ||
                   !S_ISREG(st.st_mode) || !export_file_name(e->d_name)) {
            ipsim_set_error(err, errlen,
                            "%s: holds '%s', which an export does not write; "
                            "--force replaces only a previous export (CSV and JSON files and "
                            "README.txt): choose another -o",
                            out, e->d_name);
            rc = IPSIM_ERR_CANTCREAT;
        }
    }
    closedir(d);
    return rc;
}

/* Remove the files of a replaced export in dir and dir itself (best effort:
 * anything else is left, and said in the report). */
static void remove_old(const char *dir, sbuf *report)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
    struct dirent *e;
    struct stat st;
    if (!d) {
        if (fd >= 0)
            close(fd);
    } else {
        while ((e = readdir(d)) != NULL)
            if (export_file_name(e->d_name) &&
                fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISREG(st.st_mode))
                unlinkat(dirfd(d), e->d_name, 0);
        closedir(d);
    }
    if (rmdir(dir) != 0)
        ipsim_textbuf_printf(report, "note: the previous export was kept in %s (%s)\n", dir,
                             strerror(errno));
}

/* Remove the files written into the temporary directory, then it. */
static void remove_tmp(int dfd, const char *tmp, const ipsim_ex_plan *p, const unsigned char *sel)
{
    char name[IPSIM_EX_NAME_LEN + 8];
    for (size_t i = 0; i < p->nt; i++)
        if (sel[i]) {
            snprintf(name, sizeof name, "%s.csv", p->t[i].name);
            unlinkat(dfd, name, 0);
        }
    if (p->json_file)
        unlinkat(dfd, p->json_file, 0);
    unlinkat(dfd, README_NAME, 0);
    rmdir(tmp);
}

/* Write the selected tables, the JSON (all tables only) and the README into
 * the open directory dfd (shown as dir). */
static ipsim_status write_all(int dfd, const char *dir, const ipsim_ex_plan *p,
                              const unsigned char *sel, int all, const char *src, sbuf *report,
                              char *err, size_t errlen)
{
    char name[IPSIM_EX_NAME_LEN + 8], shown[4096];
    ipsim_status st = IPSIM_OK;
    for (size_t i = 0; st == IPSIM_OK && i < p->nt; i++) {
        if (!sel[i])
            continue;
        content c = {p, &p->t[i], NULL, 0, src};
        snprintf(name, sizeof name, "%s.csv", p->t[i].name);
        snprintf(shown, sizeof shown, "%s/%s", dir, name);
        st = write_file(dfd, name, shown, &c, err, errlen);
        if (st == IPSIM_OK)
            ipsim_textbuf_printf(report, "%s  %zu rows\n", shown, ipsim__ex_table_rows(p, &p->t[i]));
    }
    if (st == IPSIM_OK && all && p->json_dataset) {
        content c = {p, NULL, NULL, 1, src};
        snprintf(shown, sizeof shown, "%s/%s", dir, p->json_file);
        st = write_file(dfd, p->json_file, shown, &c, err, errlen);
        if (st == IPSIM_OK)
            ipsim_textbuf_printf(report, "%s\n", shown);
    }
    if (st == IPSIM_OK) {
        content c = {p, NULL, all ? NULL : sel, 0, src};
        snprintf(shown, sizeof shown, "%s/%s", dir, README_NAME);
        st = write_file(dfd, README_NAME, shown, &c, err, errlen);
        if (st == IPSIM_OK)
            ipsim_textbuf_printf(report, "%s\n", shown);
    }
    return st;
}

static ipsim_status export_dir(const ipsim_ex_plan *p, const unsigned char *sel, int all,
                               const char *src, const char *out_arg, int force, sbuf *report,
                               char *err, size_t errlen)
{
    int state = DIR_ABSENT;
    size_t len = strlen(out_arg) + SUFFIX_LEN;
    char *out = strdup(out_arg), *tmp = malloc(len), *old = malloc(len);
    ipsim_status st = out && tmp && old ? IPSIM_OK : IPSIM_ERR_NOMEM;
    if (st != IPSIM_OK)
        ipsim_set_error(err, errlen, "out of memory");
    for (size_t n = out ? strlen(out) : 0; n > 1 && out[n - 1] == '/'; n--)
        out[n - 1] = '\0'; /* DIR/ is DIR: DIR.tmp-<pid> goes next to it */
    if (st == IPSIM_OK)
        st = check_dir(out, force, &state, err, errlen);
    if (st != IPSIM_OK) {
        free(out);
        free(tmp);
        free(old);
        return st;
    }
    snprintf(tmp, len, "%s.tmp-%ld", out, (long)getpid());
    snprintf(old, len, "%s.old-%ld", out, (long)getpid());
    if (mkdir(tmp, DIR_MODE) != 0) {
        ipsim_set_error(err, errlen, "%s: cannot create %s: %s%s", out, tmp, strerror(errno),
                        errno == EEXIST   ? " (left by an interrupted export? remove it)"
                        : errno == ENOENT ? " (create the parent directory first)"
                                          : "");
        free(out);
        free(tmp);
        free(old);
        return IPSIM_ERR_CANTCREAT;
    }
    int dfd = open(tmp, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    sbuf files = {0};
    if (dfd < 0) {
        ipsim_set_error(err, errlen, "%s: cannot open %s: %s", out, tmp, strerror(errno));
        rmdir(tmp);
        st = IPSIM_ERR_CANTCREAT;
    } else {
        st = write_all(dfd, out, p, sel, all, src, &files, err, errlen);
        if (st == IPSIM_OK && fsync(dfd) != 0) {
            ipsim_set_error(err, errlen, "%s: cannot sync %s: %s", out, tmp, strerror(errno));
            st = IPSIM_ERR_IO;
        }
    }
    int moved = 0;
    if (st == IPSIM_OK && state == DIR_EXPORT) {
        moved = rename(out, old) == 0;
        if (!moved) {
            ipsim_set_error(err, errlen, "%s: cannot move the previous export aside: %s", out,
                            strerror(errno));
            st = IPSIM_ERR_CANTCREAT;
        }
    }
    if (st == IPSIM_OK && rename(tmp, out) != 0) {
        ipsim_set_error(err, errlen, "%s: cannot rename %s to it: %s", out, tmp,
                        errno == ENOTEMPTY || errno == EEXIST ? "it is not empty (written meanwhile?)"
                                                              : strerror(errno));
        st = IPSIM_ERR_CANTCREAT;
        if (moved)
            rename(old, out);
        moved = 0;
    }
    if (st != IPSIM_OK && dfd >= 0)
        remove_tmp(dfd, tmp, p, sel);
    if (dfd >= 0)
        close(dfd);
    if (st == IPSIM_OK) {
        sync_parent(out);
        ipsim_textbuf_printf(report, "%s", files.p ? files.p : "");
        if (moved)
            remove_old(old, report);
    }
    free(files.p);
    free(out);
    free(tmp);
    free(old);
    return st;
}

/* ---- entry points -------------------------------------------------------- */

/* IPSIM_ERR_NOINPUT unless path is a readable regular file. */
static ipsim_status check_readable(const char *path, char *err, size_t errlen)
{
    struct stat st;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    int e = errno;
    if (fd >= 0 && fstat(fd, &st) == 0 && S_ISDIR(st.st_mode))
        e = EISDIR;
    else if (fd >= 0)
        e = 0;
    if (fd >= 0)
        close(fd);
    if (e == 0)
        return IPSIM_OK;
    ipsim_set_error(err, errlen, "%s: cannot open: %s", path, strerror(e));
    return IPSIM_ERR_NOINPUT;
}

/* Open path and plan its export. */
static ipsim_status open_plan(const char *path, hid_t *f, ipsim_ex_plan *p, char *err, size_t errlen)
{
    ipsim_status st = check_readable(path, err, errlen);
    *f = -1;
    memset(p, 0, sizeof *p);
    if (st != IPSIM_OK)
        return st;
    *f = ipsim_h5_open_readonly(path);
    if (*f < 0 || H5Aexists(*f, "ipsim_version") <= 0) {
        ipsim_set_error(err, errlen, "%s: not an ipsim result file", path);
        return IPSIM_ERR_DATA;
    }
    return ipsim__ex_plan_build(*f, p, err, errlen) == 0 ? IPSIM_OK : IPSIM_ERR_NOMEM;
}

static void close_plan(hid_t f, ipsim_ex_plan *p)
{
    ipsim__ex_plan_free(p);
    if (f >= 0)
        H5Fclose(f);
}

ipsim_status ipsim_output_export(const char *path, const char *out, const ipsim_export_options *opt,
                                 char **report, char *err, size_t errlen)
{
    ipsim_export_options none;
    ipsim_ex_plan p;
    ipsim_h5_quiet quiet;
    hid_t f;
    sbuf b = {0};
    size_t n_sel = 0;
    unsigned char *sel = NULL;
    if (report)
        *report = NULL;
    if (!path || !*path || !out || !*out) {
        ipsim_set_error(err, errlen, "ipsim_output_export: no input or no output path");
        return IPSIM_ERR_USAGE;
    }
    if (!opt) {
        ipsim_export_options_init(&none);
        opt = &none;
    }
    ipsim_h5_quiet_begin(&quiet);
    ipsim_status st = open_plan(path, &f, &p, err, errlen);
    if (st == IPSIM_OK && !(sel = malloc(p.nt + 1))) {
        ipsim_set_error(err, errlen, "out of memory");
        st = IPSIM_ERR_NOMEM;
    }
    if (st == IPSIM_OK)
        st = select_tables(&p, opt->tables, path, sel, &n_sel, err, errlen);
    if (st == IPSIM_OK && has_suffix(out, ".csv")) {
        size_t i;
        for (i = 0; i < p.nt && !sel[i]; i++)
            ;
        if (n_sel != 1 || (opt->tables == NULL || !*opt->tables)) {
            sbuf names = {0};
            table_names(&p, &names);
            ipsim_set_error(err, errlen,
                            "%s: a .csv output holds one table: name it with "
                            "--table (one of: %s), or give a directory for every table",
                            out, names.p ? names.p : "none");
            free(names.p);
            st = IPSIM_ERR_USAGE;
        } else {
            st = export_one(&p, &p.t[i], out, opt->force, &b, err, errlen);
        }
    } else if (st == IPSIM_OK) {
        st = export_dir(&p, sel, !(opt->tables && *opt->tables), path, out, opt->force, &b, err,
                        errlen);
    }
    close_plan(f, &p);
    ipsim_h5_quiet_end(&quiet);
    free(sel);
    if (st == IPSIM_OK && b.oom) {
        ipsim_set_error(err, errlen, "out of memory");
        st = IPSIM_ERR_NOMEM;
    }
    if (st == IPSIM_OK && report)
        *report = b.p;
    else
        free(b.p);
    return st;
}

ipsim_status ipsim_output_export_list(const char *path, char **text, char *err, size_t errlen)
{
    ipsim_ex_plan p;
    ipsim_h5_quiet quiet;
    hid_t f;
    sbuf b = {0};
    if (text)
        *text = NULL;
    if (!path || !*path || !text) {
        ipsim_set_error(err, errlen, "ipsim_output_export_list: no path or no result pointer");
        return IPSIM_ERR_USAGE;
    }
    ipsim_h5_quiet_begin(&quiet);
    ipsim_status st = open_plan(path, &f, &p, err, errlen);
    if (st == IPSIM_OK) {
        ipsim_textbuf_printf(&b, "%s: %s\n", path, p.title);
        for (size_t i = 0; i < p.nt; i++)
            ipsim_textbuf_printf(&b, "  %-28s %10zu rows  %s\n", p.t[i].name,
                                 ipsim__ex_table_rows(&p, &p.t[i]), p.t[i].what);
    }
    close_plan(f, &p);
    ipsim_h5_quiet_end(&quiet);
    if (st == IPSIM_OK && (b.oom || !b.p)) {
        ipsim_set_error(err, errlen, "out of memory");
        st = IPSIM_ERR_NOMEM;
    }
    if (st == IPSIM_OK)
        *text = b.p;
    else
        free(b.p);
    return st;
}
