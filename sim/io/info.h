/*
 * info.h - the parts of `ipsim info` (internal to libipsim): info.c opens
 * the file and picks the summary by its kind; these append it to b. Both
 * read the open file f (path only for the heading), and print nothing.
 */
#ifndef IPSIM_INFO_H
#define IPSIM_INFO_H

#include <hdf5.h>

#include "base/textbuf.h"

/* The summary of a run file (info_run.c). */
void ipsim__info_run(ipsim_textbuf *b, hid_t f, const char *path);

/* Every group and dataset of a file of another kind (kind: its ipsim_kind),
 * with types, shapes and attributes (info_list.c). */
void ipsim__info_list(ipsim_textbuf *b, hid_t f, const char *path, const char *kind);

#endif /* IPSIM_INFO_H */
