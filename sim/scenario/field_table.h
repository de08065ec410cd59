/*
 * field_table.h - the descriptors of the scenario field tables and the
 * internals shared by the files that walk them (room-internal to
 * sim/scenario/; scenario.c uses only fields.h).
 *
 * Each JSON object kind has a table of field descriptors: key, type, offset
 * into its struct, range, whether it is required, default, unit and a
 * description. The files of the engine:
 *   field_tables.c  the tables themselves, and lookups in them;
 *   messages.c      the "ORIGIN: PATH: expected WHAT, found WHAT" errors;
 *   checks.c        the tables' check functions: rules between fields;
 *   fill.c          validate a resolved JSON document and fill an sc_data;
 *   emit.c          write an sc_data back as JSON with every key present;
 *   schema.c        produce the JSON Schema of the file format.
 * One set of tables drives fill, emit and schema, so the loader, the
 * resolved output and the schema cannot drift apart.
 */
#ifndef IPSIM_SCENARIO_FIELD_TABLE_H
#define IPSIM_SCENARIO_FIELD_TABLE_H

#include <math.h>
#include <stddef.h>
#include <cjson/cJSON.h>

#include "json/json_path.h"
#include "scenario/scenario.h"

/* ------------------------------------------------------------------------ */
/* descriptors                                                               */
/* ------------------------------------------------------------------------ */

typedef enum {
    FT_NUMBER,      /* double; finite, in [min, max] (F_XMIN/F_XMAX: exclusive) */
    FT_INTEGER,     /* int in [min, max] */
    FT_NAME,        /* char[IPSIM_NAME_MAX]: 1..63 bytes, no control characters */
    FT_IDENT,       /* same, only [A-Za-z0-9_.-] (the scenario name) */
    FT_TEXT,        /* char[IPSIM_TEXT_MAX]: 0..1023 bytes */
    FT_DATE,        /* ipsim_date from "YYYY-MM-DD" */
    FT_SEED,        /* uint64_t from a digit string or an integer <= 2^53 */
    FT_NUMBERS,     /* double[max_items]: exactly max_items numbers */
    FT_WEEKDAYS,    /* int[7] + count: distinct ISO weekdays */
    FT_DATES,       /* ipsim_date[] + count: distinct dates */
    FT_OBJECT,      /* nested struct described by sub */
    FT_ARRAY,       /* array of structs described by sub, + count */
    FT_CHANNEL_MAP, /* double[IPSIM_MAX_CHANNELS] keyed by channel name */
    FT_MECHANISM,   /* sc_mechanism from its name */
    FT_SEGMENT,     /* int: "cec" 0, "mainstream" 1, "all" -1 */
    FT_MARKET,      /* int: market index by name, "*" -1 */
    FT_ASSETS,      /* int[] + count: asset indices by name; empty = all */
    FT_BASE         /* "base": resolved before validation, never stored */
} ftype;

enum {
    F_OPT = 1u,          /* may be absent: default applies */
    F_XMIN = 2u,         /* min is exclusive */
    F_XMAX = 4u,         /* max is exclusive */
    F_ALL_CHANNELS = 8u, /* channel map: every channel must be present */
    F_SUM_ONE = 16u,     /* channel map: values sum to 1 */
    F_NOSTORE = 32u      /* validated but not stored (intervention description) */
};

enum {
    T_UNIQUE_NAME = 1u, /* array elements: the "name" field is unique */
    T_MECHANISM = 2u    /* fields depend on the "mechanism" field */
};

#define MB(m) (1u << (m)) /* bit of mechanism m in field.mechs / req_mechs */
#define IPSIM_DATE_NONE INT32_MIN /* an optional date left out (fill_default) */
#define NO_MIN (-HUGE_VAL)
#define NO_MAX HUGE_VAL
#define SEED_INT_MAX 9007199254740992.0      /* 2^53 */
#define SEED_TEXT_MAX "18446744073709551615" /* UINT64_MAX, the largest seed string */
#define SEED_TEXT_DIGITS_MAX 20              /* its digits */

typedef struct vctx vctx;
typedef struct table table;

typedef struct field {
    const char *key;
    ftype type;
    size_t off;       /* of the value in the enclosing struct */
    double min, max;  /* numbers; integers; elements of lists and maps */
    unsigned flags;   /* F_* */
    double def;       /* default of an optional number or integer */
    const char *unit; /* NULL: none */
    const char *doc;
    const table *sub;   /* FT_OBJECT, FT_ARRAY */
    size_t count_off;   /* FT_ARRAY, FT_WEEKDAYS, FT_DATES, FT_ASSETS: int count */
    int min_items;      /* FT_ARRAY */
    int max_items;      /* FT_ARRAY, FT_DATES, FT_ASSETS; FT_NUMBERS: exact length */
    unsigned mechs;     /* interventions: mechanisms having the key; 0 = all */
    unsigned req_mechs; /* interventions: mechanisms requiring it */
} field;

