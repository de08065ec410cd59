/*
 * output.c - the allocation file (ipsim_optimize_write), an HDF5 file
 * built in memory and published through the safe output path
 * (io/safe_file.c: lock, temp file, fsync, rename), like run and sweep
 * files:
 *
 *   /                     attributes: ipsim_kind = "optimize", ipsim_version,
 *                         git_commit, problem_name, objective, budget_cny,
 *                         min_unit_cny, seed, scale, replicates (searched on),
 *                         final_replicates (fresh, re-evaluated on), algorithm,
 *                         evaluations, runs, nlopt_result, wall_seconds, note
 *   /problem              the problem file's JSON text (scalar string)
 *   /allocation/variables [variable] names
 *   /allocation/best      [variable] CNY; attributes objective, ci_low,
 *                         ci_high (fresh replicates), search_objective
 *                         (the replicates searched on: biased upwards)
 *   /allocation/lower_cny, upper_cny    [variable] bounds
 *   /allocation/objective_replicates    [final_replicate]
 *   /allocation/sensitivity, sensitivity_ci_low, sensitivity_ci_high
 *                         [variable] marginal outcome per extra 10,000 CNY
 *   /plans/name, cost_cny, objective, ci_low, ci_high, diff, diff_ci_low,
 *   diff_ci_high          [plan] (diff = best - plan, paired)
 *   /plans/objective_replicates         [plan][final_replicate]
 *   /convergence/objective              [evaluation]
 *   /convergence/allocation             [evaluation][variable] CNY
 */
#define _POSIX_C_SOURCE 200809L

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hdf5.h>

#include "base/textbuf.h"
#include "io/h5util.h"
#include "io/safe_file.h"
#include "experiment/posterior_draws.h"
#include "optimize/opt.h"

#define CORE_INCREMENT ((size_t)1 << 20)

static int dset(hid_t loc, const char *name, int rank, const hsize_t *dims, const double *v)
{
    hsize_t one = 1;
    hid_t sp = rank ? H5Screate_simple(rank, dims, NULL) : H5Screate_simple(1, &one, NULL);
    if (rank == 0) {
        H5Sclose(sp);
        sp = H5Screate(H5S_SCALAR);
    }
    hid_t ds = sp >= 0 ? H5Dcreate2(loc, name, H5T_IEEE_F64LE, sp, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT)
                       : -1;
    int rc = ds >= 0 && (dims == NULL || rank == 0 || dims[0] > 0)
                 ? H5Dwrite(ds, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, v)
                 : (ds >= 0 ? 0 : -1);
    if (ds >= 0)
        H5Dclose(ds);
    if (sp >= 0)
        H5Sclose(sp);
    return rc < 0 ? -1 : 0;
}

static int vec(hid_t loc, const char *name, size_t n, const double *v)
{
    hsize_t d = n;
    return dset(loc, name, 1, &d, v);
}

static int strings(hid_t loc, const char *name, size_t n, const char **v)
{
    hsize_t d = n;
    hid_t t = ipsim_h5_str_type(), sp = H5Screate_simple(1, &d, NULL);
    hid_t ds = t >= 0 && sp >= 0 ? H5Dcreate2(loc, name, t, sp, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT) : -1;
    int rc = ds >= 0 && (n == 0 || H5Dwrite(ds, t, H5S_ALL, H5S_ALL, H5P_DEFAULT, v) >= 0) ? 0 : -1;
    if (ds >= 0)
        H5Dclose(ds);
    if (sp >= 0)
        H5Sclose(sp);
    if (t >= 0)
        H5Tclose(t);
    return rc;
}

static int text(hid_t loc, const char *name, const char *s)
{
    hid_t t = ipsim_h5_str_type(), sp = H5Screate(H5S_SCALAR);
    hid_t ds = t >= 0 && sp >= 0 ? H5Dcreate2(loc, name, t, sp, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT) : -1;
    int rc = ds >= 0 && H5Dwrite(ds, t, H5S_ALL, H5S_ALL, H5P_DEFAULT, &s) >= 0 ? 0 : -1;
    if (ds >= 0)
        H5Dclose(ds);
    if (sp >= 0)
        H5Sclose(sp);
    if (t >= 0)
        H5Tclose(t);
    return rc;
}

static int num(hid_t loc, const char *name, double v)
{
    return ipsim_h5_attr_num(loc, name, H5T_NATIVE_DOUBLE, &v);
}

