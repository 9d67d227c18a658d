#include "text/html.h"

#include <utf8proc.h>

#include <algorithm>
#include <cstdlib>
#include <vector>

#include "text/unicode.h"

namespace plaza::text {
namespace {

// Writes text into <p> paragraphs: one newline becomes <br />, a blank line (possibly holding
// spaces) starts a new paragraph, leading and trailing blank lines vanish.
class ParagraphWriter {
 public:
  void Text(std::string_view s) {
    size_t run = 0;
    for (size_t i = 0; i < s.size(); ++i) {
      char c = s[i];
      if (c == '\r' || c == '\n') {
        Flush(s, run, i);
        if (c == '\r' && i + 1 < s.size() && s[i + 1] == '\n') ++i;
        ++pending_newlines_;
        held_spaces_.clear();
        run = i + 1;
      } else if ((c == ' ' || c == '\t') && pending_newlines_ > 0 && run == i) {
        held_spaces_ += c;
        run = i + 1;
      }
    }
    Flush(s, run, s.size());
  }

  // Called before any non-text content (a link) is appended to out().
  void BeginContent() {
    if (!started_) {
      out_ += "<p>";
      started_ = true;
    } else if (pending_newlines_ >= 2) {
      out_ += "</p><p>";
    } else if (pending_newlines_ == 1) {
      out_ += "<br />";
    }
    out_ += held_spaces_;
    pending_newlines_ = 0;
    held_spaces_.clear();
  }

  std::string& out() { return out_; }

  std::string Finish() {
    if (started_) out_ += "</p>";
    return std::move(out_);
  }

 private:
  void Flush(std::string_view s, size_t b, size_t e) {
    if (e <= b) return;
    BeginContent();
    AppendEscapedHtml(out_, s.substr(b, e - b));
  }

  std::string out_;
  std::string held_spaces_;
  int pending_newlines_ = 0;
  bool started_ = false;
};

bool StartsWithCi(std::string_view s, std::string_view prefix) {
  if (s.size() < prefix.size()) return false;
  for (size_t i = 0; i < prefix.size(); ++i) {
    char c = s[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c + 32);
    if (c != prefix[i]) return false;
  }
  return true;
}

// The href for a URL entity, or empty when it must not become a link.
std::string SafeHref(std::string_view url) {
  if (url.empty()) return {};
  for (unsigned char c : url) {
    if (c <= 0x20 || c == 0x7F) return {};
  }
  if (StartsWithCi(url, "http://") || StartsWithCi(url, "https://")) {
    size_t scheme = StartsWithCi(url, "https://") ? 8 : 7;
    return url.size() > scheme ? std::string(url) : std::string();
  }
  // A protocol-less domain, as the extractor finds them: "example.com", "example.com:8080/x".
  size_t stop = url.find_first_of("/?#");
  std::string_view host = url.substr(0, stop);
  size_t colon = host.find(':');
  if (colon != std::string_view::npos) {
    std::string_view port = host.substr(colon + 1);
    if (port.empty() || !std::all_of(port.begin(), port.end(), [](char c) {
          return c >= '0' && c <= '9';
        })) {
      return {};
    }
    host = host.substr(0, colon);
  }
  if (host.find('.') == std::string_view::npos || host.front() == '.') return {};
  return "http://" + std::string(url);
}

}  // namespace

void AppendEscapedHtml(std::string& out, std::string_view text) {
  size_t i = 0;
  while (i < text.size()) {
    unsigned char c = static_cast<unsigned char>(text[i]);
    switch (c) {
      case '&': out += "&amp;"; ++i; continue;
      case '<': out += "&lt;"; ++i; continue;
      case '>': out += "&gt;"; ++i; continue;
      case '"': out += "&quot;"; ++i; continue;
      case '\'': out += "&#39;"; ++i; continue;
      case '\0': out += "\xEF\xBF\xBD"; ++i; continue;
      default: break;
    }
    size_t j = i;
    while (j < text.size()) {
      unsigned char d = static_cast<unsigned char>(text[j]);
      if (d == '&' || d == '<' || d == '>' || d == '"' || d == '\'' || d == '\0') break;
      ++j;
    }
    internal::AppendSanitizedUtf8(out, text.substr(i, j - i));
    i = j;
  }
}

std::string EscapeHtml(std::string_view text) {
  std::string out;
  out.reserve(text.size() + text.size() / 8);
  AppendEscapedHtml(out, text);
  return out;
}

std::string PercentEncodePathSegment(std::string_view segment) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(segment.size());
  for (unsigned char c : segment) {
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
        c == '.' || c == '_' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 0xF];
    }
  }
  return out;
}