struct table {
    const char *name; /* singular noun; $defs name of array items */
    const char *doc;
    size_t size; /* struct size (array elements) */
    const field *fields;
    int n_fields;
    int (*check)(vctx *v, char *elem, int index); /* after the fields; 0 = ok */
    unsigned flags;                               /* T_* */
};

/* The state of one fill (validation): where the error goes, the JSON path
 * of the value being read, and the sc_data being filled (the sections
 * filled so far resolve references by name). */
struct vctx {
    const char *origin; /* message prefix: the file or buffer origin */
    char *err;          /* may be NULL */
    size_t errlen;
    ipsim_json_path path;
    sc_data *data;
    ipsim_status status; /* IPSIM_OK until the first failure */
    char *errpath;       /* may be NULL: receives path on failure */
    size_t errpathlen;
};

/* ------------------------------------------------------------------------ */
/* the tables (field_tables.c)                                               */
/* ------------------------------------------------------------------------ */

/* The table of a whole scenario file, the root of all the others. */
extern const table ipsim__sf_scenario_table;

/* One description per mechanism (sc_mechanism order), for the schema. */
extern const char *const ipsim__sf_mechanism_docs[MECH_COUNT];

/* The field of t named key, or NULL. */
const field *ipsim__sf_find_field(const table *t, const char *key);

/* Whether f exists for mechanism mech (-1: not a mechanism table, so only
 * the fields common to every mechanism). */
int ipsim__sf_applies(const field *f, int mech);

/* ------------------------------------------------------------------------ */
/* messages (messages.c)                                                     */
/* ------------------------------------------------------------------------ */

/* Record "ORIGIN: PATH: text" (text from fmt) in v, set v->status to
 * IPSIM_ERR_DATA unless already failed, and return -1. */
int ipsim__sf_fail(vctx *v, const char *fmt, ...);

/* Write "WHAT in [min, max]", "WHAT >= min", "WHAT < max" ... (brackets and
 * operators from F_XMIN / F_XMAX in flags; NO_MIN / NO_MAX: no bound) into
 * buf of n bytes. */
void ipsim__sf_describe_range(const char *what, double min, double max, unsigned flags, char *buf,
                              size_t n);

/* Fail with "expected WHAT, found WHAT": the first WHAT describes f, the
 * second found (NULL: nothing); extra (may be NULL) is appended. -1. */
int ipsim__sf_fail_expected(vctx *v, const field *f, const cJSON *found, const char *extra);

/* Fail with "expected WHAT, found found" + extra (may be NULL), WHAT
 * describing f and found given as text. -1. */
int ipsim__sf_fail_expected_text(vctx *v, const field *f, const char *found, const char *extra);

/* Fail with "expected want, found WHAT" + extra (may be NULL). -1. */
int ipsim__sf_fail_want(vctx *v, const char *want, const cJSON *found, const char *extra);

/* ------------------------------------------------------------------------ */
/* checks between fields (checks.c): table check functions                   */
/* ------------------------------------------------------------------------ */

/* Each is run on elem, a filled struct of its table (index: its position in
 * an array, -1 outside one) and returns 0, or fails v and returns -1. */
int ipsim__sf_check_period(vctx *v, char *elem, int index);       /* sc_period: end >= start */
int ipsim__sf_check_event(vctx *v, char *elem, int index);        /* sc_event: end >= start */
int ipsim__sf_check_simulation(vctx *v, char *elem, int index);   /* period in the date range */
int ipsim__sf_check_visit(vctx *v, char *elem, int index);        /* satisfaction order */
int ipsim__sf_check_target(vctx *v, char *elem, int index);       /* cell not targeted before */
int ipsim__sf_check_intervention(vctx *v, char *elem, int index); /* dates; sets event window */
int ipsim__sf_check_scenario(vctx *v, char *elem, int index);     /* someone to simulate */
int ipsim__sf_check_market(vctx *v, char *elem, int index);       /* its calendar exists */
/* sc_schedule (schedule_check.c): path, value range, dates; resolves the offset */
int ipsim__sf_check_schedule(vctx *v, char *elem, int index);

/* ------------------------------------------------------------------------ */
/* JSON building (emit.c)                                                    */
/* ------------------------------------------------------------------------ */

/* Add item to the object to under key, or to the array to if key is NULL.
 * Returns 0; -1 if item is NULL or cannot be added (item is then freed). */
int ipsim__sf_add(cJSON *to, const char *key, cJSON *item);

#endif /* IPSIM_SCENARIO_FIELD_TABLE_H */
