/*
 * scenario.c - loading, resolving, overriding and writing scenarios: the
 * public "Scenarios" API of ipsim.h.
 *
 * Loading a scenario is: read the file (json_path.c: strict JSON), follow
 * its chain of "base" files (each relative to the directory of the file
 * that names it, at most IPSIM_MAX_BASE_DEPTH deep, no cycles), merge the
 * chain from the deepest base up (objects key by key, everything else
 * replaced), validate the merged document against the field tables
 * (scenario_fields.c) into an sc_data, and keep the resolved document
 * regenerated from that sc_data, so it holds every key with its default
 * filled in. Overrides (ipsim_scenario_set) edit a copy of the resolved
 * document and validate it whole again.
 */
#define _POSIX_C_SOURCE 200809L

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <cjson/cJSON.h>

#include "json/json_path.h"
#include "scenario/scenario.h"
#include "scenario/fields.h"

#define IPSIM_MAX_BASE_DEPTH 8   /* base links followed from one file */
#define IPSIM_PATH_TEXT_MAX 1023 /* bytes of a "base" path */

struct ipsim_scenario {
    sc_data data; /* validated */
    cJSON *json;  /* resolved document, regenerated from data */
    char *origin; /* file it came from, or the buffer's origin */
};

/* One file of a base chain. */
typedef struct {
    char *path;  /* as opened (NULL for a buffer) */
    char *label; /* message prefix: "a.json" or "a.json: base: b.json" */
    cJSON *raw;  /* the file's own tree */
    int has_id;
    dev_t dev;
    ino_t ino;
} layer;

typedef struct {
    layer l[IPSIM_MAX_BASE_DEPTH + 1];
    int n;
} chain;

static void say(char *err, size_t errlen, const char *fmt, ...)
{
    if (err == NULL || errlen == 0)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
}

static char *dup_string(const char *s)
{
    size_t n = strlen(s) + 1;
    char *d = malloc(n);
    if (d)
        memcpy(d, s, n);
    return d;
}

/* "a" ": base: " "b" as a new string. */
static char *concat3(const char *a, const char *b, const char *c)
{
    size_t na = strlen(a), nb = strlen(b), nc = strlen(c);
    char *s = malloc(na + nb + nc + 1);
    if (s == NULL)
        return NULL;
    memcpy(s, a, na);
    memcpy(s + na, b, nb);
    memcpy(s + na + nb, c, nc + 1);
    return s;
}

static void chain_free(chain *c)
{
    for (int i = 0; i < c->n; i++) {
        free(c->l[i].path);
        free(c->l[i].label);
        cJSON_Delete(c->l[i].raw);
    }
    c->n = 0;
}

/* Path of base relative to the directory of the file at from (NULL: the
 * current directory). */
static char *join_base(const char *from, const char *base)
{
    if (from == NULL || base[0] == '/')
        return dup_string(base);
    const char *slash = strrchr(from, '/');
    if (slash == NULL)
        return dup_string(base);
    size_t nd = (size_t)(slash - from) + 1;
    size_t nb = strlen(base);
    char *s = malloc(nd + nb + 1);
    if (s == NULL)
        return NULL;
    memcpy(s, from, nd);
    memcpy(s + nd, base, nb + 1);
    return s;
}

/* Parse text as layer c->n (path NULL for a buffer). label is taken over. */
static ipsim_status add_layer(chain *c, const char *text, size_t len, const char *path, char *label,
                              char *err, size_t errlen)
{
    char why[1024];
    layer *ly = &c->l[c->n];
    memset(ly, 0, sizeof *ly);
    ly->label = label;
    if (label == NULL || (path && (ly->path = dup_string(path)) == NULL)) {
        free(label);
        ly->label = NULL;
        say(err, errlen, "out of memory");
        return IPSIM_ERR_NOMEM;
    }
    c->n++;
    struct stat st;
    if (path && stat(path, &st) == 0) {
        ly->has_id = 1;
        ly->dev = st.st_dev;
        ly->ino = st.st_ino;
    }
    ipsim_status s = ipsim_json_parse(text, len, &ly->raw, why, sizeof why);
    if (s != IPSIM_OK) {
        say(err, errlen, "%s: %s", label, why);
        return s;
    }
    return IPSIM_OK;
}

