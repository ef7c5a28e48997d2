/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Text forms of the ring messages: one table of key=value fields per
 * command drives both the parser and the JSON printer, so what
 * strata-dp-driver prints for a command parses back into the same command.
 * Events, punts, results and the enums' names are in dp_driver_json.c.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "dp_driver_text.h"
#include "srtp.h"

enum field_kind {
	F_U32,
	F_U16,
	F_U8,
	F_BOOL,   /* 0 or 1; the bare key means 1 */
	F_LAYER,  /* 0..255; "all" is 255 */
	F_ADDR,   /* struct strata_addr */
	F_KEYING, /* profile, key and salt of a struct strata_keying */
	F_CODEC,  /* enum strata_codec by name */
	F_MEDIA,  /* enum strata_media_kind by name */
};

struct field {
	const char *name;
	enum field_kind kind;
	uint16_t off; /* in struct strata_cmd */
	bool required;
};

#define LEG(m) offsetof(struct strata_cmd, u.leg_add.m)
#define STREAM(m) offsetof(struct strata_cmd, u.stream_add.m)
#define SUB(m) offsetof(struct strata_cmd, u.sub_add.m)
#define LAYERS(m) offsetof(struct strata_cmd, u.sub_set_layers.m)
#define PREFS(m) offsetof(struct strata_cmd, u.leg_set_prefs.m)
#define POLICY(m) offsetof(struct strata_cmd, u.room_set_policy.m)
/* Every *_del command is its id alone. */
#define DEL_ID offsetof(struct strata_cmd, u.raw)

static const struct field leg_add_fields[] = {
	{ "id", F_U32, LEG(leg), true },
	{ "room", F_U32, LEG(room), false },
	{ "local", F_ADDR, LEG(local), true },
	{ "remote", F_ADDR, LEG(remote), false },
	{ "latch", F_BOOL, LEG(latch), false },
	{ "rx", F_KEYING, LEG(rx), true },
	{ "tx", F_KEYING, LEG(tx), true },
	{ "rx-rtcp-unencrypted", F_BOOL, LEG(rx.rtcp_unencrypted), false },
	{ "tx-rtcp-unencrypted", F_BOOL, LEG(tx.rtcp_unencrypted), false },
	{ "rx-window", F_U16, LEG(rx.replay_window), false },
	{ "tx-window", F_U16, LEG(tx.replay_window), false },
	{ "ext-transport-cc", F_U8, LEG(ext_transport_cc), false },
	{ NULL },
};

static const struct field stream_add_fields[] = {
	{ "id", F_U32, STREAM(stream), true },
	{ "source", F_U32, STREAM(source), true },
	{ "leg", F_U32, STREAM(leg), true },
	{ "ssrc", F_U32, STREAM(ssrc), true },
	{ "rtx-ssrc", F_U32, STREAM(rtx_ssrc), false },
	{ "codec", F_CODEC, STREAM(codec), true },
	{ "pt", F_U8, STREAM(pt), true },
	{ "rtx-pt", F_U8, STREAM(rtx_pt), false },
	{ "kind", F_MEDIA, STREAM(kind), false },       /* default: from the codec */
	{ "encoding", F_U8, STREAM(encoding), false },
	{ "clock", F_U32, STREAM(clock_rate), false },  /* default: 48000 audio, 90000 video */
	{ "ext-audio-level", F_U8, STREAM(ext_audio_level), false },
	{ "ext-abs-send-time", F_U8, STREAM(ext_abs_send_time), false },
	{ "ext-transport-cc", F_U8, STREAM(ext_transport_cc), false },
	{ "ext-dd", F_U8, STREAM(ext_dependency_descriptor), false },
	{ "ext-mid", F_U8, STREAM(ext_mid), false },
	{ NULL },
};

static const struct field sub_add_fields[] = {
	{ "id", F_U32, SUB(sub), true },
	{ "leg", F_U32, SUB(leg), true },
	{ "source", F_U32, SUB(source), true },
	{ "ssrc", F_U32, SUB(ssrc), true },
	{ "rtx-ssrc", F_U32, SUB(rtx_ssrc), false },
	{ "pt", F_U8, SUB(pt), true },
	{ "rtx-pt", F_U8, SUB(rtx_pt), false },
	{ "spatial", F_LAYER, SUB(spatial), false },    /* default 0 */
	{ "temporal", F_LAYER, SUB(temporal), false },  /* default all */
	{ NULL },
};

