/*
 * emit.c - write an sc_data back as JSON by walking the field tables
 * (field_tables.c): every key present with defaults written out, in table
 * order, numbers exact, seed as a string, references (channels, markets,
 * assets) by name. This is the resolved scenario of `ipsim resolve` and of
 * the run files; filling it again (fill.c) gives a byte-identical sc_data.
 */
#include <inttypes.h>
#include <stdio.h>

#include "scenario/field_table.h"
#include "scenario/fields.h"

static cJSON *emit_object(const table *t, const char *base, const sc_data *d);

static cJSON *emit_date(ipsim_date day)
{
    char b[16];
    ipsim_date_format(day, b);
    return cJSON_CreateString(b);
}

/* Add item to container (array if key NULL); on NULL item flag OOM
 * (contract in field_table.h). */
int ipsim__sf_add(cJSON *to, const char *key, cJSON *item)
{
    if (item == NULL)
        return -1;
    if (key) {
        if (!cJSON_AddItemToObject(to, key, item)) {
            cJSON_Delete(item);
            return -1;
        }
    } else if (!cJSON_AddItemToArray(to, item)) {
        cJSON_Delete(item);
        return -1;
    }
    return 0;
}

static cJSON *emit_field(const field *f, const char *base, const sc_data *d)
{
    const char *at = base + f->off;
    cJSON *a = NULL;
    int bad = 0;
    switch (f->type) {
    case FT_NUMBER: return cJSON_CreateNumber(*(const double *)at);
    case FT_INTEGER: return cJSON_CreateNumber(*(const int *)at);
    case FT_NAME:
    case FT_IDENT:
    case FT_TEXT: return cJSON_CreateString(at);
    case FT_DATE: return emit_date(*(const ipsim_date *)at);
    case FT_SEED: {
        char b[32];
        snprintf(b, sizeof b, "%" PRIu64, *(const uint64_t *)at);
        return cJSON_CreateString(b);
    }
    case FT_NUMBERS:
        a = cJSON_CreateArray();
        for (int i = 0; a && i < f->max_items; i++)
            bad |= ipsim__sf_add(a, NULL, cJSON_CreateNumber(((const double *)at)[i]));
        break;
    case FT_WEEKDAYS: {
        int n = *(const int *)(base + f->count_off);
        a = cJSON_CreateArray();
        for (int i = 0; a && i < n; i++)
            bad |= ipsim__sf_add(a, NULL, cJSON_CreateNumber(((const int *)at)[i]));
        break;
    }
    case FT_DATES: {
        int n = *(const int *)(base + f->count_off);
        a = cJSON_CreateArray();
        for (int i = 0; a && i < n; i++)
            bad |= ipsim__sf_add(a, NULL, emit_date(((const ipsim_date *)at)[i]));
        break;
    }
    case FT_OBJECT: return emit_object(f->sub, at, d);
    case FT_ARRAY: {
        int n = *(const int *)(base + f->count_off);
        a = cJSON_CreateArray();
        for (int i = 0; a && i < n; i++)
            bad |= ipsim__sf_add(a, NULL, emit_object(f->sub, at + (size_t)i * f->sub->size, d));
        break;
    }
    case FT_CHANNEL_MAP:
        a = cJSON_CreateObject();
        for (int c = 0; a && c < d->n_channels; c++)
            bad |= ipsim__sf_add(a, d->channels[c].name, cJSON_CreateNumber(((const double *)at)[c]));
        break;
    case FT_MECHANISM: return cJSON_CreateString(ipsim_mechanism_names[*(const sc_mechanism *)at]);
    case FT_SEGMENT: {
        int s = *(const int *)at;
        return cJSON_CreateString(s < 0 ? "all" : ipsim_segment_names[s]);
    }
    case FT_MARKET: {
        int m = *(const int *)at;
        return cJSON_CreateString(m < 0 ? "*" : d->markets[m].name);
    }
    case FT_ASSETS: {
        int n = *(const int *)(base + f->count_off);
        a = cJSON_CreateArray();
        for (int i = 0; a && i < n; i++)
            bad |= ipsim__sf_add(a, NULL,
                                 cJSON_CreateString(d->destination.assets[((const int *)at)[i]].name));
        break;
    }
    case FT_BASE: return NULL;
    }
    if (bad) {
        cJSON_Delete(a);
        return NULL;
    }
    return a;
}

static cJSON *emit_object(const table *t, const char *base, const sc_data *d)
{
    int mech = -1;
    if (t->flags & T_MECHANISM)
        mech = (int)*(const sc_mechanism *)(base + ipsim__sf_find_field(t, "mechanism")->off);
    cJSON *o = cJSON_CreateObject();
    if (o == NULL)
        return NULL;
    for (int i = 0; i < t->n_fields; i++) {
        const field *f = &t->fields[i];
        if (f->type == FT_BASE || (f->flags & F_NOSTORE) || !ipsim__sf_applies(f, mech))
            continue;
        /* an optional array that may not be empty is left out when empty
         * (E and F without targets) */
        if (f->type == FT_ARRAY && (f->flags & F_OPT) && f->min_items > 0 &&
            *(const int *)(base + f->count_off) == 0)
            continue;
        /* an optional name left out stays out (markets[].calendar) */
        if (f->type == FT_NAME && (f->flags & F_OPT) && base[f->off] == '\0')
            continue;
        if (ipsim__sf_add(o, f->key, emit_field(f, base, d))) {
            cJSON_Delete(o);
            return NULL;
        }
    }
    return o;
}

/* The JSON document of data, every key present (contract in fields.h). */
cJSON *ipsim_scenario_fields_emit(const sc_data *data)
{
    return emit_object(&ipsim__sf_scenario_table, (const char *)data, data);
}
