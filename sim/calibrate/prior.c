/*
 * prior.c - priors of calibration parameters (densities, draws by inverse
 * CDF, descriptions; GSL's gsl_ran_*_pdf and gsl_cdf_*) and the counter-
 * based random streams of the ABC-SMC (Philox4x32 from Random123, keyed
 * like the model's streams in model/rng.h, so a draw depends only on the
 * seed and what it is for, never on threads).
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>

#include <Random123/philox.h>
#include <gsl/gsl_cdf.h>
#include <gsl/gsl_randist.h>

#include "calibrate/cal.h"

#define TWO_PI 6.283185307179586

const char *const ipsim__cal_prior_names[CAL_N_PRIORS] = {"uniform", "normal", "lognormal", "beta"};

double ipsim__cal_prior_pdf(const cal_prior *p, double x)
{
    if (!isfinite(x))
        return 0.0;
    switch (p->type) {
    case CAL_UNIFORM: return x >= p->low && x <= p->high ? 1.0 / (p->high - p->low) : 0.0;
    case CAL_NORMAL:
        if (x < p->low || x > p->high || !(p->mass > 0))
            return 0.0;
        return gsl_ran_gaussian_pdf(x - p->a, p->b) / p->mass;
    case CAL_LOGNORMAL: return x > 0 ? gsl_ran_lognormal_pdf(x, p->a, p->b) : 0.0;
    case CAL_BETA: {
        double w = p->high - p->low, y = (x - p->low) / w;
        if (y < 0 || y > 1)
            return 0.0;
        return gsl_ran_beta_pdf(y, p->a, p->b) / w;
    }
    default: return 0.0;
    }
}

double ipsim__cal_prior_quantile(const cal_prior *p, double u)
{
    switch (p->type) {
    case CAL_UNIFORM: return p->low + u * (p->high - p->low);
    case CAL_NORMAL: {
        double lo = isfinite(p->low) ? gsl_cdf_gaussian_P(p->low - p->a, p->b) : 0.0;
        double hi = isfinite(p->high) ? gsl_cdf_gaussian_P(p->high - p->a, p->b) : 1.0;
        double x = p->a + gsl_cdf_gaussian_Pinv(lo + u * (hi - lo), p->b);
        return x < p->low ? p->low : x > p->high ? p->high : x;
    }
    case CAL_LOGNORMAL: return gsl_cdf_lognormal_Pinv(u, p->a, p->b);
    case CAL_BETA: return p->low + (p->high - p->low) * gsl_cdf_beta_Pinv(u, p->a, p->b);
    default: return NAN;
    }
}

void ipsim__cal_prior_describe(const cal_prior *p, char *buf, size_t len)
{
    switch (p->type) {
    case CAL_UNIFORM: snprintf(buf, len, "uniform(%g, %g)", p->low, p->high); break;
    case CAL_NORMAL:
        if (isfinite(p->low) || isfinite(p->high))
            snprintf(buf, len, "normal(%g, %g) on [%g, %g]", p->a, p->b, p->low, p->high);
        else
            snprintf(buf, len, "normal(%g, %g)", p->a, p->b);
        break;
    case CAL_LOGNORMAL: snprintf(buf, len, "lognormal(%g, %g)", p->a, p->b); break;
    case CAL_BETA:
        if (p->low != 0.0 || p->high != 1.0)
            snprintf(buf, len, "beta(%g, %g) on [%g, %g]", p->a, p->b, p->low, p->high);
        else
            snprintf(buf, len, "beta(%g, %g)", p->a, p->b);
        break;
    default: snprintf(buf, len, "?");
    }
}

void ipsim__cal_fmt(char *out, size_t len, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(out, len, fmt, ap);
    va_end(ap);
}

/* ---- streams ------------------------------------------------------------ */

void ipsim__cal_stream_init(cal_stream *s, uint64_t seed, uint32_t particle, uint32_t attempt,
                            uint32_t generation)
{
    s->key[0] = (uint32_t)(seed & 0xffffffffu);
    s->key[1] = (uint32_t)(seed >> 32);
    s->ctr[0] = particle;
    s->ctr[1] = attempt;
    s->ctr[2] = generation;
    s->ctr[3] = 0;
    s->used = 4;
}

uint32_t ipsim__cal_stream_word(cal_stream *s)
{
    if (s->used >= 4) {
        philox4x32_key_t k = {{s->key[0], s->key[1]}};
        philox4x32_ctr_t c = {{s->ctr[0], s->ctr[1], s->ctr[2], s->ctr[3]}};
        philox4x32_ctr_t r = philox4x32(c, k);
        for (int i = 0; i < 4; i++)
            s->words[i] = r.v[i];
        s->ctr[3]++;
        s->used = 0;
    }
    return s->words[s->used++];
}

double ipsim__cal_stream_u01(cal_stream *s)
{
    /* 53 bits from two words, shifted off 0 and 1 */
    uint64_t hi = ipsim__cal_stream_word(s) >> 5, lo = ipsim__cal_stream_word(s) >> 6;
    return ((double)(hi * 67108864u + lo) + 0.5) * (1.0 / 9007199254740992.0);
}

double ipsim__cal_stream_normal(cal_stream *s)
{
    double u1 = ipsim__cal_stream_u01(s), u2 = ipsim__cal_stream_u01(s);
    return sqrt(-2.0 * log(u1)) * cos(TWO_PI * u2);
}
