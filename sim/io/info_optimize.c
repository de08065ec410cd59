/*
 * info_optimize.c - the readable summary of an allocation file (`ipsim
 * info OUT.h5`, ipsim_kind "optimize", written by `ipsim optimize`, layout
 * in sim/optimize/output.c): the problem, the best allocation, its
 * objective on fresh replicates and each plan's paired difference. Reads
 * only what it checks (sizes agree, values finite or reported as n/a);
 * prints nothing.
 */
#define _POSIX_C_SOURCE 200809L

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "io/h5util.h"
#include "io/info.h"

#define TEXT_LEN 256
#define MAX_ROWS 1000 /* rows shown: an allocation file has at most 63 variables */

static double attr_or_nan(hid_t obj, const char *name)
{
    double v = NAN;
    if (ipsim_h5_attr_value(obj, name, H5T_NATIVE_DOUBLE, &v) < 0)
        v = NAN;
    return v;
}

static void plans(ipsim_textbuf *b, hid_t f)
{
    size_t n = 0, nd = 0, nl = 0, nh = 0, no = 0;
    char **name = ipsim_h5_exists(f, "plans/name") ? ipsim_h5_read_strings(f, "plans/name", 1, &n) : NULL;
    double *o = name ? ipsim_h5_read_doubles(f, "plans/objective", 1, NULL, &no) : NULL;
    double *d = name ? ipsim_h5_read_doubles(f, "plans/diff", 1, NULL, &nd) : NULL;
    double *lo = name ? ipsim_h5_read_doubles(f, "plans/diff_ci_low", 1, NULL, &nl) : NULL;
    double *hi = name ? ipsim_h5_read_doubles(f, "plans/diff_ci_high", 1, NULL, &nh) : NULL;
    if (name && n > 0 && o && d && lo && hi && no == n && nd == n && nl == n && nh == n) {
        ipsim_textbuf_printf(b, "plans (objective; best - plan, paired 95%% interval):\n");
        for (size_t i = 0; i < n && i < MAX_ROWS; i++)
            ipsim_textbuf_printf(b, "  %-24.60s %.6g; %+.6g [%.6g, %.6g]%s\n", name[i], o[i], d[i], lo[i],
                                 hi[i], lo[i] > 0 ? " best is better" : hi[i] < 0 ? " plan is better" : "");
    }
    ipsim_h5_free_strings(name, n);
    free(o);
    free(d);
    free(lo);
    free(hi);
}

void ipsim__info_optimize(ipsim_textbuf *b, hid_t f, const char *path)
{
    char name[TEXT_LEN] = "?", obj[TEXT_LEN] = "?", alg[TEXT_LEN] = "?";
    ipsim_h5_attr_text(f, "problem_name", name, sizeof name);
    ipsim_h5_attr_text(f, "objective", obj, sizeof obj);
    ipsim_h5_attr_text(f, "algorithm", alg, sizeof alg);
    ipsim_textbuf_printf(b, "%s: ipsim allocation file (ipsim optimize)\n", path);
    ipsim_textbuf_printf(b, "problem %s: objective %s, budget %.0f CNY, %s with %.0f evaluations on %.0f "
                         "replicates; figures below on %.0f fresh replicates\n",
                         name, obj, attr_or_nan(f, "budget_cny"), alg, attr_or_nan(f, "evaluations"),
                         attr_or_nan(f, "replicates"), attr_or_nan(f, "final_replicates"));
    size_t nv = 0, nb = 0;
    char **var = ipsim_h5_exists(f, "allocation/variables")
                     ? ipsim_h5_read_strings(f, "allocation/variables", 1, &nv)
                     : NULL;
    double *best = var ? ipsim_h5_read_doubles(f, "allocation/best", 1, NULL, &nb) : NULL;
    if (var && best && nb == nv) {
        hid_t ds = H5Dopen2(f, "allocation/best", H5P_DEFAULT);
        if (ds >= 0) {
            ipsim_textbuf_printf(b, "best allocation: objective %.6g [%.6g, %.6g]\n",
                                 attr_or_nan(ds, "objective"), attr_or_nan(ds, "ci_low"),
                                 attr_or_nan(ds, "ci_high"));
            H5Dclose(ds);
        }
        for (size_t i = 0; i < nv && i < MAX_ROWS; i++)
            ipsim_textbuf_printf(b, "  %-24.60s %14.0f CNY\n", var[i], best[i]);
    } else {
        ipsim_textbuf_printf(b, "(no readable /allocation/variables and /allocation/best)\n");
    }
    ipsim_h5_free_strings(var, nv);
    free(best);
    plans(b, f);
}
