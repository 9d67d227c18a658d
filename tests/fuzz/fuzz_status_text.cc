// A post's text through everything that reads it before it is stored: the weighted length and
// entities (plaza_text), the HTML rendering, tag normalization and the moderation normalizer
// (plaza_safety). The server hands them any valid UTF-8 a client sends, so none may crash, and
// each fast path is held to the slower path it must agree with:
//   - ParseTweet/WeiboLength with entities (one decode for both) == each on its own;
//   - every entity lies inside the text, in order, without overlaps, its byte range on code point
//     boundaries and its code point range matching it; its value is in its range (a URL's as
//     twitter-text builds it, below);
//   - the rendered HTML and escaped text are valid UTF-8, and escaping leaves no markup
//     character;
//   - Normalizer::Normalize == Normalizer::NormalizeReference, unit for unit;
//   - the moderation verdict over the evaluation rule set (tests/unit/safety/data) is the same
//     with the word-start index as without it, its match spans lie on code point boundaries in
//     the text, and masking them leaves valid UTF-8.
// The input's first byte selects whether Weibo extensions are on; the rest is the text.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/utf8.h"
#include "safety/moderation_engine.h"
#include "safety/normalizer.h"
#include "safety/rules.h"
#include "text/extractor.h"
#include "text/html.h"
#include "text/weighted_length.h"

