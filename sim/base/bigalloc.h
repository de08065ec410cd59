/*
 * bigalloc.h - zeroed allocation of a large array (the agents), on 2 MiB
 * transparent huge pages where Linux offers them (internal to libipsim).
 */
#ifndef IPSIM_BIGALLOC_H
#define IPSIM_BIGALLOC_H

#include <stddef.h>

/* Like calloc(n, size) (n or size 0: a valid 1-byte block; NULL on
 * overflow or failure, released with ipsim__big_free(p, n, size) and the
 * same n and size). An array of 2 MiB or more is mapped (mmap), zeroed by
 * the kernel page by page as it is first touched, aligned to 2 MiB,
 * rounded up to whole 2 MiB pages, and advised to the
 * kernel as huge-page memory (madvise MADV_HUGEPAGE; only advice: without
 * transparent huge pages it is ordinary memory): the agents' records are
 * touched in no order that keeps 4 KiB pages' translations cached
 * (bigalloc.c gives the measured gain). */
void *ipsim__big_calloc(size_t n, size_t size);

/* Release what ipsim__big_calloc(n, size) returned; NULL: nothing. */
void ipsim__big_free(void *p, size_t n, size_t size);

#endif /* IPSIM_BIGALLOC_H */
