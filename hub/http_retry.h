/*
 * http_retry.h - the retry rules shared by ceval's HTTP clients (hub
 * downloads, hub/hub_download.c; the embeddings API client,
 * cli/backend_api.c): which failures are worth another attempt, and how long
 * to wait before it.
 *
 * Pure functions; no state.
 */
#ifndef HTTP_RETRY_H
#define HTTP_RETRY_H

#include <curl/curl.h>

/* 1 when a transfer that failed with cc (dropped, refused, timed out) may succeed on another attempt. */
int http_retryable_curl(CURLcode cc);

/* 1 for the HTTP statuses that ask for a later attempt: 429 and 5xx (any status from 500 up). */
int http_retryable_status(long status);

/*
 * The wait before the next attempt, in ms: delay_ms scaled by a jitter in
 * [0.5, 1.0) drawn from *seed (NULL = no jitter), but never less than the
 * server's Retry-After (retry_after_s >= 0; -1 when it sent none), and at
 * most cap_ms unless Retry-After asks for more.
 */
long http_retry_wait_ms(long delay_ms, long retry_after_s, long cap_ms, unsigned *seed);

/* A Retry-After header value in seconds (delta-seconds form), -1 when absent or not a number. */
long http_parse_retry_after(const char *val);

#endif