namespace {

using plaza::text::Entity;
using plaza::text::EntityType;

void Check(bool ok) {
  if (!ok) std::abort();
}

bool IsContinuationByte(char c) { return (static_cast<unsigned char>(c) & 0xC0) == 0x80; }

// Whether [begin, end) is a non-empty range of `text` that starts and ends on code points.
bool IsCodePointRange(std::string_view text, size_t begin, size_t end) {
  return begin < end && end <= text.size() && !IsContinuationByte(text[begin]) &&
         (end == text.size() || !IsContinuationByte(text[end]));
}

// True when `value` is a prefix of `slice` followed by a suffix of it.
bool SplitsAround(std::string_view slice, std::string_view value) {
  if (value.size() > slice.size()) return false;
  for (size_t k = 0; k <= value.size(); ++k) {
    if (slice.starts_with(value.substr(0, k)) && slice.ends_with(value.substr(k))) return true;
  }
  return false;
}

void CheckEntities(std::string_view text, const std::vector<Entity>& entities) {
  size_t last_end = 0;
  for (const Entity& e : entities) {
    Check(IsCodePointRange(text, e.byte_start, e.byte_end));
    Check(e.start < e.end && e.byte_start >= last_end);
    Check(plaza::CountCodePoints(text.substr(0, e.byte_start)) == e.start);
    std::string_view slice = text.substr(e.byte_start, e.byte_end - e.byte_start);
    Check(plaza::CountCodePoints(slice) == e.end - e.start);
    Check(!e.value.empty() && plaza::IsValidUtf8(e.value));
    switch (e.type) {
      case EntityType::kUrl:
        // As written, except that a protocol-less URL whose domain holds ASCII domains among
        // other characters is the last of them plus the path (twitter-text's extractUrls): its
        // range starts at that domain and the characters before the path are not in its value.
        Check(SplitsAround(slice, e.value));
        break;
      case EntityType::kMention:
      case EntityType::kHashtag:
      case EntityType::kCashtag:
        Check(slice.find(e.value) != std::string_view::npos);
        break;
    }
    last_end = e.byte_end;
  }
}

void CheckNormalizer(std::string_view text) {
  static const auto normalizer = [] {
    auto n = plaza::safety::Normalizer::Default();
    Check(n.ok());
    return *n;
  }();
  plaza::safety::NormalizedText fast, reference;
  Check(normalizer->Normalize(text, fast));
  normalizer->NormalizeReference(text, reference);
  Check(fast.bytes == reference.bytes && fast.word_starts == reference.word_starts);
  Check(fast.units.size() == reference.units.size());
  for (size_t i = 0; i < fast.units.size(); ++i) {
    const auto& a = fast.units[i];
    const auto& b = reference.units[i];
    Check(a.orig_begin == b.orig_begin && a.orig_end == b.orig_end &&
          a.byte_begin == b.byte_begin && a.group_begin == b.group_begin &&
          a.group_end == b.group_end && a.flags == b.flags);
    Check(a.orig_begin < a.orig_end && a.orig_end <= text.size());
  }
  Check(plaza::IsValidUtf8(fast.bytes));
}

void CheckModeration(std::string_view text) {
  static const auto sets = [] {
    auto normalizer = plaza::safety::Normalizer::Default();
    auto rules = plaza::safety::LoadRulesFile(PLAZA_FUZZ_RULES);
    Check(normalizer.ok() && rules.ok());
    plaza::safety::CompileOptions unindexed;
    unindexed.word_start_index = false;
    auto indexed_set = plaza::safety::CompiledRules::Compile(*rules, *normalizer);
    auto unindexed_set = plaza::safety::CompiledRules::Compile(*rules, *normalizer, {}, unindexed);
    Check(indexed_set.ok() && unindexed_set.ok());
    return std::make_pair(*indexed_set, *unindexed_set);
  }();
  auto indexed = plaza::safety::CompiledRules::Check(sets.first, text);
  auto unindexed = plaza::safety::CompiledRules::Check(sets.second, text);
  Check(indexed.ok() && unindexed.ok());
  Check(indexed->action == unindexed->action && indexed->rules == unindexed->rules);
  Check(indexed->matches.size() == unindexed->matches.size());
  for (size_t i = 0; i < indexed->matches.size(); ++i) {
    const auto& a = indexed->matches[i];
    const auto& b = unindexed->matches[i];
    Check(a.begin == b.begin && a.end == b.end && a.rule == b.rule);
    Check(IsCodePointRange(text, a.begin, a.end));
  }
  Check(plaza::IsValidUtf8(plaza::safety::Mask(text, *indexed)));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  plaza::text::ExtractOptions options;
  options.weibo_extensions = (data[0] & 1) != 0;
  std::string_view text(reinterpret_cast<const char*>(data) + 1, size - 1);
  if (!plaza::IsValidUtf8(text)) return 0;  // the server answers 422 before any of this

  const auto& extractor = plaza::text::Extractor::Default();
  const auto& config = plaza::text::WeightConfig::V3();
  std::vector<Entity> together;
  plaza::text::ParseResult parsed =
      plaza::text::ParseTweet(text, config, extractor, options, together);
  plaza::text::ParseResult alone = plaza::text::ParseTweet(text, config, extractor);
  std::vector<Entity> entities = extractor.ExtractEntities(text, options);
  Check(parsed.weighted_length == alone.weighted_length && parsed.valid == alone.valid &&
        parsed.scaled_weight == alone.scaled_weight &&
        parsed.display_range_end == alone.display_range_end &&
        parsed.valid_range_end == alone.valid_range_end);
  Check(together == entities);
  CheckEntities(text, entities);

  std::vector<Entity> weibo_entities;
  auto weibo = plaza::text::WeiboLength(text, plaza::text::kDefaultWeiboLimit, config, extractor,
                                        options, weibo_entities);
  auto weibo_alone = plaza::text::WeiboLength(text);
  Check(weibo.length == weibo_alone.length && weibo.valid == weibo_alone.valid);
  Check(weibo_entities == entities);

  plaza::text::RenderOptions render;
  render.base_url = "https://plaza.example";
  int resolved = 0;
  std::string html = plaza::text::RenderStatusHtml(
      text, entities, render,
      [&resolved](std::string_view name) -> std::optional<plaza::text::MentionTarget> {
        if (++resolved % 2 == 0) return std::nullopt;
        return plaza::text::MentionTarget{std::string(name), ""};
      });
  Check(plaza::IsValidUtf8(html));
  std::string escaped = plaza::text::EscapeHtml(text);
  Check(plaza::IsValidUtf8(escaped));
  Check(escaped.find_first_of("<>\"'") == std::string::npos);

  for (const Entity& e : entities) {
    if (e.type == EntityType::kHashtag) {
      Check(plaza::IsValidUtf8(plaza::text::NormalizeTag(e.value)));
    }
  }
  CheckNormalizer(text);
  CheckModeration(text);
  return 0;
}
