/*
 * help.c - every help text of the `ipsim` program: the overview of
 * `ipsim --help` (with the command list of main.c's table), the help of each
 * command (`ipsim help COMMAND`, `ipsim COMMAND --help`), the version line,
 * and the `help` command. scripts/gen_manpage.py makes the man page
 * scripts/ipsim.1 from these texts; regenerate it after changing them.
 */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/console.h"

/* ------------------------------------------------------------------------ */
/* Help texts                                                                */
/* ------------------------------------------------------------------------ */

#define EXIT_STATUS_TEXT \
    "Exit status:\n" \
    "  0    success\n" \
    "  64   usage error: unknown command or option, missing or bad argument (EX_USAGE)\n" \
    "  65   invalid scenario data, bad --set, or a request over a hard limit (EX_DATAERR)\n" \
    "  66   input file missing or unreadable (EX_NOINPUT)\n" \
    "  70   internal error, a bug: please report it (EX_SOFTWARE)\n" \
    "  71   out of memory or over --max-memory (EX_OSERR)\n" \
    "  73   output cannot be created, or exists and --force was not given (EX_CANTCREAT)\n" \
    "  74   read or write error midway (EX_IOERR)\n" \
    "  75   interrupted by SIGINT or SIGTERM, nothing written (EX_TEMPFAIL)\n"

const char cli_help_run[] =
    "Usage: ipsim run SCENARIO.json -o OUT.h5 [OPTION]...\n"
    "Run one stochastic realisation of a scenario and write the results to an HDF5\n"
    "file, then print a summary (arrivals by market and segment, CEC share,\n"
    "visitor-nights, spending, post sentiment, mean satisfaction).\n"
    "\n"
    "Options:\n"
    "  -o, --output=OUT.h5       result file to write (required); written to a new\n"
    "                            OUT.h5.tmp.PID.N and renamed when complete, while\n"
    "                            OUT.h5.lock keeps a second writer out\n"
    "      --force               overwrite OUT.h5 if it exists (a regular file only)\n"
    "      --seed=N              random seed, a decimal integer 0..18446744073709551615\n"
    "                            (default: simulation.seed of the scenario)\n"
    "      --replicate=R         replicate index: an independent, reproducible random\n"
    "                            stream for the same seed (default 0)\n"
    "      --threads=N           OpenMP threads, exactly N (default: simulation.threads;\n"
    "                            0 = 1 for a run of under 50,000 agents, else all\n"
    "                            cores); results do not depend on N\n"
    "      --scale=PEOPLE        people per agent (default: simulation.scale); larger is\n"
    "                            faster and coarser\n"
    "      --days=N              simulated days from simulation.start_date (default:\n"
    "                            simulation.days)\n"
    "      --set=PATH=VALUE      override one value of the scenario, e.g.\n"
    "                            --set 'markets[Shanghai].cec_share=0.4'; VALUE is JSON,\n"
    "                            a bare word is a string; may be repeated: all are\n"
    "                            applied together and checked once (order never matters)\n"
    "      --max-memory=BYTES    refuse to build a model needing more memory; suffixes K,\n"
    "                            M, G, T (binary); 0 = no limit (default: 90% of the\n"
    "                            available RAM)\n"
    "  -q, --quiet               no progress, no warnings, a one-line summary\n"
    "  -v, --verbose             also print informational messages (-vv: debug)\n"
    "  -h, --help                show this help and exit\n"
    "\n"
    "A progress line is shown on standard error when it is a terminal. SIGINT\n"
    "(Ctrl-C) or SIGTERM stops the run after the current day without writing\n"
    "anything (exit 75); a second Ctrl-C kills at once.\n"
    "\n" EXIT_STATUS_TEXT "\n"
    "Examples:\n"
    "  ipsim run scenarios/jiamusi_baseline.json -o results/jiamusi_baseline.h5\n"
    "  ipsim run scenarios/jiamusi_baseline.json -o /tmp/quick.h5 --scale 20000 --days 90\n"
    "  ipsim run scenarios/jiamusi_baseline.json -o results/r3.h5 --seed 7 --replicate 3\n"
    "  ipsim run scenarios/jiamusi_baseline.json -o results/fluent.h5 \\\n"
    "      --set destination.digital_fluency=0.8\n";

