#!/usr/bin/python3
"""The agents' records on the machine's reserved huge pages (issue 13;
sim/base/bigalloc.c, CMake IPSIM_HUGE_PAGES=POOL): test_bigalloc's pool
case made to happen for real. The test reserves the 2 MiB pages it needs
in the kernel's pool (/sys/kernel/mm/hugepages/hugepages-2048kB/
nr_hugepages, as root), runs test_bigalloc with IPSIM_TEST_POOL=required
(the array must then be on the pool's pages, taken from the pool and given
back), and puts the pool back as it found it, also when the test fails.
Skipped where there is no such pool, the test is not root, or the kernel
cannot find the pages (fragmented memory); test_bigalloc alone still
checks the fallback to the default pages.
"""
import os
import subprocess
import sys

POOL = "/sys/kernel/mm/hugepages/hugepages-2048kB"
NEED = 3  # test_bigalloc's array: 5 MiB + 3 bytes, three 2 MiB pages
BUILD = os.environ.get("IPSIM_BUILD_DIR", os.path.join(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))), "build"))
PROGRAM = os.path.join(BUILD, "tests", "test_bigalloc")


def read(name):
    with open(os.path.join(POOL, name)) as f:
        return int(f.read())


def write_total(n):
    with open(os.path.join(POOL, "nr_hugepages"), "w") as f:
        f.write("%d\n" % n)


def main():
    if not os.path.exists(PROGRAM):
        sys.exit("FAIL: %s not built" % PROGRAM)
    if not os.path.isdir(POOL):
        print("skip: no pool of 2 MiB pages on this kernel")
        return 0
    if os.geteuid() != 0 or not os.access(os.path.join(POOL, "nr_hugepages"), os.W_OK):
        print("skip: not allowed to reserve huge pages (root only)")
        return 0
    total0 = read("nr_hugepages")
    try:
        if read("free_hugepages") < NEED:
            write_total(total0 + NEED - read("free_hugepages"))
        if read("free_hugepages") < NEED:
            print("skip: the kernel found %d free 2 MiB pages of the %d asked for" % (read("free_hugepages"), NEED))
            return 0
        print("pool: %d pages, %d free" % (read("nr_hugepages"), read("free_hugepages")))
        env = dict(os.environ, IPSIM_TEST_POOL="required")
        p = subprocess.run([PROGRAM], env=env, capture_output=True, text=True, timeout=120)
        sys.stdout.write(p.stdout[-2000:])
        if p.returncode != 0:
            sys.exit("FAIL: test_bigalloc with the pool's pages required (exit %d)\n%s" % (p.returncode, p.stderr))
        print("ok: an array asked for the pool's pages was on them, and given back")
    finally:
        write_total(total0)
        if read("nr_hugepages") != total0:
            sys.exit("FAIL: the pool could not be put back to %d pages (it has %d)" % (total0, read("nr_hugepages")))
    return 0


if __name__ == "__main__":
    sys.exit(main())
