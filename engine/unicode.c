/*
 * unicode.c - character classes and mappings of Hugging Face's tokenizers
 * crate (BertNormalizer, BertPreTokenizer) and of Python's str.lower(), built
 * on libutf8proc's tables.
 *
 * Unicode versions: utf8proc ships its own tables (Unicode 15 for utf8proc
 * 2.8); the reference takes categories from the unicode_categories crate,
 * NFD from unicode-normalization-alignments and case mapping from Rust's std,
 * each with its own Unicode version.  They agree on every character of the
 * goldens; they can disagree only on code points assigned or recategorised in
 * recent Unicode versions (new emoji, new scripts).
 */
#include "unicode.h"

#include <utf8proc.h>

uint32_t unicode_decode(const uint8_t *s, size_t len, size_t *pos)
{
	size_t i = *pos;
	uint8_t b0 = s[i];
	if (b0 < 0x80) {
		*pos = i + 1;
		return b0;
	}
	size_t need;
	uint32_t c;
	uint8_t lo = 0x80, hi = 0xBF; /* allowed range of the first continuation byte */
	if (b0 >= 0xC2 && b0 <= 0xDF) {
		need = 1;
		c = b0 & 0x1Fu;
	} else if (b0 >= 0xE0 && b0 <= 0xEF) {
		need = 2;
		c = b0 & 0x0Fu;
		if (b0 == 0xE0)
			lo = 0xA0; /* overlong */
		else if (b0 == 0xED)
			hi = 0x9F; /* surrogates */
	} else if (b0 >= 0xF0 && b0 <= 0xF4) {
		need = 3;
		c = b0 & 0x07u;
		if (b0 == 0xF0)
			lo = 0x90; /* overlong */
		else if (b0 == 0xF4)
			hi = 0x8F; /* > U+10FFFF */
	} else {
		*pos = i + 1;
		return UNICODE_REPLACEMENT;
	}
	size_t k = 1;
	for (; k <= need; k++) {
		if (i + k >= len)
			break;
		uint8_t b = s[i + k];
		if (k == 1 ? (b < lo || b > hi) : (b < 0x80 || b > 0xBF))
			break;
		c = (c << 6) | (b & 0x3Fu);
	}
	if (k <= need) {
		/* maximal invalid prefix: the lead byte plus the continuations that were valid */
		*pos = i + k;
		return UNICODE_REPLACEMENT;
	}
	*pos = i + need + 1;
	return c;
}

size_t unicode_encode(uint32_t c, uint8_t out[4])
{
	if (c < 0x80) {
		out[0] = (uint8_t)c;
		return 1;
	}
	if (c < 0x800) {
		out[0] = (uint8_t)(0xC0 | (c >> 6));
		out[1] = (uint8_t)(0x80 | (c & 0x3F));
		return 2;
	}
	if (c < 0x10000) {
		out[0] = (uint8_t)(0xE0 | (c >> 12));
		out[1] = (uint8_t)(0x80 | ((c >> 6) & 0x3F));
		out[2] = (uint8_t)(0x80 | (c & 0x3F));
		return 3;
	}
	out[0] = (uint8_t)(0xF0 | (c >> 18));
	out[1] = (uint8_t)(0x80 | ((c >> 12) & 0x3F));
	out[2] = (uint8_t)(0x80 | ((c >> 6) & 0x3F));
	out[3] = (uint8_t)(0x80 | (c & 0x3F));
	return 4;
}

static utf8proc_propval_t category(uint32_t c)
{
	if (c > 0x10FFFF)
		return UTF8PROC_CATEGORY_CN;
	return utf8proc_category((utf8proc_int32_t)c);
}

int unicode_is_whitespace(uint32_t c)
{
	/* White_Space (PropList.txt), which is what Rust's char::is_whitespace tests. */
	if (c <= 0x7F)
		return (c >= 0x09 && c <= 0x0D) || c == 0x20;
	switch (c) {
	case 0x85: case 0xA0: case 0x1680: case 0x2028: case 0x2029:
	case 0x202F: case 0x205F: case 0x3000:
		return 1;
	default:
		return c >= 0x2000 && c <= 0x200A;
	}
}

