/* SPDX-License-Identifier: BSD-3-Clause */
/* VP8 at the client: the encoder's three temporal layers. */
#ifndef STRATA_CLIENT_VP8_H
#define STRATA_CLIENT_VP8_H

#include <stddef.h>
#include <stdint.h>

#include <gst/gst.h>

/* L1T3 on a vp8enc element: 0 or -1 with the reason on stderr. */
int client_vp8_configure_layers(GstElement *enc, unsigned bitrate);

#endif /* STRATA_CLIENT_VP8_H */
