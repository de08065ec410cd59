/*
 * info.h - the parts of `ipsim info` (internal to libipsim): info.c opens
 * the file and picks the summary by its kind; info_check.c checks a run
 * file before anything of it is read; the others append the summary to b.
 * All read the open file f (path only for the heading), and print nothing.
 */
#ifndef IPSIM_INFO_H
#define IPSIM_INFO_H

#include <hdf5.h>

#include "base/textbuf.h"

/* 0 if the open file f is a run file whose summary can be read safely:
 * every root attribute used in range, every dataset read of the right
 * kind, shape and size and reachable by hard links only (missing parts
 * allowed); else -1 with the first problem in why (info_check.c). */
int ipsim__info_check_run(hid_t f, char *why, size_t len);

/* The summary of a run file (info_run.c); f passed ipsim__info_check_run. */
void ipsim__info_run(ipsim_textbuf *b, hid_t f, const char *path);

/* Every group and dataset of a file of another kind (kind: its ipsim_kind),
 * with types, shapes and attributes (info_list.c). */
void ipsim__info_list(ipsim_textbuf *b, hid_t f, const char *path, const char *kind);

/* The summary of an allocation file (ipsim_kind "optimize"): the
 * problem, the best allocation and the plans' paired differences
 * (info_optimize.c). */
void ipsim__info_optimize(ipsim_textbuf *b, hid_t f, const char *path);

#endif /* IPSIM_INFO_H */
