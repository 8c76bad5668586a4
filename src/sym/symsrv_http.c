/*
 * symsrv_http.c - fetch files from an HTTP(S) symbol server into a cache.
 *
 * For one key the server is asked, as SymSrv asks it, for URL/name/id/name,
 * then the compressed URL/name/id/nam_ (a CAB, decompressed here), then
 * URL/name/id/file.ptr (a redirection: "PATH:<path>" or "MSG:<text>").
 * Downloads go to a temporary file in the cache directory and are renamed
 * into place when complete, so an interrupted download leaves nothing
 * under the key. Everything is bounded: 10 s to connect, a minimum
 * transfer speed, a total time and PS_SYM_MAX_FILE bytes. A server that
 * cannot be reached is remembered (in the ps_sympath, not globally) and
 * skipped with a note until the symbol path is set again, so a machine
 * without network pays the connection timeout once, not once per module.
 *
 * libcurl: curl_easy_init() performs curl_global_init() lazily, which is
 * thread-safe from libcurl 7.84 on (Debian 12 ships 7.88), so the library
 * keeps no global state of its own. Proxies come from the usual
 * http_proxy / https_proxy / no_proxy variables, read by libcurl.
 */
#include <curl/curl.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "sym/symstore_internal.h"

#define HTTP_CONNECT_TIMEOUT_S 10L
#define HTTP_TOTAL_TIMEOUT_S 1800L /* 1 GiB at ~600 kB/s */
#define HTTP_PTR_TIMEOUT_S 60L
#define HTTP_LOW_SPEED_BYTES 1024L /* slower than this ... */
#define HTTP_LOW_SPEED_TIME_S 60L  /* ... for this long: give up */
#define HTTP_MAX_REDIRECTS 5L
/* Microsoft's server answers clients that name themselves like SymSrv. */
#define HTTP_USER_AGENT "Microsoft-Symbol-Server/10.0.0.0 poolscope/0.1"

typedef struct sink {
	int fd;              /* a file, or -1 for memory */
	char *mem;
	size_t mem_cap;
	uint64_t written;
	uint64_t limit;
	int overflow;
	int write_failed;
} sink;

static size_t on_data(char *data, size_t size, size_t nmemb, void *ud)
{
	sink *k = ud;
	size_t n = size * nmemb;
	if (k->written + n > k->limit) {
		k->overflow = 1;
		return 0; /* makes libcurl stop with CURLE_WRITE_ERROR */
	}
	if (k->fd >= 0) {
		for (size_t done = 0; done < n;) {
			ssize_t w = write(k->fd, data + done, n - done);
			if (w < 0 && errno == EINTR)
				continue;
			if (w <= 0) {
				k->write_failed = errno ? errno : EIO;
				return 0;
			}
			done += (size_t)w;
		}
	} else {
		memcpy(k->mem + k->written, data, n);
	}
	k->written += n;
	return n;
}

typedef enum fetch_result {
	FETCH_OK,          /* HTTP 200, body in the sink */
	FETCH_NOTFOUND,    /* 404 (or 410) */
	FETCH_FAILED,      /* this request failed; others may work */
	FETCH_UNREACHABLE  /* the server cannot be reached at all */
} fetch_result;

/* Percent-encode what is not safe in a URL path (names are normally plain). */
static int build_url(char *buf, size_t n, const char *base, const char *rel)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t len = strlen(base);
	if (len + 2 >= n)
		return 0;
	memcpy(buf, base, len);
	buf[len++] = '/';
	for (const unsigned char *p = (const unsigned char *)rel; *p; p++) {
		int plain = (*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
			    (*p >= '0' && *p <= '9') || *p == '.' || *p == '_' || *p == '-' ||
			    *p == '~' || *p == '/';
		if (len + 4 >= n)
			return 0;
		if (plain) {
			buf[len++] = (char)*p;
		} else {
			buf[len++] = '%';
			buf[len++] = hex[*p >> 4];
			buf[len++] = hex[*p & 15];
		}
	}
	buf[len] = '\0';
	return 1;
}

static int is_connection_error(CURLcode rc)
{
	switch (rc) {
	case CURLE_COULDNT_RESOLVE_PROXY:
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_COULDNT_CONNECT:
	case CURLE_OPERATION_TIMEDOUT:
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SEND_ERROR:
	case CURLE_RECV_ERROR:
	case CURLE_GOT_NOTHING:
		return 1;
	default:
		return 0;
	}
}

static fetch_result fetch(CURL *c, ps_symsrv_http *srv, const char *url, sink *k, long timeout,
			  FILE *log, const char *what)
{
	char errbuf[CURL_ERROR_SIZE] = "";
	long status = 0;

	curl_easy_reset(c);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
	curl_easy_setopt(c, CURLOPT_USERAGENT, HTTP_USER_AGENT);
	curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 1L);
	curl_easy_setopt(c, CURLOPT_MAXREDIRS, HTTP_MAX_REDIRECTS);
