/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * stratactl: the operators' CLI.  It sends one command to strata-cp's
 * control socket and prints the reply (ctl_proto.h has the protocol); the
 * commands themselves live in strata-cp, so stratactl stays generic.
 *
 *   stratactl [--socket PATH] [--json] [--timeout SECONDS] COMMAND [ARG...]
 *
 * Exit status: 0 when strata-cp answered OK, 1 when it answered ERR (the
 * message goes to stderr; with --json the JSON error goes to stdout), 2
 * for a usage error or when strata-cp could not be reached.
 *
 * A few commands also work without strata-cp (generating a token from a
 * key given on the command line): they are in local_commands below, tried
 * before connecting.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>
#include <openssl/crypto.h>

#include <sys/un.h>

#include "cp_tokencmd.h"
#include "ctl_proto.h"

enum { EXIT_REPLY_OK = 0, EXIT_REPLY_ERR = 1, EXIT_USAGE = 2 };

/* A local command's answer when it does not handle this form of the
 * command after all: the request then goes to strata-cp. */
#define LOCAL_NOT_HANDLED (-1)

struct local_command {
	const char *name;   /* one or two words, as strata-cp's commands */
	const char *usage;
	/* argv: the arguments after the command's words.  Returns an exit
	 * status, or LOCAL_NOT_HANDLED. */
	int (*run)(int argc, char **argv, bool json);
};

/* Commands that run here, without strata-cp.  For example (strata-cp
 * keeps its own "token generate APP USER" that uses the stored key):
 *
 *   { "token generate", "token generate --key KEY APP USER [SECONDS]",
 *     token_generate_offline },   -- returns LOCAL_NOT_HANDLED without --key
 */
/* A token computed here, from the key on the command line (the key never
 * travels to strata-cp). */
static int token_generate_offline(int argc, char **argv, bool json)
{
	struct cp_token_args a;
	char err[160], token[CP_TOKEN_MAX_LEN + 1];
	int rc;

	if (cp_token_args_parse(argc, (const char *const *)argv, false, &a, err, sizeof(err)) < 0) {
		fprintf(stderr, "stratactl: token generate: %s\n", err);
		return EXIT_USAGE;
	}
	if (!a.key)
		return LOCAL_NOT_HANDLED; /* strata-cp signs with the stored key */
	rc = cp_token_args_generate(&a, (const uint8_t *)a.key, strlen(a.key),
				    (uint64_t)time(NULL), token, sizeof(token));
	if (rc != CP_TOKEN_OK) {
		fprintf(stderr, "stratactl: token generate: %s\n", cp_token_error_message(rc));
		return EXIT_REPLY_ERR;
	}
	if (json)
		printf("{\"token\":\"%s\"}\n", token);
	else
		printf("%s\n", token);
	OPENSSL_cleanse(token, sizeof(token));
	return EXIT_REPLY_OK;
}

/* A token checked here against the key on the command line. */
static int token_verify_offline(int argc, char **argv, bool json)
{
	struct cp_token_args a;
	struct cp_token_claims claims;
	struct cp_token_static_keys sk = { 0 };
	char err[160], *text;
	json_t *o;
	int valid;

	if (cp_token_args_parse(argc, (const char *const *)argv, true, &a, err, sizeof(err)) < 0) {
		fprintf(stderr, "stratactl: token verify: %s\n", err);
		return EXIT_USAGE;
	}
	if (!a.key)
		return LOCAL_NOT_HANDLED; /* strata-cp checks against the store */
	/* The key applies to whatever application the token names. */
	cp_token_inspect(a.token, &claims);
	sk.app_id = claims.app_id;
	sk.key = (const uint8_t *)a.key;
	sk.key_len = strlen(a.key);
	o = cp_token_verify_json(a.token, cp_token_static_lookup, &sk,
				 a.has_now ? a.now : (uint64_t)time(NULL), 0);
	if (!o) {
		fprintf(stderr, "stratactl: out of memory\n");
		return EXIT_USAGE;
	}
	valid = json_is_true(json_object_get(o, "valid"));
	if (json) {
		text = json_dumps(o, JSON_COMPACT);
		printf("%s\n", text ? text : "{}");
		free(text);
	} else {
		printf("%s: %s\n", valid ? "valid" : "not valid",
		       json_string_value(json_object_get(o, "message")));
	}
	json_decref(o);
	return EXIT_REPLY_OK;
}

