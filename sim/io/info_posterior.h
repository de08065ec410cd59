/*
 * info_posterior.h - the `ipsim info` summary of a posterior file (the
 * output of `ipsim calibrate`, ipsim_kind "posterior"; internal to
 * libipsim). info.c hands such files to it.
 */
#ifndef IPSIM_INFO_POSTERIOR_H
#define IPSIM_INFO_POSTERIOR_H

#include <hdf5.h>

#include "base/textbuf.h"

/* Append the summary of the open posterior file f to b: per parameter the
 * prior, the weighted posterior mean and 90% interval; the ESS; each
 * generation's tolerance, acceptance rate, ESS and simulations; each
 * target's observed value against its posterior-predictive mean and 90%
 * interval. path is only for the heading. */
void ipsim__info_posterior(ipsim_textbuf *b, hid_t f, const char *path);

#endif /* IPSIM_INFO_POSTERIOR_H */
