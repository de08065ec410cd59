/*
 * scenario_fields.h - the field tables of a scenario and the three things
 * done with them: validate a resolved JSON document into an sc_data, write
 * an sc_data back as JSON, and describe the format as a JSON Schema
 * (internal to libipsim; used by scenario.c).
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
ipsim_status ipsim_scenario_fields_fill(const cJSON *doc, const char *origin, sc_data *data,
                                        char *err, size_t errlen, char *errpath,
                                        size_t errpathlen);

/* The JSON document of data with every key present (defaults written out),
 * in table order; numbers exact, seed as a string. NULL on OOM. Filling
 * the result again gives a byte-identical sc_data. */
cJSON *ipsim_scenario_fields_emit(const sc_data *data);

/* The JSON Schema (draft 2020-12) of a scenario file. NULL on OOM. */
cJSON *ipsim_scenario_fields_schema(void);

#endif /* IPSIM_SCENARIO_FIELDS_H */