static const struct local_command local_commands[] = {
	{ "token generate",
	  "token generate --app APP --user USER --expires-in SECONDS [--vcard V] --key KEY",
	  token_generate_offline },
	{ "token verify", "token verify --token TOKEN --key KEY [--now UNIX_TIME]",
	  token_verify_offline },
	{ NULL, NULL, NULL },
};

static void usage(FILE *f)
{
	fprintf(f,
		"usage: stratactl [--socket PATH] [--json] [--timeout SECONDS] COMMAND [ARG...]\n"
		"\n"
		"Sends one command to strata-cp's control socket and prints the reply.\n"
		"\"stratactl help\" lists the commands strata-cp knows.\n"
		"\n"
		"  -s, --socket PATH      the control socket (default $STRATA_STATE_DIR/ctl.sock,\n"
		"                         or " CTL_DEFAULT_DIR "/" CTL_SOCKET_NAME ")\n"
		"  -j, --json             a JSON reply, on one line (also anywhere after COMMAND)\n"
		"  -t, --timeout SECONDS  how long to wait for the reply (default 60; 0: forever)\n"
		"  -h, --help             this text\n"
		"\n"
		"Exit status: 0 done; 1 strata-cp refused or failed the command; 2 a usage\n"
		"error, or strata-cp could not be reached.\n");
}

/* The local command named by the first words, and how many words it took. */
static const struct local_command *find_local(int argc, char **argv, int *nwords)
{
	for (const struct local_command *l = local_commands; l->name; l++) {
		const char *space = strchr(l->name, ' ');

		if (!space && strcmp(l->name, argv[0]) == 0) {
			*nwords = 1;
			return l;
		}
		if (space && argc >= 2 && strlen(argv[0]) == (size_t)(space - l->name) &&
		    strncmp(l->name, argv[0], (size_t)(space - l->name)) == 0 &&
		    strcmp(space + 1, argv[1]) == 0) {
			*nwords = 2;
			return l;
		}
	}
	return NULL;
}

static int connect_error(const char *path, int e)
{
	const char *hint = "is strata-cp running? (or set --socket)";

	if (e == EACCES || e == EPERM)
		hint = "run stratactl as strata-cp's user or as root";
	else if (e == ENAMETOOLONG)
		hint = "give a shorter --socket path";
	fprintf(stderr, "stratactl: cannot connect to %s: %s: %s\n", path, strerror(e), hint);
	return EXIT_USAGE;
}

static int call_error(const char *path, int e, int timeout_s)
{
	switch (e) {
	case ETIMEDOUT:
		fprintf(stderr, "stratactl: no reply from strata-cp on %s within %d s (a longer "
			"--timeout may help)\n", path, timeout_s);
		break;
	case ECONNRESET:
	case EPIPE:
		fprintf(stderr, "stratactl: strata-cp closed the connection on %s before it "
			"replied: see its log\n", path);
		break;
	case EPROTO:
		fprintf(stderr, "stratactl: %s did not answer in the control protocol: is it "
			"strata-cp's socket?\n", path);
		break;
	default:
		fprintf(stderr, "stratactl: talking to strata-cp on %s: %s\n", path, strerror(e));
		break;
	}
	return EXIT_USAGE;
}

static bool write_out(FILE *f, const char *p, size_t n)
{
	return fwrite(p, 1, n, f) == n && fflush(f) == 0;
}

