/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Known-answer tests: the SRTP engine against the numbers the RFCs publish.
 *
 * Round trips cannot catch a wrong IV layout, a wrong associated-data
 * boundary or a wrong key-derivation input: two copies of the same mistake
 * understand each other.  Only numbers this engine did not produce can, so
 * every expected value below is copied from the RFC text, and every check
 * compares whole outputs, lengths and statuses.
 *
 *   RFC 3711 appendix B.2   AES-CM keystream, through strata_srtp_protect
 *   RFC 3711 appendix B.3   key derivation (AES-128 PRF)
 *   RFC 6188 section 7.1    AES-256-CM keystream
 *   RFC 6188 section 7.2    key derivation (AES_256_CM_PRF)
 *   RFC 7714 sections 16-17 AEAD_AES_128_GCM and AEAD_AES_256_GCM, RTP and
 *                           RTCP, both directions, and a tampered tag
 *
 * Provenance: RFC 3711 and RFC 7714 values are copied from the RFC texts.
 * RFC 6188's text was not at hand; its values (and section titles) are as
 * several independent SRTP test suites quote them, and were recomputed
 * with a separate AES implementation before being written down here.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "rtp_header.h"
#include "srtp.h"
#include "srtp_fixture.h"
#include "srtp_kdf.h"
#include "srtp_session.h"
#include "test_util.h"

static struct strata_srtp_engine *engine;
static IMB_MGR *mgr;

/* "name: part", for CHECK_MEM's one-string label. */
static const char *label(const char *name, const char *part)
{
	return fx_label("%s: %s", name, part);
}

/* Runs one operation as a burst of one.  The count the burst returns must
 * agree with the status it left in the operation. */
static int run1(enum strata_srtp_direction d, struct strata_srtp_op *op, const char *name,
		const char *what)
{
	unsigned ok = fx_burst(engine, d, op, 1);
	CHECK(ok == (op->status == STRATA_SRTP_OK ? 1u : 0u),
	      "%s: %s: burst counted %u successes, status %s", name, what, ok,
	      strata_srtp_status_name(op->status));
	return op->status;
}

/* A session from the RFC's session keys (auth: NULL for GCM); CHECKs that it
 * was made, for a key of the profile's length. */
static bool raw_session(struct strata_srtp_session *s, const char *name,
			enum strata_srtp_profile_id profile, const uint8_t *key, size_t key_len,
			const uint8_t *auth, const uint8_t *salt)
{
	int st = strata_srtp_session_init_raw(s, mgr, profile, key, auth, salt);

	CHECK(st == STRATA_SRTP_OK, "%s: session_init_raw: %s", name, strata_srtp_status_name(st));
	if (st != STRATA_SRTP_OK)
		return false;
	CHECK(s->profile->key_len == key_len, "%s: %zu-byte key for a %u-byte profile", name,
	      key_len, s->profile->key_len);
	return true;
}

/* ------------------------------------------------------------------------
 * AES-CM keystream (RFC 3711 B.2, RFC 6188 7.1)
 *
 * Both vectors are "Session Key ... Rollover Counter: 00000000, Sequence
 * Number: 0000, SSRC: 00000000", so the first packet of a stream with SSRC
 * 0 and sequence number 0 is encrypted with exactly the listed keystream:
 * encrypting 48 zero bytes of payload yields its first three blocks.
 *
 * The vectors also list the blocks at counters ...FEFF, ...FF00 and ...FF01,
 * the end of a 1044512-octet keystream segment.  The IV's low 16 bits are
 * always zero (section 4.1.1 shifts both salt and index by 16), so those
 * blocks are only reached ~1 MB into one packet's payload, and a packet is
 * at most STRATA_SRTP_MAX_PACKET (65507) bytes: they are left out.
 *
 * Neither RFC gives a tag for these, so the tag is checked only by
 * unprotecting the packet again (the receiver must use the same keystream
 * and accept the tag): a self-consistency check, not a known answer.
 */
struct cm_keystream_kat {
	const char *name;
	enum strata_srtp_profile_id profile;
	const char *key;
	/* 14 octets: the RFC prints the salt "already shifted", i.e. with
	 * the two zero octets that section 4.1.1's *2^16 appends. */
	const char *salt;
	const char *keystream; /* counters ...0000, ...0001, ...0002 */
};

