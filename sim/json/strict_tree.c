/*
 * strict_tree.c - the strict checks on a parsed tree (see json_internal.h):
 * duplicate keys, objects with too many keys and non-finite numbers, which
 * cJSON accepts, reported by JSON path, depth first in document order.
 */
#include "json/json_path.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/textbuf.h"
#include "json/json_internal.h"

static const char *path_or_top(const ipsim_json_path *p)
{
    return p->len ? p->s : "(top level)";
}

/* A member of an object and its position there, sorted by key. */
typedef struct {
    const cJSON *node;
    size_t order; /* position in the object */
} keyed;

static int cmp_keys(const void *a, const void *b)
{
    const keyed *x = a, *y = b;
    int c = strcmp(x->node->string, y->node->string);
    if (c)
        return c;
    return (x->order > y->order) - (x->order < y->order);
}

/* The repeated key that comes first in the object, or NULL. */
static ipsim_status first_duplicate(const cJSON *obj, const cJSON **dup)
{
    size_t n = 0;
    *dup = NULL;
    for (const cJSON *c = obj->child; c; c = c->next)
        n++;
    if (n < 2)
        return IPSIM_OK;
    keyed *k = malloc(n * sizeof *k);
    if (k == NULL)
        return IPSIM_ERR_NOMEM;
    size_t i = 0;
    for (const cJSON *c = obj->child; c; c = c->next, i++) {
        k[i].node = c;
        k[i].order = i;
    }
    qsort(k, n, sizeof *k, cmp_keys);
    size_t best = n;
    for (i = 1; i < n; i++)
        if (strcmp(k[i - 1].node->string, k[i].node->string) == 0 && k[i].order < best) {
            best = k[i].order;
            *dup = k[i].node;
        }
    free(k);
    return IPSIM_OK;
}

/* Check node, whose path is p, and everything below it. */
static ipsim_status check_node(const cJSON *node, ipsim_json_path *p, char *why, size_t whylen)
{
    if (cJSON_IsNumber(node)) {
        if (!isfinite(node->valuedouble)) {
            ipsim_set_error(
                why, whylen,
                "%s: expected a finite number, found a number beyond the range of a double",
                path_or_top(p));
            return IPSIM_ERR_DATA;
        }
        return IPSIM_OK;
    }
    if (cJSON_IsObject(node)) {
        const cJSON *dup;
        size_t members = 0;
        for (const cJSON *c = node->child; c; c = c->next)
            members++;
        if (members > IPSIM_JSON_MAX_MEMBERS) {
            /* merging base chains looks keys up one by one: bound the work */
            ipsim_set_error(why, whylen, "%s: expected an object of at most %d keys, found %zu keys",
                            path_or_top(p), IPSIM_JSON_MAX_MEMBERS, members);
            return IPSIM_ERR_DATA;
        }
        if (first_duplicate(node, &dup) != IPSIM_OK) {
            ipsim_set_error(why, whylen, "out of memory");
            return IPSIM_ERR_NOMEM;
        }
        if (dup) {
            size_t old = ipsim_json_path_push_key(p, dup->string);
            ipsim_set_error(why, whylen, "%s: duplicate key (a key may appear only once in an object)",
                            p->s);
            ipsim_json_path_pop(p, old);
            return IPSIM_ERR_DATA;
        }
        for (const cJSON *c = node->child; c; c = c->next) {
            size_t old = ipsim_json_path_push_key(p, c->string);
            ipsim_status st = check_node(c, p, why, whylen);
            ipsim_json_path_pop(p, old);
            if (st != IPSIM_OK)
                return st;
        }
        return IPSIM_OK;
    }
    if (cJSON_IsArray(node)) {
        int i = 0;
        for (const cJSON *c = node->child; c; c = c->next, i++) {
            size_t old = ipsim_json_path_push_index(p, i);
            ipsim_status st = check_node(c, p, why, whylen);
            ipsim_json_path_pop(p, old);
            if (st != IPSIM_OK)
                return st;
        }
    }
    return IPSIM_OK;
}

ipsim_status ipsim__json_check_tree(const cJSON *root, char *why, size_t whylen)
{
    ipsim_json_path p = {{0}, 0};
    return check_node(root, &p, why, whylen);
}
