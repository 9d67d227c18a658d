// Entity extraction for posts: URLs, @mentions (and @user/list), the reply target, #hashtags and
// $cashtags after twitter-text's rules (its conformance suite, extract.yml, is the
// specification), plus Plaza's Weibo extensions. Run once at write time; the entities are
// stored with the post and drive rendering (html.h), mention delivery and topic indexing.
//
// Indices. Every entity carries both code-point indices [start, end) -- what twitter-text's
// conformance suite reports (it has no case where code points and UTF-16 units differ for
// extraction) -- and byte offsets [byte_start, byte_end) into the UTF-8 text for slicing. The
// range covers the sigil ('@', '#', '$'); `value` does not.
//
// Modes. ExtractOptions::weibo_extensions selects the rules:
//   * off ("compatibility mode"): exactly twitter-text. The conformance runner uses this.
//   * on (Plaza's default): twitter-text plus
//       - `#topic with spaces#`: a '#' (or '＃') closed by a second '#' on the same line. The
//         topic may hold spaces and CJK (`#春节 快乐#`), must not start or end with whitespace,
//         must contain a letter or number, and is at most max_topic_length code points. It may
//         follow any character except ASCII [A-Za-z0-9_&] (Chinese text writes `今天#春节#`).
//         Where no closed topic starts at a '#', the twitter-text hashtag rule applies.
//       - `@中文昵称`: when the name after '@' contains non-ASCII, it is a Weibo nickname made
//         of letters, marks, digits, '_' and '-' (ending at whitespace, punctuation or symbols),
//         at most max_weibo_name_length code points. ASCII-only names follow twitter-text
//         exactly, lists included.
//     These contradict twitter-text in places: `の@usernameに` yields the nickname
//     "usernameに..." instead of "username", `@aliceìnheiro` is a mention, `#a,#` is a topic.
//
// Input. Text should be valid UTF-8 (callers check plaza::IsValidUtf8); malformed bytes are read
// as U+FFFD and never crash. Cost is linear in practice: a 140-character post takes a few
// microseconds.
//
// Thread-safety: an Extractor is immutable after construction; all methods are const and may be
// called concurrently.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "text/tld_set.h"

namespace plaza::text {

namespace internal {
class CodePoints;
}  // namespace internal

enum class EntityType : uint8_t { kUrl, kMention, kHashtag, kCashtag };

struct Entity {
  EntityType type = EntityType::kUrl;
  size_t start = 0;  // code points, inclusive, at the sigil
  size_t end = 0;    // code points, exclusive
  size_t byte_start = 0;
  size_t byte_end = 0;
  // kUrl: the URL as written (no protocol added); kMention: the screen name or nickname;
  // kHashtag: the tag or topic text; kCashtag: the symbol. Without the sigil.
  std::string value;
  std::string list_slug;  // kMention only: "/slug" for @user/slug, else empty
  bool topic = false;     // kHashtag only: the Weibo `#topic#` form (range covers both '#')
  bool has_protocol = false;  // kUrl only: written with http:// or https://

  friend bool operator==(const Entity&, const Entity&) = default;
};

struct ExtractOptions {
  // See the header comment. Plaza runs with extensions; the conformance suite without.
  bool weibo_extensions = true;
  // Extract "example.com" as well as "http://example.com".
  bool urls_without_protocol = true;
  size_t max_topic_length = 64;
  size_t max_weibo_name_length = 30;
};

class Extractor {
 public:
  // Uses TldSet::Default().
  Extractor();
  explicit Extractor(TldLists tlds);

  // An extractor over the build-time TLD list, shared by the process.
  static const Extractor& Default();

  // All entities, in text order, without overlaps (where two overlap, the one starting first
  // wins), as twitter-text's extractEntitiesWithIndices.
  std::vector<Entity> ExtractEntities(std::string_view text, const ExtractOptions& options = {}) const;
  // The same over a text already decoded whose URLs were already extracted with these options
  // (ExtractUrls): `urls` become the URL entities. (ParseTweet finds both for a post at once.)
  std::vector<Entity> ExtractEntities(const internal::CodePoints& cps, std::vector<Entity> urls,
                                      const ExtractOptions& options = {}) const;

  std::vector<Entity> ExtractUrls(std::string_view text, const ExtractOptions& options = {}) const;
  // The same over a text already decoded (the weighted length decodes it for itself).
  std::vector<Entity> ExtractUrls(const internal::CodePoints& cps,
                                  const ExtractOptions& options = {}) const;
  // Mentions including @user/list ones.
  std::vector<Entity> ExtractMentionsOrLists(std::string_view text,
                                             const ExtractOptions& options = {}) const;
  // Mentions of users only (entities with a list slug are left out, as twitter-text does).
  std::vector<Entity> ExtractMentions(std::string_view text, const ExtractOptions& options = {}) const;
  // The screen name when the text starts (after spaces) with a mention, else nullopt.
  std::optional<std::string> ExtractReplyScreenName(std::string_view text,
                                                    const ExtractOptions& options = {}) const;
  // Hashtags (and topics with extensions on), without those overlapping a URL.
  std::vector<Entity> ExtractHashtags(std::string_view text, const ExtractOptions& options = {}) const;
  std::vector<Entity> ExtractCashtags(std::string_view text, const ExtractOptions& options = {}) const;

  const TldSet& tlds() const { return *tlds_; }

 private:
  std::shared_ptr<const TldSet> tlds_;
};

}  // namespace plaza::text