static const struct cm_keystream_kat cm_keystream_kats[] = {
	/* RFC 3711 "B.2.  AES-CM Test Vectors" */
	{
		.name = "RFC 3711 B.2 AES-CM keystream",
		.profile = STRATA_SRTP_AES_CM_128_HMAC_SHA1_80,
		.key = "2B7E151628AED2A6ABF7158809CF4F3C",
		.salt = "F0F1F2F3F4F5F6F7F8F9FAFBFCFD",
		.keystream = "E03EAD0935C95E80E166B16DD92B4EB4"
			     "D23513162B02D0F72A43A2FE4A5F97AB"
			     "41E95B3BB0A2E8DD477901E4FCA894C0",
	},
	/* RFC 6188 "7.1.  AES-256-CM Test Cases" */
	{
		.name = "RFC 6188 7.1 AES-256-CM keystream",
		.profile = STRATA_SRTP_AES_256_CM_HMAC_SHA1_80,
		.key = "57f82fe3613fd170a85ec93c40b1f092"
		       "2ec4cb0dc025b58272147cc438944a98",
		.salt = "f0f1f2f3f4f5f6f7f8f9fafbfcfd",
		.keystream = "92bdd28a93c3f52511c677d08b5515a4"
			     "9da71b2378a854f67050756ded165bac"
			     "63c4868b7096d88421b563b8c94c9a31",
	},
};

static void test_cm_keystream(const struct cm_keystream_kat *k)
{
	uint8_t key[32], salt[14], keystream[48], auth[20];
	size_t key_len = test_hex(k->key, key, sizeof(key));

	CHECK(test_hex(k->salt, salt, sizeof(salt)) == 14, "%s: salt is not 14 bytes", k->name);
	CHECK(test_hex(k->keystream, keystream, sizeof(keystream)) == 48,
	      "%s: keystream is not 48 bytes", k->name);
	for (unsigned i = 0; i < sizeof(auth); i++)
		auth[i] = (uint8_t)i; /* any auth key: the RFC gives none */

	struct strata_srtp_session s;
	if (!raw_session(&s, k->name, k->profile, key, key_len, auth, salt))
		return;

	/* V=2, PT 0, sequence number 0, timestamp 0, SSRC 0; 48 zero bytes. */
	uint8_t pkt[12 + 48] = {0x80};
	uint8_t out[sizeof(pkt) + STRATA_SRTP_MAX_TAG_LEN];
	struct strata_srtp_tx tx;
	strata_srtp_tx_init(&tx, 0);
	struct strata_srtp_op op = fx_op_protect(&s, &tx, pkt, out, sizeof(pkt), sizeof(out));
	int st = run1(STRATA_SRTP_RTP_PROTECT, &op, k->name, "protect");
	CHECK(st == STRATA_SRTP_OK, "%s: protect: %s", k->name, strata_srtp_status_name(st));
	if (st != STRATA_SRTP_OK)
		return;
	CHECK(op.len == sizeof(pkt) + s.profile->rtp_tag_len, "%s: protect: length %u, want %zu",
	      k->name, op.len, sizeof(pkt) + s.profile->rtp_tag_len);
	CHECK_MEM(out, pkt, 12, label(k->name, "header left in the clear"));
	CHECK_MEM(out + 12, keystream, 48, label(k->name, "encrypted zeros = keystream"));

	struct strata_srtp_rx rx;
	strata_srtp_rx_init(&rx, &s, 0);
	struct strata_srtp_op back = fx_op_unprotect(&s, &rx, out, op.len);
	st = run1(STRATA_SRTP_RTP_UNPROTECT, &back, k->name, "unprotect");
	CHECK(st == STRATA_SRTP_OK, "%s: unprotect: %s", k->name, strata_srtp_status_name(st));
	if (st != STRATA_SRTP_OK)
		return;
	CHECK(back.len == sizeof(pkt), "%s: unprotect: length %u, want %zu", k->name, back.len,
	      sizeof(pkt));
	CHECK_MEM(out, pkt, sizeof(pkt), label(k->name, "unprotect gives the zeros back"));
}

