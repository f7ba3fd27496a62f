/*
 * unicode.h - the Unicode pieces the BERT tokenizer needs: UTF-8 decoding
 * with U+FFFD for invalid bytes, the character classes of Hugging Face's
 * tokenizers crate (control, whitespace, punctuation, CJK), NFD with
 * non-spacing marks dropped, Rust char::to_lowercase, and Python str.lower().
 *
 * Tables come from libutf8proc (general categories, canonical decomposition,
 * simple case mapping); the few places where the reference behaviour is not
 * a plain table look-up are explicit special cases in unicode.c.
 * Everything here is pure (no state), so it is thread-safe.
 */
#ifndef UNICODE_H
#define UNICODE_H

#include <stddef.h>
#include <stdint.h>

#define UNICODE_REPLACEMENT 0xFFFDu

/*
 * Decode one code point from s[*pos .. len) and advance *pos (by at least 1
 * when *pos < len).  Invalid input (bad lead byte, truncated or overlong
 * sequence, surrogate, > U+10FFFF) yields U+FFFD for each maximal invalid
 * prefix, as Rust's String::from_utf8_lossy and the WHATWG decoder do.
 */
uint32_t unicode_decode(const uint8_t *s, size_t len, size_t *pos);

/* Encode c (<= U+10FFFF, not a surrogate) as UTF-8 into out[0..4); returns the byte count (1-4). */
size_t unicode_encode(uint32_t c, uint8_t out[4]);

/* Rust char::is_whitespace: the Unicode White_Space property. */
int unicode_is_whitespace(uint32_t c);

/*
 * tokenizers' BertNormalizer is_control: general category Cc, Cf or Co
 * (unicode_categories' is_other), except \t \n \r, which count as whitespace.
 * Unassigned code points (Cn) are NOT control: the crate's is_other() omits Cn.
 */
int unicode_is_control(uint32_t c);

/* BertPreTokenizer punctuation: ASCII 33-47, 58-64, 91-96, 123-126, or general category P*. */
int unicode_is_punct(uint32_t c);

/*
 * tokenizers' is_chinese_char: the CJK ideograph ranges of the Rust
 * implementation, including its 0x2B920 start for the fifth range (Google BERT
 * and the Python tokenizer use 0x2B820), so U+2B820..U+2B91F are not isolated.
 */
int unicode_is_cjk(uint32_t c);

/* Python str.isspace() (bidi class WS/B/S or category Zs), used by str.strip(). */
int unicode_is_py_space(uint32_t c);

/* 1 if general category is Mn (what BertNormalizer's strip_accents deletes after NFD). */
int unicode_is_mn(uint32_t c);

/* Canonical combining class (0 for starters). */
int unicode_ccc(uint32_t c);

/*
 * Canonical (NFD) decomposition of one code point, fully recursive, Hangul
 * included, into out[0..cap).  Returns the count (>= 1), or 0 if cap is too
 * small (UNICODE_DECOMP_MAX always suffices).  The result is not reordered
 * across code points; the caller reorders runs of non-starters.
 */
#define UNICODE_DECOMP_MAX 8
size_t unicode_nfd_char(uint32_t c, uint32_t *out, size_t cap);

/*
 * Rust char::to_lowercase (full mapping, no context): writes 1 or 2 code
 * points into out and returns the count.  The only multi-character
 * unconditional lowercase mapping in SpecialCasing.txt is U+0130 -> "i\u0307".
 */
size_t unicode_lower_rust(uint32_t c, uint32_t out[2]);

/*
 * Python str.lower() of UTF-8 text: full lowercase mapping plus the
 * Final_Sigma rule for U+03A3 (as CPython's handle_capital_sigma).  Invalid
 * bytes become U+FFFD.  Writes at most 3 * len bytes (a lowercase mapping at
 * most adds half the UTF-8 length; a single invalid byte becomes the 3 bytes
 * of U+FFFD) into out, which must have that room; returns the bytes written.
 */
size_t unicode_py_lower(const uint8_t *s, size_t len, uint8_t *out);

#endif
