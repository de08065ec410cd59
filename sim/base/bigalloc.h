/*
 * bigalloc.h - zeroed allocation of a large array (the agents), mapped and
 * zeroed by the kernel as it is first touched (internal to libipsim).
 */
#ifndef IPSIM_BIGALLOC_H
#define IPSIM_BIGALLOC_H

#include <stddef.h>

/* The pages of a mapped array: the kernel's choice (4 KiB unless its
 * transparent huge pages are "always"), or advised as huge pages. */
typedef enum { IPSIM_BIG_PAGES_DEFAULT = 0, IPSIM_BIG_PAGES_HUGE = 1 } ipsim_big_pages;

/* Like calloc(n, size) (n or size 0: a valid 1-byte block; NULL on
 * overflow or failure, released with ipsim__big_free(p, n, size) and the
 * same n and size). An array of 2 MiB or more is mapped (mmap), zeroed by
 * the kernel page by page as it is first touched (by the threads that
 * fill it), aligned to 2 MiB and rounded up to whole 2 MiB (bigalloc.c:
 * why not advised as huge pages by default). */
void *ipsim__big_calloc(size_t n, size_t size);

/* The same with the pages chosen: ipsim__big_calloc is this with the
 * build's choice, IPSIM_BIG_PAGES_HUGE when configured with
 * -DIPSIM_HUGE_PAGES=ON, else IPSIM_BIG_PAGES_DEFAULT (bigalloc.c: why).
 * The advice is a hint: where the kernel cannot follow it the array is
 * still valid. */
void *ipsim__big_calloc_pages(size_t n, size_t size, ipsim_big_pages pages);

/* Release what ipsim__big_calloc(n, size) returned; NULL: nothing. */
void ipsim__big_free(void *p, size_t n, size_t size);

#endif /* IPSIM_BIGALLOC_H */
