/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The TLS policy of the signaling server and the self-signed certificate
 * (sig_tls.h says what and why).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509v3.h>

#include "sig_tls.h"

static int tls_err(char *err, size_t errlen, const char *what)
{
	char detail[160];
	unsigned long e = ERR_peek_last_error();

	ERR_error_string_n(e, detail, sizeof(detail));
	snprintf(err, errlen, "%s: %s", what, e ? detail : "unknown error");
	ERR_clear_error();
	return -1;
}

int sig_tls_apply_policy(SSL_CTX *ctx, char *err, size_t errlen)
{
	if (!SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION) ||
	    !SSL_CTX_set_max_proto_version(ctx, TLS1_3_VERSION))
		return tls_err(err, errlen, "TLS: cannot limit the protocol to TLS 1.2 and 1.3");
	if (!SSL_CTX_set_cipher_list(ctx, SIG_TLS12_CIPHERS))
		return tls_err(err, errlen, "TLS: cannot set the TLS 1.2 ciphers");
	if (!SSL_CTX_set_ciphersuites(ctx, SIG_TLS13_CIPHERSUITES))
		return tls_err(err, errlen, "TLS: cannot set the TLS 1.3 cipher suites");
	/* The hybrid post-quantum group first where the library has it. */
	if (!SSL_CTX_set1_groups_list(ctx, SIG_TLS_GROUPS_PQ)) {
		ERR_clear_error();
		if (!SSL_CTX_set1_groups_list(ctx, SIG_TLS_GROUPS))
			return tls_err(err, errlen, "TLS: cannot set the key exchange groups");
	}
	/* libwebsockets sets server preference; Mozilla's guidelines do not. */
	SSL_CTX_clear_options(ctx, SSL_OP_CIPHER_SERVER_PREFERENCE);
	SSL_CTX_set_options(ctx, SSL_OP_NO_TICKET | SSL_OP_NO_COMPRESSION |
				 SSL_OP_NO_RENEGOTIATION);
	SSL_CTX_set_num_tickets(ctx, 0);
	SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
	return 0;
}

/* ---- the self-signed certificate ---------------------------------------------- */

/* Writes data to dir/name through a temporary file and a rename, so a
 * crash leaves the old file or the new one; mode is set before any byte
 * is written (mkstemp creates 0600). */
static int write_file(const char *path, const void *data, size_t len, mode_t mode, char *note,
		      size_t notelen)
{
	char tmp[PATH_MAX];
	const char *p = data;
	int fd;

	if (snprintf(tmp, sizeof(tmp), "%s.XXXXXX", path) >= (int)sizeof(tmp))
		return snprintf(note, notelen, "TLS: path too long: %s", path), -1;
	fd = mkstemp(tmp);
	if (fd < 0)
		return snprintf(note, notelen, "TLS: cannot create %s: %s", tmp, strerror(errno)),
		       -1;
	if (fchmod(fd, mode) < 0)
		goto fail;
	while (len) {
		ssize_t n = write(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			goto fail;
		p += n;
		len -= (size_t)n;
	}
	if (fsync(fd) < 0 || close(fd) < 0) {
		fd = -1;
		goto fail;
	}
	fd = -1;
	if (rename(tmp, path) < 0)
		goto fail;
	return 0;
fail:
	snprintf(note, notelen, "TLS: cannot write %s: %s", path, strerror(errno));
	if (fd >= 0)
		close(fd);
	unlink(tmp);
	return -1;
}

/* PEM text of obj in a secure-heap BIO (wiped when freed), written out. */
static int write_pem(const char *path, EVP_PKEY *key, X509 *cert, mode_t mode, char *note,
		     size_t notelen)
{
	BIO *bio = BIO_new(key ? BIO_s_secmem() : BIO_s_mem());
	char *data;
	long len;
	int rc = -1;

	if (!bio)
		return snprintf(note, notelen, "TLS: out of memory"), -1;
	if (key ? !PEM_write_bio_PrivateKey(bio, key, NULL, NULL, 0, NULL, NULL)
		: !PEM_write_bio_X509(bio, cert)) {
		tls_err(note, notelen, "TLS: cannot encode PEM");
		goto out;
	}
	len = BIO_get_mem_data(bio, &data);
	rc = write_file(path, data, (size_t)len, mode, note, notelen);
out:
	BIO_free(bio);
	return rc;
}

static int add_ext(X509 *x, X509V3_CTX *v3, int nid, const char *value)
{
	X509_EXTENSION *ext = X509V3_EXT_conf_nid(NULL, v3, nid, value);
	int ok = ext && X509_add_ext(x, ext, -1);

	X509_EXTENSION_free(ext);
	return ok ? 0 : -1;
}

/* The host name for the certificate, when it is a plain DNS name. */
static const char *dns_hostname(char *buf, size_t len)
{
	if (gethostname(buf, len) < 0)
		return NULL;
	buf[len - 1] = '\0';
	if (!buf[0] || strcmp(buf, "localhost") == 0)
		return NULL;
	for (const char *c = buf; *c; c++)
		if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') ||
		      (*c >= '0' && *c <= '9') || *c == '-' || *c == '.'))
			return NULL;
	return buf;
}