/* ------------------------------------------------------------------------
 * Key derivation (RFC 3711 B.3, RFC 6188 7.2): strata_srtp_kdf itself.
 */
struct kdf_kat {
	const char *name;
	const char *master_key;
	const char *master_salt;
	uint8_t label;
	const char *out;
};

#define B3_MASTER_KEY "E1F97A0D3E018BE0D64FA32C06DE4139"
#define B3_MASTER_SALT "0EC675AD498AFEEBB6960B3AABE6"
#define R6188_MASTER_KEY "f0f04914b513f2763a1b1fa130f10e29" \
			 "98f6f6e43e4309d1e622a0e332b9f1b6"
#define R6188_MASTER_SALT "3b04803de51ee7c96423ab5b78d2"

static const struct kdf_kat kdf_kats[] = {
	/* RFC 3711 "B.3.  Key Derivation Test Vectors": "cipher key:
	 * C61E7A93744F39EE10734AFE3FF7A087 (AES-CM output)" */
	{
		.name = "RFC 3711 B.3 cipher key (label 0)",
		.master_key = B3_MASTER_KEY, .master_salt = B3_MASTER_SALT,
		.label = STRATA_KDF_RTP_ENCRYPTION,
		.out = "C61E7A93744F39EE10734AFE3FF7A087",
	},
	/* RFC 3711 "B.3.  Key Derivation Test Vectors": "cipher salt:
	 * 30CBBC08863D8C85D49DB34A9AE1" (the first 14 of 16 output octets) */
	{
		.name = "RFC 3711 B.3 cipher salt (label 2)",
		.master_key = B3_MASTER_KEY, .master_salt = B3_MASTER_SALT,
		.label = STRATA_KDF_RTP_SALT,
		.out = "30CBBC08863D8C85D49DB34A9AE1",
	},
	/* RFC 3711 "B.3.  Key Derivation Test Vectors": the auth key.  The
	 * RFC lists 94 octets (six AES blocks, the last one cut); HMAC-SHA1
	 * uses the first 20 and strata_srtp_kdf writes at most 32, so the
	 * first two listed blocks are compared. */
	{
		.name = "RFC 3711 B.3 auth key (label 1)",
		.master_key = B3_MASTER_KEY, .master_salt = B3_MASTER_SALT,
		.label = STRATA_KDF_RTP_AUTH,
		.out = "CEBE321F6FF7716B6FD4AB49AF256A15"
		       "6D38BAA48F0A0ACF3C34E2359E6CDBCE",
	},
	/* RFC 6188 "7.2.  AES_256_CM_PRF Test Cases": cipher key */
	{
		.name = "RFC 6188 7.2 AES_256_CM_PRF cipher key (label 0)",
		.master_key = R6188_MASTER_KEY, .master_salt = R6188_MASTER_SALT,
		.label = STRATA_KDF_RTP_ENCRYPTION,
		.out = "5ba1064e30ec51613cad926c5a28ef73"
		       "1ec7fb397f70a960653caf06554cd8c4",
	},
	/* RFC 6188 "7.2.  AES_256_CM_PRF Test Cases": cipher salt */
	{
		.name = "RFC 6188 7.2 AES_256_CM_PRF cipher salt (label 2)",
		.master_key = R6188_MASTER_KEY, .master_salt = R6188_MASTER_SALT,
		.label = STRATA_KDF_RTP_SALT,
		.out = "fa31791685ca444a9e07c6c64e93",
	},
	/* RFC 6188 "7.2.  AES_256_CM_PRF Test Cases": auth key (160 bits) */
	{
		.name = "RFC 6188 7.2 AES_256_CM_PRF auth key (label 1)",
		.master_key = R6188_MASTER_KEY, .master_salt = R6188_MASTER_SALT,
		.label = STRATA_KDF_RTP_AUTH,
		.out = "fd9c32d39ed5fbb5a9dc96b30818454d1313dc05",
	},
};

