/* http_retry.c - see http_retry.h. */
#include "http_retry.h"

#include <ctype.h>
#include <stdlib.h>

int http_retryable_curl(CURLcode cc)
{
	switch (cc) {
	case CURLE_COULDNT_CONNECT:
	case CURLE_PARTIAL_FILE:
	case CURLE_OPERATION_TIMEDOUT:
	case CURLE_SEND_ERROR:
	case CURLE_RECV_ERROR:
	case CURLE_GOT_NOTHING:
	case CURLE_HTTP2:
	case CURLE_HTTP2_STREAM:
	case CURLE_SSL_CONNECT_ERROR:
		return 1;
	default:
		return 0;
	}
}

int http_retryable_status(long status) { return status == 429 || status >= 500; }

long http_retry_wait_ms(long delay_ms, long retry_after_s, long cap_ms, unsigned *seed)
{
	long w = delay_ms > cap_ms ? cap_ms : delay_ms;
	if (seed) {
		*seed = *seed * 1103515245u + 12345u;
		double j = 0.5 + 0.5 * (double)((*seed >> 8) & 0xffff) / 65536.0;
		w = (long)((double)w * j);
	}
	if (retry_after_s >= 0 && retry_after_s * 1000 > w)
		w = retry_after_s * 1000;
	return w;
}

long http_parse_retry_after(const char *val)
{
	if (!val)
		return -1;
	while (*val == ' ' || *val == '\t')
		val++;
	if (!isdigit((unsigned char)*val))
		return -1;
	char *end;
	long v = strtol(val, &end, 10);
	return v < 0 || v > 86400 ? -1 : v;
}