const char cli_help_validate[] =
    "Usage: ipsim validate SCENARIO.json [--set PATH=VALUE]...\n"
    "Load and check a scenario (syntax, types, ranges, references, unknown keys, its\n"
    "base scenario) and print one line:\n"
    "  SCENARIO.json: OK (name; N markets, N assets, N interventions, N agents at scale S)\n"
    "or the first error, naming the file and the JSON path (exit 65).\n"
    "\n"
    "Options:\n"
    "      --set=PATH=VALUE      apply an override before checking; may be repeated\n"
    "  -v, --verbose             print informational messages\n"
    "  -h, --help                show this help and exit\n"
    "\n" EXIT_STATUS_TEXT "\n"
    "Examples:\n"
    "  ipsim validate scenarios/jiamusi_baseline.json\n"
    "  ipsim validate scenarios/jiamusi_baseline.json --set simulation.scale=100\n";

const char cli_help_resolve[] =
    "Usage: ipsim resolve SCENARIO.json [--set PATH=VALUE]...\n"
    "Print the resolved scenario as JSON: its base merged in, the overrides applied\n"
    "and every default filled in. This is what 'ipsim run' simulates, and it is\n"
    "stored in the /scenario attribute of every result file.\n"
    "\n"
    "Options:\n"
    "      --set=PATH=VALUE      apply an override; may be repeated\n"
    "  -h, --help                show this help and exit\n"
    "\n" EXIT_STATUS_TEXT "\n"
    "Examples:\n"
    "  ipsim resolve scenarios/jiamusi_baseline.json > resolved.json\n"
    "  ipsim resolve scenarios/jiamusi_baseline.json --set 'markets[Harbin].population=0'\n";

const char cli_help_info[] =
    "Usage: ipsim info OUT.h5\n"
    "Describe a result file written by 'ipsim run': scenario, seed, scale, days,\n"
    "version and commit that wrote it, datasets, and headline totals.\n"
    "\n"
    "Options:\n"
    "  -h, --help                show this help and exit\n"
    "\n" EXIT_STATUS_TEXT "\n"
    "Examples:\n"
    "  ipsim info results/jiamusi_baseline.h5\n";

const char cli_help_schema[] =
    "Usage: ipsim schema\n"
    "Print the JSON Schema (2020-12) that every scenario file satisfies. It is made\n"
    "from the same field tables the loader uses; scenarios/ipsim.schema.json is a\n"
    "copy of it.\n"
    "\n"
    "Options:\n"
    "  -h, --help                show this help and exit\n"
    "\n" EXIT_STATUS_TEXT "\n"
    "Examples:\n"
    "  ipsim schema > ipsim.schema.json\n";