static const struct field sub_layers_fields[] = {
	{ "id", F_U32, LAYERS(sub), true },
	{ "spatial", F_LAYER, LAYERS(spatial), true },
	{ "temporal", F_LAYER, LAYERS(temporal), true },
	{ "paused", F_BOOL, LAYERS(paused), false },
	{ "max-height", F_U16, LAYERS(max_height), false },
	{ NULL },
};

static const struct field leg_prefs_fields[] = {
	{ "id", F_U32, PREFS(leg), true },
	{ "max-video-sources", F_U8, PREFS(max_video_sources), false },
	{ NULL },
};

static const struct field room_policy_fields[] = {
	{ "room", F_U32, POLICY(room), true },
	{ "policy", F_U8, POLICY(layer_policy), false },   /* 0 equal share, 1 speaker first */
	{ "speaker-events-per-s", F_U8, POLICY(speaker_events_per_s), false },
	{ NULL },
};

static const struct field del_fields[] = {
	{ "id", F_U32, DEL_ID, true },
	{ NULL },
};

static const struct field no_fields[] = { { NULL } };

static const struct field *const cmd_fields[STRATA_CMD_TYPE_COUNT] = {
	[STRATA_CMD_LEG_ADD] = leg_add_fields,
	[STRATA_CMD_LEG_DEL] = del_fields,
	[STRATA_CMD_STREAM_ADD] = stream_add_fields,
	[STRATA_CMD_STREAM_DEL] = del_fields,
	[STRATA_CMD_SUB_ADD] = sub_add_fields,
	[STRATA_CMD_SUB_DEL] = del_fields,
	[STRATA_CMD_SUB_SET_LAYERS] = sub_layers_fields,
	[STRATA_CMD_DUMP] = no_fields,
	[STRATA_CMD_STATS] = no_fields,
	[STRATA_CMD_LEG_SET_PREFS] = leg_prefs_fields,
	[STRATA_CMD_ROOM_SET_POLICY] = room_policy_fields,
};

static const char *const usages[STRATA_CMD_TYPE_COUNT] = {
	[STRATA_CMD_LEG_ADD] =
		"id=N local=IP:PORT rx=PROFILE:HEXKEYSALT tx=PROFILE:HEXKEYSALT [room=N] "
		"[remote=IP:PORT] [latch=0|1] [rx-rtcp-unencrypted] [tx-rtcp-unencrypted] "
		"[rx-window=N] [tx-window=N] [ext-transport-cc=ID]",
	[STRATA_CMD_LEG_DEL] = "id=N",
	[STRATA_CMD_STREAM_ADD] =
		"id=N source=N leg=N ssrc=N codec=opus|vp8|vp9|h264|av1 pt=N [rtx-ssrc=N] "
		"[rtx-pt=N] [kind=audio|video] [encoding=N] [clock=HZ] [ext-audio-level=ID] "
		"[ext-abs-send-time=ID] [ext-transport-cc=ID] [ext-dd=ID] [ext-mid=ID]",
	[STRATA_CMD_STREAM_DEL] = "id=N",
	[STRATA_CMD_SUB_ADD] =
		"id=N leg=N source=N ssrc=N pt=N [rtx-ssrc=N] [rtx-pt=N] [spatial=N] "
		"[temporal=N|all]",
	[STRATA_CMD_SUB_DEL] = "id=N",
	[STRATA_CMD_SUB_SET_LAYERS] = "id=N spatial=N temporal=N|all [paused] [max-height=N]",
	[STRATA_CMD_LEG_SET_PREFS] = "id=N [max-video-sources=N]",
	[STRATA_CMD_ROOM_SET_POLICY] = "room=N [policy=0|1] [speaker-events-per-s=N]",
	[STRATA_CMD_DUMP] = "",
	[STRATA_CMD_STATS] = "",
};

static const char *const codec_names[] = {
	[STRATA_CODEC_OPUS] = "opus", [STRATA_CODEC_VP8] = "vp8", [STRATA_CODEC_VP9] = "vp9",
	[STRATA_CODEC_H264] = "h264", [STRATA_CODEC_AV1] = "av1",
};

static const char *const media_names[] = {
	[STRATA_MEDIA_AUDIO] = "audio", [STRATA_MEDIA_VIDEO] = "video",
};

#define N_NAMES(a) (sizeof(a) / sizeof((a)[0]))