std::string RenderStatusHtml(std::string_view text, std::span<const Entity> entities,
                             const RenderOptions& options, const MentionResolver& resolver) {
  std::vector<const Entity*> sorted;
  sorted.reserve(entities.size());
  for (const Entity& e : entities) {
    if (e.byte_start < e.byte_end && e.byte_end <= text.size()) sorted.push_back(&e);
  }
  auto by_start = [](const Entity* a, const Entity* b) { return a->byte_start < b->byte_start; };
  // The extractor's entities come in order; sorting them anyway would allocate a buffer.
  if (!std::is_sorted(sorted.begin(), sorted.end(), by_start)) {
    std::stable_sort(sorted.begin(), sorted.end(), by_start);
  }

  ParagraphWriter w;
  // Room for the text, its paragraphs and each entity's link markup: one allocation per post.
  w.out().reserve(text.size() + 32 + sorted.size() * 160);
  size_t pos = 0;
  for (const Entity* e : sorted) {
    if (e->byte_start < pos) continue;  // overlaps the previous entity
    w.Text(text.substr(pos, e->byte_start - pos));
    std::string_view slice = text.substr(e->byte_start, e->byte_end - e->byte_start);
    pos = e->byte_end;
    switch (e->type) {
      case EntityType::kUrl: {
        std::string href = SafeHref(e->value);
        if (href.empty()) {
          w.Text(slice);
          break;
        }
        w.BeginContent();
        std::string& out = w.out();
        out += "<a href=\"";
        AppendEscapedHtml(out, href);
        out += "\" rel=\"nofollow noopener noreferrer\" target=\"_blank\">";
        AppendEscapedHtml(out, slice);
        out += "</a>";
        break;
      }
      case EntityType::kMention: {
        std::optional<MentionTarget> target;
        if (resolver && !e->value.empty()) target = resolver(e->value);
        if (!target || target->username.empty()) {
          w.Text(slice);
          break;
        }
        std::string href = target->url.empty()
                               ? options.base_url + "/@" + PercentEncodePathSegment(target->username)
                               : target->url;
        w.BeginContent();
        std::string& out = w.out();
        out += "<span class=\"h-card\"><a href=\"";
        AppendEscapedHtml(out, href);
        out += "\" class=\"u-url mention\">@<span>";
        AppendEscapedHtml(out, target->username);
        out += "</span></a></span>";
        if (!e->list_slug.empty()) w.Text(e->list_slug);
        break;
      }
      case EntityType::kHashtag: {
        if (e->value.empty()) {
          w.Text(slice);
          break;
        }
        w.BeginContent();
        std::string& out = w.out();
        out += "<a href=\"";
        AppendEscapedHtml(out, options.base_url + "/tags/" + PercentEncodePathSegment(e->value));
        out += "\" class=\"mention hashtag\" rel=\"tag\">#<span>";
        AppendEscapedHtml(out, e->value);
        out += e->topic ? "</span>#</a>" : "</span></a>";
        break;
      }
      case EntityType::kCashtag:
        w.Text(slice);
        break;
    }
  }
  w.Text(text.substr(pos));
  return w.Finish();
}

std::string NormalizeTag(std::string_view name) {
  std::string clean;
  internal::AppendSanitizedUtf8(clean, name);
  utf8proc_uint8_t* mapped = nullptr;
  utf8proc_ssize_t len = utf8proc_map(
      reinterpret_cast<const utf8proc_uint8_t*>(clean.data()),
      static_cast<utf8proc_ssize_t>(clean.size()), &mapped,
      static_cast<utf8proc_option_t>(UTF8PROC_STABLE | UTF8PROC_COMPAT | UTF8PROC_COMPOSE |
                                     UTF8PROC_CASEFOLD));
  std::string folded;
  if (len >= 0 && mapped != nullptr) {
    folded.assign(reinterpret_cast<const char*>(mapped), static_cast<size_t>(len));
  } else {
    folded = clean;
  }
  std::free(mapped);
  internal::CodePoints cps(folded);
  std::string out;
  out.reserve(folded.size());
  bool pending_space = false;
  for (size_t i = 0; i < cps.size(); ++i) {
    char32_t c = cps[i];
    if (internal::IsSpace(c) || internal::IsJsWhitespace(c)) {
      pending_space = !out.empty();
      continue;
    }
    if (pending_space) out += ' ';
    pending_space = false;
    out += cps.Slice(i, i + 1);
  }
  return out;
}

}  // namespace plaza::text
