/*
 * fields.h - what scenario.c does with the field tables of a scenario:
 * validate a resolved JSON document into an sc_data (fill.c), write an
 * sc_data back as JSON (emit.c), and describe the format as a JSON Schema
 * (schema.c). Internal to libipsim; the tables and the engine's shared
 * internals are in field_table.h.
 */
#ifndef IPSIM_SCENARIO_FIELDS_H
#define IPSIM_SCENARIO_FIELDS_H

#include <stddef.h>
#include <cjson/cJSON.h>

#include "scenario/scenario.h"

/* Validate doc (a resolved scenario: base merged, no "base" key) and fill
 * *data, which the caller has zeroed with memset. Every key is checked for
 * type, range, references and duplicates; unknown keys are errors. On
 * failure returns IPSIM_ERR_DATA (IPSIM_ERR_NOMEM on OOM), err holds
 * "ORIGIN: PATH: expected WHAT, found WHAT" (or another one-line reason)
 * and errpath the JSON path of the offending value ("" for the top level);
 * *data is then partly filled and must be discarded. err and errpath may
 * be NULL. */
ipsim_status ipsim_scenario_fields_fill(const cJSON *doc, const char *origin, sc_data *data, char *err,
                                        size_t errlen, char *errpath, size_t errpathlen);

/* The JSON document of data with every key present (defaults written out),
 * in table order; numbers exact, seed as a string. NULL on OOM. Filling
 * the result again gives a byte-identical sc_data. */
cJSON *ipsim_scenario_fields_emit(const sc_data *data);

/* The JSON Schema (draft 2020-12) of a scenario file. NULL on OOM. */
cJSON *ipsim_scenario_fields_schema(void);

#endif /* IPSIM_SCENARIO_FIELDS_H */