/* Follow "base" links from the last layer of c. */
static ipsim_status follow_bases(chain *c, char *err, size_t errlen)
{
    char why[1024], got[160];
    for (;;) {
        layer *ly = &c->l[c->n - 1];
        if (!cJSON_IsObject(ly->raw)) {
            if (c->n == 1)
                return IPSIM_OK; /* validation names the problem */
            say(err, errlen, "%s: expected a JSON object at the top level, found %s", ly->label,
                cJSON_IsArray(ly->raw) ? "an array" : "a scalar");
            return IPSIM_ERR_DATA;
        }
        const cJSON *b = cJSON_GetObjectItemCaseSensitive(ly->raw, "base");
        if (b == NULL)
            return IPSIM_OK;
        if (!cJSON_IsString(b) || b->valuestring[0] == '\0' ||
            strlen(b->valuestring) > IPSIM_PATH_TEXT_MAX) {
            ipsim_json_describe(b, got, sizeof got);
            say(err, errlen, "%s: base: expected a file path (a string of 1 to %d bytes), found %s",
                ly->label, IPSIM_PATH_TEXT_MAX, got);
            return IPSIM_ERR_DATA;
        }
        if (c->n > IPSIM_MAX_BASE_DEPTH) {
            say(err, errlen, "%s: base: expected at most %d bases in a chain, found more", ly->label,
                IPSIM_MAX_BASE_DEPTH);
            return IPSIM_ERR_DATA;
        }
        char *path = join_base(ly->path, b->valuestring);
        char *label = path ? concat3(ly->label, ": base: ", path) : NULL;
        if (path == NULL || label == NULL) {
            free(path);
            free(label);
            say(err, errlen, "out of memory");
            return IPSIM_ERR_NOMEM;
        }
        struct stat st;
        if (stat(path, &st) == 0) {
            for (int i = 0; i < c->n; i++) {
                if (c->l[i].has_id && c->l[i].dev == st.st_dev && c->l[i].ino == st.st_ino) {
                    say(err, errlen, "%s: base cycle (the file is already in the chain of bases)",
                        label);
                    free(path);
                    free(label);
                    return IPSIM_ERR_DATA;
                }
            }
        }
        char *text = NULL;
        size_t len = 0;
        ipsim_status s = ipsim_json_read_file(path, &text, &len, why, sizeof why);
        if (s != IPSIM_OK) {
            say(err, errlen, "%s: %s", label, why);
            free(path);
            free(label);
            return s;
        }
        s = add_layer(c, text, len, path, label, err, errlen);
        free(text);
        free(path);
        if (s != IPSIM_OK)
            return s;
    }
}

/* Merge src into dst (objects); at the top level "base" is skipped. */
static int merge(cJSON *dst, const cJSON *src, int top)
{
    for (const cJSON *e = src->child; e; e = e->next) {
        if (top && strcmp(e->string, "base") == 0)
            continue;
        cJSON *d = cJSON_GetObjectItemCaseSensitive(dst, e->string);
        if (d && cJSON_IsObject(d) && cJSON_IsObject(e)) {
            if (merge(d, e, 0))
                return -1;
            continue;
        }
        /* the copy carries its key; cJSON_ReplaceItemInObject would re-copy
         * the key and, out of memory, leave it NULL */
        cJSON *copy = cJSON_Duplicate(e, 1);
        if (copy == NULL)
            return -1;
        int ok = d ? cJSON_ReplaceItemViaPointer(dst, d, copy)
                   : cJSON_AddItemToObject(dst, e->string, copy);
        if (!ok) {
            cJSON_Delete(copy);
            return -1;
        }
    }
    return 0;
}