int main(int argc, char **argv)
{
	static const struct option options[] = {
		{ "socket", required_argument, NULL, 's' },
		{ "json", no_argument, NULL, 'j' },
		{ "timeout", required_argument, NULL, 't' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	char def[sizeof(((struct sockaddr_un *)0)->sun_path)], *end;
	const char *path = NULL;
	struct ctl_reply_reader reply = { 0 };
	struct ctl_buf req = { 0 };
	const struct local_command *local;
	bool json = false;
	int timeout_s = 60, opt, n = 0, bad = 0, nwords, fd, rc;
	char **words;

	while ((opt = getopt_long(argc, argv, "+s:jt:h", options, NULL)) != -1) {
		switch (opt) {
		case 's':
			path = optarg;
			break;
		case 'j':
			json = true;
			break;
		case 't':
			errno = 0;
			timeout_s = (int)strtol(optarg, &end, 10);
			if (errno || *end || timeout_s < 0 || timeout_s > 86400) {
				fprintf(stderr, "stratactl: --timeout takes seconds (0 to 86400), "
					"not \"%s\"\n", optarg);
				return EXIT_USAGE;
			}
			break;
		case 'h':
			usage(stdout);
			return EXIT_REPLY_OK;
		default:
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	/* The command's words, --json taken out wherever it is. */
	words = calloc((size_t)(argc - optind) + 1, sizeof(*words));
	if (!words) {
		fprintf(stderr, "stratactl: out of memory\n");
		return EXIT_USAGE;
	}
	for (int i = optind; i < argc; i++) {
		if (strcmp(argv[i], "--json") == 0)
			json = true;
		else
			words[n++] = argv[i];
	}
	if (n == 0) {
		usage(stderr);
		free(words);
		return EXIT_USAGE;
	}

	local = find_local(n, words, &nwords);
	if (local) {
		rc = local->run(n - nwords, words + nwords, json);
		if (rc != LOCAL_NOT_HANDLED) {
			free(words);
			return rc;
		}
	}

	switch (ctl_build_request(&req, n, (const char *const *)words, json, &bad)) {
	case 0:
		break;
	case -1:
		fprintf(stderr, "stratactl: argument %d (\"%s\") has a control character or is not "
			"UTF-8: no request can carry it\n", bad + 1, words[bad]);
		free(words);
		ctl_buf_free(&req);
		return EXIT_USAGE;
	default:
		fprintf(stderr, "stratactl: the request is longer than %d bytes\n", CTL_MAX_LINE);
		free(words);
		ctl_buf_free(&req);
		return EXIT_USAGE;
	}
	free(words);

	if (!path) {
		if (ctl_default_socket_path(def, sizeof(def)) < 0) {
			fprintf(stderr, "stratactl: $STRATA_STATE_DIR is too long for a socket path: "
				"set --socket\n");
			ctl_buf_free(&req);
			return EXIT_USAGE;
		}
		path = def;
	}
	fd = ctl_client_connect(path);
	if (fd < 0) {
		ctl_buf_free(&req);
		return connect_error(path, -fd);
	}
	rc = ctl_client_call(fd, req.p, req.len, timeout_s ? timeout_s * 1000 : -1, &reply);
	close(fd);
	ctl_buf_free(&req);
	if (rc < 0) {
		ctl_reply_reader_free(&reply);
		return call_error(path, -rc, timeout_s);
	}

	if (reply.ok || json)
		rc = write_out(stdout, reply.body.p, reply.body.len) ? 0 : -1;
	else
		rc = write_out(stderr, reply.body.p, reply.body.len) ? 0 : -1;
	if (rc < 0) {
		fprintf(stderr, "stratactl: cannot write the reply: %s\n", strerror(errno));
		ctl_reply_reader_free(&reply);
		return EXIT_USAGE;
	}
	rc = reply.ok ? EXIT_REPLY_OK : EXIT_REPLY_ERR;
	ctl_reply_reader_free(&reply);
	return rc;
}
