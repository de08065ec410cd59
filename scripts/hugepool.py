"""hugepool - the machine's pool of 2 MiB pages (hugetlbfs), as a POOL
build of ipsim (CMake IPSIM_HUGE_PAGES=POOL, sim/base/bigalloc.c) finds
it: scripts/bench and scripts/build-fast report it, never change it."""
import os

POOL_DIR = "/sys/kernel/mm/hugepages/hugepages-2048kB"
PAGE_BYTES = 2 << 20
AGENT_BYTES = 16  # an agent's record (sim/model/state.h)


def pages():
    """(total, free) pages of the pool, or None where there is no pool."""
    try:
        with open(os.path.join(POOL_DIR, "nr_hugepages")) as f:
            total = int(f.read())
        with open(os.path.join(POOL_DIR, "free_hugepages")) as f:
            free = int(f.read())
    except (OSError, ValueError):
        return None
    return total, free


def state():
    """The pool now, e.g. "100 pages, 100 free"."""
    p = pages()
    return "%d pages, %d free" % p if p else "no 2 MiB pool"
