#include "text/weighted_length.h"

#include <unicode/bytestream.h>
#include <unicode/normalizer2.h>

#include <cmath>
#include <string>
#include <utility>

#include "common/utf8.h"
#include "text/unicode.h"

namespace plaza::text {
namespace {

using internal::CodePoints;

// A minimal JSON reader for the config files: enough JSON to read any well-formed document
// (strings with escapes, numbers, literals, nesting), kept private to this file.
struct JsonValue {
  enum class Kind { kNull, kBool, kNumber, kString, kArray, kObject };
  Kind kind = Kind::kNull;
  bool boolean = false;
  double number = 0;
  std::string string;
  std::vector<JsonValue> array;
  // An object's members, keys[i] naming values[i] (two vectors: a vector of pairs would hold a
  // std::pair of this still incomplete type, which clang with libstdc++ rejects).
  std::vector<std::string> keys;
  std::vector<JsonValue> values;

  const JsonValue* Find(std::string_view key) const {
    for (size_t i = 0; i < keys.size(); ++i) {
      if (keys[i] == key) return &values[i];
    }
    return nullptr;
  }
};

class JsonReader {
 public:
  explicit JsonReader(std::string_view s) : s_(s) {}

  Result<JsonValue> Read() {
    JsonValue v;
    if (!Value(v, 0)) return Status::Invalid("config JSON: " + error_);
    SkipSpace();
    if (i_ != s_.size()) return Status::Invalid("config JSON: trailing characters");
    return v;
  }

 private:
  bool Fail(std::string m) {
    error_ = std::move(m) + " at offset " + std::to_string(i_);
    return false;
  }
  void SkipSpace() {
    while (i_ < s_.size() && (s_[i_] == ' ' || s_[i_] == '\t' || s_[i_] == '\n' || s_[i_] == '\r')) {
      ++i_;
    }
  }
  bool Literal(std::string_view word) {
    if (s_.substr(i_, word.size()) != word) return Fail("bad literal");
    i_ += word.size();
    return true;
  }
  bool String(std::string& out) {
    ++i_;  // opening quote
    while (i_ < s_.size() && s_[i_] != '"') {
      char c = s_[i_++];
      if (static_cast<unsigned char>(c) < 0x20) return Fail("control character in string");
      if (c != '\\') {
        out += c;
        continue;
      }
      if (i_ >= s_.size()) return Fail("bad escape");
      char e = s_[i_++];
      switch (e) {
        case '"': case '\\': case '/': out += e; break;
        case 'b': out += '\b'; break;
        case 'f': out += '\f'; break;
        case 'n': out += '\n'; break;
        case 'r': out += '\r'; break;
        case 't': out += '\t'; break;
        case 'u': {
          if (i_ + 4 > s_.size()) return Fail("bad \\u escape");
          char32_t cp = 0;
          for (int k = 0; k < 4; ++k) {
            char h = s_[i_++];
            cp <<= 4;
            if (h >= '0' && h <= '9') cp |= h - '0';
            else if (h >= 'a' && h <= 'f') cp |= h - 'a' + 10;
            else if (h >= 'A' && h <= 'F') cp |= h - 'A' + 10;
            else return Fail("bad \\u escape");
          }
          internal::AppendUtf8(out, cp >= 0xD800 && cp <= 0xDFFF ? 0xFFFD : cp);
          break;
        }
        default:
          return Fail("bad escape");
      }
    }
    if (i_ >= s_.size()) return Fail("unterminated string");
    ++i_;
    return true;
  }
  bool Number(double& out) {
    size_t b = i_;
    if (i_ < s_.size() && s_[i_] == '-') ++i_;
    while (i_ < s_.size() && ((s_[i_] >= '0' && s_[i_] <= '9') || s_[i_] == '.' || s_[i_] == 'e' ||
                              s_[i_] == 'E' || s_[i_] == '+' || s_[i_] == '-')) {
      ++i_;
    }
    std::string num(s_.substr(b, i_ - b));
    char* end = nullptr;
    out = std::strtod(num.c_str(), &end);
    if (num.empty() || end != num.c_str() + num.size() || !std::isfinite(out)) {
      return Fail("bad number");
    }
    return true;
  }
  bool Value(JsonValue& v, int depth) {
    if (depth > 32) return Fail("nesting too deep");
    SkipSpace();
    if (i_ >= s_.size()) return Fail("unexpected end");
    char c = s_[i_];
    if (c == '{') {
      v.kind = JsonValue::Kind::kObject;
      ++i_;
      SkipSpace();
      if (i_ < s_.size() && s_[i_] == '}') {
        ++i_;
        return true;
      }
      while (true) {
        SkipSpace();
        if (i_ >= s_.size() || s_[i_] != '"') return Fail("expected key");
        std::string key;
        if (!String(key)) return false;
        SkipSpace();
        if (i_ >= s_.size() || s_[i_] != ':') return Fail("expected ':'");
        ++i_;
        JsonValue member;
        if (!Value(member, depth + 1)) return false;
        v.keys.push_back(std::move(key));
        v.values.push_back(std::move(member));
        SkipSpace();
        if (i_ < s_.size() && s_[i_] == ',') {
          ++i_;
          continue;
        }
        if (i_ < s_.size() && s_[i_] == '}') {
          ++i_;
          return true;
        }
        return Fail("expected ',' or '}'");
      }
    }
    if (c == '[') {
      v.kind = JsonValue::Kind::kArray;
      ++i_;
      SkipSpace();
      if (i_ < s_.size() && s_[i_] == ']') {
        ++i_;
        return true;
      }
      while (true) {
        JsonValue item;
        if (!Value(item, depth + 1)) return false;
        v.array.push_back(std::move(item));
        SkipSpace();
        if (i_ < s_.size() && s_[i_] == ',') {
          ++i_;
          continue;
        }
        if (i_ < s_.size() && s_[i_] == ']') {
          ++i_;
          return true;
        }
        return Fail("expected ',' or ']'");
      }
    }
    if (c == '"') {
      v.kind = JsonValue::Kind::kString;
      return String(v.string);
    }
    if (c == 't') {
      v.kind = JsonValue::Kind::kBool;
      v.boolean = true;
      return Literal("true");
    }
    if (c == 'f') {
      v.kind = JsonValue::Kind::kBool;
      return Literal("false");
    }
    if (c == 'n') return Literal("null");
    v.kind = JsonValue::Kind::kNumber;
    return Number(v.number);
  }

