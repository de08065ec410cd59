/*
 * json_path.h - strict JSON reading, JSON paths and value descriptions for
 * the scenario loader (internal to libipsim).
 *
 * "Strict" JSON is RFC 8259 JSON that is also valid UTF-8 throughout, has
 * no NUL characters, nests at most IPSIM_JSON_MAX_DEPTH deep, repeats no key
 * within an object, has at most IPSIM_JSON_MAX_MEMBERS keys in an object and
 * holds only finite numbers. A JSON path names a value
 * the way messages print it: `markets[3].population`, `a.b.c`; paths given
 * by users may also select array elements by their "name" member:
 * `markets[Shanghai].cec_share`.
 */
#ifndef IPSIM_JSON_PATH_H
#define IPSIM_JSON_PATH_H

#include <stddef.h>
#include <cjson/cJSON.h>

#include "ipsim/ipsim.h"

#define IPSIM_JSON_MAX_DEPTH 32          /* nesting of objects and arrays */
#define IPSIM_JSON_MAX_BYTES (16u << 20) /* largest file read: 16 MiB */
#define IPSIM_JSON_MAX_MEMBERS 10000     /* keys of one object */
#define IPSIM_JSON_PATH_MAX 512          /* bytes of a path incl. NUL */
#define IPSIM_JSON_FOUND_MAX 40          /* bytes of a string shown in a message */

/* Read a whole file into a new NUL-terminated buffer (*text, caller frees,
 * length in *len). IPSIM_ERR_NOINPUT with "cannot open: REASON" or "cannot
 * read: REASON" in why, IPSIM_ERR_DATA with "file too large ..." past
 * IPSIM_JSON_MAX_BYTES, IPSIM_ERR_NOMEM. *text is NULL on failure. */
ipsim_status ipsim_json_read_file(const char *path, char **text, size_t *len, char *why,
                                  size_t whylen);

/* Parse len bytes of text (text[len] must be '\0'), a whole document such
 * as a file, as strict JSON. On success *out owns the tree. On failure *out
 * is NULL, the status is IPSIM_ERR_DATA or IPSIM_ERR_NOMEM, and why holds
 * either "line L, column C: PROBLEM" (syntax, UTF-8, nesting) or "PATH:
 * PROBLEM" (duplicate key, non-finite number). Columns count characters
 * from 1. A syntax message quotes up to 24 bytes of the text ("near
 * '...'") only if the text starts like JSON (its first character after
 * whitespace is '{' or '['); any other text that fails gets "not a JSON
 * document (the first character is not '{' or '[')", quoting nothing. */
ipsim_status ipsim_json_parse(const char *text, size_t len, cJSON **out, char *why, size_t whylen);

/* As ipsim_json_parse for a value that is not a file (the VALUE of --set
 * PATH=VALUE): any JSON value, messages quote it whatever it starts with. */
ipsim_status ipsim__json_parse_value(const char *text, size_t len, cJSON **out, char *why,
                                     size_t whylen);

/* cJSON holds numbers as doubles, so the integer 9007199254740993 reads as
 * 9007199254740992. For a number of a tree from ipsim_json_parse that
 * reads as an integer other than the value written (9007199254740993,
 * 9007199254740993.0, 1.0000000000000001), the text written; NULL for any
 * other number or node. (The parser keeps that text in the node's
 * valuestring, which cJSON copies and frees with the node.) */
const char *ipsim__json_inexact_integer(const cJSON *node);

/* A path being built while a tree is walked. */
typedef struct ipsim_json_path {
    char s[IPSIM_JSON_PATH_MAX];
    size_t len;
} ipsim_json_path;

/* Append ".key" (just "key" at the top) or "[index]"; return the previous
 * length for ipsim_json_path_pop. Overlong paths are cut, never overrun. */
size_t ipsim_json_path_push_key(ipsim_json_path *p, const char *key);
size_t ipsim_json_path_push_index(ipsim_json_path *p, int index);
void ipsim_json_path_pop(ipsim_json_path *p, size_t len);

/* Find the value at path in root (a user-written path: indices or
 * [name]). On success *node is the value and *parent its container (NULL
 * for the root itself). On failure returns IPSIM_ERR_DATA and why says
 * what is missing, e.g. "no such element (markets has 13 entries)" or
 * "no such key \"popultion\" (did you mean \"population\"?)". */
ipsim_status ipsim_json_path_find(cJSON *root, const char *path, cJSON **node, cJSON **parent,
                                  char *why, size_t whylen);

/* How a path relates to one layer of a merged document. */
typedef enum {
    IPSIM_JSON_PROBE_FOUND = 0, /* the value is there */
    IPSIM_JSON_PROBE_ABSENT,    /* a key is missing from an object reached
                                 * through objects only: a deeper layer may
                                 * supply it */
    IPSIM_JSON_PROBE_OWNED      /* missing below an array or scalar, which
                                 * replaces deeper layers wholesale */
} ipsim_json_probe;

/* Classify path (as printed in messages) against root. */
ipsim_json_probe ipsim_json_path_probe(const cJSON *root, const char *path);

/* Describe a value for "found ..." in a message: strings quoted and cut to
 * IPSIM_JSON_FOUND_MAX bytes, numbers in shortest exact form, "an object",
 * "an array", and "nothing" for NULL. */
void ipsim_json_describe(const cJSON *value, char *buf, size_t buflen);

/* Shortest decimal text that reads back as exactly d (at least 32 bytes);
 * "null" for a non-finite d. */
void ipsim_json_number_text(double d, char *buf, size_t buflen);

/* Pretty JSON text of a tree, two-space indented, arrays of scalars on one
 * line, every number exact, ending in a newline. Caller frees with free().
 * NULL on OOM. */
char *ipsim_json_print(const cJSON *root);

/* Nearest-name suggestion: offer candidates, then read best (NULL when no
 * candidate is close enough to be a likely misspelling of word). */
typedef struct ipsim_suggest {
    const char *word;
    const char *best;
    int best_distance;
} ipsim_suggest;

void ipsim_suggest_init(ipsim_suggest *s, const char *word);
void ipsim_suggest_offer(ipsim_suggest *s, const char *candidate);

#endif /* IPSIM_JSON_PATH_H */
