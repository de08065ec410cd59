/*
 * bigalloc.c - zeroed allocation of a large array (bigalloc.h).
 *
 * The memory is mapped, not allocated and cleared: anonymous pages come
 * zeroed, so each page is cleared by the kernel when it is first touched,
 * by the thread that first touches it (population.c fills the records in
 * parallel), and not a second time by a memset. The mapping is aligned to
 * 2 MiB, so a kernel whose transparent huge pages are "always" may use
 * them.
 *
 * It is not advised as huge-page memory (MADV_HUGEPAGE) unless the build
 * asks for it (CMake option IPSIM_HUGE_PAGES, or the caller: see
 * bigalloc.h). On this
 * project's 2-core VM (2026-12-02, baseline at 10 M agents, 1 thread,
 * farm-bench) the advice saved no user time (4 KiB pages: 1.02x the user
 * time back to back, -n 8), but a 2 MiB page taken after another process
 * ran cost 0.33-0.42 s of kernel time zeroing it against 0.07-0.09 s for
 * 4 KiB pages (wall 0.87x without the advice, -n 4 after the reference
 * build's runs; 0.97x back to back). At one agent per person (2 threads)
 * the two were within noise (13.4-13.7 s against 13.5-14.4 s).
 *
 * Measured again on 2026-12-03 (baseline, 10 M agents, 1 thread, 5
 * alternating runs): the advice cut user time to 0.906x (the page walks of
 * the candidate loop) but added 0.33 s of kernel time, wall 1.04x. The
 * kernel time is this VM's: its virtio-balloon driver reports free 2 MiB
 * blocks to the host (free page reporting, /sys/module/page_reporting:
 * order 9) about 2 s after they are freed, and the host discards
 * it, so a fresh huge page is faulted in from the host again. Touching
 * 160 MB advised as huge pages took 0.36-0.46 s after a pause of 1-4 s,
 * 0.010-0.015 s right after another such run (blocks not yet reported)
 * and 0.07-0.09 s as 4 KiB pages, which come from smaller free blocks
 * that are never reported. Where huge pages are not reported away, the
 * advice would save about a tenth of the baseline's CPU time: hence the
 * option, off by default because the default must not lose on a VM.
 *
 * The machine's reserved huge pages (the hugetlbfs pool, `sysctl
 * vm.nr_hugepages=N`) have neither cost: a pool's pages stay the pool's
 * when they are freed, so they are not reported to the host, and a run
 * takes them already backed. IPSIM_BIG_PAGES_POOL maps an array on 2 MiB
 * pages of the pool when it has room for the whole array (MAP_HUGETLB,
 * then every page faulted in at once with MADV_POPULATE_WRITE, which fails
 * cleanly where a cgroup limit would otherwise kill the process with
 * SIGBUS at a later touch; the pages are then all on the allocating
 * thread's NUMA node), and as the default otherwise. Measured on
 * 2026-12-03 (baseline, 10 M agents, 1 thread, 7 alternating runs, a pool
 * of 100 pages): wall 0.898x, user 0.922x, kernel 0.03 s against 0.10 s.
 * A pool is the administrator's: a program that maps it may take pages
 * another one was given them for, so only a build that asks uses it
 * (CMake IPSIM_HUGE_PAGES=POOL; scripts/build-fast).
 */
#define _DEFAULT_SOURCE /* MAP_ANONYMOUS */
#include <stdint.h>
#include <stdlib.h>
#if defined(__linux__)
#include <sys/mman.h>
#endif
#include "base/bigalloc.h"

#define HUGE_PAGE_BYTES ((size_t)2 << 20) /* the alignment of a mapping */

/* The build's choice (CMake option IPSIM_HUGE_PAGES: 1 = ON, 2 = POOL). */
#if defined(IPSIM_HUGE_PAGES) && IPSIM_HUGE_PAGES == 2
#define BIG_PAGES_BUILD IPSIM_BIG_PAGES_POOL
#elif defined(IPSIM_HUGE_PAGES) && IPSIM_HUGE_PAGES
#define BIG_PAGES_BUILD IPSIM_BIG_PAGES_HUGE
#else
#define BIG_PAGES_BUILD IPSIM_BIG_PAGES_DEFAULT
#endif