#if LIBCURL_VERSION_NUM >= 0x075500
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
#else
	curl_easy_setopt(c, CURLOPT_PROTOCOLS, (long)(CURLPROTO_HTTP | CURLPROTO_HTTPS));
	curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS, (long)(CURLPROTO_HTTP | CURLPROTO_HTTPS));
#endif
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, HTTP_CONNECT_TIMEOUT_S);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, timeout);
	curl_easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, HTTP_LOW_SPEED_BYTES);
	curl_easy_setopt(c, CURLOPT_LOW_SPEED_TIME, HTTP_LOW_SPEED_TIME_S);
	curl_easy_setopt(c, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)k->limit);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, k);

	CURLcode rc = curl_easy_perform(c);
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
	const char *detail = errbuf[0] ? errbuf : curl_easy_strerror(rc);

	if (rc == CURLE_OK && status == 200) {
		ps_symlog(log, "GET %s - HTTP 200, %llu bytes%s", url,
			  (unsigned long long)k->written, what);
		return FETCH_OK;
	}
	if (rc == CURLE_OK && (status == 404 || status == 410)) {
		ps_symlog(log, "GET %s - HTTP %ld, not found", url, status);
		return FETCH_NOTFOUND;
	}
	if (rc == CURLE_OK) {
		ps_symlog(log, "GET %s - HTTP %ld, not used", url, status);
		return FETCH_FAILED;
	}
	if (k->overflow || rc == CURLE_FILESIZE_EXCEEDED) {
		ps_symlog(log, "GET %s - larger than %llu bytes, abandoned", url,
			  (unsigned long long)k->limit);
		return FETCH_FAILED;
	}
	if (k->write_failed) {
		ps_symlog(log, "GET %s - cannot write to the cache: %s", url,
			  strerror(k->write_failed));
		return FETCH_FAILED;
	}
	if (is_connection_error(rc) && status == 0) {
		snprintf(srv->why, sizeof srv->why, "%s", detail);
		srv->unreachable = 1;
		ps_symlog(log, "GET %s - cannot reach the server: %s (no network?); "
			  "this server is skipped until the symbol path is set again", url, detail);
		return FETCH_UNREACHABLE;
	}
	ps_symlog(log, "GET %s - failed: %s", url, detail);
	return FETCH_FAILED;
}

/* Download url into a temporary file beside `final`; on FETCH_OK the
 * temporary file's name is left in tmp for the caller to commit or use. */
static fetch_result fetch_to_temp(CURL *c, ps_symsrv_http *srv, const char *url,
				  const char *final, char *tmp, size_t tn, FILE *log,
				  const char *what)
{
	ps_error e;
	sink k = {.fd = -1, .limit = PS_SYM_MAX_FILE};
	if (ps_symfile_temp(final, tmp, tn, &k.fd, &e) != PS_OK) {
		ps_symlog(log, "GET %s - not tried: %s", url, e.message);
		return FETCH_FAILED;
	}
	fetch_result r = fetch(c, srv, url, &k, HTTP_TOTAL_TIMEOUT_S, log, what);
	if (close(k.fd) != 0 && r == FETCH_OK) {
		ps_symlog(log, "GET %s - cannot write to the cache: %s", url, strerror(errno));
		r = FETCH_FAILED;
	}
	if (r != FETCH_OK)
		unlink(tmp);
	return r;
}

/* Remove the key's directories again when nothing was stored in them. */
static void prune(const char *downstream, const ps_symsearch *s)
{
	char dir[PS_SYM_PATH_MAX];
	if (snprintf(dir, sizeof dir, "%s/%s/%s", downstream, s->name, s->id) < (int)sizeof dir &&
	    rmdir(dir) == 0 &&
	    snprintf(dir, sizeof dir, "%s/%s", downstream, s->name) < (int)sizeof dir)
		rmdir(dir);
}

static fetch_result try_plain(CURL *c, ps_symsearch *s, ps_symsrv_http *srv, const char *dst,
			      int *accepted)
{
	char url[PS_SYM_PATH_MAX], tmp[PS_SYM_PATH_MAX], what[PS_SYM_PATH_MAX + 16];
	ps_error e;
	if (!build_url(url, sizeof url, srv->url, s->rel))
		return FETCH_FAILED;
	snprintf(what, sizeof what, ", saved to %s", dst);
	fetch_result r = fetch_to_temp(c, srv, url, dst, tmp, sizeof tmp, s->log, what);
	if (r != FETCH_OK)
		return r;
	if (ps_symfile_commit(tmp, dst, &e) != PS_OK) {
		ps_symlog(s->log, "%s", e.message);
		return FETCH_FAILED;
	}
	*accepted = ps_symsearch_accept(s, dst, 1) == PS_OK;
	return r;
}

