/*
 * metrics.c - names, units and descriptions of the recorded outputs.
 *
 * The three tables below are indexed by the enums of model_internal.h
 * (ipsim_metric, ipsim_asset_metric, ipsim_dest_metric) and give, for each
 * output, the dataset name used in the result file (/daily/<name>,
 * /asset_daily/<name>, /destination_daily/<name>), its units in CF/UDUNITS
 * spelling ("1" for counts of people, posts or impressions and for
 * dimensionless indices; "CNY" for money, which UDUNITS has no unit for) and
 * a CF long_name. Users' scripts address the outputs by these names: renaming
 * one breaks them. Designated initialisers keep each row next to its enum.
 */
#include "model/results.h"

const ipsim_metric_info ipsim_metric_table[MET_COUNT] = {
    [MET_AWARE] = {"aware", "1", "people aware of the destination"},
    [MET_CONSIDERING] = {"considering", "1", "people considering a trip to the destination"},
    [MET_BOOKED] = {"booked", "1", "people holding a booking who have not yet arrived"},
    [MET_ARRIVALS] = {"arrivals", "1", "arrivals (people starting a trip on the day)"},
    [MET_REPEAT_ARRIVALS] = {"repeat_arrivals", "1", "arrivals of people who had visited before"},
    [MET_VISITORS_ON_SITE] = {"visitors_on_site", "1",
                              "visitors at the destination in the night after the day"},
    [MET_VISITOR_NIGHTS] = {"visitor_nights", "1", "visitor-nights spent at the destination"},
    [MET_DEPARTURES] = {"departures", "1", "departures (people ending a trip on the day)"},
    [MET_SPENDING_CNY] = {"spending_cny", "CNY", "on-site spending of the trips ending on the day"},
    [MET_POSTS_POSITIVE] = {"posts_positive", "1", "positive user-generated posts made on the day"},
    [MET_POSTS_NEGATIVE] = {"posts_negative", "1", "negative user-generated posts made on the day"},
    [MET_POSTS_NEUTRAL] = {"posts_neutral", "1", "neutral user-generated posts made on the day"},
    [MET_SATISFACTION_MEAN] = {"satisfaction_mean", "1",
                               "mean satisfaction of the visitors departing on the day"},
    [MET_PAID_IMPRESSIONS] = {"paid_impressions", "1",
                              "paid campaign impressions delivered on the day"},
    [MET_UGC_IMPRESSIONS] = {"ugc_impressions", "1",
                             "effective user-generated content impressions received on the day"},
    [MET_OVERNIGHT_ARRIVALS] = {"overnight_arrivals", "1",
                                "overnight visitors arriving on the day (equal to arrivals)"},
    [MET_SAME_DAY_VISITS] = {"same_day_visits", "1",
                             "same-day visits (no night) from the market on the day"},
    [MET_LOCAL_VISITS] = {"local_visits", "1",
                          "local visits by residents of the destination city on the day"},
    [MET_VISITS_ALL] =
        {"visits_all", "1",
         "every visit as official statistics count them: overnight arrivals, same-day and local visits"},
    [MET_TURNED_AWAY] =
        {"turned_away", "1",
         "booking requests and day visits turned away for lack of capacity on the day"},
    [MET_OFFICIAL_FOLLOWERS] = {"official_followers", "1",
                                "people following the destination's official accounts on the day"},
};

const ipsim_metric_info ipsim_asset_metric_table[AMET_COUNT] = {
    [AMET_VISITORS] = {"visitors", "1", "visitors at the asset on the day"},
    [AMET_CROWDING] =
        {"crowding", "1",
         "crowding of the asset by overnight visitors (visitors on the day / capacity per day)"},
    [AMET_DAY_VISITORS] = {"day_visitors", "1",
                           "local and same-day visitors admitted at the asset on the day"},
    [AMET_OCCUPANCY_RATE] =
        {"occupancy_rate", "1",
         "occupancy rate of the asset ((visitors + day visitors) / capacity per day)"},
};

const ipsim_metric_info ipsim_dest_metric_table[DMET_COUNT] = {
    [DMET_REPUTATION] = {"reputation", "1",
                         "expected experience quality carried by the destination's reputation"},
    [DMET_AMPLIFICATION] = {"amplification", "1", "platform reach multiplier (1 = not trending)"},
    [DMET_POST_STOCK] = {"post_stock", "1", "live (decayed) stock of user-generated posts"},
    [DMET_UGC_SIGNAL] = {"ugc_signal", "1", "mean experience quality carried by the live posts"},
};

/* ---- listing the daily metrics (public API, ipsim.h) --------------------- */

/* How many metrics ipsim_model_daily knows (the datasets of /daily). */
int ipsim_metric_count(void)
{
    return MET_COUNT;
}

/* Name of daily metric i in /daily order, a static string; NULL when i is
 * not in 0..ipsim_metric_count()-1. */
const char *ipsim_metric_name(int i)
{
    return i >= 0 && i < MET_COUNT ? ipsim_metric_table[i].name : NULL;
}
