// Safe HTML for posts, rendered once at write time, in the shape Mastodon clients expect:
//   * paragraphs <p>…</p> split on blank lines, <br /> for single newlines (CRLF and CR count
//     as newlines; leading and trailing blank lines are dropped);
//   * every piece of text HTML-escaped (& < > " '), malformed UTF-8 replaced by U+FFFD;
//   * URLs as <a href="URL" rel="nofollow noopener noreferrer" target="_blank">URL</a>, only for
//     http(s) URLs and protocol-less domains (which get "http://"); anything else, javascript:
//     included, stays plain text;
//   * mentions as <span class="h-card"><a href="{base}/@{username}" class="u-url mention">
//     @<span>{username}</span></a></span>, only when the resolver knows the account, else plain
//     text; a list slug after a mention stays plain text;
//   * hashtags as <a href="{base}/tags/{tag}" class="mention hashtag" rel="tag">#<span>{tag}
//     </span></a>; Weibo topics the same with their closing '#' inside the link
//     (#<span>春节 快乐</span>#); cashtags stay plain text.
// Path segments in hrefs are percent-encoded (UTF-8, all but unreserved characters).
//
// Entities come from Extractor::ExtractEntities on the same text; entities that do not fit the
// text (out of range, overlapping, reversed) are ignored rather than trusted.
//
// Pure functions, thread-safe (the resolver is called on the caller's thread).
#pragma once

#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "text/extractor.h"

namespace plaza::text {

struct MentionTarget {
  std::string username;  // shown after '@' and used in the default href
  std::string url;       // href; empty means "{base_url}/@{username}"
};

// Given the name as written after '@', returns the account to link to, or nullopt when there is
// no such account (the mention then renders as plain text).
using MentionResolver = std::function<std::optional<MentionTarget>(std::string_view name)>;

struct RenderOptions {
  std::string base_url;  // e.g. "https://plaza.example", no trailing slash
};

std::string RenderStatusHtml(std::string_view text, std::span<const Entity> entities,
                             const RenderOptions& options, const MentionResolver& resolver);

// Escapes & < > " ' and replaces malformed UTF-8 and NUL with U+FFFD.
std::string EscapeHtml(std::string_view text);
void AppendEscapedHtml(std::string& out, std::string_view text);

// Percent-encodes every byte but A-Z a-z 0-9 - . _ ~ (for one URL path segment).
std::string PercentEncodePathSegment(std::string_view segment);

// The lookup key of a tag or topic: NFKC with Unicode case folding (utf8proc), runs of
// whitespace collapsed to one space, leading and trailing whitespace removed. "#Café" and
// "#ＣＡＦÉ" share a key. Malformed UTF-8 is replaced by U+FFFD first.
std::string NormalizeTag(std::string_view name);

}  // namespace plaza::text
