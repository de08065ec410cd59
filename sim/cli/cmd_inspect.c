/*
 * cmd_inspect.c - the commands that look at files without running anything:
 *   ipsim validate SCENARIO.json   check a scenario, print a one-line verdict
 *   ipsim resolve SCENARIO.json    print the resolved scenario as JSON
 *   ipsim info OUT.h5              describe a result or sweep file (read in a
 *                                  child process, see info_isolated)
 *   ipsim schema                   print the JSON Schema of scenario files
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/console.h"
#include "cli/files.h"
#include "cli/isolate.h"
#include "cli/summary.h"

#define GIB (1024.0 * 1024.0 * 1024.0)
#define BUILD_TO_COUNT_BYTES GIB /* validate builds models up to this size to count agents */
#define AGENTS_LEN 64
#define EXTRA_LEN 128

/* text on stdout, followed by a newline unless it ends in one. */
static void put_text(const char *text)
{
    fputs(text, stdout);
    if (*text && text[strlen(text) - 1] != '\n')
        fputc('\n', stdout);
}

/* About how many agents sc needs (adults / scale) when it is too big to
 * build just to count them: "~N" into agents, the memory into extra. */
static void estimate_agents(const ipsim_scenario *sc, double est, double scale, char *agents,
                            size_t agents_len, char *extra, size_t extra_len)
{
    double adults = 0.0;
    int i, n = ipsim_scenario_market_count(sc);
    for (i = 0; i < n; i++) {
        double a = ipsim_scenario_market_adults(sc, i);
        if (isfinite(a))
            adults += a;
    }
    agents[0] = '~';
    cli_fmt_int(scale > 0.0 ? adults / scale : NAN, agents + 1, agents_len - 1);
    if (isfinite(est))
        snprintf(extra, extra_len, ", needs about %.1f GiB", est / GIB);
}

int cli_cmd_validate(const cli_command *cmd, cli_options *o)
{
    const char *path = o->args[0];
    ipsim_scenario *sc = NULL;
    ipsim_model *m = NULL;
    ipsim_run_options opt;
    cli_log_state ls = {o->verbose, o->quiet, 0, 0, {0}};
    char err[CLI_ERRLEN] = "", agents[AGENTS_LEN], extra[EXTRA_LEN] = "";
    double scale, est;
    int rc;
    (void)cmd;

    if ((rc = cli_load_scenario(path, o, 0, &sc)) != 0)
        return rc;
    scale = ipsim_scenario_scale(sc);

    /* The agent count comes from building the model when that is cheap. */
    memset(&opt, 0, sizeof opt);
    ipsim_run_options_init(&opt);
    opt.log = cli_on_log;
    opt.log_userdata = &ls;
    opt.threads = 1; /* building to count needs no threads: validate starts none */
    est = ipsim_model_memory_estimate(sc, &opt);
    if (isfinite(est) && est <= BUILD_TO_COUNT_BYTES) {
        ipsim_status st = ipsim_model_create(sc, &opt, &m, err, sizeof err);
        if (st != IPSIM_OK) {
            rc = cli_fail(st, err, NULL);
            ipsim_scenario_destroy(sc);
            return rc;
        }
        cli_fmt_int((double)ipsim_model_agent_count(m), agents, sizeof agents);
        scale = ipsim_model_scale(m);
        ipsim_model_destroy(m);
    } else {
        estimate_agents(sc, est, scale, agents, sizeof agents, extra, sizeof extra);
    }
    cli_print_scenario_summary(path, sc, agents, scale, extra);
    ipsim_scenario_destroy(sc);
    return 0;
}

int cli_cmd_resolve(const cli_command *cmd, cli_options *o)
{
    ipsim_scenario *sc = NULL;
    char *text;
    int rc;
    (void)cmd;
    if ((rc = cli_load_scenario(o->args[0], o, 1, &sc)) != 0)
        return rc;
    text = ipsim_scenario_to_json(sc);
    ipsim_scenario_destroy(sc);
    if (!text) {
        cli_msg("out of memory");
        return ipsim_status_exit_code(IPSIM_ERR_NOMEM);
    }
    put_text(text);
    free(text);
    return 0;
}

/* ---- info, isolated ------------------------------------------------------ */

/* `ipsim info` reads files nobody vouches for, so the file is read in a
 * child process (cli/isolate.c): a crash there becomes "not a valid result
 * file" (exit 65) here. */

static ipsim_status info_call(void *ctx, char **text, char *err, size_t errlen)
{
    return ipsim_output_info((const char *)ctx, text, err, errlen);
}

/* ipsim_output_info in a child process; as ipsim_output_info, and a crash
 * of the child is IPSIM_ERR_DATA. */
static ipsim_status info_isolated(const char *path, char **text, char *err, size_t errlen)
{
    cli_isolation how;
    ipsim_status st = cli_isolated(info_call, (void *)path, text, err, errlen, &how);
    if (how.incomplete)
        snprintf(err, errlen,
                 "%s: not a valid ipsim result file: the HDF5 library failed "
                 "reading it (corrupt data)",
                 path);
    return st;
}

int cli_cmd_info(const cli_command *cmd, cli_options *o)
{
    char err[CLI_ERRLEN] = "";
    char *text = NULL;
    ipsim_status st;
    (void)cmd;
    st = info_isolated(o->args[0], &text, err, sizeof err);
    if (st != IPSIM_OK) {
        free(text);
        return cli_fail(
            st, err,
            st == IPSIM_ERR_DATA
                ? "give a file written by 'ipsim run', 'ipsim sweep' or 'ipsim compare'"
                : "check the path; result files are written by 'ipsim run SCENARIO -o OUT.h5'");
    }
    if (text)
        put_text(text);
    free(text);
    return 0;
}

int cli_cmd_schema(const cli_command *cmd, cli_options *o)
{
    char *text = ipsim_scenario_schema_json();
    (void)cmd;
    (void)o;
    if (!text) {
        cli_msg("out of memory");
        return ipsim_status_exit_code(IPSIM_ERR_NOMEM);
    }
    put_text(text);
    free(text);
    return 0;
}