static X509 *make_cert(EVP_PKEY *key)
{
	unsigned char serial[16];
	char host[256], san[512];
	const char *h = dns_hostname(host, sizeof(host));
	X509 *x = X509_new();
	BIGNUM *bn = NULL;
	X509_NAME *name;
	X509V3_CTX v3;

	if (!x || RAND_bytes(serial, sizeof(serial)) != 1)
		goto fail;
	serial[0] &= 0x7f; /* a positive serial (RFC 5280 section 4.1.2.2) */
	bn = BN_bin2bn(serial, sizeof(serial), NULL);
	if (!bn || !BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(x)) ||
	    !X509_set_version(x, 2) ||
	    /* An hour back, for clients whose clocks are a little behind. */
	    !X509_gmtime_adj(X509_getm_notBefore(x), -3600) ||
	    !X509_gmtime_adj(X509_getm_notAfter(x), (long)SIG_TLS_SELF_DAYS * 86400) ||
	    !X509_set_pubkey(x, key))
		goto fail;
	name = X509_get_subject_name(x);
	if (!X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC,
					(const unsigned char *)"Strata (self-signed)", -1, -1, 0) ||
	    !X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
					(const unsigned char *)(h ? h : "localhost"), -1, -1, 0) ||
	    !X509_set_issuer_name(x, name))
		goto fail;
	snprintf(san, sizeof(san), "DNS:localhost,%s%s%sIP:127.0.0.1,IP:::1", h ? "DNS:" : "",
		 h ? h : "", h ? "," : "");
	X509V3_set_ctx_nodb(&v3);
	X509V3_set_ctx(&v3, x, x, NULL, NULL, 0);
	if (add_ext(x, &v3, NID_basic_constraints, "critical,CA:FALSE") < 0 ||
	    add_ext(x, &v3, NID_key_usage, "critical,digitalSignature") < 0 ||
	    add_ext(x, &v3, NID_ext_key_usage, "serverAuth") < 0 ||
	    add_ext(x, &v3, NID_subject_key_identifier, "hash") < 0 ||
	    add_ext(x, &v3, NID_subject_alt_name, san) < 0 ||
	    !X509_sign(x, key, EVP_sha256()))
		goto fail;
	BN_free(bn);
	return x;
fail:
	BN_free(bn);
	X509_free(x);
	return NULL;
}

static void fingerprint(X509 *x, char *out, size_t len)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned n = 0;
	size_t o = 0;

	out[0] = '\0';
	if (!X509_digest(x, EVP_sha256(), md, &n))
		return;
	for (unsigned i = 0; i < n && o + 4 <= len; i++)
		o += (size_t)snprintf(out + o, len - o, "%s%02X", i ? ":" : "", md[i]);
}

static X509 *read_cert(const char *path)
{
	FILE *f = fopen(path, "re");
	X509 *x = f ? PEM_read_X509(f, NULL, NULL, NULL) : NULL;

	if (f)
		fclose(f);
	return x;
}

/* Why the files in the state directory cannot be reused, or NULL when they
 * can (then *cert is the certificate). */
