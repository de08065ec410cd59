/*
 * path.c - JSON paths (see json_path.h): building them while a tree is
 * walked, finding and probing the value a user-written path names, and the
 * nearest-name suggestions ("did you mean ...?") offered when it names
 * nothing.
 */
#include "json/json_path.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/textbuf.h"

#define IPSIM_SUGGEST_WORD_MAX 64     /* longest word compared, in bytes */
#define IPSIM_SUGGEST_FAR 1000        /* the distance of words not compared */
#define IPSIM_JSON_INDEX_DIGITS_MAX 9 /* longer [digits] are no index */
#define IPSIM_JSON_INDEX_BUF 24       /* "[%d]" of any int */

/* ------------------------------------------------------------------------ */
/* building paths                                                            */
/* ------------------------------------------------------------------------ */

/* Append s, cut to fit; return the previous length. */
static size_t path_append(ipsim_json_path *p, const char *s)
{
    size_t old = p->len;
    size_t n = strlen(s);
    if (p->len + n >= sizeof p->s)
        n = sizeof p->s - 1 - p->len;
    memcpy(p->s + p->len, s, n);
    p->len += n;
    p->s[p->len] = '\0';
    return old;
}

size_t ipsim_json_path_push_key(ipsim_json_path *p, const char *key)
{
    size_t old = p->len;
    if (p->len > 0)
        path_append(p, ".");
    path_append(p, key);
    return old;
}

size_t ipsim_json_path_push_index(ipsim_json_path *p, int index)
{
    char b[IPSIM_JSON_INDEX_BUF];
    snprintf(b, sizeof b, "[%d]", index);
    return path_append(p, b) /* returns the old length */;
}

void ipsim_json_path_pop(ipsim_json_path *p, size_t len)
{
    if (len < p->len) {
        p->len = len;
        p->s[len] = '\0';
    }
}

/* ------------------------------------------------------------------------ */
/* suggestions                                                               */
/* ------------------------------------------------------------------------ */

static int lower(int c)
{
    return (c >= 'A' && c <= 'Z') ? c - 'A' + 'a' : c;
}

/* Case-insensitive Levenshtein distance of ASCII-ish words of up to
 * IPSIM_SUGGEST_WORD_MAX bytes (IPSIM_SUGGEST_FAR for longer ones). */
static int distance(const char *a, const char *b)
{
    size_t n = strlen(a), m = strlen(b);
    if (n > IPSIM_SUGGEST_WORD_MAX || m > IPSIM_SUGGEST_WORD_MAX)
        return IPSIM_SUGGEST_FAR;
    int row[IPSIM_SUGGEST_WORD_MAX + 1];
    for (size_t j = 0; j <= m; j++)
        row[j] = (int)j;
    for (size_t i = 1; i <= n; i++) {
        int diag = row[0];
        row[0] = (int)i;
        for (size_t j = 1; j <= m; j++) {
            int up = row[j];
            int cost = lower((unsigned char)a[i - 1]) != lower((unsigned char)b[j - 1]);
            int best = diag + cost;
            if (up + 1 < best)
                best = up + 1;
            if (row[j - 1] + 1 < best)
                best = row[j - 1] + 1;
            row[j] = best;
            diag = up;
        }
    }
    return row[m];
}

void ipsim_suggest_init(ipsim_suggest *s, const char *word)
{
    s->word = word;
    s->best = NULL;
    s->best_distance = IPSIM_SUGGEST_FAR;
}

void ipsim_suggest_offer(ipsim_suggest *s, const char *candidate)
{
    if (candidate == NULL || s->word == NULL)
        return;
    size_t n = strlen(s->word);
    int limit = n < 4 ? 1 : (n < 12 ? 2 : 3);
    int d = distance(s->word, candidate);
    if (d <= limit && d < (int)n && d < s->best_distance) {
        s->best = candidate;
        s->best_distance = d;
    }
}

/* ------------------------------------------------------------------------ */
/* finding values by path                                                    */
/* ------------------------------------------------------------------------ */

/* Walk path from root. Returns 0 found, 1 missing, 2 malformed path; on
 * 1 and 2 why says why and *owned tells whether the miss lies below an
 * array or scalar. */
