#include "safety/rules.h"

#include <fstream>
#include <sstream>
#include <unordered_set>

#include "common/utf8.h"

namespace plaza::safety {

namespace {

constexpr std::string_view kHeader = "plaza-rules";
constexpr std::string_view kBlanks = " \t\r";

std::string_view Trim(std::string_view s) {
  size_t b = s.find_first_not_of(kBlanks);
  if (b == std::string_view::npos) return {};
  size_t e = s.find_last_not_of(kBlanks);
  return s.substr(b, e - b + 1);
}

// Splits off the next blank-separated field of `rest`.
std::string_view NextField(std::string_view& rest) {
  rest = Trim(rest);
  size_t e = rest.find_first_of(kBlanks);
  std::string_view field = rest.substr(0, e);
  rest = e == std::string_view::npos ? std::string_view{} : rest.substr(e);
  return field;
}

Status LineError(int line, std::string_view what) {
  return Status::Invalid("rules line " + std::to_string(line) + ": " + std::string(what));
}

bool ValidId(std::string_view id) {
  if (id.empty() || id.size() > 64) return false;
  for (char c : id) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '_' || c == ':' || c == '-';
    if (!ok) return false;
  }
  return true;
}

bool ValidCategory(std::string_view c) {
  if (c.empty() || c.size() > 32) return false;
  for (char ch : c) {
    bool ok = (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '_' || ch == '-';
    if (!ok) return false;
  }
  return true;
}

// Calls fn(line_number, line) for each line; stops at the first error.
template <typename Fn>
Status ForEachLine(std::string_view text, Fn&& fn) {
  int number = 0;
  size_t pos = 0;
  while (pos <= text.size()) {
    size_t nl = text.find('\n', pos);
    std::string_view line =
        text.substr(pos, nl == std::string_view::npos ? std::string_view::npos : nl - pos);
    ++number;
    PLAZA_RETURN_IF_ERROR(fn(number, line));
    if (nl == std::string_view::npos) break;
    pos = nl + 1;
  }
  return Status::Ok();
}

Status CheckLineText(int number, std::string_view line) {
  if (!IsValidUtf8(line)) return LineError(number, "not valid UTF-8");
  for (char c : line) {
    auto u = static_cast<unsigned char>(c);
    if (u < 0x20 && c != '\t' && c != '\r') return LineError(number, "control character");
  }
  return Status::Ok();
}

bool IsHeaderLine(std::string_view t) { return t.substr(0, kHeader.size()) == kHeader; }

}  // namespace

std::string_view ActionName(Action a) {
  switch (a) {
    case Action::kAllow: return "allow";
    case Action::kMask: return "mask";
    case Action::kLabel: return "label";
    case Action::kReview: return "review";
    case Action::kReject: return "reject";
  }
  return "allow";
}

Result<Action> ParseAction(std::string_view name) {
  if (name == "reject") return Action::kReject;
  if (name == "review") return Action::kReview;
  if (name == "label") return Action::kLabel;
  if (name == "mask") return Action::kMask;
  return Status::Invalid("unknown action '" + std::string(name) +
                         "' (expected reject, review, label or mask)");
}

Status ValidateRuleSet(const RuleSet& set, const RuleLimits& limits) {
  if (set.rules.size() > limits.max_rules) {
    return Status::TooLarge("rule set has " + std::to_string(set.rules.size()) +
                            " rules; the limit is " + std::to_string(limits.max_rules));
  }
  if (set.allow.size() > limits.max_allow) {
    return Status::TooLarge("allow-list has " + std::to_string(set.allow.size()) +
                            " terms; the limit is " + std::to_string(limits.max_allow));
  }
  auto where = [](const Rule& r) {
    return r.line > 0 ? "rules line " + std::to_string(r.line) + ": " : "rule '" + r.id + "': ";
  };
  size_t total = 0;
  size_t regexes = 0;
  std::unordered_set<std::string_view> ids;
  for (const Rule& r : set.rules) {
    if (!ValidId(r.id)) return Status::Invalid(where(r) + "invalid rule id '" + r.id + "'");
    if (!ids.insert(r.id).second) {
      return Status::Invalid(where(r) + "duplicate rule id '" + r.id + "'");
    }
    if (!ValidCategory(r.category)) {
      return Status::Invalid(where(r) + "invalid category '" + r.category + "'");
    }
    if (r.action == Action::kAllow) return Status::Invalid(where(r) + "a rule cannot allow");
    if (r.pattern.empty()) return Status::Invalid(where(r) + "empty pattern");
    if (!IsValidUtf8(r.pattern)) return Status::Invalid(where(r) + "pattern is not valid UTF-8");
    if (r.pattern.size() > limits.max_pattern_bytes) {
      return Status::TooLarge(where(r) + "pattern is " + std::to_string(r.pattern.size()) +
                              " bytes; the limit is " + std::to_string(limits.max_pattern_bytes));
    }
    total += r.pattern.size();
    if (r.kind == RuleKind::kRegex && ++regexes > limits.max_regexes) {
      return Status::TooLarge(where(r) + "more than " + std::to_string(limits.max_regexes) +
                              " regular expressions");
    }
  }
  for (const std::string& a : set.allow) {
    if (a.empty() || !IsValidUtf8(a) || a.size() > limits.max_pattern_bytes) {
      return Status::Invalid("allow-list term is empty, too long or not valid UTF-8");
    }
    total += a.size();
  }
  if (total > limits.max_total_bytes) {
    return Status::TooLarge("rule set has " + std::to_string(total) +
                            " bytes of patterns; the limit is " +
                            std::to_string(limits.max_total_bytes));
  }
  return Status::Ok();
}

Result<RuleSet> ParsePlazaRules(std::string_view text, const RuleLimits& limits) {
  if (text.size() > limits.max_file_bytes) {
    return Status::TooLarge("rules file is larger than " + std::to_string(limits.max_file_bytes) +
                            " bytes");
  }
  RuleSet set;
  bool seen_header = false;
  Status st = ForEachLine(text, [&](int number, std::string_view raw) -> Status {
    PLAZA_RETURN_IF_ERROR(CheckLineText(number, raw));
    std::string_view line = Trim(raw);
    if (line.empty() || line[0] == '#') return Status::Ok();
    if (!seen_header) {
      if (line != "plaza-rules 1") {
        return LineError(number, IsHeaderLine(line) ? "unsupported format version (expected "
                                                      "'plaza-rules 1')"
                                                    : "expected header 'plaza-rules 1'");
      }
      seen_header = true;
      return Status::Ok();
    }
    if (set.rules.size() >= limits.max_rules) {
      return Status::TooLarge("rules line " + std::to_string(number) + ": more than " +
                              std::to_string(limits.max_rules) + " rules");
    }
    std::string_view rest = line;
    std::string_view kind = NextField(rest);
    if (kind == "allow") {
      std::string_view term = Trim(rest);
      if (term.empty()) return LineError(number, "allow needs a term");
      set.allow.emplace_back(term);
      return Status::Ok();
    }
    Rule rule;
    rule.line = number;
    if (kind == "literal") {
      rule.kind = RuleKind::kLiteral;
    } else if (kind == "regex") {
      rule.kind = RuleKind::kRegex;
    } else {
      return LineError(number, "unknown kind '" + std::string(kind) +
                                   "' (expected literal, regex or allow)");
    }
    std::string_view id = NextField(rest);
    std::string_view category = NextField(rest);
    std::string_view action = NextField(rest);
    if (action.empty()) return LineError(number, "expected KIND ID CATEGORY ACTION PATTERN");
    if (!ValidId(id)) return LineError(number, "invalid rule id '" + std::string(id) + "'");
    if (!ValidCategory(category)) {
      return LineError(number, "invalid category '" + std::string(category) + "'");
    }
    rule.id = std::string(id);
    rule.category = std::string(category);
    Result<Action> a = ParseAction(action);
    if (!a.ok()) return LineError(number, a.status().message());
    rule.action = *a;
    std::string_view save = rest;
    std::string_view option = NextField(rest);
    if (option.substr(0, 9) == "boundary=") {
      std::string_view v = option.substr(9);
      if (v == "auto") {
        rule.word_boundary = WordBoundary::kAuto;
      } else if (v == "always") {
        rule.word_boundary = WordBoundary::kAlways;
      } else if (v == "never") {
        rule.word_boundary = WordBoundary::kNever;
      } else {
        return LineError(number, "boundary must be auto, always or never");
      }
    } else {
      rest = save;
    }
    std::string_view pattern = Trim(rest);
    if (pattern.empty()) return LineError(number, "missing pattern");
    rule.pattern = std::string(pattern);
    set.rules.push_back(std::move(rule));
    return Status::Ok();
  });
  if (!st.ok()) return st;
  if (!seen_header) return Status::Invalid("rules: missing header 'plaza-rules 1'");
  PLAZA_RETURN_IF_ERROR(ValidateRuleSet(set, limits));
  return set;
}

Result<RuleSet> ParsePlainRules(std::string_view text, const RuleLimits& limits) {
  if (text.size() > limits.max_file_bytes) {
    return Status::TooLarge("rules file is larger than " + std::to_string(limits.max_file_bytes) +
                            " bytes");
  }
  RuleSet set;
  Status st = ForEachLine(text, [&](int number, std::string_view raw) -> Status {
    PLAZA_RETURN_IF_ERROR(CheckLineText(number, raw));
    std::string_view line = raw.substr(0, raw.find('#'));
    line = Trim(line);
    if (line.empty()) return Status::Ok();
    if (set.rules.size() >= limits.max_rules) {
      return Status::TooLarge("rules line " + std::to_string(number) + ": more than " +
                              std::to_string(limits.max_rules) + " rules");
    }
    std::string_view rest = line;
    std::string_view action = NextField(rest);
    std::string_view term = Trim(rest);
    if (term.empty()) return LineError(number, "expected 'ACTION TERM'");
    if (action == "allow") {
      set.allow.emplace_back(term);
      return Status::Ok();
    }
    Result<Action> a = ParseAction(action);
    if (!a.ok()) return LineError(number, a.status().message());
    Rule rule;
    rule.id = "line-" + std::to_string(number);
    rule.pattern = std::string(term);
    rule.action = *a;
    rule.line = number;
    set.rules.push_back(std::move(rule));
    return Status::Ok();
  });
  if (!st.ok()) return st;
  PLAZA_RETURN_IF_ERROR(ValidateRuleSet(set, limits));
  return set;
}

Result<RuleSet> ParseRules(std::string_view text, const RuleLimits& limits) {
  size_t pos = 0;
  if (text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);  // UTF-8 byte order mark
  while (pos < text.size()) {
    size_t nl = text.find('\n', pos);
    std::string_view line = Trim(text.substr(pos, nl == std::string_view::npos ? nl : nl - pos));
    if (!line.empty() && line[0] != '#') {
      return IsHeaderLine(line) ? ParsePlazaRules(text, limits) : ParsePlainRules(text, limits);
    }
    if (nl == std::string_view::npos) break;
    pos = nl + 1;
  }
  return ParsePlainRules(text, limits);  // only blanks and comments: an empty set
}

Result<RuleSet> LoadRulesFile(const std::string& path, const RuleLimits& limits) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::NotFound("cannot open rules file " + path);
  in.seekg(0, std::ios::end);
  auto size = static_cast<size_t>(std::max<std::streamoff>(in.tellg(), 0));
  if (size > limits.max_file_bytes) {
    return Status::TooLarge("rules file " + path + " is larger than " +
                            std::to_string(limits.max_file_bytes) + " bytes");
  }
  in.seekg(0);
  std::string text(size, '\0');
  in.read(text.data(), static_cast<std::streamsize>(size));
  if (!in) return Status::IOError("cannot read rules file " + path);
  Result<RuleSet> r = ParseRules(text, limits);
  if (!r.ok()) return Status(r.status().code(), path + ": " + r.status().message());
  return r;
}

std::string FormatPlazaRules(const RuleSet& set) {
  std::string out = "plaza-rules 1\n";
  for (const Rule& r : set.rules) {
    out += r.kind == RuleKind::kRegex ? "regex " : "literal ";
    out += r.id + ' ' + r.category + ' ' + std::string(ActionName(r.action)) + ' ';
    if (r.word_boundary == WordBoundary::kAlways) out += "boundary=always ";
    if (r.word_boundary == WordBoundary::kNever) out += "boundary=never ";
    if (r.word_boundary == WordBoundary::kAuto && r.pattern.substr(0, 9) == "boundary=") {
      out += "boundary=auto ";
    }
    out += r.pattern + '\n';
  }
  for (const std::string& a : set.allow) out += "allow " + a + '\n';
  return out;
}

}  // namespace plaza::safety