static void test_kdf(const struct kdf_kat *k)
{
	uint8_t key[32], salt[14], want[32], got[32 + 8];
	size_t key_len = test_hex(k->master_key, key, sizeof(key));
	size_t salt_len = test_hex(k->master_salt, salt, sizeof(salt));
	size_t n = test_hex(k->out, want, sizeof(want));

	/* The bytes after out_len must be left alone. */
	memset(got, 0xa5, sizeof(got));
	int rc = strata_srtp_kdf(mgr, key, key_len, salt, salt_len, k->label, got, n);
	CHECK(rc == 0, "%s: strata_srtp_kdf returned %d", k->name, rc);
	CHECK_MEM(got, want, n, k->name);
	uint8_t canary[8];
	memset(canary, 0xa5, sizeof(canary));
	CHECK_MEM(got + n, canary, sizeof(canary), label(k->name, "bytes past out_len"));
}

/* ------------------------------------------------------------------------
 * Key derivation through strata_srtp_session_init: the session a master key
 * yields must be the session the RFC's derived keys yield.
 *
 * The RTP salt is compared directly (session.rtp.salt).  The cipher and
 * auth keys are stored expanded, so they are compared by their effect: the
 * same packet, protected by a session from the master key and by one from
 * the RFC's session keys (strata_srtp_session_init_raw), must come out byte
 * for byte the same, tag included.
 */
struct session_kat {
	const char *name;
	enum strata_srtp_profile_id profile;
	const char *master_key, *master_salt;
	const char *cipher_key, *cipher_salt, *auth_key; /* auth: first 20 octets */
};

static const struct session_kat session_kats[] = {
	/* RFC 3711 "B.3.  Key Derivation Test Vectors" */
	{
		.name = "RFC 3711 B.3 session from master key",
		.profile = STRATA_SRTP_AES_CM_128_HMAC_SHA1_80,
		.master_key = B3_MASTER_KEY, .master_salt = B3_MASTER_SALT,
		.cipher_key = "C61E7A93744F39EE10734AFE3FF7A087",
		.cipher_salt = "30CBBC08863D8C85D49DB34A9AE1",
		.auth_key = "CEBE321F6FF7716B6FD4AB49AF256A156D38BAA4",
	},
	/* RFC 6188 "7.2.  AES_256_CM_PRF Test Cases" */
	{
		.name = "RFC 6188 7.2 session from master key",
		.profile = STRATA_SRTP_AES_256_CM_HMAC_SHA1_80,
		.master_key = R6188_MASTER_KEY, .master_salt = R6188_MASTER_SALT,
		.cipher_key = "5ba1064e30ec51613cad926c5a28ef73"
			      "1ec7fb397f70a960653caf06554cd8c4",
		.cipher_salt = "fa31791685ca444a9e07c6c64e93",
		.auth_key = "fd9c32d39ed5fbb5a9dc96b30818454d1313dc05",
	},
};

/* Protects pkt as the first packet of a fresh stream; returns the length. */
static uint32_t protect_fresh(struct strata_srtp_session *s, const uint8_t *pkt, uint32_t len,
			      uint8_t *out, uint32_t cap, const char *name, const char *what)
{
	struct strata_srtp_tx tx;
	strata_srtp_tx_init(&tx, strata_be32(pkt + 8));
	struct strata_srtp_op op = fx_op_protect(s, &tx, pkt, out, len, cap);
	int st = run1(STRATA_SRTP_RTP_PROTECT, &op, name, what);
	CHECK(st == STRATA_SRTP_OK, "%s: %s: %s", name, what, strata_srtp_status_name(st));
	return st == STRATA_SRTP_OK ? op.len : 0;
}

