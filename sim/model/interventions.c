/*
 * interventions.c - the destination as interventions make it, day by day.
 *
 * Interventions are data with dates, so their effect on every internal day
 * is tabulated once at model creation (ODD 7.2): effective asset attributes
 * (mechanisms A, B, E, asset events), destination-wide service and
 * community settings (D, F), the paid impressions each campaign (baseline
 * promotion, mechanism C) buys and lands on each market x segment cell, and
 * the impressions each spark (a dated piece of content: a blogger's video, a
 * film, a news story) makes in its target cells, halving with its
 * half-life. Nothing here is random.
 */
#include <math.h>
#include <string.h>
#include "model/state.h"

static void base_day(const struct ipsim_model *m, int tau, asset_day *ad, dest_day *dd)
{
    const sc_destination *d = &m->sc->destination;
    ipsim_date date = ipsim__calendar_date(m->sc, m->warmup, tau);
    for (int a = 0; a < m->n_assets; a++) {
        const sc_asset *s = &d->assets[a];
        asset_day *x = &ad[a];
        x->authenticity = s->authenticity;
        x->participation = s->participation;
        x->emotional = s->emotional;
        x->aesthetics = s->aesthetics;
        x->distinctiveness = s->distinctiveness;
        x->shareability = s->shareability;
        x->experience_bonus = 0;
        x->appeal_bonus = 0;
        x->post_mult = 1;
        for (int e = 0; e < s->n_events; e++)
            if (ipsim__event_on(&s->events[e], date)) {
                x->experience_bonus += s->events[e].experience_bonus;
                x->appeal_bonus += s->events[e].appeal_bonus;
            }
    }
    memset(dd, 0, sizeof *dd);
    dd->service_quality = d->service_quality;
    dd->official_reach_mult = 1;
    dd->loyalty_gain_mult = 1;
    dd->post_mult = 1;
    dd->fatigue_renewal = 1;
}

/* Content renewals today (7.3): an A intervention renewed today (a multiple
 * of renewal_interval_days after its start, not the start itself) and, on
 * every day a D intervention runs, 1/community_renewal_days of a renewal;
 * each keeps 1 - fatigue_renewal_reset of the per-cell UGC fatigue. */
static void apply_renewal(const sc_data *sc, const sc_intervention *iv, dest_day *dd, ipsim_date date)
{
    double keep = 1 - sc->platform.fatigue_renewal_reset;
    if (iv->mechanism == MECH_A && iv->renewal_interval_days > 0) {
        double age = (double)(date - iv->start);
        if (age > 0 &&
            floor(age / iv->renewal_interval_days) > floor((age - 1) / iv->renewal_interval_days))
            dd->fatigue_renewal *= keep;
    } else if (iv->mechanism == MECH_D) {
        dd->fatigue_renewal *= pow(keep, 1 / sc->platform.community_renewal_days);
    }
}

/* Share of an A intervention's effect left after novelty fades: halves every
 * novelty_half_life_days since the last renewal (start, start + interval, ...). */
static double novelty_factor(const sc_intervention *iv, ipsim_date date)
{
    if (iv->novelty_half_life_days <= 0)
        return 1.0;
    double age = (double)(date - iv->start);
    if (iv->renewal_interval_days > 0)
        age = fmod(age, iv->renewal_interval_days);
    return pow(0.5, age / iv->novelty_half_life_days);
}

static void apply_assets(const sc_intervention *iv, asset_day *ad, ipsim_date date, uint8_t cal_flags)
{
    double f = iv->mechanism == MECH_A ? novelty_factor(iv, date) : 1.0;
    int event_day = 0;
    if (iv->mechanism == MECH_B)
        event_day = (cal_flags & (CAL_WEEKEND | CAL_HOLIDAY)) != 0;
    if (iv->mechanism == MECH_E)
        event_day = date >= iv->event_start && date <= iv->event_end;
    for (int j = 0; j < iv->n_assets; j++) {
        asset_day *x = &ad[iv->assets[j]];
        x->authenticity += iv->authenticity_add;
        x->participation += iv->participation_add;
        x->distinctiveness += iv->distinctiveness_add;
        x->shareability += f * iv->shareability_add;
        x->emotional += f * iv->emotional_add;
        x->aesthetics += f * iv->aesthetics_add;
        x->post_mult *= iv->post_propensity_mult;
        if (event_day) {
            x->experience_bonus += iv->event_experience_bonus;
            x->appeal_bonus += iv->event_appeal_bonus;
        }
    }
}

static void apply_destination(const sc_intervention *iv, dest_day *dd, ipsim_date date)
{
    switch (iv->mechanism) {
    case MECH_D:
        dd->loyalty_gain_mult *= iv->loyalty_gain_mult;
        dd->revisit_penalty_reduction = 1 - (1 - dd->revisit_penalty_reduction) *
                                                (1 - iv->revisit_penalty_reduction);
        dd->community_post_rate += iv->community_post_rate_per_year / 365.0;
        dd->feedback_improvement += iv->feedback_improvement_per_year / 365.0;
        dd->post_mult *= iv->post_propensity_mult;
        break;
    case MECH_E:
        if (date >= iv->event_start && date <= iv->event_end &&
            iv->n_targets == 0) /* else per cell, 7.4 */
            dd->travel_cost_reduction += iv->travel_cost_reduction_cny;
        break;
    case MECH_F:
        dd->service_quality += iv->service_quality_add;
        dd->hospitality_bonus += iv->hospitality_bonus;
        dd->official_reach_mult *= iv->official_reach_mult;
        if (iv->n_targets == 0)
            dd->travel_cost_reduction += iv->travel_cost_reduction_cny; /* else 7.4 */
        break;
    default: break;
    }
}