/* The merged document of the chain (deepest base first), without "base". */
static cJSON *resolve(const chain *c)
{
    const cJSON *deepest = c->l[c->n - 1].raw;
    cJSON *doc = cJSON_Duplicate(deepest, 1);
    if (doc == NULL)
        return NULL;
    if (!cJSON_IsObject(doc))
        return doc;
    cJSON_DeleteItemFromObjectCaseSensitive(doc, "base");
    for (int i = c->n - 2; i >= 0; i--) {
        if (merge(doc, c->l[i].raw, 1)) {
            cJSON_Delete(doc);
            return NULL;
        }
    }
    return doc;
}

/* Append " (value from base FILE)" when the offending value came from a base. */
static void annotate(const chain *c, const char *errpath, char *err, size_t errlen)
{
    if (c->n < 2 || errpath[0] == '\0' || err == NULL)
        return;
    for (int i = 0; i < c->n; i++) {
        ipsim_json_probe p = ipsim_json_path_probe(c->l[i].raw, errpath);
        if (p == IPSIM_JSON_PROBE_OWNED)
            return;
        if (p == IPSIM_JSON_PROBE_FOUND) {
            if (i > 0) {
                size_t n = strlen(err);
                if (n + 1 < errlen)
                    snprintf(err + n, errlen - n, " (value from base %s)", c->l[i].path);
            }
            return;
        }
    }
}

/* Validate doc into a new scenario; takes ownership of nothing. */
static ipsim_status make_scenario(const cJSON *doc, const char *origin, const chain *c,
                                  ipsim_scenario **out, char *err, size_t errlen)
{
    ipsim_scenario *sc = calloc(1, sizeof *sc);
    if (sc == NULL) {
        say(err, errlen, "out of memory");
        return IPSIM_ERR_NOMEM;
    }
    char errpath[IPSIM_JSON_PATH_MAX];
    ipsim_status s =
        ipsim_scenario_fields_fill(doc, origin, &sc->data, err, errlen, errpath, sizeof errpath);
    if (s != IPSIM_OK) {
        if (c)
            annotate(c, errpath, err, errlen);
        free(sc);
        return s;
    }
    sc->json = ipsim_scenario_fields_emit(&sc->data);
    sc->origin = dup_string(origin);
    if (sc->json == NULL || sc->origin == NULL) {
        ipsim_scenario_destroy(sc);
        say(err, errlen, "out of memory");
        return IPSIM_ERR_NOMEM;
    }
    *out = sc;
    return IPSIM_OK;
}

/* Shared by load and load_buffer: text is NUL-terminated at len. */
static ipsim_status load_text(const char *text, size_t len, const char *origin, const char *path,
                              ipsim_scenario **out, char *err, size_t errlen)
{
    chain c;
    c.n = 0;
    ipsim_status s = add_layer(&c, text, len, path, dup_string(origin), err, errlen);
    if (s == IPSIM_OK)
        s = follow_bases(&c, err, errlen);
    if (s != IPSIM_OK) {
        chain_free(&c);
        return s;
    }
    cJSON *doc = resolve(&c);
    if (doc == NULL) {
        chain_free(&c);
        say(err, errlen, "out of memory");
        return IPSIM_ERR_NOMEM;
    }
    s = make_scenario(doc, origin, &c, out, err, errlen);
    cJSON_Delete(doc);
    chain_free(&c);
    return s;
}

/* Read, resolve and validate the scenario file at path (contract in
 * ipsim.h). */
ipsim_status ipsim_scenario_load(const char *path, ipsim_scenario **out, char *err, size_t errlen)
{
    if (out)
        *out = NULL;
    if (path == NULL || out == NULL) {
        say(err, errlen, "ipsim_scenario_load: path and out must not be NULL");
        return IPSIM_ERR_USAGE;
    }
    char why[1024];
    char *text = NULL;
    size_t len = 0;
    ipsim_status s = ipsim_json_read_file(path, &text, &len, why, sizeof why);
    if (s != IPSIM_OK) {
        say(err, errlen, "%s: %s", path, why);
        return s;
    }
    s = load_text(text, len, path, path, out, err, errlen);
    free(text);
    return s;
}