static void test_session(const struct session_kat *k)
{
	uint8_t mkey[32], msalt[14], ckey[32], csalt[14], akey[20];
	size_t mkey_len = test_hex(k->master_key, mkey, sizeof(mkey));

	CHECK(test_hex(k->master_salt, msalt, sizeof(msalt)) == 14, "%s: master salt length",
	      k->name);
	CHECK(test_hex(k->cipher_key, ckey, sizeof(ckey)) == mkey_len, "%s: cipher key length",
	      k->name);
	CHECK(test_hex(k->cipher_salt, csalt, sizeof(csalt)) == 14, "%s: cipher salt length",
	      k->name);
	CHECK(test_hex(k->auth_key, akey, sizeof(akey)) == 20, "%s: auth key length", k->name);

	struct strata_srtp_policy pol = {
		.profile = k->profile, .master_key = mkey, .master_salt = msalt,
	};
	struct strata_srtp_session derived, raw;
	int st = strata_srtp_session_init(&derived, engine, &pol);
	CHECK(st == STRATA_SRTP_OK, "%s: session_init: %s", k->name, strata_srtp_status_name(st));
	if (st != STRATA_SRTP_OK)
		return;
	CHECK_MEM(derived.rtp.salt, csalt, 14, label(k->name, "session.rtp.salt"));
	CHECK(derived.rtp.salt[14] == 0 && derived.rtp.salt[15] == 0,
	      "%s: session.rtp.salt is not zero-padded: %02x %02x", k->name, derived.rtp.salt[14],
	      derived.rtp.salt[15]);

	st = strata_srtp_session_init_raw(&raw, mgr, k->profile, ckey, akey, csalt);
	CHECK(st == STRATA_SRTP_OK, "%s: session_init_raw: %s", k->name,
	      strata_srtp_status_name(st));
	if (st != STRATA_SRTP_OK)
		return;

	/* Any packet will do; this is RFC 7714's, "Gallia est omnis divisa in
	 * partes tres". */
	uint8_t pkt[64], a[128], b[128];
	uint32_t len = (uint32_t)test_hex("8040f17b 8041f8d3 5501a0b2 47616c6c"
					  "69612065 7374206f 6d6e6973 20646976"
					  "69736120 696e2070 61727465 73207472"
					  "6573", pkt, sizeof(pkt));
	memset(a, 0, sizeof(a));
	memset(b, 0xff, sizeof(b));
	uint32_t alen = protect_fresh(&derived, pkt, len, a, sizeof(a), k->name,
				      "protect (session from master key)");
	uint32_t blen = protect_fresh(&raw, pkt, len, b, sizeof(b), k->name,
				      "protect (session from the RFC's session keys)");
	CHECK(alen == len + derived.profile->rtp_tag_len && alen == blen,
	      "%s: protected lengths %u and %u, want %u", k->name, alen, blen,
	      len + derived.profile->rtp_tag_len);
	CHECK_MEM(a, b, alen, label(k->name, "packet and tag from the derived keys"));
}

/* ------------------------------------------------------------------------
 * AES-GCM (RFC 7714 sections 16 and 17).
 *
 * Section 16: "The salt used (51756964 2070726f 2071756f) comes from the
 * ASCII string "Quid pro quo".  The 16-octet (128-bit) key is 00 01 02 ...
 * 0f, and the 32-octet (256-bit) key is 00 01 02 ... 1f."  These are session
 * keys, so the sessions are made with strata_srtp_session_init_raw (which
 * gives RTCP the same key and salt as RTP).
 *
 * RTP: every vector's IV shows "ROC 00 00 00 00" and SEQ f17b, which is
 * what a fresh stream uses for its first packet (index = SEQ, ROC 0), so no
 * stream state needs setting.  Section 17: "with 32-bit SRTCP index
 * 000005d4", which is set in the sender's rtcp_index before protecting.
 *
 * Each row names the RFC subsection it comes from, and is run both ways:
 * GCM is deterministic for a given key, IV and AAD, so the packet the RFC
 * decrypts is the packet protect must produce and vice versa.  Each row is
 * also checked with one bit of its tag flipped.
 *
 * Left out: 16.1.3, 16.1.4, 16.2.3 and 16.2.4 (SRTP "Authentication
 * Tagging" and "Tag Verification", the whole RTP packet as AAD and nothing
 * encrypted).  SRTP has no E flag and Strata has no unencrypted-SRTP mode,
 * so there is nothing to run them through.
 *
 * Section 17 opens with a packet (81c8000e ... 4e545031 ... 0000eb98) that
 * differs from the one all four of its vectors then use (81c8000d ...
 * 4e545032 ... 0000e930); the rows use the latter, as the vectors do.  Its
 * RTCP length field (13, i.e. 56 bytes) also disagrees with the packet's 52
 * bytes; SRTCP does not read that field.
 */
