/*
 * bigalloc.h - zeroed allocation of a large array (the agents), mapped and
 * zeroed by the kernel as it is first touched (internal to libipsim).
 */
#ifndef IPSIM_BIGALLOC_H
#define IPSIM_BIGALLOC_H

#include <stddef.h>

/* The pages of a mapped array: the kernel's choice (4 KiB unless its
 * transparent huge pages are "always"), advised as transparent huge pages,
 * or 2 MiB pages of the machine's reserved pool (hugetlbfs) when it has
 * room for the whole array, else the kernel's choice (Linux). */
typedef enum {
    IPSIM_BIG_PAGES_DEFAULT = 0,
    IPSIM_BIG_PAGES_HUGE = 1,
    IPSIM_BIG_PAGES_POOL = 2
} ipsim_big_pages;

/* Like calloc(n, size) (n or size 0: a valid 1-byte block; NULL on
 * overflow or failure, released with ipsim__big_free(p, n, size) and the
 * same n and size). An array of 2 MiB or more is mapped (mmap), zeroed by
 * the kernel page by page as it is first touched (by the threads that
 * fill it), aligned to 2 MiB and rounded up to whole 2 MiB, on the pages
 * the build chose (bigalloc.c: which and why). *got (got may be NULL)
 * says which pages the array is on: IPSIM_BIG_PAGES_POOL if on 2 MiB pages
 * of the machine's pool, else the other pages asked for
 * (IPSIM_BIG_PAGES_DEFAULT, or IPSIM_BIG_PAGES_HUGE: advice the kernel may
 * not have followed). */
void *ipsim__big_calloc(size_t n, size_t size, ipsim_big_pages *got);

/* The same with the pages chosen: ipsim__big_calloc is this with the
 * build's choice, IPSIM_BIG_PAGES_HUGE when configured with
 * -DIPSIM_HUGE_PAGES=ON, IPSIM_BIG_PAGES_POOL with POOL, else
 * IPSIM_BIG_PAGES_DEFAULT (bigalloc.c: why). Either is a wish: where the
 * kernel cannot follow the advice, or the pool has too few free pages,
 * the array is still valid, on the default pages. */
void *ipsim__big_calloc_pages(size_t n, size_t size, ipsim_big_pages pages, ipsim_big_pages *got);

/* Release what ipsim__big_calloc(n, size) returned; NULL: nothing. */
void ipsim__big_free(void *p, size_t n, size_t size);

#endif /* IPSIM_BIGALLOC_H */