  std::string_view s_;
  size_t i_ = 0;
  std::string error_;
};

Status ReadInt(const JsonValue& obj, std::string_view key, bool required, int& out) {
  const JsonValue* v = obj.Find(key);
  if (v == nullptr) {
    return required ? Status::Invalid("config: missing \"" + std::string(key) + "\"") : Status::Ok();
  }
  if (v->kind != JsonValue::Kind::kNumber || v->number != std::floor(v->number) ||
      v->number < -2147483648.0 || v->number > 2147483647.0) {
    return Status::Invalid("config: \"" + std::string(key) + "\" must be an integer");
  }
  out = static_cast<int>(v->number);
  return Status::Ok();
}

// NFC as twitter-text applies it (String.prototype.normalize()).
std::string_view Nfc(std::string_view text, std::string& storage) {
  bool ascii = true;
  for (unsigned char c : text) ascii &= c < 0x80;
  if (ascii) return text;
  std::string_view input = text;
  std::string sanitized;
  if (!IsValidUtf8(text)) {
    internal::AppendSanitizedUtf8(sanitized, text);
    input = sanitized;
  }
  UErrorCode status = U_ZERO_ERROR;
  const icu::Normalizer2* nfc = icu::Normalizer2::getNFCInstance(status);
  if (U_FAILURE(status)) return text;
  icu::StringPiece piece(input.data(), static_cast<int32_t>(input.size()));
  if (nfc->isNormalizedUTF8(piece, status) && U_SUCCESS(status)) {
    if (input.data() == text.data()) return text;
    storage = std::move(sanitized);
    return storage;
  }
  status = U_ZERO_ERROR;
  storage.clear();
  icu::StringByteSink<std::string> sink(&storage);
  nfc->normalizeUTF8(0, piece, sink, nullptr, status);
  if (U_FAILURE(status)) return text;
  return storage;
}

int Utf16Length(std::string_view text) {
  // Every lead or ASCII byte starts one code unit; 4-byte sequences need a surrogate pair.
  int n = 0;
  for (unsigned char c : text) {
    if ((c & 0xC0) != 0x80) ++n;
    if (c >= 0xF0) ++n;
  }
  return n;
}

int WeightOf(char32_t c, const WeightConfig& config) {
  for (const auto& r : config.ranges) {
    if (c >= r.start && c <= r.end) return r.weight;
  }
  return config.default_weight;
}

}  // namespace

Result<WeightConfig> WeightConfig::FromJson(std::string_view json) {
  PLAZA_ASSIGN_OR_RETURN(JsonValue root, JsonReader(json).Read());
  if (root.kind != JsonValue::Kind::kObject) return Status::Invalid("config: not an object");
  WeightConfig c;
  c.emoji_parsing_enabled = false;
  PLAZA_RETURN_IF_ERROR(ReadInt(root, "version", true, c.version));
  PLAZA_RETURN_IF_ERROR(ReadInt(root, "maxWeightedTweetLength", true, c.max_weighted_tweet_length));
  PLAZA_RETURN_IF_ERROR(ReadInt(root, "scale", true, c.scale));
  PLAZA_RETURN_IF_ERROR(ReadInt(root, "defaultWeight", true, c.default_weight));
  PLAZA_RETURN_IF_ERROR(ReadInt(root, "transformedURLLength", true, c.transformed_url_length));
  if (const JsonValue* e = root.Find("emojiParsingEnabled")) {
    if (e->kind != JsonValue::Kind::kBool) {
      return Status::Invalid("config: \"emojiParsingEnabled\" must be a boolean");
    }
    c.emoji_parsing_enabled = e->boolean;
  }
  if (c.scale <= 0 || c.max_weighted_tweet_length <= 0 || c.default_weight < 0 ||
      c.transformed_url_length < 0) {
    return Status::Invalid("config: scale and maxWeightedTweetLength must be positive");
  }
  if (const JsonValue* ranges = root.Find("ranges")) {
    if (ranges->kind != JsonValue::Kind::kArray) return Status::Invalid("config: bad \"ranges\"");
    for (const JsonValue& r : ranges->array) {
      if (r.kind != JsonValue::Kind::kObject) return Status::Invalid("config: bad range");
      int start = 0, end = 0, weight = 0;
      PLAZA_RETURN_IF_ERROR(ReadInt(r, "start", true, start));
      PLAZA_RETURN_IF_ERROR(ReadInt(r, "end", true, end));
      PLAZA_RETURN_IF_ERROR(ReadInt(r, "weight", true, weight));
      if (start < 0 || end < start || end > 0x10FFFF || weight < 0) {
        return Status::Invalid("config: range out of order or out of Unicode");
      }
      c.ranges.push_back({static_cast<char32_t>(start), static_cast<char32_t>(end), weight});
    }
  }
  return c;
}

const WeightConfig& WeightConfig::V3() {
  static const WeightConfig* const kV3 = [] {
    auto* c = new WeightConfig();
    c->ranges = {{0, 4351, 100}, {8192, 8205, 100}, {8208, 8223, 100}, {8242, 8247, 100}};
    return c;
  }();
  return *kV3;
}

namespace {

// The options ParseTweet finds URLs with (URL extraction reads only urls_without_protocol).
ExtractOptions UrlOptions() {
  ExtractOptions o;
  o.weibo_extensions = false;
  return o;
}

// parseTweet's sums over `cps`, the NFC form of `text`, whose URLs are `urls`.
ParseResult Weigh(std::string_view text, const CodePoints& cps, const std::vector<Entity>& urls,
                  const WeightConfig& config) {
  ParseResult r;
  const int64_t scale = config.scale > 0 ? config.scale : 1;
  const int64_t max_scaled = static_cast<int64_t>(config.max_weighted_tweet_length) * scale;
  int64_t weighted = 0;
  bool valid = true;
  int64_t valid_display = 0;
  int64_t u16 = 0;
  size_t next_url = 0;
  const size_t n = cps.size();
  for (size_t i = 0; i < n;) {
    while (next_url < urls.size() && urls[next_url].start < i) ++next_url;
    size_t next;
    if (next_url < urls.size() && urls[next_url].start == i && urls[next_url].end > i) {
      next = urls[next_url].end;
      weighted += static_cast<int64_t>(config.transformed_url_length) * scale;
    } else if (size_t len = config.emoji_parsing_enabled && internal::MayBeginEmoji(cps[i])
                                ? internal::EmojiLengthAt(cps, i)
                                : 0;
               len > 0) {
      next = i + len;
      weighted += config.default_weight;
    } else {
      next = i + 1;
      weighted += WeightOf(cps[i], config);
    }
    // Inline tests, not a call per code point (most of a text is one code point at a time).
    bool invalid = false;  // the span's last code point's, which is what clears `valid`
    for (size_t k = i; k < next; ++k) {
      const char32_t c = cps[k];
      invalid = internal::IsInvalidChar(c);
      if (invalid) r.has_invalid_characters = true;
      u16 += c > 0xFFFF ? 2 : 1;
    }
    if (invalid) valid = false;
    if (valid && weighted <= max_scaled) valid_display = u16 - 1;
    i = next;
  }
  r.scaled_weight = weighted;
  r.weighted_length = static_cast<int>(weighted / scale);
  r.valid = valid && weighted > 0 && weighted <= max_scaled;
  r.permillage = static_cast<int>(weighted * 1000 / max_scaled);
  const int original16 = Utf16Length(text);
  valid_display += original16 - u16;
  r.valid_range_end = static_cast<int>(valid_display);
  r.display_range_end = original16 > 0 ? original16 - 1 : 0;
  return r;
}

}  // namespace

ParseResult ParseTweet(std::string_view text, const WeightConfig& config,
                       const Extractor& extractor) {
  std::string storage;
  CodePoints cps(Nfc(text, storage));
  return Weigh(text, cps, extractor.ExtractUrls(cps, UrlOptions()), config);
}

ParseResult ParseTweet(std::string_view text, const WeightConfig& config,
                       const Extractor& extractor, const ExtractOptions& entity_options,
                       std::vector<Entity>& entities) {
  std::string storage;
  std::string_view normalized = Nfc(text, storage);
  CodePoints cps(normalized);
  const ExtractOptions url_options = UrlOptions();
  std::vector<Entity> urls = extractor.ExtractUrls(cps, url_options);
  ParseResult r = Weigh(text, cps, urls, config);
  // Entities index the text as given: the decoding serves both only when NFC left it as it was.
  if (normalized.data() == text.data() &&
      entity_options.urls_without_protocol == url_options.urls_without_protocol) {
    entities = extractor.ExtractEntities(cps, std::move(urls), entity_options);
  } else {
    entities = extractor.ExtractEntities(text, entity_options);
  }
  return r;
}

bool IsValidTweet(std::string_view text, const WeightConfig& config, const Extractor& extractor) {
  if (text.empty()) return false;
  ParseResult r = ParseTweet(text, config, extractor);
  const int64_t max_scaled =
      static_cast<int64_t>(config.max_weighted_tweet_length) * (config.scale > 0 ? config.scale : 1);
  return r.scaled_weight <= max_scaled && !r.has_invalid_characters;
}

namespace {

// The Weibo length of `text`, whose parseTweet result is `r`.
WeiboLengthResult WeiboLengthOf(std::string_view text, const ParseResult& r, int limit,
                                const WeightConfig& config) {
  WeiboLengthResult w;
  const int64_t unit = 2 * static_cast<int64_t>(config.scale > 0 ? config.scale : 1);
  w.length = static_cast<int>((r.scaled_weight + unit - 1) / unit);
  // Decoded only as far as the first code point that is not white space (in most texts, the
  // first), where decoding the whole text again cost about as much as the rest of this function.
  bool content = false;
  for (size_t i = 0; i < text.size() && !content;) {
    const char32_t c = internal::DecodeLenient(text, i);
    content = !internal::IsSpace(c) && !internal::IsJsWhitespace(c);
  }
  w.valid = content && !r.has_invalid_characters && w.length <= limit;
  return w;
}

}  // namespace

WeiboLengthResult WeiboLength(std::string_view text, int limit, const WeightConfig& config,
                              const Extractor& extractor) {
  return WeiboLengthOf(text, ParseTweet(text, config, extractor), limit, config);
}

WeiboLengthResult WeiboLength(std::string_view text, int limit, const WeightConfig& config,
                              const Extractor& extractor, const ExtractOptions& entity_options,
                              std::vector<Entity>& entities) {
  return WeiboLengthOf(text, ParseTweet(text, config, extractor, entity_options, entities), limit,
                       config);
}

}  // namespace plaza::text