const char cli_help_sweep[] =
    "Usage: ipsim sweep EXPERIMENT.json -o OUT.h5 [OPTION]...\n"
    "Run an experiment: every point of its design (arms, factorial, grid, lhs, sobol,\n"
    "morris, response) under each of its variations (if any), times every replicate,\n"
    "with common random numbers (replicate r of every point uses the same seed and\n"
    "random streams, so point differences are paired). Write the outcomes and their\n"
    "analysis to OUT.h5 and print the analysis (with variations: where the verdict\n"
    "flips; response: incremental outcome, marginal return, cost per extra).\n"
    "\n"
    "Options:\n"
    "  -o, --output=OUT.h5       sweep file to write (required)\n"
    "      --set=PATH=VALUE      add an override to the experiment's \"set\": applied,\n"
    "                            all together, to the base scenario and to every arm's\n"
    "                            scenario file before each point's own overrides; may\n"
    "                            be repeated; recorded in OUT.h5 (/experiment), so\n"
    "                            --resume and merge refuse other --set values\n"
    "      --arm=NAME:PATH=VALUE add an override to arm NAME's \"set\" (arms designs;\n"
    "                            an unknown NAME is exit 64); may be repeated\n"
    "      --replicates=R        replicates per point (default: the experiment's)\n"
    "      --scale=PEOPLE        people per agent (default: the experiment's, else the\n"
    "                            scenario's)\n"
    "      --threads=N           threads of the sweep, exactly N (default: all cores):\n"
    "                            N units at once on one thread each when a unit has\n"
    "                            under 250,000 agents, else one unit at a time on N\n"
    "                            threads (results do not depend on N)\n"
    "      --resume              continue an interrupted sweep from OUT.h5.journal; prints\n"
    "                            how many units were done, failed and left\n"
    "      --shard=K/N           run only units u with u % N == K-1 into OUT.h5 (a shard;\n"
    "                            join the shards with 'ipsim merge')\n"
    "      --posterior=POST.h5   carry a calibration's posterior (ipsim calibrate -o):\n"
    "                            replicate r of every point runs posterior draw r mod K\n"
    "                            (its parameters set on top of the point's scenario);\n"
    "                            the analysis adds intervals with parameter uncertainty\n"
    "      --draws=K             posterior draws (a divisor of R; default R/2 for even\n"
    "                            R >= 4, else R)\n"
    "      --max-memory=BYTES    refuse a sweep whose whole footprint (kept outcomes,\n"
    "                            the file, analysis, one model) needs more (0 = no limit)\n"
    "      --force               overwrite OUT.h5 and discard any journal\n"
    "      --dry-run             load and check the experiment and every point's\n"
    "                            scenario, print one line, run nothing (-o not needed)\n"
    "  -q, --quiet               no progress, no analysis, the one-line summary only\n"
    "  -v, --verbose             also print informational messages\n"
    "  -h, --help                show this help and exit\n"
    "\n"
    "Each finished unit (point, replicate) is appended to OUT.h5.journal and synced,\n"
    "so a sweep killed at any moment (even with SIGKILL) loses only the units in\n"
    "flight; --resume skips the finished ones, and the file it writes has the same\n"
    "datasets as an uninterrupted sweep. SIGINT or SIGTERM stops after the current\n"
    "unit (exit 75). Under mpirun (build with -DIPSIM_MPI=ON) rank 0 hands units to\n"
    "the other ranks; the file is the same for any number of ranks.\n"
    "\n" EXIT_STATUS_TEXT "\n"
    "Examples:\n"
    "  ipsim sweep scenarios/experiments/shanghai_shenzhen_vs_dispersed.json \\\n"
    "      -o results/ssd.h5 --replicates 12 --scale 5000\n"
    "  ipsim sweep scenarios/experiments/mechanisms_factorial.json -o results/f.h5 --resume\n"
    "  ipsim sweep scenarios/experiments/sensitivity_sobol.json -o results/s.3.h5 --shard 3/8\n"
    "  mpirun -np 8 ipsim sweep scenarios/experiments/mechanisms_factorial.json -o results/f.h5\n"
    "  ipsim sweep scenarios/experiments/shanghai_shenzhen_vs_dispersed.json -o results/a.h5 \\\n"
    "      --arm 'shanghai_shenzhen:interventions[saturation_shanghai_shenzhen].start=2025-09-01' \\\n"
    "      --arm 'shanghai_shenzhen:interventions[saturation_shanghai_shenzhen].end=2025-11-30'\n"
    "  ipsim sweep scenarios/experiments/shanghai_shenzhen_robustness.json -o results/rob.h5\n";

const char cli_help_compare[] =
    "Usage: ipsim compare BASE.json ARM.json... -o OUT.h5 [OPTION]...\n"
    "Paired comparison of scenario files: a shortcut for an arms experiment in which\n"
    "each file is an arm (named after its scenario) and the first is the reference.\n"
    "Prints each outcome's mean per arm, the paired difference against the reference\n"
    "with a 95% confidence interval, and the return per 10,000 CNY of extra cost.\n"
    "\n"
    "Options: -o, --set, --arm, --replicates, --scale, --threads, --resume,\n"
    "--max-memory, --force, --posterior, --draws, -q, -v, -h as for 'ipsim sweep'\n"
    "(--set applies to every file; --arm NAME takes the arm's name, that of its\n"
    "scenario).\n"
    "\n" EXIT_STATUS_TEXT "\n"
    "Examples:\n"
    "  ipsim compare scenarios/jiamusi_baseline.json scenarios/campaign_dispersed.json \\\n"
    "      scenarios/campaign_shanghai_shenzhen.json -o results/cmp.h5 --replicates 8\n"
    "  ipsim compare scenarios/jiamusi_baseline.json scenarios/campaign_shanghai_shenzhen.json \\\n"
    "      -o results/cmp10.h5 --arm \\\n"
    "      'campaign_shanghai_shenzhen:interventions[saturation_shanghai_shenzhen].cost_cny=1e7'\n";

