// Weighted post length after twitter-text v3 ("parseTweet"), and Plaza's Weibo length rule.
//
// A WeightConfig is data: the config-v*.json format of twitter-text (ranges of code points with
// weights, a scale, a default weight, emoji parsing, the fixed length of a URL). Each code point
// weighs the weight of the first range containing it, else defaultWeight; each URL (as the
// extractor finds it, with or without protocol) weighs transformedURLLength * scale; with emoji
// parsing on, each emoji sequence weighs defaultWeight. Text is NFC-normalized first.
//
// Index units follow the conformance suite: ParseResult's ranges are UTF-16 code-unit indices
// (inclusive) into the original text, as twitter-text reports them.
//
// Weibo: a CJK character counts 1 and a Latin one 1/2, i.e. the v3 weighted length divided by 2.
// WeiboLength() reports that length (rounded up) and checks it against a limit (140 by default).
//
// All functions are pure and thread-safe. Malformed UTF-8 is read as U+FFFD and never crashes.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "text/extractor.h"

namespace plaza::text {

struct WeightRange {
  char32_t start = 0;  // inclusive
  char32_t end = 0;    // inclusive
  int weight = 0;
};

struct WeightConfig {
  int version = 3;
  int max_weighted_tweet_length = 280;
  int scale = 100;
  int default_weight = 200;
  bool emoji_parsing_enabled = true;
  int transformed_url_length = 23;
  std::vector<WeightRange> ranges;

  // Parses the JSON of twitter-text's config-v*.json. Missing keys take v1-era defaults where
  // the file format allows omitting them (emojiParsingEnabled: false, ranges: none); version,
  // maxWeightedTweetLength, scale, defaultWeight and transformedURLLength are required.
  static Result<WeightConfig> FromJson(std::string_view json);

  // The built-in twitter-text v3 configuration (what Plaza uses).
  static const WeightConfig& V3();
};

struct ParseResult {
  int weighted_length = 0;  // in units of the config (scaled weight / scale, rounded down)
  bool valid = false;       // non-empty, within max_weighted_tweet_length, no invalid characters
  int permillage = 0;
  int display_range_start = 0;  // UTF-16 indices, inclusive
  int display_range_end = 0;
  int valid_range_start = 0;
  int valid_range_end = 0;
  // Plaza additions.
  int64_t scaled_weight = 0;  // the exact sum of weights before dividing by scale
  bool has_invalid_characters = false;  // U+FFFE, U+FEFF or U+FFFF present
};

// twitter-text's parseTweet. URLs are found by `extractor` (its TLD set matters).
ParseResult ParseTweet(std::string_view text, const WeightConfig& config = WeightConfig::V3(),
                       const Extractor& extractor = Extractor::Default());
// The same, and `extractor.ExtractEntities(text, entity_options)` into `entities`: a text in NFC
// (nearly every text) is decoded and its URLs found once for both.
ParseResult ParseTweet(std::string_view text, const WeightConfig& config,
                       const Extractor& extractor, const ExtractOptions& entity_options,
                       std::vector<Entity>& entities);

// twitter-text's isValidTweetText: non-empty, weighted length within the config's maximum,
// no invalid characters.
bool IsValidTweet(std::string_view text, const WeightConfig& config = WeightConfig::V3(),
                  const Extractor& extractor = Extractor::Default());

struct WeiboLengthResult {
  int length = 0;      // Weibo characters: ceil(v3 weighted length / 2)
  bool valid = false;  // has non-whitespace content, no invalid characters, length <= limit
};

inline constexpr int kDefaultWeiboLimit = 140;

// Plaza's length rule. `config` is normally V3(); its weights define a Latin half-character as
// one weighted unit.
WeiboLengthResult WeiboLength(std::string_view text, int limit = kDefaultWeiboLimit,
                              const WeightConfig& config = WeightConfig::V3(),
                              const Extractor& extractor = Extractor::Default());
// The same, and the text's entities into `entities` (see ParseTweet): what a post needs of both.
WeiboLengthResult WeiboLength(std::string_view text, int limit, const WeightConfig& config,
                              const Extractor& extractor, const ExtractOptions& entity_options,
                              std::vector<Entity>& entities);

}  // namespace plaza::text
