/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * VP8 temporal layers at the client (client_vp8.h).  The encoder settings
 * are tests/tools/vp8_capture.c's (its header explains the reference
 * structure): vp8enc's array-valued properties can only be set through the
 * API, never from gst-launch's text.
 */
#include <stdio.h>

#include "client_vp8.h"

/* An array property, whether a GValueArray or a GstValueArray: vp8enc has
 * both kinds. */
static int set_array(GstElement *e, const char *prop, const GValue *items, unsigned n)
{
	GParamSpec *ps = g_object_class_find_property(G_OBJECT_GET_CLASS(e), prop);
	GValue v = G_VALUE_INIT;

	if (!ps) {
		fprintf(stderr, "strata-client: vp8enc has no property %s\n", prop);
		return -1;
	}
	g_value_init(&v, ps->value_type);
	if (ps->value_type == GST_TYPE_ARRAY) {
		for (unsigned i = 0; i < n; i++)
			gst_value_array_append_value(&v, &items[i]);
	} else {
		G_GNUC_BEGIN_IGNORE_DEPRECATIONS
		GValueArray *a = g_value_array_new(n);
		for (unsigned i = 0; i < n; i++)
			g_value_array_append(a, &items[i]);
		g_value_take_boxed(&v, a);
		G_GNUC_END_IGNORE_DEPRECATIONS
	}
	g_object_set_property(G_OBJECT(e), prop, &v);
	g_value_unset(&v);
	return 0;
}

static int set_ints(GstElement *e, const char *prop, GType type, const int *vals, unsigned n)
{
	GValue items[8] = { G_VALUE_INIT };
	int rc;

	for (unsigned i = 0; i < n; i++) {
		g_value_init(&items[i], type);
		if (type == G_TYPE_BOOLEAN)
			g_value_set_boolean(&items[i], vals[i]);
		else if (type == G_TYPE_INT)
			g_value_set_int(&items[i], vals[i]);
		else
			g_value_set_flags(&items[i], (guint)vals[i]);
	}
	rc = set_array(e, prop, items, n);
	for (unsigned i = 0; i < n; i++)
		g_value_unset(&items[i]);
	return rc;
}

/* "+"-separated GstVPXEncTsLayerFlags nicks as bits. */
static int flag_bits(GFlagsClass *fc, const char *nicks_text)
{
	gchar **nicks = g_strsplit(nicks_text, "+", -1);
	int bits = 0;

	for (gchar **k = nicks; *k; k++) {
		GFlagsValue *fv = g_flags_get_value_by_nick(fc, *k);
		if (!fv) {
			fprintf(stderr, "strata-client: unknown layer flag %s\n", *k);
			bits = -1;
			break;
		}
		bits |= (int)fv->value;
	}
	g_strfreev(nicks);
	return bits;
}

int client_vp8_configure_layers(GstElement *enc, unsigned bitrate)
{
	static const int layer_ids[] = { 0, 2, 1, 2 };
	static const int decimators[] = { 4, 2, 1 };
	static const int sync[] = { FALSE, TRUE, TRUE, FALSE };
	static const char *const flags[] = {
		"no-ref-golden+no-ref-alt+no-upd-golden+no-upd-alt",
		"no-ref-golden+no-ref-alt+no-upd-last+no-upd-golden+no-upd-entropy",
		"no-ref-golden+no-ref-alt+no-upd-last+no-upd-alt+no-upd-entropy",
		"no-upd-last+no-upd-golden+no-upd-entropy",
	};
	int rates[] = { (int)(bitrate / 10 * 4), (int)(bitrate / 10 * 7), (int)bitrate };
	GType ftype = g_type_from_name("GstVPXEncTsLayerFlags");
	int bits[4];

	if (!ftype) {
		fprintf(stderr, "strata-client: this vp8enc has no GstVPXEncTsLayerFlags\n");
		return -1;
	}
	GFlagsClass *fc = g_type_class_ref(ftype);
	for (unsigned i = 0; i < 4; i++)
		bits[i] = flag_bits(fc, flags[i]);
	g_type_class_unref(fc);
	for (unsigned i = 0; i < 4; i++)
		if (bits[i] < 0)
			return -1;
	g_object_set(enc, "temporal-scalability-number-layers", 3,
		     "temporal-scalability-periodicity", 4, NULL);
	if (set_ints(enc, "temporal-scalability-layer-id", G_TYPE_INT, layer_ids, 4) ||
	    set_ints(enc, "temporal-scalability-rate-decimator", G_TYPE_INT, decimators, 3) ||
	    set_ints(enc, "temporal-scalability-target-bitrate", G_TYPE_INT, rates, 3) ||
	    set_ints(enc, "temporal-scalability-layer-sync-flags", G_TYPE_BOOLEAN, sync, 4) ||
	    set_ints(enc, "temporal-scalability-layer-flags", ftype, bits, 4))
		return -1;
	return 0;
}
