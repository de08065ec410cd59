/*
 * philox_avx2.c - the AVX2 variant of the batched Philox rounds for a
 * portable x86-64 build (philox_batch.h, IPSIM_PHILOX_DISPATCH): the very
 * source of philox_batch.c compiled for AVX2 as ipsim__philox_lanes_avx2,
 * called only where the CPU has AVX2. Elsewhere (other compilers or
 * architectures, or a build for a CPU level with AVX2) it is empty.
 */
#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__) && !defined(__AVX2__) && \
    !defined(IPSIM_PHILOX_SCALAR)
#pragma GCC target("avx2")
#define IPSIM_PHILOX_CLONE 1
#define PHILOX_FN ipsim__philox_lanes_avx2
#include "philox_batch.c"
#else
typedef int ipsim__philox_avx2_empty; /* ISO C: a file must declare something */
#endif