static fetch_result try_packed(CURL *c, ps_symsearch *s, ps_symsrv_http *srv, const char *dst,
			       int *accepted)
{
	char url[PS_SYM_PATH_MAX], tmp[PS_SYM_PATH_MAX], packed[PS_SYM_PATH_MAX];
	ps_error e;
	if (!build_url(url, sizeof url, srv->url, s->rel_packed))
		return FETCH_FAILED;
	/* The CAB itself is not kept: its temporary file sits beside dst. */
	const char *slash = strrchr(dst, '/');
	if (!slash || snprintf(packed, sizeof packed, "%.*s/%s", (int)(slash - dst), dst,
			       s->packed) >= (int)sizeof packed)
		return FETCH_FAILED;
	fetch_result r = fetch_to_temp(c, srv, url, packed, tmp, sizeof tmp, s->log, ", a CAB");
	if (r != FETCH_OK)
		return r;
	ps_status st = ps_cab_extract_single(tmp, s->name, dst, &e);
	unlink(tmp);
	if (st != PS_OK) {
		ps_symlog(s->log, "GET %s - cannot decompress: %s", url, e.message);
		return FETCH_FAILED;
	}
	ps_symlog(s->log, "GET %s - decompressed to %s", url, dst);
	*accepted = ps_symsearch_accept(s, dst, 1) == PS_OK;
	return r;
}

static fetch_result try_ptr(CURL *c, ps_symsearch *s, ps_symsrv_http *srv, const char *dst,
			    int *accepted)
{
	char url[PS_SYM_PATH_MAX], text[PS_SYM_PTR_MAX], target[PS_SYM_PATH_MAX], msg[512];
	ps_error e;
	if (!build_url(url, sizeof url, srv->url, s->rel_ptr))
		return FETCH_FAILED;
	sink k = {.fd = -1, .mem = text, .mem_cap = sizeof text, .limit = sizeof text};
	fetch_result r = fetch(c, srv, url, &k, HTTP_PTR_TIMEOUT_S, s->log, ", a file pointer");
	if (r != FETCH_OK)
		return r;
	ps_status st = ps_symptr_parse(text, (size_t)k.written, target, sizeof target, msg,
				       sizeof msg);
	if (st == PS_ENOTFOUND) {
		ps_symlog(s->log, "GET %s - message from the server: %s", url, msg);
		return FETCH_NOTFOUND;
	}
	if (st != PS_OK) {
		ps_symlog(s->log, "GET %s - not a file pointer (expected PATH:<path> or MSG:<text>)",
			  url);
		return FETCH_FAILED;
	}
	/* SymSrv reads the target as a path the client can open itself. */
	if (target[0] != '/' || !ps_symfile_is_regular(target)) {
		ps_symlog(s->log, "GET %s - points at '%s', which is not a file here", url, target);
		return FETCH_NOTFOUND;
	}
	if (ps_symfile_copy(target, dst, &e) != PS_OK) {
		ps_symlog(s->log, "GET %s - points at %s, which cannot be cached: %s", url, target,
			  e.message);
		return FETCH_FAILED;
	}
	ps_symlog(s->log, "GET %s - points at %s, copied to %s", url, target, dst);
	*accepted = ps_symsearch_accept(s, dst, 1) == PS_OK;
	return r;
}

ps_status ps_symsrv_http_find(ps_symsearch *s, ps_symsrv_http *srv, const char *downstream)
{
	char dst[PS_SYM_PATH_MAX];
	if (srv->unreachable) {
		ps_symlog(s->log, "%s - skipped: unreachable earlier (%s)", srv->url, srv->why);
		return PS_ENOTFOUND;
	}
	if (!downstream) {
		ps_symlog(s->log, "%s - skipped: no cache directory to download into "
			  "(use srv*DIR*URL or cache*DIR, or set HOME)", srv->url);
		return PS_ENOTFOUND;
	}
	if (ps_sympath_join(dst, sizeof dst, downstream, s->rel, NULL) != PS_OK)
		return PS_ENOTFOUND;

	CURL *c = curl_easy_init();
	if (!c) {
		ps_symlog(s->log, "%s - skipped: libcurl could not start", srv->url);
		return PS_ENOTFOUND;
	}
	fetch_result (*const tries[])(CURL *, ps_symsearch *, ps_symsrv_http *, const char *,
				      int *) = {try_plain, try_packed, try_ptr};
	int accepted = 0;
	for (size_t i = 0; i < sizeof tries / sizeof tries[0] && !accepted; i++) {
		fetch_result r = tries[i](c, s, srv, dst, &accepted);
		if (r == FETCH_UNREACHABLE || r == FETCH_OK)
			break; /* unreachable: nothing more to ask; OK: the file was the answer */
	}
	curl_easy_cleanup(c);
	if (!accepted)
		prune(downstream, s);
	return accepted ? PS_OK : PS_ENOTFOUND;
}
