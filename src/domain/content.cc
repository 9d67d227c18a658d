#include "domain/content.h"

#include <algorithm>

#include "common/utf8.h"
#include "text/extractor.h"
#include "text/html.h"
#include "text/weighted_length.h"

namespace plaza::domain {

Result<RenderedContent> RenderContent(std::string_view text, const ContentOptions& options,
                                      const MentionResolver& resolve) {
  if (!IsValidUtf8(text)) return Status::Invalid("text is not valid UTF-8");
  RenderedContent out;
  const text::Extractor& extractor = text::Extractor::Default();
  std::vector<text::Entity> entities;
  auto length = text::WeiboLength(text, options.max_chars, text::WeightConfig::V3(), extractor,
                                  text::ExtractOptions{}, entities);
  out.weighted_length = length.length;
  if (!length.valid) {
    if (length.length > options.max_chars) {
      return Status::Unprocessable("text is too long: " + std::to_string(length.length) +
                                   " characters, the limit is " +
                                   std::to_string(options.max_chars));
    }
    return Status::Unprocessable("text is empty or contains invalid characters");
  }
  std::unordered_map<std::string, Id> resolved;
  auto resolver = [&](std::string_view name) -> std::optional<text::MentionTarget> {
    auto id = resolve(name);
    if (!id) return std::nullopt;
    resolved.emplace(std::string(name), *id);
    auto at = name.find('@');
    return text::MentionTarget{std::string(name.substr(0, at)), ""};
  };
  out.html = text::RenderStatusHtml(text, entities, text::RenderOptions{options.base_url}, resolver);
  for (const auto& e : entities) {
    if (e.type == text::EntityType::kMention && e.list_slug.empty()) {
      auto it = resolved.find(e.value);
      if (it != resolved.end() &&
          std::find(out.mention_ids.begin(), out.mention_ids.end(), it->second) ==
              out.mention_ids.end()) {
        out.mention_ids.push_back(it->second);
      }
    } else if (e.type == text::EntityType::kHashtag) {
      std::string tag = text::NormalizeTag(e.value);
      if (!tag.empty() && std::find(out.tags.begin(), out.tags.end(), tag) == out.tags.end()) {
        out.tags.push_back(std::move(tag));
      }
    }
  }
  return out;
}

int WeiboLength(std::string_view text) { return text::WeiboLength(text).length; }

std::string NormalizeTopic(std::string_view name) {
  if (!name.empty() && name.front() == '#') name.remove_prefix(1);
  if (!name.empty() && name.back() == '#') name.remove_suffix(1);
  return text::NormalizeTag(name);
}

}  // namespace plaza::domain