__attribute__((format(printf, 3, 4)))
static void set_err(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (!err || !errlen)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

static unsigned name_index(const char *const *names, size_t n, const char *s)
{
	for (size_t i = 1; i < n; i++)
		if (names[i] && strcasecmp(names[i], s) == 0)
			return (unsigned)i;
	return 0;
}

const char *dp_text_cmd_usage(unsigned type)
{
	return type < STRATA_CMD_TYPE_COUNT && usages[type] ? usages[type] : "";
}

/* ---- parsing ------------------------------------------------------------- */

static int parse_number(const char *s, uint64_t max, uint64_t *out)
{
	char *end;
	unsigned long long v;

	if (!*s || *s == '-' || isspace((unsigned char)*s))
		return -1;
	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || *end || v > max)
		return -1;
	*out = v;
	return 0;
}

long dp_text_parse_hex(const char *s, uint8_t *out, size_t cap)
{
	size_t len = strlen(s);

	if (len % 2 || len / 2 > cap)
		return -1;
	for (size_t i = 0; i < len / 2; i++) {
		unsigned v = 0;

		for (int j = 0; j < 2; j++) {
			int c = (unsigned char)s[2 * i + (size_t)j];

			if (!isxdigit(c))
				return -1;
			v = v << 4 | (unsigned)(isdigit(c) ? c - '0' : tolower(c) - 'a' + 10);
		}
		out[i] = (uint8_t)v;
	}
	return (long)(len / 2);
}

int dp_text_parse_addr(const char *s, struct strata_addr *a)
{
	char host[64];
	const char *colon;
	uint64_t port;
	size_t hlen;

	memset(a, 0, sizeof(*a));
	if (strcmp(s, "none") == 0)
		return 0;
	if (s[0] == '[') {
		const char *close = strchr(s, ']');

		if (!close || close[1] != ':')
			return -1;
		hlen = (size_t)(close - s - 1);
		if (hlen >= sizeof(host))
			return -1;
		memcpy(host, s + 1, hlen);
		host[hlen] = 0;
		if (inet_pton(AF_INET6, host, a->ip) != 1)
			return -1;
		a->family = STRATA_AF_INET6;
		colon = close + 1;
	} else {
		colon = strrchr(s, ':');
		if (!colon)
			return -1;
		hlen = (size_t)(colon - s);
		if (hlen >= sizeof(host))
			return -1;
		memcpy(host, s, hlen);
		host[hlen] = 0;
		if (inet_pton(AF_INET, host, a->ip) != 1)
			return -1;
		a->family = STRATA_AF_INET;
	}
	if (parse_number(colon + 1, 65535, &port) < 0)
		return -1;
	a->port = (uint16_t)port;
	return 0;
}

int dp_text_parse_keying(const char *s, struct strata_keying *k, char *err, size_t errlen)
{
	const struct strata_srtp_profile *prof;
	uint8_t buf[STRATA_SRTP_MAX_KEY_LEN + STRATA_SRTP_MAX_SALT_LEN];
	char name[40];
	const char *colon;
	long n;

	k->profile = 0;
	explicit_bzero(k->key, sizeof(k->key));
	explicit_bzero(k->salt, sizeof(k->salt));
	if (strcmp(s, "none") == 0)
		return 0;
	colon = strchr(s, ':');
	if (!colon || (size_t)(colon - s) >= sizeof(name)) {
		set_err(err, errlen, "keying \"%.40s\" is not PROFILE:HEXKEYSALT", s);
		return -1;
	}
	for (size_t i = 0; i < (size_t)(colon - s); i++)
		name[i] = (char)toupper((unsigned char)s[i]);
	name[colon - s] = 0;
	prof = strata_srtp_profile_by_name(name);
	if (!prof) {
		set_err(err, errlen,
			"unknown SRTP profile %s (AES_CM_128_HMAC_SHA1_80, "
			"AES_CM_128_HMAC_SHA1_32, AES_256_CM_HMAC_SHA1_80, AEAD_AES_128_GCM, "
			"AEAD_AES_256_GCM)",
			name);
		return -1;
	}
	n = dp_text_parse_hex(colon + 1, buf, sizeof(buf));
	if (n != prof->key_len + prof->salt_len) {
		set_err(err, errlen,
			"%s needs %u hex digits (a %u-byte key, then a %u-byte salt)%s", prof->name,
			2u * (prof->key_len + prof->salt_len), prof->key_len, prof->salt_len,
			n < 0 ? ": this is not hex" : "");
		explicit_bzero(buf, sizeof(buf));
		return -1;
	}
	k->profile = (uint8_t)prof->id;
	memcpy(k->key, buf, prof->key_len);
	memcpy(k->salt, buf + prof->key_len, prof->salt_len);
	explicit_bzero(buf, sizeof(buf));
	return 0;
}