const char cli_help_merge[] =
    "Usage: ipsim merge OUT.h5 SHARD.h5...\n"
    "Join the shard files of one sweep (written with --shard K/N) into OUT.h5, with\n"
    "the analysis; its datasets are those of the same sweep run unsharded. Every\n"
    "unit must be in some shard, and the shards must come from the same experiment,\n"
    "replicates and scale (exit 65 otherwise).\n"
    "\n"
    "Options:\n"
    "      --force               overwrite OUT.h5 if it exists\n"
    "  -q, --quiet               do not print the analysis\n"
    "  -h, --help                show this help and exit\n"
    "\n" EXIT_STATUS_TEXT "\n"
    "Examples:\n"
    "  ipsim merge results/f.h5 results/f.1.h5 results/f.2.h5 results/f.3.h5\n";

const char cli_help_calibrate[] =
    "Usage: ipsim calibrate CALIBRATION.json -o POSTERIOR.h5 [OPTION]...\n"
    "Fit scenario parameters to observed figures by approximate Bayesian computation\n"
    "(ABC-SMC with an adaptive tolerance). The calibration file names the scenario,\n"
    "the parameters (--set paths with priors), the observed targets and the\n"
    "algorithm (scenarios/calibrations/README.md). Writes the weighted posterior\n"
    "particles, every generation and the posterior-predictive values of the targets\n"
    "to POSTERIOR.h5, then prints its summary (as 'ipsim info').\n"
    "\n"
    "Options:\n"
    "  -o, --output=POSTERIOR.h5 posterior file to write (required); written to\n"
    "                            a temp file and renamed when complete\n"
    "      --force               overwrite POSTERIOR.h5, and discard a stale journal\n"
    "      --resume              continue from POSTERIOR.h5.journal after an interruption\n"
    "      --seed=N              random seed (default: algorithm.seed of the file, or 1)\n"
    "      --threads=N           OpenMP threads over particles (default: all cores);\n"
    "                            each model runs on one; results do not depend on N\n"
    "      --dry-run             check the calibration file and print what it would fit\n"
    "  -q, --quiet               no progress, no summary\n"
    "  -v, --verbose             also print each generation's tolerance and acceptance\n"
    "  -h, --help                show this help and exit\n"
    "\n"
    "Each finished generation is appended to POSTERIOR.h5.journal (fsync'ed); after a\n"
    "crash, kill or SIGINT, run the same command with --resume to continue. A\n"
    "progress line with an ETA is shown on standard error when it is a terminal.\n"
    "\n" EXIT_STATUS_TEXT "\n"
    "Examples:\n"
    "  ipsim calibrate scenarios/calibrations/jiamusi_baseline.json -o results/jm_post.h5\n"
    "  ipsim info results/jm_post.h5\n";