int unicode_is_control(uint32_t c)
{
	if (c == '\t' || c == '\n' || c == '\r')
		return 0;
	utf8proc_propval_t cat = category(c);
	return cat == UTF8PROC_CATEGORY_CC || cat == UTF8PROC_CATEGORY_CF || cat == UTF8PROC_CATEGORY_CO;
}

int unicode_is_punct(uint32_t c)
{
	if ((c >= 33 && c <= 47) || (c >= 58 && c <= 64) || (c >= 91 && c <= 96) || (c >= 123 && c <= 126))
		return 1;
	if (c < 0x80)
		return 0;
	switch (category(c)) {
	case UTF8PROC_CATEGORY_PC: case UTF8PROC_CATEGORY_PD: case UTF8PROC_CATEGORY_PS:
	case UTF8PROC_CATEGORY_PE: case UTF8PROC_CATEGORY_PI: case UTF8PROC_CATEGORY_PF:
	case UTF8PROC_CATEGORY_PO:
		return 1;
	default:
		return 0;
	}
}

int unicode_is_cjk(uint32_t c)
{
	return (c >= 0x4E00 && c <= 0x9FFF) || (c >= 0x3400 && c <= 0x4DBF) || (c >= 0x20000 && c <= 0x2A6DF) ||
	       (c >= 0x2A700 && c <= 0x2B73F) || (c >= 0x2B740 && c <= 0x2B81F) ||
	       (c >= 0x2B920 && c <= 0x2CEAF) || /* sic: tokenizers' value, not 0x2B820 */
	       (c >= 0xF900 && c <= 0xFAFF) || (c >= 0x2F800 && c <= 0x2FA1F);
}

int unicode_is_py_space(uint32_t c)
{
	/* CPython's _PyUnicode_IsWhitespace: White_Space plus U+001C..U+001F (bidi B/S). */
	return unicode_is_whitespace(c) || (c >= 0x1C && c <= 0x1F);
}

int unicode_is_mn(uint32_t c)
{
	return category(c) == UTF8PROC_CATEGORY_MN;
}

int unicode_ccc(uint32_t c)
{
	if (c > 0x10FFFF)
		return 0;
	return utf8proc_get_property((utf8proc_int32_t)c)->combining_class;
}

size_t unicode_nfd_char(uint32_t c, uint32_t *out, size_t cap)
{
	if (c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF)) {
		if (cap < 1)
			return 0;
		out[0] = c;
		return 1;
	}
	int last_boundclass = 0;
	utf8proc_ssize_t n = utf8proc_decompose_char((utf8proc_int32_t)c, (utf8proc_int32_t *)out,
						     (utf8proc_ssize_t)cap, UTF8PROC_DECOMPOSE, &last_boundclass);
	if (n < 1 || (size_t)n > cap)
		return 0;
	return (size_t)n;
}

static uint32_t simple_lower(uint32_t c)
{
	if (c < 0x80)
		return (c >= 'A' && c <= 'Z') ? c + 32 : c;
	if (c > 0x10FFFF)
		return c;
	return (uint32_t)utf8proc_tolower((utf8proc_int32_t)c);
}

size_t unicode_lower_rust(uint32_t c, uint32_t out[2])
{
	/*
	 * utf8proc_tolower is the simple (1:1) mapping; Rust's to_lowercase
	 * applies SpecialCasing.txt's unconditional entries, whose only
	 * lowercase one is U+0130 LATIN CAPITAL LETTER I WITH DOT ABOVE.
	 */
	if (c == 0x130) {
		out[0] = 'i';
		out[1] = 0x307;
		return 2;
	}
	out[0] = simple_lower(c);
	return 1;
}

/*
 * Unicode "Cased" (DerivedCoreProperties): Lowercase or Uppercase or Lt.
 * Categories Ll/Lu/Lt plus the Other_Lowercase / Other_Uppercase ranges of
 * PropList.txt that are not already Ll/Lu (modifier letters, circled and
 * parenthesised letters, Roman numerals...).  Only used for Final_Sigma.
 */