static int walk(const cJSON *root, const char *path, const cJSON **node, const cJSON **parent,
                int *owned, char *why, size_t whylen)
{
    const cJSON *cur = root, *par = NULL;
    const char *p = path;
    int through_array = 0;
    *owned = 0;
    if (*p == '\0' || *p == '.' || *p == '[') {
        ipsim_set_error(why, whylen, "expected a path such as markets[2].population");
        return 2;
    }
    while (*p) {
        const char *start = p;
        const cJSON *next = NULL;
        if (*p == '[') {
            const char *close = strchr(p, ']');
            if (close == NULL || close == p + 1) {
                ipsim_set_error(why, whylen, "malformed path at '%s' (expected [INDEX] or [NAME])", p);
                return 2;
            }
            size_t n = (size_t)(close - p - 1);
            char key[IPSIM_JSON_PATH_MAX];
            if (n >= sizeof key)
                n = sizeof key - 1;
            memcpy(key, p + 1, n);
            key[n] = '\0';
            int numeric = 1;
            for (size_t i = 0; i < n; i++)
                if (key[i] < '0' || key[i] > '9')
                    numeric = 0;
            if (!cJSON_IsArray(cur)) {
                *owned = through_array || !cJSON_IsObject(cur);
                ipsim_set_error(why, whylen, "%.*s is not an array", (int)(start - path), path);
                return 1;
            }
            int count = cJSON_GetArraySize(cur);
            if (numeric) {
                long idx = n > IPSIM_JSON_INDEX_DIGITS_MAX ? -1 : strtol(key, NULL, 10);
                if (idx >= 0 && idx < count)
                    next = cJSON_GetArrayItem(cur, (int)idx);
                if (next == NULL) {
                    *owned = 1;
                    ipsim_set_error(why, whylen, "no such element (%.*s has %d entr%s)",
                                    (int)(start - path), path, count, count == 1 ? "y" : "ies");
                    return 1;
                }
            } else {
                for (const cJSON *e = cur->child; e && !next; e = e->next) {
                    const cJSON *nm = cJSON_GetObjectItemCaseSensitive(e, "name");
                    if (cJSON_IsString(nm) && strcmp(nm->valuestring, key) == 0)
                        next = e;
                }
                if (next == NULL) { /* only a miss pays for the suggestion */
                    ipsim_suggest sg;
                    ipsim_suggest_init(&sg, key);
                    for (const cJSON *e = cur->child; e; e = e->next) {
                        const cJSON *nm = cJSON_GetObjectItemCaseSensitive(e, "name");
                        if (cJSON_IsString(nm))
                            ipsim_suggest_offer(&sg, nm->valuestring);
                    }
                    *owned = 1;
                    if (sg.best)
                        ipsim_set_error(why, whylen,
                                        "no element named \"%s\" in %.*s (did you mean \"%s\"?)", key,
                                        (int)(start - path), path, sg.best);
                    else
                        ipsim_set_error(why, whylen, "no element named \"%s\" in %.*s", key,
                                        (int)(start - path), path);
                    return 1;
                }
            }
            through_array = 1;
            p = close + 1;
            if (*p != '\0' && *p != '.' && *p != '[') {
                ipsim_set_error(why, whylen, "malformed path at '%s' (expected '.', '[' or the end)",
                                p);
                return 2;
            }
        } else {
            if (p != path) {
                if (*p != '.') {
                    ipsim_set_error(why, whylen, "malformed path at '%s'", p);
                    return 2;
                }
                p++;
            }
            size_t n = strcspn(p, ".[]");
            if (n == 0) {
                ipsim_set_error(why, whylen, "malformed path at '%s' (empty key)", p);
                return 2;
            }
            char key[IPSIM_JSON_PATH_MAX];
            if (n >= sizeof key)
                n = sizeof key - 1;
            memcpy(key, p, n);
            key[n] = '\0';
            if (!cJSON_IsObject(cur)) {
                *owned = 1;
                if (cJSON_IsArray(cur))
                    ipsim_set_error(why, whylen,
                                    "%.*s is an array (select an element with [INDEX] or [NAME])",
                                    (int)(start - path), path);
                else
                    ipsim_set_error(why, whylen, "%.*s is not an object", (int)(start - path), path);
                return 1;
            }
            next = cJSON_GetObjectItemCaseSensitive(cur, key);
            if (next == NULL) {
                *owned = through_array;
                ipsim_suggest sg;
                ipsim_suggest_init(&sg, key);
                for (const cJSON *e = cur->child; e; e = e->next)
                    ipsim_suggest_offer(&sg, e->string);
                if (sg.best)
                    ipsim_set_error(why, whylen, "no such key \"%s\" (did you mean \"%s\"?)", key,
                                    sg.best);
                else
                    ipsim_set_error(why, whylen, "no such key \"%s\"", key);
                return 1;
            }
            p += n;
            if (*p == ']') {
                ipsim_set_error(why, whylen, "malformed path at '%s'", p);
                return 2;
            }
        }
        par = cur;
        cur = next;
    }
    *node = cur;
    *parent = par;
    return 0;
}

ipsim_status ipsim_json_path_find(cJSON *root, const char *path, cJSON **node, cJSON **parent,
                                  char *why, size_t whylen)
{
    const cJSON *n = NULL, *par = NULL;
    int owned;
    *node = NULL;
    *parent = NULL;
    if (walk(root, path, &n, &par, &owned, why, whylen) != 0)
        return IPSIM_ERR_DATA;
    /* the tree belongs to the caller, who passed it mutable */
    *node = (cJSON *)(size_t)n;
    *parent = (cJSON *)(size_t)par;
    return IPSIM_OK;
}

ipsim_json_probe ipsim_json_path_probe(const cJSON *root, const char *path)
{
    const cJSON *n = NULL, *par = NULL;
    int owned;
    char why[8];
    int r = walk(root, path, &n, &par, &owned, why, sizeof why);
    if (r == 0)
        return IPSIM_JSON_PROBE_FOUND;
    return owned ? IPSIM_JSON_PROBE_OWNED : IPSIM_JSON_PROBE_ABSENT;
}
