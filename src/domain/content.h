// Turns what a person typed into what Plaza stores: checks the Weibo length rule, extracts
// mentions and #topics#, and renders safe HTML once, at write time. Built on src/text.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/id.h"
#include "common/status.h"

namespace plaza::domain {

struct RenderedContent {
  std::string html;
  std::vector<Id> mention_ids;    // resolved local accounts, in order of appearance, unique
  std::vector<std::string> tags;  // normalized topic names, unique
  int weighted_length = 0;        // in Weibo characters (CJK 1, Latin 1/2, URL fixed)
};

// Resolves a mentioned username (without '@', possibly "user@domain") to a local account.
using MentionResolver = std::function<std::optional<Id>(std::string_view username)>;

struct ContentOptions {
  int max_chars = 140;
  std::string base_url;
  std::string local_domain;
};

// kUnprocessable when the text is over the limit; kInvalid when not valid UTF-8.
Result<RenderedContent> RenderContent(std::string_view text, const ContentOptions& options,
                                      const MentionResolver& resolve);
// Weibo length of `text` (CJK 1, Latin 1/2 rounded up, URLs fixed).
int WeiboLength(std::string_view text);
// Normalized key of a topic name as typed (case-folded, NFKC), for /tags/:name look-ups.
std::string NormalizeTopic(std::string_view name);

}  // namespace plaza::domain