static int root_attrs(const ipsim_optimize *op, hid_t f)
{
    char on[80];
    unsigned long long seed = op->seed;
    int rc = ipsim_h5_attr_str(f, "ipsim_kind", "optimize") | ipsim_h5_attr_str(f, "ipsim_version", ipsim_version()) |
             ipsim_h5_attr_str(f, "git_commit", ipsim_git_commit()) |
             ipsim_h5_attr_str(f, "problem_name", op->name) | ipsim_h5_attr_str(f, "set", op->set_text) |
             ipsim_h5_attr_str(f, "objective", ipsim__opt_objective_name(op, on, sizeof on)) |
             num(f, "budget_cny", op->budget) | num(f, "min_unit_cny", op->unit) |
             ipsim_h5_attr_num(f, "seed", H5T_NATIVE_ULLONG, &seed) | num(f, "scale", op->scale) |
             num(f, "replicates", op->replicates) | num(f, "final_replicates", op->final_replicates) |
             ipsim_h5_attr_str(f, "algorithm", ipsim__opt_method_names[op->method]) |
             num(f, "evaluations", op->n_trace) | num(f, "distinct_allocations", op->n_cache) |
             num(f, "runs", op->n_runs) | num(f, "nlopt_result", op->nlopt_result) |
             num(f, "wall_seconds", op->seconds) |
             ipsim_h5_attr_str(f, "note",
                               "objective = mean paired increment over zero-spend runs of the base "
                               "scenario (common random numbers); the best allocation, the plans and "
                               "the sensitivity are re-evaluated on fresh replicates (indices "
                               "replicates .. replicates+final_replicates-1), not the ones searched "
                               "on, to avoid the winner's curse; intervals are paired 95 % t "
                               "intervals over those replicates");
    if (op->post) {
        rc |= ipsim_h5_attr_str(f, "posterior", op->post->path) |
              ipsim_h5_attr_str(f, "posterior_fingerprint", op->post->fingerprint) |
              num(f, "posterior_draws", op->post_draws);
        int total = op->replicates + op->final_replicates;
        double *pp = malloc((size_t)total * sizeof *pp);
        for (int r = 0; pp && r < total; r++)
            pp[r] = op->post_particle[r];
        rc |= !pp || vec(f, "posterior_particle", (size_t)total, pp) < 0;
        free(pp);
    }
    return rc ? -1 : 0;
}