#define RFC7714_SALT "51756964 2070726f 2071756f"
#define RFC7714_KEY_128 "00 01 02 03 04 05 06 07 08 09 0a 0b 0c 0d 0e 0f"
#define RFC7714_KEY_256 RFC7714_KEY_128 " 10 11 12 13 14 15 16 17 18 19 1a 1b 1c 1d 1e 1f"
#define RFC7714_SRTCP_INDEX 0x000005d4u

#define RFC7714_RTP_PLAIN                                                      \
	"8040f17b 8041f8d3 5501a0b2 47616c6c"                                  \
	"69612065 7374206f 6d6e6973 20646976"                                  \
	"69736120 696e2070 61727465 73207472"                                  \
	"6573"
#define RFC7714_RTCP_PLAIN                                                     \
	"81c8000d 4d617273 4e545031 4e545032"                                  \
	"52545020 0000042a 0000e930 4c756e61"                                  \
	"deadbeef deadbeef deadbeef deadbeef"                                  \
	"deadbeef"

struct gcm_kat {
	const char *name;
	enum strata_srtp_profile_id profile;
	const char *key;
	bool rtcp;
	bool rtcp_encrypt; /* SRTCP E flag */
	const char *plain;
	const char *protected; /* as the RFC prints it */
};

static const struct gcm_kat gcm_kats[] = {
	/* "16.1.1.  SRTP AEAD_AES_128_GCM Encryption": "Encrypted and tagged
	 * packet" (and "16.1.2.  SRTP AEAD_AES_128_GCM Decryption", which
	 * decrypts the same packet) */
	{
		.name = "RFC 7714 16.1.1/16.1.2 AEAD_AES_128_GCM RTP",
		.profile = STRATA_SRTP_AEAD_AES_128_GCM,
		.key = RFC7714_KEY_128,
		.plain = RFC7714_RTP_PLAIN,
		.protected = "8040f17b 8041f8d3 5501a0b2 f24de3a3"
			     "fb34de6c acba861c 9d7e4bca be633bd5"
			     "0d294e6f 42a5f47a 51c7d19b 36de3adf"
			     "8833899d 7f27beb1 6a9152cf 765ee439"
			     "0cce",
	},
	/* "16.2.1.  SRTP AEAD_AES_256_GCM Encryption" (and "16.2.2.  SRTP
	 * AEAD_AES_256_GCM Decryption") */
	{
		.name = "RFC 7714 16.2.1/16.2.2 AEAD_AES_256_GCM RTP",
		.profile = STRATA_SRTP_AEAD_AES_256_GCM,
		.key = RFC7714_KEY_256,
		.plain = RFC7714_RTP_PLAIN,
		.protected = "8040f17b 8041f8d3 5501a0b2 32b1de78"
			     "a822fe12 ef9f78fa 332e33aa b1801238"
			     "9a58e2f3 b50b2a02 76ffae0f 1ba63799"
			     "b87b7aa3 db36dfff d6b0f9bb 7878d7a7"
			     "6c13",
	},
	/* "17.1.  SRTCP AEAD_AES_128_GCM Encryption and Tagging": header,
	 * cipher, tag, then "the ESRTCP word with the E-flag set" */
	{
		.name = "RFC 7714 17.1 AEAD_AES_128_GCM RTCP encrypt (E=1)",
		.profile = STRATA_SRTP_AEAD_AES_128_GCM,
		.key = RFC7714_KEY_128,
		.rtcp = true, .rtcp_encrypt = true,
		.plain = RFC7714_RTCP_PLAIN,
		.protected = "81c8000d 4d617273 63e94885 dcdab67c"
			     "a727d766 2f6b7e99 7ff5c0f7 6c06f32d"
			     "c676a5f1 730d6fda 4ce09b46 86303ded"
			     "0bb9275b c84aa458 96cf4d2f c5abf872"
			     "45d9eade 800005d4",
	},
	/* "17.2.  SRTCP AEAD_AES_256_GCM Verification and Decryption" */
	{
		.name = "RFC 7714 17.2 AEAD_AES_256_GCM RTCP decrypt (E=1)",
		.profile = STRATA_SRTP_AEAD_AES_256_GCM,
		.key = RFC7714_KEY_256,
		.rtcp = true, .rtcp_encrypt = true,
		.plain = RFC7714_RTCP_PLAIN,
		.protected = "81c8000d 4d617273 d50ae4d1 f5ce5d30"
			     "4ba297e4 7d470c28 2c3ece5d bffe0a50"
			     "a2eaa5c1 110555be 8415f658 c61de047"
			     "6f1b6fad 1d1eb30c 4446839f 57ff6f6c"
			     "b26ac3be 800005d4",
	},
	/* "17.3.  SRTCP AEAD_AES_128_GCM Tagging Only": the packet in the
	 * clear, the tag, the ESRTCP word with E=0 */
	{
		.name = "RFC 7714 17.3 AEAD_AES_128_GCM RTCP tag only (E=0)",
		.profile = STRATA_SRTP_AEAD_AES_128_GCM,
		.key = RFC7714_KEY_128,
		.rtcp = true, .rtcp_encrypt = false,
		.plain = RFC7714_RTCP_PLAIN,
		.protected = "81c8000d 4d617273 4e545031 4e545032"
			     "52545020 0000042a 0000e930 4c756e61"
			     "deadbeef deadbeef deadbeef deadbeef"
			     "deadbeef 841dd968 3dd78ec9 2ae58790"
			     "125f62b3 000005d4",
	},
	/* "17.4.  SRTCP AEAD_AES_256_GCM Tag Verification" */
	{
		.name = "RFC 7714 17.4 AEAD_AES_256_GCM RTCP tag verify (E=0)",
		.profile = STRATA_SRTP_AEAD_AES_256_GCM,
		.key = RFC7714_KEY_256,
		.rtcp = true, .rtcp_encrypt = false,
		.plain = RFC7714_RTCP_PLAIN,
		.protected = "81c8000d 4d617273 4e545031 4e545032"
			     "52545020 0000042a 0000e930 4c756e61"
			     "deadbeef deadbeef deadbeef deadbeef"
			     "deadbeef 91db4afb feee5a97 8fab4393"
			     "ed2615fe 000005d4",
	},
};