static void clamp_assets(asset_day *ad, int n, dest_day *dd)
{
    for (int a = 0; a < n; a++) {
        asset_day *x = &ad[a];
        x->authenticity = clamp01(x->authenticity);
        x->participation = clamp01(x->participation);
        x->emotional = clamp01(x->emotional);
        x->aesthetics = clamp01(x->aesthetics);
        x->distinctiveness = clamp01(x->distinctiveness);
        x->shareability = clamp01(x->shareability);
    }
    dd->service_quality = clamp01(dd->service_quality);
}

/* Budget of a campaign on one day, spread over cells in proportion to
 * weight x people (equal impressions per targeted person), converted to
 * impressions with each market's CPM by channel, and landed on cells:
 * a share segment_precision on the targeted segment, the rest on the other
 * segment of the same market. */
static void apply_campaign(struct ipsim_model *m, const sc_intervention *iv, int tau)
{
    const sc_data *sc = m->sc;
    double daily = iv->cost_cny / (double)(iv->end - iv->start + 1);
    double prec = sc->parameters.exposure.segment_precision;
    double wsum = 0;
    for (int pass = 0; pass < 2; pass++) {
        for (int j = 0; j < iv->n_targets; j++) {
            const sc_target *tg = &iv->targets[j];
            for (int mk = 0; mk < m->n_markets; mk++) {
                if (tg->market >= 0 ? tg->market != mk : sc->markets[mk].local)
                    continue; /* "*": visitors' markets */
                for (int s = 0; s < IPSIM_N_SEGMENTS; s++) {
                    if (tg->segment >= 0 && tg->segment != s)
                        continue;
                    int c = mk * IPSIM_N_SEGMENTS + s;
                    double w = tg->weight * m->cell_people[c];
                    if (pass == 0) {
                        wsum += w;
                        continue;
                    }
                    if (wsum <= 0 || w <= 0)
                        continue;
                    double budget = daily * w / wsum;
                    double bought = 0, effective = 0;
                    for (int ch = 0; ch < sc->n_channels; ch++) {
                        double imp = budget * iv->channel_share[ch] / sc->markets[mk].cpm_cny[ch] *
                                     1000.0;
                        bought += imp;
                        effective += imp * sc->channels[ch].attention;
                    }
                    int other = mk * IPSIM_N_SEGMENTS + (1 - s);
                    double keep = (tg->segment >= 0 && m->cell_people[other] > 0) ? prec : 1.0;
                    double *pb = &m->paid_bought[(size_t)tau * m->n_cells];
                    double *pe = &m->paid_cell[(size_t)tau * m->n_cells];
                    pb[c] += keep * bought;
                    pe[c] += keep * effective;
                    pb[other] += (1 - keep) * bought;
                    pe[other] += (1 - keep) * effective;
                }
            }
        }
    }
}

/* A spark on one day: views_per_person_day x target weight x 0.5^(age /
 * half-life) effective impressions per person of each targeted cell, the
 * platform share of them scaled by the cell's digital dependency x platform
 * penetration (as official and UGC content, 7.3), with its content signal. */
static void apply_spark(struct ipsim_model *m, const sc_intervention *iv, int tau, ipsim_date date)
{
    const sc_data *sc = m->sc;
    double age = (double)(date - iv->start);
    double v = iv->views_per_person_day *
               (iv->novelty_half_life_days > 0 ? pow(0.5, age / iv->novelty_half_life_days) : 1.0);
    double *lam = &m->spark_cell[(size_t)tau * m->n_cells],
           *sig = &m->spark_signal[(size_t)tau * m->n_cells];
    for (int c = 0; c < m->n_cells; c++) {
        int mk = cell_market(c), s = cell_segment(c);
        double w = 0;
        for (int j = 0; j < iv->n_targets; j++) {
            const sc_target *tg = &iv->targets[j];
            if ((tg->market < 0 || tg->market == mk) && (tg->segment < 0 || tg->segment == s))
                w += tg->weight;
        }
        if (w <= 0)
            continue;
        double dep = sc->segments[s].digital_dependency * sc->markets[mk].platform_penetration;
        double l = v * w * (iv->platform_share * dep + (1 - iv->platform_share));
        lam[c] += l;
        sig[c] += l * iv->content_signal;
    }
}

void ipsim__interventions_tabulate(struct ipsim_model *m)
{
    const sc_data *sc = m->sc;
    for (int tau = 0; tau < m->n_days_ext; tau++) {
        asset_day *ad = &m->asset_days[(size_t)tau * m->n_assets];
        dest_day *dd = &m->dest_days[tau];
        ipsim_date date = ipsim__calendar_date(sc, m->warmup, tau);
        ipsim__schedule_apply(m, tau); /* the destination as scheduled on day tau (7.13) */
        base_day(m, tau, ad, dd);
        for (int k = 0; k < sc->n_interventions; k++) {
            const sc_intervention *iv = &sc->interventions[k];
            if (date < iv->start || date > iv->end)
                continue;
            apply_renewal(sc, iv, dd, date);
            switch (iv->mechanism) {
            case MECH_PROMOTION:
            case MECH_C: apply_campaign(m, iv, tau); break;
            case MECH_SPARK: apply_spark(m, iv, tau, date); break;
            case MECH_A:
            case MECH_B:
            case MECH_E:
                apply_assets(iv, ad, date, m->cal.flags[tau]);
                apply_destination(iv, dd, date);
                break;
            default: apply_destination(iv, dd, date); break;
            }
        }
        clamp_assets(ad, m->n_assets, dd);
    }
    ipsim__schedule_apply(m, m->tau); /* back to the first day's values */
}