static int parse_field(const struct field *f, const char *val, struct strata_cmd *cmd,
		       char *err, size_t errlen)
{
	uint8_t *p = (uint8_t *)cmd + f->off;
	uint64_t v;

	switch (f->kind) {
	case F_U32:
	case F_U16:
	case F_U8:
	case F_BOOL:
	case F_LAYER: {
		uint64_t max = f->kind == F_U32 ? UINT32_MAX
			       : f->kind == F_U16 ? UINT16_MAX
			       : f->kind == F_BOOL ? 1 : UINT8_MAX;

		if (!val)
			val = f->kind == F_BOOL ? "1" : "";
		if (f->kind == F_LAYER && strcmp(val, "all") == 0)
			val = "255";
		if (parse_number(val, max, &v) < 0) {
			set_err(err, errlen, "%s=%s: expected a number from 0 to %llu", f->name,
				val, (unsigned long long)max);
			return -1;
		}
		if (f->kind == F_U32) {
			uint32_t x = (uint32_t)v;
			memcpy(p, &x, sizeof(x));
		} else if (f->kind == F_U16) {
			uint16_t x = (uint16_t)v;
			memcpy(p, &x, sizeof(x));
		} else {
			*p = (uint8_t)v;
		}
		return 0;
	}
	case F_ADDR:
		if (!val || dp_text_parse_addr(val, (struct strata_addr *)p) < 0) {
			set_err(err, errlen,
				"%s=%s: expected IPV4:PORT, [IPV6]:PORT or none", f->name,
				val ? val : "");
			return -1;
		}
		return 0;
	case F_KEYING: {
		char why[200];

		if (!val || dp_text_parse_keying(val, (struct strata_keying *)p, why,
						 sizeof(why)) < 0) {
			set_err(err, errlen, "%s=: %s", f->name,
				val ? why : "expected PROFILE:HEXKEYSALT");
			return -1;
		}
		return 0;
	}
	case F_CODEC:
		*p = (uint8_t)(val ? name_index(codec_names, N_NAMES(codec_names), val) : 0);
		if (!*p) {
			set_err(err, errlen, "%s=%s: expected opus, vp8, vp9, h264 or av1", f->name,
				val ? val : "");
			return -1;
		}
		return 0;
	case F_MEDIA:
		*p = (uint8_t)(val ? name_index(media_names, N_NAMES(media_names), val) : 0);
		if (!*p) {
			set_err(err, errlen, "%s=%s: expected audio or video", f->name,
				val ? val : "");
			return -1;
		}
		return 0;
	}
	return -1;
}

static bool was_given(const struct field *fields, const bool *seen, const char *name)
{
	for (const struct field *f = fields; f->name; f++)
		if (strcmp(f->name, name) == 0)
			return seen[f - fields];
	return false;
}

/* What a command means when a word is left out. */
static void apply_defaults(struct strata_cmd *cmd, const struct field *fields, const bool *seen)
{
	if (cmd->type == STRATA_CMD_STREAM_ADD) {
		struct strata_cmd_stream_add *s = &cmd->u.stream_add;

		if (!was_given(fields, seen, "kind"))
			s->kind = s->codec == STRATA_CODEC_OPUS ? STRATA_MEDIA_AUDIO
								 : STRATA_MEDIA_VIDEO;
		if (!was_given(fields, seen, "clock"))
			s->clock_rate = s->kind == STRATA_MEDIA_AUDIO ? 48000 : 90000;
	} else if (cmd->type == STRATA_CMD_SUB_ADD) {
		if (!was_given(fields, seen, "temporal"))
			cmd->u.sub_add.temporal = 255; /* all */
	}
}