struct gcm_case {
	const struct gcm_kat *k;
	struct strata_srtp_session *s;
	uint32_t ssrc;
	const uint8_t *plain, *prot;
	uint32_t plain_len, prot_len;
};

/* Protects the plaintext with a fresh sender; in place when in_place. */
static void gcm_protect(const struct gcm_case *c, bool in_place)
{
	const char *name = c->k->name;
	const char *what = in_place ? "protect in place" : "protect";
	uint8_t src[128], buf[128];
	struct strata_srtp_tx tx;

	strata_srtp_tx_init(&tx, c->ssrc);
	if (c->k->rtcp)
		tx.rtcp_index = RFC7714_SRTCP_INDEX;
	memcpy(src, c->plain, c->plain_len);
	memset(buf, 0, sizeof(buf));
	if (in_place)
		memcpy(buf, c->plain, c->plain_len);

	struct strata_srtp_op op =
		fx_op_protect(c->s, &tx, in_place ? buf : src, buf, c->plain_len, sizeof(buf));
	int st = run1(fx_dir(c->k->rtcp, true), &op, name, what);
	CHECK(st == STRATA_SRTP_OK, "%s: %s: %s", name, what, strata_srtp_status_name(st));
	if (st != STRATA_SRTP_OK)
		return;
	CHECK(op.len == c->prot_len, "%s: %s: length %u, want %u", name, what, op.len,
	      c->prot_len);
	CHECK_MEM(buf, c->prot, c->prot_len, label(name, what));
	if (c->k->rtcp)
		CHECK(tx.rtcp_index == RFC7714_SRTCP_INDEX + 1,
		      "%s: %s: next SRTCP index %#x, want %#x", name, what, tx.rtcp_index,
		      RFC7714_SRTCP_INDEX + 1);
}

/* Unprotects pkt (prot_len bytes) on rx; returns the status. */
static int gcm_unprotect(const struct gcm_case *c, struct strata_srtp_rx *rx, uint8_t *pkt,
			 uint32_t *len, const char *what)
{
	struct strata_srtp_op op = fx_op_unprotect(c->s, rx, pkt, c->prot_len);
	int st = run1(fx_dir(c->k->rtcp, false), &op, c->k->name, what);

	*len = op.len;
	return st;
}