/* As ipsim_scenario_load for len bytes at json; "base" is relative to the
 * current directory and messages name origin (contract in ipsim.h). */
ipsim_status ipsim_scenario_load_buffer(const char *json, size_t len, const char *origin,
                                        ipsim_scenario **out, char *err, size_t errlen)
{
    if (out)
        *out = NULL;
    if ((json == NULL && len > 0) || out == NULL) {
        say(err, errlen, "ipsim_scenario_load_buffer: json and out must not be NULL");
        return IPSIM_ERR_USAGE;
    }
    if (origin == NULL)
        origin = "(buffer)";
    if (len > IPSIM_JSON_MAX_BYTES) {
        say(err, errlen, "%s: file too large (more than %u MiB)", origin, IPSIM_JSON_MAX_BYTES >> 20);
        return IPSIM_ERR_DATA;
    }
    char *text = malloc(len + 1);
    if (text == NULL) {
        say(err, errlen, "out of memory");
        return IPSIM_ERR_NOMEM;
    }
    if (len)
        memcpy(text, json, len);
    text[len] = '\0';
    ipsim_status s = load_text(text, len, origin, NULL, out, err, errlen);
    free(text);
    return s;
}

/* Split "path=value" at the first '=' outside brackets; NULL if none. */
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
    if (*s == '\0')
        return 0;
    for (; *s; s++)
        if (*s < '0' || *s > '9')
            return 0;
    return 1;
}

/* The value of an assignment as JSON: JSON text, or a bare word as a
 * string; a bare number for simulation.seed stays exact as a string. */
static ipsim_status parse_value(const char *path, const char *value, cJSON **out, char *err,
                                size_t errlen)
{
    char why[1024];
    *out = NULL;
    if (strcmp(path, "simulation.seed") == 0 && all_digits(value)) {
        *out = cJSON_CreateString(value);
    } else {
        ipsim_status s = ipsim__json_parse_value(value, strlen(value), out, why, sizeof why);
        if (s == IPSIM_ERR_NOMEM) {
            say(err, errlen, "out of memory");
            return s;
        }
        if (s != IPSIM_OK) {
            size_t lead = strspn(value, " \t");
            if (value[lead] == '{' || value[lead] == '[' || value[lead] == '"') {
                say(err, errlen, "--set %s: value: %s", path, why);
                return IPSIM_ERR_DATA;
            }
            *out = cJSON_CreateString(value);
        }
    }
    if (*out == NULL) {
        say(err, errlen, "out of memory");
        return IPSIM_ERR_NOMEM;
    }
    return IPSIM_OK;
}

/* Put value in place of node (whose container is parent); 0 on success,
 * when doc owns value. */
static int replace_node(cJSON *parent, cJSON *node, cJSON *value)
{
    if (cJSON_IsObject(parent)) {
        /* give value node's key: attach it to a scratch object, which
         * copies the key or fails cleanly, then move it */
        cJSON *scratch = cJSON_CreateObject();
        if (scratch == NULL || !cJSON_AddItemToObject(scratch, node->string, value)) {
            cJSON_Delete(scratch);
            return -1;
        }
        cJSON_DetachItemViaPointer(scratch, value);
        cJSON_Delete(scratch);
    }
    if (!cJSON_ReplaceItemViaPointer(parent, node, value))
        return -1;
    return 0;
}

/* The text messages name an assignment by: "--set PATH=VALUE", a long
 * value shortened; NULL when out of memory. */
