/*
 * export_readme.c - the README.txt of a CSV export (io/export.h): the format
 * of the files, every file written with its rows, what a row is, each column
 * and the values of its key column with their units and meaning, and how to
 * read the files with pandas, R and the EMA Workbench.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hdf5.h>

#include "io/export.h"
#include "io/h5util.h"

#define NAME_WIDTH 22 /* column of the descriptions */
#define TEXT_LEN 1024
#define LINE_WIDTH 79 /* README lines wrap here */
#define ITEM_INDENT (6 + NAME_WIDTH + 1)

/* What a coordinate column holds. */
static const struct {
    const char *label, *text;
} coord_text[] = {
    {"point", "design point, 0-based, in the order of the experiment's design"},
    {"point_name", "the design point's name (an arm's name, or its design values)"},
    {"replicate", "replicate, 0-based; replicate r of every point runs with the same random "
                  "numbers, so differences between points are paired"},
    {"day", "day of the simulated period, 0-based (0 is its first day)"},
    {"date", "the day's date, ISO 8601 (YYYY-MM-DD)"},
    {"market", "source market of the consumers"},
    {"segment", "consumer segment: cec (core experiential consumers) or mainstream"},
    {"asset", "asset of the destination"},
    {"parameter", "design parameter or factor"},
    {"intervention", "the intervention's name"},
};

/* text from column col, wrapped at LINE_WIDTH with continuation lines
 * indented to indent. */
static void wrapped(FILE *out, int col, int indent, const char *text)
{
    while (*text) {
        size_t n = strlen(text), room = col < LINE_WIDTH - 20 ? (size_t)(LINE_WIDTH - col) : 20;
        if (n > room) {
            size_t k = room;
            while (k > 0 && text[k] != ' ')
                k--;
            n = k ? k : strcspn(text, " ");
        }
        fprintf(out, "%.*s\n", (int)n, text);
        text += n;
        while (*text == ' ')
            text++;
        if (*text)
            fprintf(out, "%*s", indent, "");
        col = indent;
    }
}

static void item(FILE *out, const char *name, const char *text)
{
    int col = fprintf(out, "      %-*s ", NAME_WIDTH, name);
    wrapped(out, col, ITEM_INDENT, text);
}

static void coord_items(FILE *out, const ipsim_ex_plan *p, const ipsim_ex_table *t)
{
    char name[IPSIM_EX_NAME_LEN + 16], text[TEXT_LEN];
    for (int i = 0; i < t->rank; i++) {
        const char *l = t->labels[i];
        int dup = 0, n = 0;
        for (int k = 0; k < t->rank; k++)
            if (strcmp(t->labels[k], l) == 0) {
                n++;
                if (k <= i)
                    dup++;
            }
        const char *cols[2] = {l, NULL};
        if (strcmp(l, "point") == 0)
            cols[1] = "point_name";
        else if (strcmp(l, "day") == 0 && p->start_date[0])
            cols[1] = "date";
        for (int c = 0; c < 2 && cols[c]; c++) {
            const char *what = NULL;
            for (size_t k = 0; k < sizeof coord_text / sizeof coord_text[0]; k++)
                if (strcmp(coord_text[k].label, cols[c]) == 0)
                    what = coord_text[k].text;
            snprintf(name, sizeof name, "%s%s%.0d", cols[c], n > 1 ? "_" : "", n > 1 ? dup : 0);
            if (!what) {
                snprintf(text, sizeof text, "the %s coordinate", l);
                what = text;
            }
            item(out, name, what);
        }
        for (size_t k = 0; strcmp(l, "point") == 0 && t->point_params && k < p->n_params; k++) {
            snprintf(text, sizeof text, "the point's value of design parameter %s (/design/%s)%s%s",
                     p->params[k].name, p->params[k].name, p->params[k].unit[0] ? "; unit " : "",
                     p->params[k].unit);
            item(out, p->params[k].column, text);
        }
    }
}

/* The long_name of /outcomes/<name> (or of group/<name>), "" if none. */
static void outcome_text(const ipsim_ex_plan *p, const char *name, char *buf, size_t len)
{
    char path[2 * IPSIM_EX_NAME_LEN];
    buf[0] = '\0';
    snprintf(path, sizeof path, "outcomes/%s", name);
    if (!ipsim_h5_exists(p->f, path))
        return;
    hid_t ds = H5Dopen2(p->f, path, H5P_DEFAULT);
    if (ds >= 0) {
        ipsim_h5_attr_text(ds, "long_name", buf, len);
        H5Dclose(ds);
    }
}