static int is_cased(uint32_t c)
{
	utf8proc_propval_t cat = category(c);
	if (cat == UTF8PROC_CATEGORY_LL || cat == UTF8PROC_CATEGORY_LU || cat == UTF8PROC_CATEGORY_LT)
		return 1;
	static const uint32_t other[][2] = {
		{0x00AA, 0x00AA}, {0x00BA, 0x00BA}, {0x02B0, 0x02B8}, {0x02C0, 0x02C1}, {0x02E0, 0x02E4},
		{0x0345, 0x0345}, {0x037A, 0x037A}, {0x10FC, 0x10FC}, {0x1D2C, 0x1D6A}, {0x1D78, 0x1D78},
		{0x1D9B, 0x1DBF}, {0x2071, 0x2071}, {0x207F, 0x207F}, {0x2090, 0x209C}, {0x2160, 0x217F},
		{0x24B6, 0x24E9}, {0x2C7C, 0x2C7D}, {0xA69C, 0xA69D}, {0xA770, 0xA770}, {0xA7F2, 0xA7F4},
		{0xA7F8, 0xA7F9}, {0xAB5C, 0xAB5F}, {0xAB69, 0xAB69}, {0x10780, 0x107BA}, {0x1E030, 0x1E06D},
		{0x1F130, 0x1F149}, {0x1F150, 0x1F169}, {0x1F170, 0x1F189},
	};
	for (size_t i = 0; i < sizeof other / sizeof other[0]; i++)
		if (c >= other[i][0] && c <= other[i][1])
			return 1;
	return 0;
}

/*
 * Unicode "Case_Ignorable": categories Mn, Me, Cf, Lm, Sk, or Word_Break
 * MidLetter / MidNumLet / Single_Quote (WordBreakProperty.txt).
 */
static int is_case_ignorable(uint32_t c)
{
	switch (c) {
	case 0x0027: case 0x002E: case 0x003A: case 0x00B7: case 0x0387: case 0x055F: case 0x05F4:
	case 0x2018: case 0x2019: case 0x2024: case 0x2027: case 0xFE13: case 0xFE52: case 0xFE55:
	case 0xFF07: case 0xFF0E: case 0xFF1A:
		return 1;
	default:
		break;
	}
	utf8proc_propval_t cat = category(c);
	return cat == UTF8PROC_CATEGORY_MN || cat == UTF8PROC_CATEGORY_ME || cat == UTF8PROC_CATEGORY_CF ||
	       cat == UTF8PROC_CATEGORY_LM || cat == UTF8PROC_CATEGORY_SK;
}

/* Final_Sigma lookahead: no cased letter follows after case-ignorable characters. */
static int sigma_is_final_ahead(const uint8_t *s, size_t len, size_t pos)
{
	while (pos < len) {
		uint32_t c = unicode_decode(s, len, &pos);
		if (!is_case_ignorable(c))
			return !is_cased(c);
	}
	return 1;
}

size_t unicode_py_lower(const uint8_t *s, size_t len, uint8_t *out)
{
	size_t pos = 0, o = 0;
	/* Final_Sigma lookbehind state: the last non-case-ignorable original char was cased. */
	int prev_cased = 0;
	while (pos < len) {
		uint32_t c = unicode_decode(s, len, &pos);
		uint32_t m[2];
		size_t nm;
		if (c == 0x3A3) {
			/* as CPython's handle_capital_sigma: \p{cased}\p{ci}* SIGMA !(\p{ci}*\p{cased}) */
			m[0] = (prev_cased && sigma_is_final_ahead(s, len, pos)) ? 0x3C2 : 0x3C3;
			nm = 1;
		} else {
			nm = unicode_lower_rust(c, m);
		}
		if (!is_case_ignorable(c))
			prev_cased = is_cased(c);
		for (size_t k = 0; k < nm; k++)
			o += unicode_encode(m[k], out + o);
	}
	return o;
}
