/*
 * run_meta.c - what identifies a run file (see run_write.h): the root
 * attributes, /scenario (the resolved scenario with the run's seed, scale
 * and days written in, so that running it reproduces the run) and the
 * dimension scales /day, /market, /segment and /asset.
 */
#define _POSIX_C_SOURCE 200809L

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <hdf5.h>
#include <hdf5_hl.h>

#include "base/textbuf.h"
#include "io/h5util.h"
#include "io/run_output.h"
#include "io/run_write.h"

static const char *const scale_names[N_SCALES] = {"day", "market", "segment", "asset"};

/* ---- root attributes and scenario --------------------------------------- */

static void iso_now(char *buf, size_t len)
{
    time_t t = time(NULL);
    struct tm tm;
    if (t == (time_t)-1 || !gmtime_r(&t, &tm) || strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
        snprintf(buf, len, "unknown time");
}

int ipsim__rw_root_attrs(run_writer *w)
{
    const ipsim_model *m = w->m;
    hid_t f = w->file;
    uint64_t seed = ipsim_model_seed(m), agents = ipsim_model_agent_count(m);
    uint32_t replicate = ipsim_model_replicate(m);
    int days = w->r->days, done = ipsim_model_days_done(m);
    double wall = ipsim_model_wall_seconds(m);
    double rate = wall > 0 ? ipsim_model_agent_days(m) / wall : 0.0; /* warm-up included */
    char seed_s[32], date[16], now[32], title[128], source[128], history[256];
    snprintf(seed_s, sizeof seed_s, "%llu", (unsigned long long)seed);
    ipsim_date_format(w->sc->simulation.start_date, date);
    iso_now(now, sizeof now);
    snprintf(title, sizeof title, "ipsim run: %s", w->sc->name);
    snprintf(source, sizeof source, "ipsim %s (git %s)", ipsim_version(), ipsim_git_commit());
    snprintf(history, sizeof history, "%s ipsim run %s (seed %s, replicate %u, %d day%s)", now,
             w->sc->name, seed_s, (unsigned)replicate, days, days == 1 ? "" : "s");
    double scale = ipsim_model_scale(m);
    if (ipsim_h5_attr_str(f, "ipsim_version", ipsim_version()) < 0 ||
        ipsim_h5_attr_str(f, "git_commit", ipsim_git_commit()) < 0 ||
        ipsim_h5_attr_str(f, "scenario_name", w->sc->name) < 0 ||
        ipsim_h5_attr_num(f, "seed", H5T_NATIVE_UINT64, &seed) < 0 ||
        ipsim_h5_attr_str(f, "seed_string", seed_s) < 0 ||
        ipsim_h5_attr_num(f, "replicate", H5T_NATIVE_UINT32, &replicate) < 0 ||
        ipsim__rw_attr_double(f, "scale", scale) < 0 ||
        ipsim_h5_attr_num(f, "n_agents", H5T_NATIVE_UINT64, &agents) < 0 ||
        ipsim_h5_attr_num(f, "days", H5T_NATIVE_INT, &days) < 0 ||
        ipsim_h5_attr_num(f, "days_completed", H5T_NATIVE_INT, &done) < 0 ||
        ipsim_h5_attr_str(f, "start_date", date) < 0 ||
        ipsim_h5_attr_str(f, "Conventions", "CF-1.8") < 0 ||
        ipsim_h5_attr_str(f, "title", title) < 0 || ipsim_h5_attr_str(f, "source", source) < 0 ||
        ipsim_h5_attr_str(f, "history", history) < 0 ||
        ipsim__rw_attr_double(f, "wall_seconds", wall) < 0 ||
        ipsim__rw_attr_double(f, "agent_days_per_second", rate) < 0)
        return ipsim__rw_fail(w, "(root attributes)");
    return 0;
}

ipsim_status ipsim__run_scenario_json(const ipsim_model *m, char **json, char *err, size_t errlen)
{
    const ipsim_scenario *base = ipsim_model_scenario(m);
    ipsim_scenario *sc = base ? ipsim_scenario_clone(base) : NULL;
    char set[3][96];
    snprintf(set[0], sizeof set[0], "simulation.seed=\"%llu\"",
             (unsigned long long)ipsim_model_seed(m));
    snprintf(set[1], sizeof set[1], "simulation.scale=%.17g", ipsim_model_scale(m));
    snprintf(set[2], sizeof set[2], "simulation.days=%d", ipsim_model_days_total(m));
    ipsim_status st = sc ? IPSIM_OK : IPSIM_ERR_NOMEM;
    *json = NULL;
    if (st != IPSIM_OK)
        ipsim_set_error(err, errlen, "out of memory");
    for (int i = 0; i < 3 && st == IPSIM_OK; i++)
        st = ipsim_scenario_set(sc, set[i], err, errlen);
    if (st == IPSIM_OK && !(*json = ipsim_scenario_to_json(sc))) {
        ipsim_set_error(err, errlen, "out of memory");
        st = IPSIM_ERR_NOMEM;
    }
    ipsim_scenario_destroy(sc);
    return st == IPSIM_ERR_NOMEM || st == IPSIM_OK ? st : IPSIM_ERR_DATA;
}

int ipsim__rw_scenario(run_writer *w)
{
    char *json = NULL, why[256] = "";
    ipsim_status st = ipsim__run_scenario_json(w->m, &json, why, sizeof why);
    if (st == IPSIM_ERR_NOMEM)
        return ipsim__rw_fail_nomem(w, "scenario");
    if (st != IPSIM_OK) { /* never a /scenario that does not reproduce the run */
        w->status = IPSIM_ERR_DATA;
        return ipsim__rw_fail(w, "scenario (the run's seed, scale and days are not a valid "
                                 "scenario)");
    }
    hid_t type = ipsim_h5_str_type();
    hid_t ds = type >= 0 ? ipsim__rw_dataset(w, w->file, "scenario", type, 0, NULL, &json, 0) : -1;
    int rc = ds >= 0 ? 0 : ipsim__rw_fail(w, "scenario");
    if (rc == 0 && ipsim_h5_attr_str(ds, "long_name", "resolved scenario of the run (JSON)") < 0)
        rc = ipsim__rw_fail(w, "scenario");
    if (ds >= 0 && H5Dclose(ds) < 0 && rc == 0)
        rc = ipsim__rw_fail(w, "scenario");
    if (type >= 0)
        H5Tclose(type);
    free(json);
    return rc;
}

/* ---- dimension scales --------------------------------------------------- */

/* Turn ds into the dimension scale `name` with a long_name; keeps it open
 * in w->scale[which] (closed by close_scales). */
static int make_scale(run_writer *w, hid_t ds, int which, const char *long_name)
{
    const char *name = scale_names[which];
    if (ds < 0)
        return -1;
    w->scale[which] = ds;
    if (H5DSset_scale(ds, name) < 0 || ipsim_h5_attr_str(ds, "long_name", long_name) < 0)
        return ipsim__rw_fail(w, name);
    return 0;
}

int ipsim__rw_day_scale(run_writer *w)
{
    int days = w->r->days;
    int32_t *v = malloc((size_t)days * sizeof *v);
    if (!v)
        return ipsim__rw_fail_nomem(w, "day");
    for (int d = 0; d < days; d++)
        v[d] = d;
    hsize_t n = (hsize_t)days;
    hid_t ds = ipsim__rw_dataset(w, w->file, "day", H5T_NATIVE_INT32, 1, &n, v, 0);
    free(v);
    char date[16], units[48];
    ipsim_date_format(w->sc->simulation.start_date, date);
    snprintf(units, sizeof units, "days since %s", date);
    if (make_scale(w, ds, SC_DAY, "simulation day") < 0)
        return -1;
    if (ipsim_h5_attr_str(ds, "units", units) < 0 ||
        ipsim_h5_attr_str(ds, "calendar", "proleptic_gregorian") < 0 ||
        ipsim_h5_attr_str(ds, "standard_name", "time") < 0 || ipsim_h5_attr_str(ds, "axis", "T") < 0)
        return ipsim__rw_fail(w, "day");
    return 0;
}

int ipsim__rw_name_scales(run_writer *w)
{
    const sc_data *sc = w->sc;
    const char *names[IPSIM_MAX_MARKETS > IPSIM_MAX_ASSETS ? IPSIM_MAX_MARKETS : IPSIM_MAX_ASSETS];
    for (int i = 0; i < sc->n_markets; i++)
        names[i] = sc->markets[i].name;
    if (make_scale(w, ipsim__rw_strings(w, w->file, "market", (hsize_t)sc->n_markets, names),
                   SC_MARKET, "source market") < 0)
        return -1;
    if (make_scale(w, ipsim__rw_strings(w, w->file, "segment", IPSIM_N_SEGMENTS, ipsim_segment_names),
                   SC_SEGMENT, "consumer segment (cec: core experiential consumers)") < 0)
        return -1;
    for (int i = 0; i < sc->destination.n_assets; i++)
        names[i] = sc->destination.assets[i].name;
    return make_scale(w,
                      ipsim__rw_strings(w, w->file, "asset", (hsize_t)sc->destination.n_assets, names),
                      SC_ASSET, "destination asset");
}

void ipsim__rw_close_scales(run_writer *w)
{
    for (int i = 0; i < N_SCALES; i++) {
        if (w->scale[i] >= 0 && H5Dclose(w->scale[i]) < 0)
            ipsim__rw_fail(w, scale_names[i]);
        w->scale[i] = -1;
    }
}