const char cli_help_export[] =
    "Usage: ipsim export OUT.h5 -o DIR [OPTION]...\n"
    "  or:  ipsim export OUT.h5 -o FILE.csv --table NAME\n"
    "  or:  ipsim export OUT.h5 --list\n"
    "Write a run or sweep file as tidy CSV tables that pandas, R, a spreadsheet or\n"
    "the EMA Workbench read, with DIR/README.txt describing every file and column.\n"
    "A run file gives daily.csv (one row per date x market x segment x metric),\n"
    "summary.csv, assets.csv, destination.csv, interventions.csv and cells.csv. A\n"
    "sweep file gives experiments.csv and outcomes.csv (the EMA Workbench pair: one\n"
    "row per point x replicate), outcomes_long.csv (one row per point x replicate x\n"
    "outcome, with the design parameters), outcomes_by_market.csv,\n"
    "outcomes_by_segment.csv, daily.csv (with keep_daily) and analysis_*.csv (one\n"
    "per shape of /analysis). Both give metadata.csv and the JSON of the scenario or\n"
    "experiment.\n"
    "\n"
    "Options:\n"
    "  -o, --output=DIR          directory to write, created if absent; it must be\n"
    "                            empty (or see --force). A name ending in .csv\n"
    "                            writes the one table named by --table to that file\n"
    "      --table=NAME[,NAME]   write only these tables (file names without .csv)\n"
    "      --list                print the tables of OUT.h5 with their rows and exit\n"
    "      --force               replace FILE.csv, or a DIR holding only a previous\n"
    "                            export (CSV and JSON files and README.txt)\n"
    "  -q, --quiet               do not print the files written\n"
    "  -h, --help                show this help and exit\n"
    "\n"
    "The files are created inside DIR.tmp-<pid>, never through a symbolic link or\n"
    "over an existing file, and the directory is renamed to DIR when complete: an\n"
    "export is whole or absent. Missing values (NaN) are empty fields; numbers read\n"
    "back exactly.\n"
    "\n" EXIT_STATUS_TEXT "\n"
    "Examples:\n"
    "  ipsim export results/ssd.h5 -o results/ssd_csv\n"
    "  ipsim export results/ssd.h5 -o results/ssd_outcomes.csv --table outcomes_long\n"
    "  ipsim export results/jiamusi_baseline.h5 -o results/baseline_csv --table daily,summary\n"
    "  ipsim export results/ssd.h5 --list\n";

const char cli_help_optimize[] =
    "Usage: ipsim optimize PROBLEM.json -o OUT.h5 [OPTION]...\n"
    "Split a campaign budget across markets, segments, channels and months so as to\n"
    "maximise an incremental outcome (cec_arrivals, arrivals, visitor_nights,\n"
    "spending_cny, or their _per_cny forms), and compare the best allocation with\n"
    "the plans named in the problem (scenarios/experiments/OPTIMIZE.md). Each\n"
    "allocation becomes mechanism C campaigns on the base scenario, run on the same\n"
    "replicates as the base without them (common random numbers); NLopt's COBYLA,\n"
    "SBPLX, NELDERMEAD or BOBYQA searches within the bounds, spending exactly the\n"
    "budget in whole minimum units. The best allocation and the plans are then\n"
    "re-evaluated on fresh replicates (not the ones searched on), with paired 95 %\n"
    "intervals, the difference best - plan, and each variable's marginal return per\n"
    "extra 10,000 CNY. Writes OUT.h5 (/allocation, /plans, /convergence) and prints\n"
    "a summary table.\n"
    "\n"
    "Options:\n"
    "  -o, --output=OUT.h5       allocation file to write (required); written to a\n"
    "                            temp file and renamed when complete\n"
    "      --force               overwrite OUT.h5 if it exists\n"
    "      --set=PATH=VALUE      override the base and every plan scenario (repeatable;\n"
    "                            applied together, validated once)\n"
    "      --posterior=POST.h5   run every replicate under a draw of a calibration's\n"
    "                            posterior (ipsim calibrate -o): the objective is an\n"
    "                            expectation over parameter uncertainty\n"
    "      --draws=K             distinct posterior draws (replicate r: draw r mod K;\n"
    "                            default one per replicate)\n"
    "      --dry-run             check the problem, describe it and exit\n"
    "      --threads=N           OpenMP threads per model (default 1: the runs are\n"
    "                            small; results do not depend on it)\n"
    "      --max-memory=BYTES    memory cap per model, suffixes K, M, G, T\n"
    "  -q, --quiet               no progress line and no summary\n"
    "  -v, --verbose             print informational messages (-vv: debug)\n"
    "  -h, --help                show this help and exit\n"
    "\n" EXIT_STATUS_TEXT "\n"
    "Examples:\n"
    "  ipsim optimize scenarios/experiments/allocate_spring_20m.json -o results/alloc.h5\n"
    "  ipsim optimize scenarios/experiments/allocate_spring_20m.json --dry-run\n"
    "  ipsim info results/alloc.h5\n";

