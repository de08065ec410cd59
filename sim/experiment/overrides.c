/*
 * overrides.c - the command line's overrides of an experiment (`ipsim
 * sweep|compare --set PATH=VALUE --arm NAME:PATH=VALUE`), written into the
 * experiment's JSON before it is read: --set into the top-level "set"
 * (applied together to the base and to every arm's scenario file), --arm
 * into design.arms[NAME].set. The sweep file's /experiment and /identity
 * then record them, so a sweep with other overrides is another sweep
 * (--resume and merge refuse to mix them), and a sweep with overrides is
 * the sweep of the experiment file edited the same way.
 */
#define _POSIX_C_SOURCE 200809L

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "experiment/plan.h"
#include "experiment/plan_build.h"
#include "json/json_path.h"

#define ARM_LIST_MAX 512 /* bytes of the list of arms in a message */

/* "PATH=VALUE" split at the first '=' outside brackets; NULL if none. */
static const char *find_equals(const char *s)
{
    int depth = 0;
    for (const char *p = s; *p; p++) {
        if (*p == '[')
            depth++;
        else if (*p == ']' && depth > 0)
            depth--;
        else if (*p == '=' && depth == 0)
            return p;
    }
    return NULL;
}

static int all_digits(const char *s)
{
    if (!*s)
        return 0;
    for (; *s; s++)
        if (*s < '0' || *s > '9')
            return 0;
    return 1;
}

/* Put PATH=VALUE (what: "--set" or "--arm NAME:") into the object obj; the
 * value is JSON, or a bare word as a string (a bare number for
 * simulation.seed stays exact as a string). */
static ipsim_status put(cJSON *obj, const char *assignment, const char *what, char *err, size_t errlen)
{
    const char *eq = find_equals(assignment);
    if (!eq || eq == assignment) {
        snprintf(err, errlen, "%s %s: expected PATH=VALUE, such as markets[2].population=100", what,
                 assignment);
        return IPSIM_ERR_USAGE;
    }
    size_t n = (size_t)(eq - assignment);
    char *path = malloc(n + 1);
    cJSON *value = NULL;
    if (!path) {
        snprintf(err, errlen, "out of memory");
        return IPSIM_ERR_NOMEM;
    }
    memcpy(path, assignment, n);
    path[n] = '\0';
    if (strcmp(path, "simulation.seed") == 0 && all_digits(eq + 1)) {
        value = cJSON_CreateString(eq + 1);
    } else {
        char why[512];
        ipsim_status s = ipsim__json_parse_value(eq + 1, strlen(eq + 1), &value, why, sizeof why);
        if (s == IPSIM_ERR_NOMEM) {
            free(path);
            snprintf(err, errlen, "out of memory");
            return s;
        }
        if (s != IPSIM_OK) {
            size_t lead = strspn(eq + 1, " \t");
            if (eq[1 + lead] == '{' || eq[1 + lead] == '[' || eq[1 + lead] == '"') {
                snprintf(err, errlen, "%s %s: value: %s", what, path, why);
                free(path);
                return IPSIM_ERR_USAGE;
            }
            value = cJSON_CreateString(eq + 1);
        }
    }
    int ok = value != NULL;
    if (ok && cJSON_GetObjectItemCaseSensitive(obj, path))
        ok = cJSON_ReplaceItemInObjectCaseSensitive(obj, path, value);
    else if (ok)
        ok = cJSON_AddItemToObject(obj, path, value);
    if (!ok) {
        cJSON_Delete(value);
        free(path);
        snprintf(err, errlen, "out of memory");
        return IPSIM_ERR_NOMEM;
    }
    free(path);
    return IPSIM_OK;
}

/* obj[key] as an object, created when absent; NULL when it is something
 * else (err says so) or out of memory. */
static cJSON *object_at(cJSON *obj, const char *key, const char *where, char *err, size_t errlen)
{
    cJSON *o = cJSON_GetObjectItemCaseSensitive(obj, key);
    if (o && !cJSON_IsObject(o)) {
        snprintf(err, errlen, "%s: expected an object of overrides, found another value", where);
        return NULL;
    }
    if (!o && !(o = cJSON_AddObjectToObject(obj, key)))
        snprintf(err, errlen, "out of memory");
    return o;
}

/* The arm named name (len bytes) of root's design, or NULL with err naming
 * the arms there are. */
static cJSON *find_arm(cJSON *root, const char *assignment, size_t len, char *err, size_t errlen)
{
    cJSON *design = cJSON_GetObjectItemCaseSensitive(root, "design");
    cJSON *arms = cJSON_IsObject(design) ? cJSON_GetObjectItemCaseSensitive(design, "arms") : NULL;
    cJSON *type = cJSON_IsObject(design) ? cJSON_GetObjectItemCaseSensitive(design, "type") : NULL;
    char list[ARM_LIST_MAX] = "";
    cJSON *arm;
    if (!cJSON_IsString(type) || strcmp(type->valuestring, "arms") != 0 || !cJSON_IsArray(arms)) {
        snprintf(err, errlen,
                 "--arm %s: the experiment has no arms (design.type is not \"arms\"); "
                 "use --set",
                 assignment);
        return NULL;
    }
    cJSON_ArrayForEach(arm, arms)
    {
        cJSON *nm = cJSON_GetObjectItemCaseSensitive(arm, "name");
        if (!cJSON_IsString(nm))
            continue;
        if (strlen(nm->valuestring) == len && strncmp(nm->valuestring, assignment, len) == 0)
            return arm;
        snprintf(list + strlen(list), sizeof list - strlen(list), "%s%s", *list ? ", " : "",
                 nm->valuestring);
    }
    snprintf(err, errlen, "--arm %s: no arm \"%.*s\" in the experiment (its arms: %s)", assignment,
             (int)len, assignment, list);
    return NULL;
}

ipsim_status ipsim__xp_apply_overrides(cJSON *root, const ipsim_experiment_overrides *ov, char *err,
                                       size_t errlen)
{
    ipsim_status st;
    if (!ov || (ov->n_sets == 0 && ov->n_arm_sets == 0))
        return IPSIM_OK;
    if (!cJSON_IsObject(root)) {
        snprintf(err, errlen, "expected a JSON object at the top level");
        return IPSIM_ERR_DATA;
    }
    for (int i = 0; i < ov->n_sets; i++) {
        cJSON *set = object_at(root, "set", "set", err, errlen);
        if (!set)
            return IPSIM_ERR_DATA;
        if ((st = put(set, ov->sets[i], "--set", err, errlen)) != IPSIM_OK)
            return st;
    }
    for (int i = 0; i < ov->n_arm_sets; i++) {
        const char *a = ov->arm_sets[i], *colon = strchr(a, ':');
        const char *eq = find_equals(a);
        if (!colon || colon == a || (eq && eq < colon)) {
            snprintf(err, errlen,
                     "--arm %s: expected NAME:PATH=VALUE, such as "
                     "shanghai_shenzhen:interventions[0].cost_cny=1e7",
                     a);
            return IPSIM_ERR_USAGE;
        }
        cJSON *arm = find_arm(root, a, (size_t)(colon - a), err, errlen);
        if (!arm)
            return IPSIM_ERR_USAGE;
        cJSON *set = object_at(arm, "set", "design.arms[].set", err, errlen);
        if (!set)
            return IPSIM_ERR_DATA;
        char what[XP_NAME_MAX + 16];
        snprintf(what, sizeof what, "--arm %.*s:", (int)(colon - a), a);
        if ((st = put(set, colon + 1, what, err, errlen)) != IPSIM_OK)
            return st;
    }
    return IPSIM_OK;
}
