/*
 * cmd_export.c - `ipsim export OUT.h5 -o DIR` (include/ipsim/export.h): a run
 * or sweep file as tidy CSV tables with a README, into a directory or (with
 * --table NAME and -o FILE.csv) one file; `--list` prints the tables. The
 * files written are listed on standard output unless --quiet.
 */
#include <stdio.h>
#include <stdlib.h>

#include "cli/cli.h"
#include "cli/console.h"
#include "ipsim/export.h"

int cli_cmd_export(const cli_command *cmd, cli_options *o)
{
    char err[CLI_ERRLEN] = "";
    char *text = NULL;
    ipsim_status st;

    if (o->list) {
        st = ipsim_output_export_list(o->args[0], &text, err, sizeof err);
        if (st != IPSIM_OK)
            return cli_fail(st, err, NULL);
        fputs(text, stdout);
        free(text);
        return 0;
    }
    if (!o->output)
        return cli_usage_error(cmd->name, "missing -o DIR (the directory to write the CSV files "
                                          "into), or -o FILE.csv --table NAME");
    ipsim_export_options opt;
    ipsim_export_options_init(&opt);
    opt.tables = o->table;
    opt.force = o->force;
    st = ipsim_output_export(o->args[0], o->output, &opt, &text, err, sizeof err);
    if (st != IPSIM_OK)
        return cli_fail(st, err,
                        st == IPSIM_ERR_USAGE ? "'ipsim export FILE --list' lists the tables" : NULL);
    if (!o->quiet)
        fputs(text, stdout);
    free(text);
    return 0;
}