static void test_gcm(const struct gcm_kat *k)
{
	uint8_t key[32], salt[12], plain[128], prot[128], buf[128];
	size_t key_len = test_hex(k->key, key, sizeof(key));
	uint32_t plain_len = (uint32_t)test_hex(k->plain, plain, sizeof(plain));
	uint32_t prot_len = (uint32_t)test_hex(k->protected, prot, sizeof(prot));
	uint32_t trailer = k->rtcp ? STRATA_SRTCP_TRAILER_LEN : 0;

	CHECK(test_hex(RFC7714_SALT, salt, sizeof(salt)) == 12, "%s: salt length", k->name);
	CHECK(prot_len == plain_len + 16 + trailer, "%s: table: %u-byte packet protects to %u",
	      k->name, plain_len, prot_len);

	struct strata_srtp_session s;
	if (!raw_session(&s, k->name, k->profile, key, key_len, NULL, salt))
		return;
	s.rtcp_encrypt = k->rtcp_encrypt;

	struct gcm_case c = {
		.k = k, .s = &s, .ssrc = strata_be32(plain + (k->rtcp ? 4 : 8)),
		.plain = plain, .prot = prot, .plain_len = plain_len, .prot_len = prot_len,
	};

	gcm_protect(&c, false);
	gcm_protect(&c, true);

	/* The RFC's packet, unprotected by a fresh receiver. */
	struct strata_srtp_rx rx;
	uint32_t len;
	strata_srtp_rx_init(&rx, &s, c.ssrc);
	memcpy(buf, prot, prot_len);
	int st = gcm_unprotect(&c, &rx, buf, &len, "unprotect");
	CHECK(st == STRATA_SRTP_OK, "%s: unprotect: %s", k->name, strata_srtp_status_name(st));
	if (st == STRATA_SRTP_OK) {
		CHECK(len == plain_len, "%s: unprotect: length %u, want %u", k->name, len,
		      plain_len);
		CHECK_MEM(buf, plain, plain_len, label(k->name, "unprotect"));
	}

	/* One bit flipped in the last octet of the tag (which SRTCP follows
	 * with the E||index word).  Refused, and refused without a trace: the
	 * genuine packet is still accepted afterwards on the same stream. */
	strata_srtp_rx_init(&rx, &s, c.ssrc);
	memcpy(buf, prot, prot_len);
	buf[fx_last_tag_byte(s.profile, k->rtcp, prot_len)] ^= 0x01;
	st = gcm_unprotect(&c, &rx, buf, &len, "unprotect tampered tag");
	CHECK(st == STRATA_SRTP_AUTH_FAIL, "%s: tampered tag: %s, want auth_fail", k->name,
	      strata_srtp_status_name(st));
	memcpy(buf, prot, prot_len);
	st = gcm_unprotect(&c, &rx, buf, &len, "unprotect after tampered tag");
	CHECK(st == STRATA_SRTP_OK, "%s: genuine packet after a tampered copy: %s", k->name,
	      strata_srtp_status_name(st));
}

int main(void)
{
	engine = strata_srtp_engine_create();
	CHECK(engine != NULL, "strata_srtp_engine_create failed");
	if (engine == NULL)
		return test_summary("srtp_kat");
	mgr = strata_srtp_engine_mgr(engine);
	printf("srtp_kat: ipsec-mb %s\n", strata_srtp_engine_arch(engine));

	for (size_t i = 0; i < ARRAY_LEN(cm_keystream_kats); i++)
		test_cm_keystream(&cm_keystream_kats[i]);
	for (size_t i = 0; i < ARRAY_LEN(kdf_kats); i++)
		test_kdf(&kdf_kats[i]);
	for (size_t i = 0; i < ARRAY_LEN(session_kats); i++)
		test_session(&session_kats[i]);
	for (size_t i = 0; i < ARRAY_LEN(gcm_kats); i++)
		test_gcm(&gcm_kats[i]);

	strata_srtp_engine_destroy(engine);
	return test_summary("srtp_kat");
}