static const char *unusable(const char *cert_path, const char *key_path, X509 **cert)
{
	struct stat st;
	EVP_PKEY *key = NULL;
	FILE *f;
	time_t renew = time(NULL) + (time_t)SIG_TLS_SELF_RENEW_DAYS * 86400;
	const char *why = NULL;

	*cert = NULL;
	if (lstat(key_path, &st) < 0 || lstat(cert_path, &st) < 0)
		return "there was none";
	if (lstat(key_path, &st) < 0 || !S_ISREG(st.st_mode))
		return "the key was not a regular file";
	if (st.st_mode & 077)
		return "the old key was readable by other users";
	*cert = read_cert(cert_path);
	if (!*cert)
		return "the old certificate could not be read";
	if (X509_cmp_time(X509_get0_notAfter(*cert), &renew) <= 0)
		why = "the old certificate was expiring";
	f = fopen(key_path, "re");
	key = f ? PEM_read_PrivateKey(f, NULL, NULL, NULL) : NULL;
	if (f)
		fclose(f);
	if (!why && (!key || !X509_check_private_key(*cert, key)))
		why = "the old key did not match the certificate";
	EVP_PKEY_free(key);
	ERR_clear_error();
	if (why) {
		X509_free(*cert);
		*cert = NULL;
	}
	return why;
}

enum sig_tls_self_result sig_tls_self_signed(const char *state_dir, char *cert_path,
					     char *key_path, char *note, size_t notelen)
{
	char fp[3 * EVP_MAX_MD_SIZE + 1];
	EVP_PKEY *key = NULL;
	X509 *cert = NULL;
	const char *why;

	if (snprintf(cert_path, PATH_MAX, "%s/%s", state_dir, SIG_TLS_SELF_CERT) >= PATH_MAX ||
	    snprintf(key_path, PATH_MAX, "%s/%s", state_dir, SIG_TLS_SELF_KEY) >= PATH_MAX) {
		snprintf(note, notelen, "TLS: state directory path too long: %s", state_dir);
		return SIG_TLS_SELF_ERROR;
	}
	if (mkdir(state_dir, 0700) < 0 && errno != EEXIST) {
		snprintf(note, notelen, "TLS: cannot create the state directory %s: %s", state_dir,
			 strerror(errno));
		return SIG_TLS_SELF_ERROR;
	}

	why = unusable(cert_path, key_path, &cert);
	if (!why) {
		fingerprint(cert, fp, sizeof(fp));
		snprintf(note, notelen,
			 "TLS: no certificate configured; using the self-signed %s "
			 "(SHA-256 fingerprint %s); clients must trust it explicitly",
			 cert_path, fp);
		X509_free(cert);
		return SIG_TLS_SELF_REUSED;
	}

	key = EVP_EC_gen("P-256");
	if (!key) {
		tls_err(note, notelen, "TLS: cannot generate an EC key");
		return SIG_TLS_SELF_ERROR;
	}
	cert = make_cert(key);
	if (!cert) {
		tls_err(note, notelen, "TLS: cannot make a self-signed certificate");
		EVP_PKEY_free(key);
		return SIG_TLS_SELF_ERROR;
	}
	/* The key first: a certificate without its key is never left behind
	 * looking usable (unusable() checks that they match). */
	if (write_pem(key_path, key, NULL, 0600, note, notelen) < 0 ||
	    write_pem(cert_path, NULL, cert, 0644, note, notelen) < 0) {
		EVP_PKEY_free(key);
		X509_free(cert);
		return SIG_TLS_SELF_ERROR;
	}
	fingerprint(cert, fp, sizeof(fp));
	snprintf(note, notelen,
		 "TLS: no certificate configured and %s: generated a self-signed one, %s "
		 "(key %s, mode 0600; valid %d days; SHA-256 fingerprint %s); clients must "
		 "trust it explicitly, or configure a certificate and key",
		 why, cert_path, key_path, SIG_TLS_SELF_DAYS, fp);
	EVP_PKEY_free(key);
	X509_free(cert);
	return SIG_TLS_SELF_GENERATED;
}
