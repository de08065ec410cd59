/*
 * json_internal.h - helpers shared between the files of sim/json (private
 * to the room; other rooms use json_path.h).
 *
 *   read.c         reading a file whole
 *   strict.c       the strict parser: byte scan, grammar check, then cJSON,
 *                  and the marking of numbers read inexactly
 *   strict_tree.c  the checks on the parsed tree (duplicate keys, key
 *                  counts, non-finite numbers), reported by JSON path
 *   path.c         JSON paths: building, finding, probing, suggestions
 *   pretty.c       value descriptions, exact numbers, the pretty printer
 */
#ifndef IPSIM_JSON_INTERNAL_H
#define IPSIM_JSON_INTERNAL_H

#include <stddef.h>
#include <cjson/cJSON.h>

#include "ipsim/ipsim.h"

/* Length of the longest prefix of s (n bytes) of at most max bytes that
 * ends on a UTF-8 character boundary (n itself when n <= max). */
size_t ipsim__json_utf8_cut(const char *s, size_t n, size_t max);

/* Check a parsed tree: every number finite, no key repeated within an
 * object, at most IPSIM_JSON_MAX_MEMBERS keys in one. Depth first in
 * document order; the first problem is reported as "PATH: PROBLEM" in why
 * with IPSIM_ERR_DATA (IPSIM_ERR_NOMEM with "out of memory"). */
ipsim_status ipsim__json_check_tree(const cJSON *root, char *why, size_t whylen);

#endif /* IPSIM_JSON_INTERNAL_H */