static char *assignment_origin(const char *assignment)
{
    enum { SHOWN_VALUE = 40 };
    const char *eq = find_equals(assignment);
    char shown[SHOWN_VALUE + 4];
    size_t plen = eq ? (size_t)(eq - assignment) : strlen(assignment);
    char *path = malloc(plen + 1);
    if (path == NULL)
        return NULL;
    memcpy(path, assignment, plen);
    path[plen] = '\0';
    snprintf(shown, sizeof shown, "%.*s%s", SHOWN_VALUE, eq ? eq + 1 : "",
             eq && strlen(eq + 1) > SHOWN_VALUE ? "..." : "");
    char *origin = concat3("--set ", path, "=");
    if (origin) {
        char *full = concat3(origin, shown, "");
        free(origin);
        origin = full;
    }
    free(path);
    return origin;
}

/* The resolved form of doc (validated, every default filled in), or NULL
 * when doc is not a valid scenario (or out of memory). */
static cJSON *normalised(const cJSON *doc)
{
    sc_data *data = calloc(1, sizeof *data);
    cJSON *json = NULL;
    if (data && ipsim_scenario_fields_fill(doc, "--set", data, NULL, 0, NULL, 0) == IPSIM_OK)
        json = ipsim_scenario_fields_emit(data);
    free(data);
    return json;
}

/* Apply one "path=value" to the document *doc (not validated). When the
 * path is not in *doc but is in its resolved form (a key an earlier
 * assignment of the same call left to its default), *doc is replaced by
 * that form and the path looked up again. */
static ipsim_status edit_doc(cJSON **doc, const char *assignment, char *err, size_t errlen)
{
    char why[1024];
    const char *eq = find_equals(assignment);
    if (eq == NULL) {
        say(err, errlen, "--set %s: expected PATH=VALUE, such as markets[2].population=100",
            assignment);
        return IPSIM_ERR_USAGE;
    }
    size_t plen = (size_t)(eq - assignment);
    char *path = malloc(plen + 1);
    if (path == NULL) {
        say(err, errlen, "out of memory");
        return IPSIM_ERR_NOMEM;
    }
    memcpy(path, assignment, plen);
    path[plen] = '\0';
    cJSON *value = NULL;
    ipsim_status s = IPSIM_OK;
    cJSON *node = NULL, *parent = NULL;
    /* ARRAY[+]=VALUE appends VALUE to the array */
    int append = plen >= 3 && strcmp(path + plen - 3, "[+]") == 0;
    if (append)
        path[plen - 3] = '\0';
    if (ipsim_json_path_find(*doc, path, &node, &parent, why, sizeof why) != IPSIM_OK) {
        cJSON *full = normalised(*doc);
        if (full && ipsim_json_path_find(full, path, &node, &parent, NULL, 0) == IPSIM_OK) {
            cJSON_Delete(*doc);
            *doc = full;
        } else {
            cJSON_Delete(full);
            say(err, errlen, "--set %s: %s", path, why);
            s = IPSIM_ERR_DATA;
            goto done;
        }
    }
    if (append) {
        if (!cJSON_IsArray(node)) {
            say(err, errlen, "--set %s[+]: %s is not an array", path, path);
            s = IPSIM_ERR_DATA;
            goto done;
        }
        s = parse_value(path, eq + 1, &value, err, errlen);
        if (s != IPSIM_OK)
            goto done;
        if (!cJSON_AddItemToArray(node, value)) {
            say(err, errlen, "out of memory");
            s = IPSIM_ERR_NOMEM;
            goto done;
        }
        value = NULL; /* owned by doc now */
        goto done;
    }
    if (parent == NULL) {
        say(err, errlen, "--set %s: cannot replace the whole scenario", path);
        s = IPSIM_ERR_DATA;
        goto done;
    }
    s = parse_value(path, eq + 1, &value, err, errlen);
    if (s != IPSIM_OK)
        goto done;
    if (replace_node(parent, node, value)) {
        say(err, errlen, "out of memory");
        s = IPSIM_ERR_NOMEM;
        goto done;
    }
    value = NULL; /* owned by doc now */
done:
    cJSON_Delete(value);
    free(path);
    return s;
}