int dp_text_parse_cmd(int argc, char **argv, struct strata_cmd *cmd, char *err, size_t errlen)
{
	const struct field *fields;
	bool seen[32] = { false };
	unsigned type;

	memset(cmd, 0, sizeof(*cmd));
	if (argc < 1) {
		set_err(err, errlen, "no command");
		return -1;
	}
	type = dp_text_cmd_type(argv[0]);
	if (!type) {
		set_err(err, errlen, "unknown command %s", argv[0]);
		return -1;
	}
	cmd->type = (uint16_t)type;
	fields = cmd_fields[type];
	for (int i = 1; i < argc; i++) {
		const char *eq = strchr(argv[i], '=');
		size_t klen = eq ? (size_t)(eq - argv[i]) : strlen(argv[i]);
		const struct field *f = fields;

		while (f->name && (strlen(f->name) != klen || strncmp(f->name, argv[i], klen)))
			f++;
		if (!f->name) {
			set_err(err, errlen, "%s: unknown word %.*s (usage: %s %s)", argv[0],
				(int)klen, argv[i], argv[0], usages[type]);
			goto fail;
		}
		if (seen[f - fields]) {
			set_err(err, errlen, "%s: %s= given twice", argv[0], f->name);
			goto fail;
		}
		seen[f - fields] = true;
		if (parse_field(f, eq ? eq + 1 : NULL, cmd, err, errlen) < 0)
			goto fail;
	}
	for (const struct field *f = fields; f->name; f++) {
		if (f->required && !seen[f - fields]) {
			set_err(err, errlen, "%s: %s= is required (usage: %s %s)", argv[0], f->name,
				argv[0], usages[type]);
			goto fail;
		}
	}
	apply_defaults(cmd, fields, seen);
	return 0;
fail:
	explicit_bzero(cmd, sizeof(*cmd));
	return -1;
}

/* ---- commands as JSON ---------------------------------------------------- */

static void json_keying(FILE *f, const struct strata_keying *k)
{
	const struct strata_srtp_profile *prof = strata_srtp_profile_get(k->profile);

	if (!k->profile) {
		fputs("\"none\"", f);
	} else if (!prof) {
		fprintf(f, "\"%u:", k->profile);
		for (size_t i = 0; i < sizeof(k->key); i++)
			fprintf(f, "%02x", k->key[i]);
		for (size_t i = 0; i < sizeof(k->salt); i++)
			fprintf(f, "%02x", k->salt[i]);
		fputc('"', f);
	} else {
		fprintf(f, "\"%s:", prof->name);
		for (size_t i = 0; i < prof->key_len; i++)
			fprintf(f, "%02x", k->key[i]);
		for (size_t i = 0; i < prof->salt_len; i++)
			fprintf(f, "%02x", k->salt[i]);
		fputc('"', f);
	}
}

static void json_field(FILE *f, const struct field *fd, const struct strata_cmd *cmd)
{
	const uint8_t *p = (const uint8_t *)cmd + fd->off;
	uint32_t u32;
	uint16_t u16;

	fprintf(f, ",\"%s\":", fd->name);
	switch (fd->kind) {
	case F_U32:
		memcpy(&u32, p, sizeof(u32));
		fprintf(f, "%u", u32);
		break;
	case F_U16:
		memcpy(&u16, p, sizeof(u16));
		fprintf(f, "%u", u16);
		break;
	case F_U8:
	case F_BOOL:
	case F_LAYER:
		fprintf(f, "%u", *p);
		break;
	case F_ADDR: {
		char buf[DP_TEXT_ADDR_LEN];

		fprintf(f, "\"%s\"", dp_text_addr((const struct strata_addr *)p, buf));
		break;
	}
	case F_KEYING:
		json_keying(f, (const struct strata_keying *)p);
		break;
	case F_CODEC:
		if (*p < N_NAMES(codec_names) && codec_names[*p])
			fprintf(f, "\"%s\"", codec_names[*p]);
		else
			fprintf(f, "%u", *p);
		break;
	case F_MEDIA:
		if (*p < N_NAMES(media_names) && media_names[*p])
			fprintf(f, "\"%s\"", media_names[*p]);
		else
			fprintf(f, "%u", *p);
		break;
	}
}

void dp_text_json_cmd(FILE *f, const struct strata_cmd *cmd)
{
	fprintf(f, "{\"cmd\":\"%s\",\"seq\":%u", dp_text_cmd_name(cmd->type), cmd->seq);
	if (cmd->type < STRATA_CMD_TYPE_COUNT && cmd_fields[cmd->type])
		for (const struct field *fd = cmd_fields[cmd->type]; fd->name; fd++)
			json_field(f, fd, cmd);
	else
		fprintf(f, ",\"type\":%u", cmd->type);
	fputs("}\n", f);
}
