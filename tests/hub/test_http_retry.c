/* Tests of hub/http_retry.c: which failures are retried, the back-off with jitter and Retry-After. */
#include "http_retry.h"
#include "test_util.h"

static void test_http_retry_classes(void **state)
{
	(void)state;
	assert_true(http_retryable_curl(CURLE_COULDNT_CONNECT));
	assert_true(http_retryable_curl(CURLE_GOT_NOTHING));
	assert_true(http_retryable_curl(CURLE_RECV_ERROR));
	assert_true(http_retryable_curl(CURLE_PARTIAL_FILE));
	assert_false(http_retryable_curl(CURLE_OK));
	assert_false(http_retryable_curl(CURLE_COULDNT_RESOLVE_HOST));
	assert_false(http_retryable_curl(CURLE_URL_MALFORMAT));
	assert_true(http_retryable_status(429));
	assert_true(http_retryable_status(500));
	assert_true(http_retryable_status(503));
	assert_false(http_retryable_status(200));
	assert_false(http_retryable_status(400));
	assert_false(http_retryable_status(401));
	assert_false(http_retryable_status(413));
}

static void test_http_retry_wait(void **state)
{
	(void)state;
	/* no jitter: the delay, capped; Retry-After wins when longer, also past the cap */
	assert_int_equal(http_retry_wait_ms(800, -1, 60000, NULL), 800);
	assert_int_equal(http_retry_wait_ms(120000, -1, 60000, NULL), 60000);
	assert_int_equal(http_retry_wait_ms(800, 3, 60000, NULL), 3000);
	assert_int_equal(http_retry_wait_ms(5000, 1, 60000, NULL), 5000);
	assert_int_equal(http_retry_wait_ms(100, 90, 60000, NULL), 90000);
	/* jitter: in [delay/2, delay), not constant, and never under Retry-After */
	unsigned seed = 7;
	long lo = 1 << 30, hi = 0;
	for (int i = 0; i < 1000; i++) {
		long w = http_retry_wait_ms(1000, -1, 60000, &seed);
		assert_true(w >= 500 && w < 1000);
		lo = w < lo ? w : lo;
		hi = w > hi ? w : hi;
		assert_true(http_retry_wait_ms(1000, 2, 60000, &seed) == 2000);
	}
	assert_true(hi - lo > 300);
}

static void test_http_retry_after_parse(void **state)
{
	(void)state;
	assert_int_equal(http_parse_retry_after(" 1\r\n"), 1);
	assert_int_equal(http_parse_retry_after("120"), 120);
	assert_int_equal(http_parse_retry_after("\t0"), 0);
	assert_int_equal(http_parse_retry_after(NULL), -1);
	assert_int_equal(http_parse_retry_after(""), -1);
	assert_int_equal(http_parse_retry_after("-5"), -1);
	assert_int_equal(http_parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT"), -1); /* HTTP-date: not used */
	assert_int_equal(http_parse_retry_after("999999"), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_http_retry_classes),
		cmocka_unit_test(test_http_retry_wait),
		cmocka_unit_test(test_http_retry_after_parse),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