/* Messages about several assignments name them all, up to this many bytes. */
#define SET_ORIGIN_MAX 400

/* The assignments applied to a copy of the document json, validated once
 * into data (zeroed by the caller); *out the resolved document regenerated
 * from data. On failure *out is NULL (data partly filled). */
static ipsim_status apply_all(const cJSON *json, const char *const *assignments, int n, int *failed,
                              sc_data *data, cJSON **out, char *err, size_t errlen)
{
    cJSON *doc = cJSON_Duplicate(json, 1);
    char *origin = NULL;
    ipsim_status s = IPSIM_OK;
    *out = NULL;
    if (doc == NULL) {
        say(err, errlen, "out of memory");
        s = IPSIM_ERR_NOMEM;
        goto done;
    }
    for (int i = 0; i < n; i++) {
        s = edit_doc(&doc, assignments[i], err, errlen);
        if (s != IPSIM_OK) {
            if (failed)
                *failed = i;
            goto done;
        }
    }
    /* the origin of messages: the one assignment, or all of them */
    for (int i = 0; i < n; i++) {
        char *one = assignment_origin(assignments[i]);
        char *joined = one ? concat3(origin ? origin : "", origin ? " " : "", one) : NULL;
        free(one);
        free(origin);
        origin = joined;
        if (origin == NULL || strlen(origin) > SET_ORIGIN_MAX)
            break;
    }
    if (origin == NULL) {
        say(err, errlen, "out of memory");
        s = IPSIM_ERR_NOMEM;
        goto done;
    }
    if (strlen(origin) > SET_ORIGIN_MAX)
        snprintf(origin + SET_ORIGIN_MAX - 4, 5, " ...");
    s = ipsim_scenario_fields_fill(doc, origin, data, err, errlen, NULL, 0);
    if (s != IPSIM_OK)
        goto done;
    *out = ipsim_scenario_fields_emit(data);
    if (*out == NULL) {
        say(err, errlen, "out of memory");
        s = IPSIM_ERR_NOMEM;
    }
done:
    cJSON_Delete(doc);
    free(origin);
    return s;
}

/* NULL-free arguments of the set functions (IPSIM_ERR_USAGE otherwise). */
static ipsim_status check_assignments(const void *sc, const char *const *assignments, int n,
                                      char *err, size_t errlen)
{
    if (sc == NULL || (assignments == NULL && n > 0) || n < 0) {
        say(err, errlen, "ipsim_scenario_set: scenario and assignment must not be NULL");
        return IPSIM_ERR_USAGE;
    }
    for (int i = 0; i < n; i++)
        if (assignments[i] == NULL) {
            say(err, errlen, "ipsim_scenario_set: scenario and assignment must not be NULL");
            return IPSIM_ERR_USAGE;
        }
    return IPSIM_OK;
}

/* Apply every assignment to a copy of the resolved document, then validate
 * it once; sc is unchanged on failure (contract in ipsim.h). */
ipsim_status ipsim_scenario_set_all(ipsim_scenario *sc, const char *const *assignments, int n,
                                    int *failed, char *err, size_t errlen)
{
    if (failed)
        *failed = -1;
    ipsim_status s = check_assignments(sc, assignments, n, err, errlen);
    if (s != IPSIM_OK || n == 0)
        return s;
    sc_data *data = calloc(1, sizeof *data);
    cJSON *json = NULL;
    if (data == NULL) {
        say(err, errlen, "out of memory");
        return IPSIM_ERR_NOMEM;
    }
    s = apply_all(sc->json, assignments, n, failed, data, &json, err, errlen);
    if (s == IPSIM_OK) {
        cJSON_Delete(sc->json);
        sc->json = json;
        memcpy(&sc->data, data, sizeof *data);
    }
    free(data);
    return s;
}

