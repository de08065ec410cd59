/*
 * summary.h - what the `ipsim` program prints on standard output about a
 * finished run, a checked scenario and a checked experiment, and the
 * number formats those summaries (and the progress lines) use.
 */
#ifndef IPSIM_CLI_SUMMARY_H
#define IPSIM_CLI_SUMMARY_H

#include <stddef.h>

#include "cli/options.h"
#include "ipsim/experiment.h"
#include "ipsim/ipsim.h"

/* Number formats; each writes into buf (len bytes) and returns buf.
 * cli_fmt_int: rounded, thousands grouped ("1,234,567"; "n/a" if not finite).
 * cli_fmt_share: num/den as a percentage with one decimal ("n/a" if den <= 0).
 * cli_fmt_rate: compact scientific notation ("3.1e8"; "0" if not > 0). */
const char *cli_fmt_int(double x, char *buf, size_t len);
const char *cli_fmt_share(double num, double den, char *buf, size_t len);
const char *cli_fmt_rate(double x, char *buf, size_t len);

/* After `ipsim run`: arrivals by market and segment, CEC share,
 * visitor-nights, spending, posts and mean satisfaction of model m run from
 * sc (one line with o->quiet); wall is the seconds the run took. */
void cli_print_run_summary(const ipsim_model *m, const ipsim_scenario *sc, const cli_options *o,
                           double wall);

/* After `ipsim validate`: "PATH: OK (name; N markets, N assets, N
 * interventions, AGENTS agents at scale S EXTRA)". */
void cli_print_scenario_summary(const char *path, const ipsim_scenario *sc, const char *agents,
                                double scale, const char *extra);

/* After `ipsim sweep --dry-run`: "PATH: OK (name; design, P points x R
 * replicates = U units)"; replicates 0 means the experiment's. */
void cli_print_experiment_summary(const char *path, const ipsim_experiment *e, int replicates);

#endif /* IPSIM_CLI_SUMMARY_H */