static void describe_table(FILE *out, const ipsim_ex_plan *p, const ipsim_ex_table *t)
{
    char text[TEXT_LEN], name[IPSIM_EX_NAME_LEN + 8];
    snprintf(name, sizeof name, "%s.csv", t->name);
    fprintf(out, "  %s  (%zu rows)\n    ", name, ipsim__ex_table_rows(p, t));
    wrapped(out, 4, 4, t->what);
    fputs("    columns:\n", out);
    if (t->attrs) {
        item(out, "attribute", "the attribute's name");
        item(out, "value", "its value");
        return;
    }
    if (t->coords)
        coord_items(out, p, t);
    int stats = 0; /* several value columns per key: statistics */
    for (size_t i = 0; i < t->ns; i++)
        stats |= strcmp(t->s[i].column, t->s[0].column) != 0;
    if (t->key_column) {
        snprintf(text, sizeof text, "the %s's name (its values are listed below)", t->key_column);
        item(out, t->key_column, text);
    }
    /* value columns, once each */
    for (size_t i = 0; i < t->ns; i++) {
        size_t k;
        for (k = 0; k < i && strcmp(t->s[k].column, t->s[i].column) != 0; k++)
            ;
        if (k < i)
            continue;
        if (t->key_column && !stats)
            snprintf(text, sizeof text, "the %s's value, in the unit listed below", t->key_column);
        else if (t->key_column)
            snprintf(text, sizeof text, "%s (in the unit of the %s)",
                     t->s[i].long_name ? t->s[i].long_name : t->s[i].column, t->key_column);
        else
            snprintf(text, sizeof text, "%s%s%s%s",
                     t->s[i].long_name ? t->s[i].long_name : t->s[i].path, t->s[i].unit[0] ? " [" : "",
                     t->s[i].unit, t->s[i].unit[0] ? "]" : "");
        item(out, t->s[i].column, text);
    }
    if (t->ema) {
        item(out, "scenario",
             "EMA Workbench's scenario: the replicate (the same random "
             "numbers at every point)");
        item(out, "policy", "EMA Workbench's policy: the point's name");
        item(out, "model", "EMA Workbench's model: ipsim");
    }
    if (!t->key_column)
        return;
    fprintf(out, "    %s values [unit] meaning:\n", t->key_column);
    for (size_t i = 0; i < t->ns; i++) {
        size_t k;
        for (k = 0; k < i && strcmp(t->s[k].key, t->s[i].key) != 0; k++)
            ;
        if (k < i)
            continue;
        char meaning[TEXT_LEN];
        if (stats)
            outcome_text(p, t->s[i].key, meaning, sizeof meaning);
        else
            snprintf(meaning, sizeof meaning, "%s", t->s[i].long_name ? t->s[i].long_name : "");
        snprintf(text, sizeof text, "[%s] %s", t->s[i].unit[0] ? t->s[i].unit : "1", meaning);
        item(out, t->s[i].key, text);
    }
}

int ipsim__ex_write_readme(const ipsim_ex_plan *p, const char *src, const unsigned char *selected,
                           FILE *out)
{
    int sweep = strcmp(p->kind, "sweep") == 0;
    fprintf(out, "ipsim export of %s\n", src);
    wrapped(out, 0, 0, p->title);
    fprintf(out,
            "\n"
            "FORMAT\n"
            "  Every .csv file is comma-separated values (RFC 4180): one header row, UTF-8,\n"
            "  one line per row; a field holding a comma, a quote or a line break is quoted.\n"
            "  An empty field is a missing value (NaN in the HDF5 file: the satisfaction of\n"
            "  a day without departures, a unit that did not run). Numbers have the fewest\n"
            "  digits that read back to the file's value exactly; inf is infinity. Units are\n"
            "  those of the HDF5 file (results/README.md): 1 is a count of people (agents x\n"
            "  scale), of nights, posts or impressions, or a ratio (shares are 0-1, crowding\n"
            "  is visitors / capacity, above 1 over capacity); CNY is yuan; s is seconds.\n"
            "\n"
            "FILES\n");
    for (size_t i = 0; i < p->nt; i++)
        if (!selected || selected[i])
            describe_table(out, p, &p->t[i]);
    if (p->json_dataset && !selected)
        fprintf(out, "  %s\n    the %s of the file (/%s), as JSON\n", p->json_file,
                strcmp(p->json_dataset, "scenario") == 0 ? "resolved scenario" : "experiment",
                p->json_dataset);
    fprintf(out,
            "  README.txt\n    this file\n\n"
            "READING\n"
            "  pandas:   import pandas as pd\n"
            "            df = pd.read_csv(\"%s.csv\")\n"
            "            wide = df.pivot_table(index=%s, columns=\"%s\", values=\"value\")\n"
            "  R:        df <- read.csv(\"%s.csv\")\n",
            sweep ? "outcomes_long" : "daily",
            sweep ? "[\"point_name\", \"replicate\"]" : "[\"date\", \"market\", \"segment\"]",
            sweep ? "outcome" : "metric", sweep ? "outcomes_long" : "daily");
    if (sweep)
        fputs(
            "  EMA Workbench: experiments.csv and outcomes.csv are its (experiments, outcomes)\n"
            "            pair, row for row:\n"
            "            experiments = pd.read_csv(\"experiments.csv\")\n"
            "            outcomes = {k: v.to_numpy() for k, v in\n"
            "                        pd.read_csv(\"outcomes.csv\", float_precision=\"round_trip\").items()}\n"
            "            e.g. ema_workbench.analysis.prim.Prim(experiments[[...parameters]],\n"
            "                 outcomes[\"cec_arrivals\"] < x, threshold=0.8)\n",
            out);
    return ferror(out) ? -1 : 0;
}