#if defined(__linux__) && defined(MAP_ANONYMOUS)
#define BIG_MAPPED 1
#endif

/* Bytes of the mapping of n x size bytes, or 0 for an ordinary calloc. */
static size_t mapped_bytes(size_t n, size_t size)
{
#ifdef BIG_MAPPED
    size_t bytes = n * size;
    if (bytes >= HUGE_PAGE_BYTES && bytes <= SIZE_MAX - 2 * HUGE_PAGE_BYTES)
        return (bytes + HUGE_PAGE_BYTES - 1) / HUGE_PAGE_BYTES * HUGE_PAGE_BYTES;
#else
    (void)n;
    (void)size;
#endif
    return 0;
}

#if defined(BIG_MAPPED) && defined(MAP_HUGETLB) && defined(MADV_POPULATE_WRITE)
#define BIG_POOL 1
#ifndef MAP_HUGE_SHIFT
#define MAP_HUGE_SHIFT 26
#endif
#define MAP_HUGE_2MIB (21 << MAP_HUGE_SHIFT) /* log2(2 MiB) */

/* `bytes` (a multiple of 2 MiB) on 2 MiB pages of the machine's pool, all
 * faulted in, or NULL if the pool cannot give them all. */
static void *pool_map(size_t bytes)
{
    void *p = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB | MAP_HUGE_2MIB,
                   -1, 0);
    if (p == MAP_FAILED)
        return NULL; /* no pool, or too few free pages */
    if (madvise(p, bytes, MADV_POPULATE_WRITE) != 0) {
        (void)munmap(p, bytes);
        return NULL;
    }
    return p;
}
#endif

void *ipsim__big_calloc_pages(size_t n, size_t size, ipsim_big_pages pages, ipsim_big_pages *got)
{
    if (got)
        *got = pages == IPSIM_BIG_PAGES_POOL ? IPSIM_BIG_PAGES_DEFAULT : pages;
    if (size != 0 && n > SIZE_MAX / size)
        return NULL;
    size_t rounded = mapped_bytes(n, size);
#ifdef BIG_MAPPED
    if (rounded > 0) {
#ifdef BIG_POOL
        if (pages == IPSIM_BIG_PAGES_POOL) {
            void *h = pool_map(rounded); /* aligned to its pages, zeroed */
            if (h) {
                if (got)
                    *got = IPSIM_BIG_PAGES_POOL;
                return h;
            }
        }
#endif
        /* 2 MiB more than needed, then the unaligned head and the tail
         * beyond the aligned array given back */
        size_t span = rounded + HUGE_PAGE_BYTES;
        char *map = mmap(NULL, span, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (map == MAP_FAILED)
            return NULL;
        uintptr_t at = ((uintptr_t)map + HUGE_PAGE_BYTES - 1) / HUGE_PAGE_BYTES * HUGE_PAGE_BYTES;
        char *p = (char *)at;
        size_t head = (size_t)(p - map), tail = span - head - rounded;
        if (head > 0)
            (void)munmap(map, head);
        if (tail > 0)
            (void)munmap(p + rounded, tail);
#if defined(MADV_HUGEPAGE)
        if (pages == IPSIM_BIG_PAGES_HUGE)
            (void)madvise(p, rounded, MADV_HUGEPAGE); /* a hint: refused, 4 KiB pages serve */
#endif
        return p;
    }
#endif
    (void)pages;
    return calloc(n ? n : 1, size ? size : 1);
}

void *ipsim__big_calloc(size_t n, size_t size, ipsim_big_pages *got)
{
    return ipsim__big_calloc_pages(n, size, BIG_PAGES_BUILD, got);
}

void ipsim__big_free(void *p, size_t n, size_t size)
{
    if (p == NULL)
        return;
#ifdef BIG_MAPPED
    size_t rounded = mapped_bytes(n, size);
    if (rounded > 0) {
        (void)munmap(p, rounded); /* on 4 KiB or the pool's 2 MiB pages alike */
        return;
    }
#endif
    free(p);
}
