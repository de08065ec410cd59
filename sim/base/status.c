/*
 * status.c - status names, their sysexits(3) exit codes, and the version.
 */
#include "ipsim/ipsim.h"

#ifndef IPSIM_GIT_COMMIT
#define IPSIM_GIT_COMMIT "unknown" /* set by CMake from git at configure time */
#endif

/* sysexits(3) values, spelled out so that this file needs no <sysexits.h>. */
enum {
    EXIT_OK_ = 0,
    EX_USAGE_ = 64,
    EX_DATAERR_ = 65,
    EX_NOINPUT_ = 66,
    EX_SOFTWARE_ = 70,
    EX_OSERR_ = 71,
    EX_CANTCREAT_ = 73,
    EX_IOERR_ = 74,
    EX_TEMPFAIL_ = 75
};

const char *ipsim_strerror(ipsim_status status)
{
    switch (status) {
    case IPSIM_OK: return "success";
    case IPSIM_ERR_USAGE: return "usage error";
    case IPSIM_ERR_DATA: return "invalid scenario data";
    case IPSIM_ERR_NOINPUT: return "input file missing or unreadable";
    case IPSIM_ERR_CANTCREAT: return "output cannot be created";
    case IPSIM_ERR_EXISTS: return "output already exists";
    case IPSIM_ERR_IO: return "input/output error";
    case IPSIM_ERR_NOMEM: return "out of memory or over the memory limit";
    case IPSIM_ERR_LIMIT: return "request exceeds a hard limit";
    case IPSIM_ERR_INTERRUPTED: return "interrupted";
    case IPSIM_ERR_INTERNAL: return "internal error";
    }
    return "unknown status";
}

int ipsim_status_exit_code(ipsim_status status)
{
    switch (status) {
    case IPSIM_OK: return EXIT_OK_;
    case IPSIM_ERR_USAGE: return EX_USAGE_;
    case IPSIM_ERR_DATA: return EX_DATAERR_;
    case IPSIM_ERR_NOINPUT: return EX_NOINPUT_;
    case IPSIM_ERR_CANTCREAT: return EX_CANTCREAT_;
    case IPSIM_ERR_EXISTS: return EX_CANTCREAT_;
    case IPSIM_ERR_IO: return EX_IOERR_;
    case IPSIM_ERR_NOMEM: return EX_OSERR_;
    case IPSIM_ERR_LIMIT: return EX_DATAERR_;
    case IPSIM_ERR_INTERRUPTED: return EX_TEMPFAIL_;
    case IPSIM_ERR_INTERNAL: return EX_SOFTWARE_;
    }
    return EX_SOFTWARE_;
}

const char *ipsim_version(void)
{
    return IPSIM_VERSION_STRING;
}

const char *ipsim_git_commit(void)
{
    return IPSIM_GIT_COMMIT;
}