const char cli_help_help[] = "Usage: ipsim help [COMMAND]\n"
                             "Show the help of COMMAND, or the overview without one.\n";

/* ------------------------------------------------------------------------ */
/* Printing                                                                  */
/* ------------------------------------------------------------------------ */

void cli_print_command_help(const cli_command *cmd, FILE *f)
{
    fputs(cmd->help, f);
}

void cli_print_main_help(FILE *f)
{
    size_t i, n_commands;
    const cli_command *commands = cli_commands(&n_commands);
    fputs("Usage: ipsim COMMAND [OPTION]... [ARGUMENT]...\n"
          "  or:  ipsim --help | --version\n"
          "Simulate visitor flows to a cultural-tourism destination with an agent-based\n"
          "model: consumers in source markets become aware of the destination through\n"
          "campaigns, official content and user-generated short video, decide whether to\n"
          "visit, visit, judge the experience, post about it and may return. The default\n"
          "scenario is Jiamusi, Heilongjiang.\n"
          "\n"
          "Commands:\n",
          f);
    for (i = 0; i < n_commands; i++)
        fprintf(f, "  %-10s %s\n", commands[i].name, commands[i].summary);
    fputs("\n"
          "Options:\n"
          "  -h, --help       show this help and exit ('ipsim help COMMAND' or\n"
          "                   'ipsim COMMAND --help' for a command's options)\n"
          "  -V, --version    print the version and the git commit and exit\n"
          "\n"
          "Options of run, validate and resolve (details: 'ipsim help run'):\n"
          "  -o, --output=OUT.h5       run: result file to write (required)\n"
          "      --force               run: overwrite OUT.h5 if it exists\n"
          "      --seed=N              run: random seed (0..18446744073709551615)\n"
          "      --replicate=R         run: replicate index (independent stream)\n"
          "      --threads=N           run: OpenMP threads (results do not depend on it)\n"
          "      --scale=PEOPLE        run: people per agent\n"
          "      --days=N              run: simulated days\n"
          "      --max-memory=BYTES    run: memory cap, suffixes K, M, G, T; 0 = none\n"
          "      --set=PATH=VALUE      override a scenario value, e.g.\n"
          "                            --set 'markets[Shanghai].cec_share=0.4'\n"
          "  -q, --quiet               run: no progress or warnings, one-line summary\n"
          "  -v, --verbose             print informational messages (-vv: debug)\n"
          "\n"
          "Data go to standard output, messages to standard error.\n"
          "\n" EXIT_STATUS_TEXT "\n"
          "Examples:\n"
          "  ipsim validate scenarios/jiamusi_baseline.json\n"
          "\n"
          "  ipsim run scenarios/jiamusi_baseline.json -o results/jiamusi_baseline.h5\n"
          "\n"
          "  ipsim run scenarios/jiamusi_baseline.json -o /tmp/q.h5 --scale 20000 "
          "--set 'markets[Shanghai].cec_share=0.4'\n"
          "\n"
          "  ipsim info results/jiamusi_baseline.h5\n"
          "\n"
          "  ipsim resolve scenarios/jiamusi_baseline.json | less\n"
          "\n"
          "  ipsim sweep scenarios/experiments/shanghai_shenzhen_vs_dispersed.json -o results/ssd.h5\n"
          "\n"
          "The HDF5 output contract and the scenario format are described in README.md;\n"
          "the model in sim/ODD.md.\n",
          f);
}

void cli_print_version(void)
{
    printf("ipsim %s (git %s)\n", ipsim_version(), ipsim_git_commit());
}

int cli_cmd_help(const cli_command *cmd, cli_options *o)
{
    const cli_command *target;
    (void)cmd;
    if (o->n_args == 0) {
        cli_print_main_help(stdout);
        return 0;
    }
    target = cli_find_command(o->args[0]);
    if (!target)
        return cli_usage_error(NULL, "help: unknown command '%s'", o->args[0]);
    cli_print_command_help(target, stdout);
    return 0;
}