/* A new scenario: from with the assignments applied (what a clone of from
 * and ipsim_scenario_set_all give, without copying from's data: the pages
 * of its large, mostly empty tables that nothing fills stay untouched). */
ipsim_status ipsim__scenario_derive(const ipsim_scenario *from, const char *const *assignments,
                                    int n, int *failed, ipsim_scenario **out, char *err,
                                    size_t errlen)
{
    *out = NULL;
    if (failed)
        *failed = -1;
    ipsim_status s = check_assignments(from, assignments, n, err, errlen);
    if (s != IPSIM_OK)
        return s;
    if (n == 0) {
        *out = ipsim_scenario_clone(from);
        if (*out == NULL)
            say(err, errlen, "out of memory");
        return *out ? IPSIM_OK : IPSIM_ERR_NOMEM;
    }
    ipsim_scenario *c = calloc(1, sizeof *c);
    if (c == NULL || (c->origin = dup_string(from->origin)) == NULL) {
        free(c);
        say(err, errlen, "out of memory");
        return IPSIM_ERR_NOMEM;
    }
    s = apply_all(from->json, assignments, n, failed, &c->data, &c->json, err, errlen);
    if (s != IPSIM_OK) {
        ipsim_scenario_destroy(c);
        return s;
    }
    *out = c;
    return IPSIM_OK;
}

/* Apply "path=value" to the resolved document and validate it whole;
 * sc is unchanged on failure (contract in ipsim.h). */
ipsim_status ipsim_scenario_set(ipsim_scenario *sc, const char *assignment, char *err, size_t errlen)
{
    if (sc == NULL || assignment == NULL) {
        say(err, errlen, "ipsim_scenario_set: scenario and assignment must not be NULL");
        return IPSIM_ERR_USAGE;
    }
    return ipsim_scenario_set_all(sc, &assignment, 1, NULL, err, errlen);
}

/* The resolved document as pretty JSON, caller frees; NULL on OOM. */
char *ipsim_scenario_to_json(const ipsim_scenario *sc)
{
    if (sc == NULL)
        return NULL;
    return ipsim_json_print(sc->json);
}

/* The scenario's "name"; owned by sc. */
const char *ipsim_scenario_name(const ipsim_scenario *sc)
{
    return sc ? sc->data.name : NULL;
}

/* The file (or buffer origin) sc was loaded from; owned by sc. */
const char *ipsim_scenario_origin(const ipsim_scenario *sc)
{
    return sc ? sc->origin : NULL;
}

/* The validated data; owned by sc, valid until sc changes or is destroyed. */
const sc_data *ipsim_scenario_data(const ipsim_scenario *sc)
{
    return sc ? &sc->data : NULL;
}

/* A deep copy of sc; NULL on OOM. */
ipsim_scenario *ipsim_scenario_clone(const ipsim_scenario *sc)
{
    if (sc == NULL)
        return NULL;
    ipsim_scenario *c = calloc(1, sizeof *c);
    if (c == NULL)
        return NULL;
    memcpy(&c->data, &sc->data, sizeof c->data);
    c->json = cJSON_Duplicate(sc->json, 1);
    c->origin = dup_string(sc->origin);
    if (c->json == NULL || c->origin == NULL) {
        ipsim_scenario_destroy(c);
        return NULL;
    }
    return c;
}

/* Free sc and all it owns; NULL is a no-op. */
void ipsim_scenario_destroy(ipsim_scenario *sc)
{
    if (sc == NULL)
        return;
    cJSON_Delete(sc->json);
    free(sc->origin);
    free(sc);
}

/* The JSON Schema of scenario files as pretty JSON, caller frees; NULL on
 * OOM. */
char *ipsim_scenario_schema_json(void)
{
    cJSON *schema = ipsim_scenario_fields_schema();
    if (schema == NULL)
        return NULL;
    char *text = ipsim_json_print(schema);
    cJSON_Delete(schema);
    return text;
}