static int allocation(const ipsim_optimize *op, hid_t f)
{
    hid_t g = H5Gcreate2(f, "allocation", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    if (g < 0)
        return -1;
    int V = op->n_vars, rc = 0;
    const char *names[OPT_MAX_VARS];
    double lo[OPT_MAX_VARS], hi[OPT_MAX_VARS], s[OPT_MAX_VARS], sl[OPT_MAX_VARS], sh[OPT_MAX_VARS];
    for (int v = 0; v < V; v++) {
        names[v] = op->vars[v].name;
        lo[v] = op->vars[v].lo;
        hi[v] = op->vars[v].hi;
        s[v] = op->sens[v].mean;
        sl[v] = op->sens[v].lo;
        sh[v] = op->sens[v].hi;
    }
    rc |= strings(g, "variables", (size_t)V, names);
    rc |= vec(g, "best", (size_t)V, op->best);
    hid_t b = rc == 0 ? H5Dopen2(g, "best", H5P_DEFAULT) : -1;
    if (b >= 0) {
        rc |= ipsim_h5_attr_str(b, "units", "CNY") | num(b, "objective", op->best_stat.mean) |
              num(b, "ci_low", op->best_stat.lo) | num(b, "ci_high", op->best_stat.hi) |
              num(b, "increment", op->best_inc.mean) | num(b, "increment_ci_low", op->best_inc.lo) |
              num(b, "increment_ci_high", op->best_inc.hi) |
              num(b, "search_objective", op->best_search);
        H5Dclose(b);
    } else {
        rc = -1;
    }
    rc |= vec(g, "lower_cny", (size_t)V, lo) | vec(g, "upper_cny", (size_t)V, hi);
    rc |= vec(g, "objective_replicates", (size_t)op->final_replicates, op->final_obj);
    rc |= vec(g, "sensitivity", (size_t)V, s) | vec(g, "sensitivity_ci_low", (size_t)V, sl) |
          vec(g, "sensitivity_ci_high", (size_t)V, sh);
    hid_t sd = rc == 0 ? H5Dopen2(g, "sensitivity", H5P_DEFAULT) : -1;
    if (sd >= 0) {
        rc |= ipsim_h5_attr_str(sd, "meaning", "marginal incremental outcome per extra 10,000 CNY on "
                                               "the variable (finite difference, common random numbers)") |
              num(sd, "step_cny", op->sens_step);
        H5Dclose(sd);
    }
    H5Gclose(g);
    return rc ? -1 : 0;
}

static int plans(const ipsim_optimize *op, hid_t f)
{
    hid_t g = H5Gcreate2(f, "plans", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    if (g < 0)
        return -1;
    int P = op->n_plans, rc = 0;
    const char *names[OPT_MAX_PLANS];
    double col[8][OPT_MAX_PLANS];
    for (int p = 0; p < P; p++) {
        names[p] = op->plans[p].name;
        col[0][p] = op->plans[p].cost;
        col[1][p] = op->plan_stat[p].mean;
        col[2][p] = op->plan_stat[p].lo;
        col[3][p] = op->plan_stat[p].hi;
        col[4][p] = op->diff[p].mean;
        col[5][p] = op->diff[p].lo;
        col[6][p] = op->diff[p].hi;
        col[7][p] = op->plan_inc[p].mean;
    }
    static const char *const cn[8] = {"cost_cny", "objective", "ci_low", "ci_high",
                                      "diff", "diff_ci_low", "diff_ci_high", "increment"};
    rc |= strings(g, "name", (size_t)P, names);
    for (int k = 0; k < 8; k++)
        rc |= vec(g, cn[k], (size_t)P, col[k]);
    hsize_t d[2] = {(hsize_t)P, (hsize_t)op->final_replicates};
    rc |= dset(g, "objective_replicates", 2, d, op->final_obj + op->final_replicates);
    H5Gclose(g);
    return rc ? -1 : 0;
}

static int convergence(const ipsim_optimize *op, hid_t f)
{
    hid_t g = H5Gcreate2(f, "convergence", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    if (g < 0)
        return -1;
    hsize_t d[2] = {(hsize_t)op->n_trace, (hsize_t)op->n_vars};
    int rc = vec(g, "objective", (size_t)op->n_trace, op->trace) |
             dset(g, "allocation", 2, d, op->trace_x);
    H5Gclose(g);
    return rc ? -1 : 0;
}

static ipsim_status build(const ipsim_optimize *op, const char *name, void **image, size_t *size)
{
    hid_t fapl = H5Pcreate(H5P_FILE_ACCESS);
    hid_t f = -1;
    if (fapl >= 0 && H5Pset_fapl_core(fapl, CORE_INCREMENT, 0) >= 0 &&
        H5Pset_libver_bounds(fapl, H5F_LIBVER_EARLIEST, H5F_LIBVER_V18) >= 0)
        f = H5Fcreate(name, H5F_ACC_TRUNC, H5P_DEFAULT, fapl);
    if (fapl >= 0)
        H5Pclose(fapl);
    int rc = f < 0 || root_attrs(op, f) < 0 || text(f, "problem", op->json_text) < 0 ||
                     allocation(op, f) < 0 || plans(op, f) < 0 || convergence(op, f) < 0
                 ? -1
                 : 0;
    if (rc == 0 && H5Fflush(f, H5F_SCOPE_GLOBAL) < 0)
        rc = -1;
    ssize_t n = rc == 0 ? H5Fget_file_image(f, NULL, 0) : -1;
    if (n > 0 && (*image = malloc((size_t)n)) != NULL && H5Fget_file_image(f, *image, (size_t)n) == n)
        *size = (size_t)n;
    else
        rc = n > 0 && !*image ? -2 : -1;
    if (f >= 0 && H5Fclose(f) < 0)
        rc = -1;
    if (rc == 0)
        return IPSIM_OK;
    free(*image);
    *image = NULL;
    return rc == -2 ? IPSIM_ERR_NOMEM : IPSIM_ERR_IO;
}

ipsim_status ipsim_optimize_write(const ipsim_optimize *op, const char *path, int force, char *err,
                                  size_t errlen)
{
    if (!op || !path || !*path || op->ran != 2) {
        ipsim_set_error(err, errlen, "ipsim_optimize_write: %s",
                        !op || !path || !*path ? "no problem or no path" : "the problem has not run");
        return IPSIM_ERR_USAGE;
    }
    ipsim__safe_out out;
    ipsim_status st = ipsim__safe_begin(&out, path, force, err, errlen);
    if (st != IPSIM_OK)
        return st;
    void *image = NULL;
    size_t size = 0;
    ipsim_h5_quiet quiet;
    ipsim_h5_quiet_begin(&quiet);
    char why[IPSIM_H5_REASON_MAX] = "";
    st = build(op, out.tmp, &image, &size);
    if (st == IPSIM_ERR_IO)
        ipsim_h5_error_reason(why, sizeof why);
    ipsim_h5_quiet_end(&quiet);
    if (st == IPSIM_OK) {
        st = ipsim__safe_commit(&out, image, size, force, err, errlen);
    } else {
        ipsim_set_error(err, errlen, "%s: cannot write: %s", path,
                        st == IPSIM_ERR_NOMEM ? "out of memory" : why[0] ? why : "HDF5 error");
        ipsim__safe_abort(&out);
    }
    free(image);
    return st;
}
