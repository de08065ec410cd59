/*
 * numfmt.h - numbers as the printed sweep report shows them (internal to
 * libipsim; numfmt.c): people with thousands separators, money in M CNY,
 * small numbers with a few significant digits, never exponents.
 */
#ifndef IPSIM_NUMFMT_H
#define IPSIM_NUMFMT_H

#include <stddef.h>

/* |x| >= 1000: a whole number with thousands separators ("937,416,000");
 * >= 1: two decimals; else 3 significant digits; "n/a" when not finite.
 * Returns buf (at least 32 bytes). */
const char *ipsim__fmt_num(double x, char *buf, size_t len);

/* Money: |x| >= 1e6 in millions with one decimal ("937.4 M CNY"), else as
 * ipsim__fmt_num with " CNY"; "n/a" when not finite. */
const char *ipsim__fmt_cny(double x, char *buf, size_t len);

/* As ipsim__fmt_cny when units is "CNY", else ipsim__fmt_num. */
const char *ipsim__fmt_in(double x, const char *units, char *buf, size_t len);

#endif /* IPSIM_NUMFMT_H */
