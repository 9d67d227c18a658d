// Validation of single tokens after twitter-text (validate.yml of its conformance suite):
// usernames, lists, hashtags and URLs. Tweets are validated by IsValidTweet in
// weighted_length.h. These always use twitter-text's rules (no Weibo extensions): they answer
// "is this string exactly one valid token".
//
// Pure functions, thread-safe; malformed UTF-8 is never valid and never crashes.
#pragma once

#include <string_view>

#include "text/extractor.h"

namespace plaza::text {

// "@name": exactly one mention, the whole string.
bool IsValidUsername(std::string_view text, const Extractor& extractor = Extractor::Default());
// "@name/list" with nothing before or after.
bool IsValidList(std::string_view text);
// "#tag": exactly one hashtag, the whole string.
bool IsValidHashtag(std::string_view text, const Extractor& extractor = Extractor::Default());
// A URL per twitter-text's isValidUrl (RFC 3986 shaped; http or https when a protocol is
// required; Unicode domains allowed unless unicode_domains is false).
bool IsValidUrl(std::string_view url, bool unicode_domains = true, bool require_protocol = true);

}  // namespace plaza::text
