// plaza_conformance SUITE_DIR: runs twitter-text's conformance suite (extract.yml, validate.yml,
// tlds.yml, config-v*.json read from SUITE_DIR at run time) against plaza_text in compatibility
// mode (Weibo extensions off). Prints each failure with its file, section and description, skips
// unknown sections with a note, and ends with "N passed, N failed". Exit code 0 only when nothing
// failed.
#include <yaml-cpp/yaml.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "text/extractor.h"
#include "text/validation.h"
#include "text/weighted_length.h"

namespace fs = std::filesystem;
using plaza::text::Entity;
using plaza::text::ExtractOptions;
using plaza::text::Extractor;
using plaza::text::ParseResult;
using plaza::text::WeightConfig;

namespace {

struct Counts {
  int passed = 0;
  int failed = 0;
};

std::string Quote(const std::string& s) { return "\"" + s + "\""; }

std::string FormatList(const std::vector<std::string>& items) {
  std::string out = "[";
  for (size_t i = 0; i < items.size(); ++i) {
    if (i > 0) out += ", ";
    out += items[i];
  }
  return out + "]";
}

class Runner {
 public:
  explicit Runner(fs::path dir) : dir_(std::move(dir)) {}

  int Run() {
    LoadTlds();
    LoadConfigs();
    RunFile("extract.yml");
    RunFile("validate.yml");
    RunFile("tlds.yml");
    std::cout << counts_.passed << " passed, " << counts_.failed << " failed" << std::endl;
    return counts_.failed == 0 && files_run_ > 0 ? 0 : 1;
  }

 private:
  using CaseFn = std::function<void(const YAML::Node&, const std::string&, const std::string&)>;

  void LoadTlds() {
    fs::path path = dir_ / "tlds.yml";
    if (!fs::exists(path)) {
      std::cout << "note: no tlds.yml in the suite; using the built-in TLD list" << std::endl;
      extractor_ = std::make_unique<Extractor>();
      return;
    }
    plaza::text::TldLists lists;
    try {
      YAML::Node root = YAML::LoadFile(path.string());
      for (const auto& section : root["tests"]) {
        std::string name = section.first.as<std::string>();
        auto& target = name == "country" ? lists.country : lists.generic;
        if (name != "country" && name != "generic") continue;
        for (const auto& c : section.second) {
          for (const auto& url : c["expected"]) {
            std::string u = url.as<std::string>();
            while (!u.empty() && u.back() == '/') u.pop_back();
            size_t dot = u.rfind('.');
            if (dot != std::string::npos && dot + 1 < u.size()) target.push_back(u.substr(dot + 1));
          }
        }
      }
    } catch (const std::exception& e) {
      std::cout << "note: cannot read tlds.yml (" << e.what() << "); using the built-in TLD list"
                << std::endl;
      extractor_ = std::make_unique<Extractor>();
      return;
    }
    std::cout << "TLDs from the suite: " << lists.generic.size() << " generic, "
              << lists.country.size() << " country" << std::endl;
    extractor_ = std::make_unique<Extractor>(std::move(lists));
  }

  void LoadConfigs() {
    for (int v = 1; v <= 9; ++v) {
      fs::path path = dir_ / ("config-v" + std::to_string(v) + ".json");
      if (!fs::exists(path)) continue;
      std::ifstream in(path, std::ios::binary);
      std::stringstream ss;
      ss << in.rdbuf();
      auto config = WeightConfig::FromJson(ss.str());
      if (!config.ok()) {
        std::cout << "note: " << path.filename().string() << ": " << config.status().message()
                  << std::endl;
        continue;
      }
      configs_[v] = *config;
    }
  }

  void RunFile(const std::string& file) {
    fs::path path = dir_ / file;
    if (!fs::exists(path)) {
      std::cout << "note: " << file << " not in the suite; skipped" << std::endl;
      return;
    }
    YAML::Node root;
    try {
      root = YAML::LoadFile(path.string());
    } catch (const std::exception& e) {
      std::cout << "FAIL " << file << ": cannot parse: " << e.what() << std::endl;
      ++counts_.failed;
      return;
    }
    ++files_run_;
    for (const auto& section : root["tests"]) {
      std::string name = section.first.as<std::string>();
      CaseFn fn = Handler(file, name);
      if (!fn) {
        std::cout << "skipped: " << file << "/" << name << " (unknown section, "
                  << section.second.size() << " cases not counted)" << std::endl;
        continue;
      }
      for (const auto& c : section.second) {
        std::string where = file + "/" + name;
        std::string description;
        try {
          description = c["description"] ? c["description"].as<std::string>() : "(no description)";
          fn(c, where, description);
        } catch (const std::exception& e) {
          Fail(where, description, "exception: " + std::string(e.what()));
        }
      }
    }
  }

  void Pass() { ++counts_.passed; }
  void Fail(const std::string& where, const std::string& description, const std::string& detail) {
    ++counts_.failed;
    std::cout << "FAIL " << where << ": " << description << "\n  " << detail << std::endl;
  }
  void Check(bool ok, const std::string& where, const std::string& description,
             const std::string& text, const std::string& expected, const std::string& actual) {
    if (ok) {
      Pass();
    } else {
      Fail(where, description,
           "text: " + Quote(text) + "\n  expected: " + expected + "\n  actual:   " + actual);
    }
  }

  static ExtractOptions Compat() {
    ExtractOptions o;
    o.weibo_extensions = false;
    return o;
  }

  // Compares extracted entities with an expected list whose items are either plain values or
  // maps holding `value_key`, optionally "indices" and "list_slug".
  void CompareEntities(const YAML::Node& c, const std::string& where, const std::string& desc,
                       const std::string& value_key, const std::vector<Entity>& actual) {
    std::string text = c["text"].as<std::string>();
    const YAML::Node& expected = c["expected"];
    std::vector<std::string> want, got;
    bool with_indices = false, with_slug = false;
    for (const auto& item : expected) {
      if (item.IsMap()) {
        std::string s = item[value_key].as<std::string>();
        if (item["list_slug"]) {
          with_slug = true;
          s += " slug=" + Quote(item["list_slug"].as<std::string>());
        }
        if (item["indices"]) {
          with_indices = true;
          s += " [" + item["indices"][0].as<std::string>() + "," +
               item["indices"][1].as<std::string>() + ")";
        }
        want.push_back(s);
      } else {
        want.push_back(item.as<std::string>());
      }
    }
    for (const Entity& e : actual) {
      std::string s = e.value;
      if (with_slug) s += " slug=" + Quote(e.list_slug);
      if (with_indices) s += " [" + std::to_string(e.start) + "," + std::to_string(e.end) + ")";
      got.push_back(s);
    }
    Check(want == got, where, desc, text, FormatList(want), FormatList(got));
  }

  void CompareBool(const YAML::Node& c, const std::string& where, const std::string& desc,
                   bool actual) {
    bool want = c["expected"].as<bool>();
    Check(want == actual, where, desc, c["text"].as<std::string>(), want ? "true" : "false",
          actual ? "true" : "false");
  }

  CaseFn Weighted(int version) {
    return [this, version](const YAML::Node& c, const std::string& where, const std::string& d) {
      auto it = configs_.find(version);
      if (it == configs_.end()) {
        Fail(where, d, "config-v" + std::to_string(version) + ".json missing from the suite");
        return;
      }
      std::string text = c["text"].as<std::string>();
      ParseResult r = plaza::text::ParseTweet(text, it->second, *extractor_);
      const YAML::Node& e = c["expected"];
      std::map<std::string, std::string> actual = {
          {"weightedLength", std::to_string(r.weighted_length)},
          {"valid", r.valid ? "true" : "false"},
          {"permillage", std::to_string(r.permillage)},
          {"displayRangeStart", std::to_string(r.display_range_start)},
          {"displayRangeEnd", std::to_string(r.display_range_end)},
          {"validRangeStart", std::to_string(r.valid_range_start)},
          {"validRangeEnd", std::to_string(r.valid_range_end)},
      };
      std::vector<std::string> want, got;
      for (const auto& field : e) {
        std::string key = field.first.as<std::string>();
        want.push_back(key + "=" + field.second.as<std::string>());
        auto a = actual.find(key);
        got.push_back(key + "=" + (a == actual.end() ? "(unknown field)" : a->second));
      }
      Check(want == got, where, d, text, FormatList(want), FormatList(got));
    };
  }

  CaseFn Handler(const std::string& file, const std::string& section) {
    const Extractor& x = *extractor_;
    auto entities = [this](std::string key, auto extract) -> CaseFn {
      return [this, key, extract](const YAML::Node& c, const std::string& w, const std::string& d) {
        CompareEntities(c, w, d, key, extract(c["text"].as<std::string>()));
      };
    };
    auto urls = [&x](const std::string& t) { return x.ExtractUrls(t, Compat()); };
    auto mentions = [&x](const std::string& t) { return x.ExtractMentions(t, Compat()); };
    auto hashtags = [&x](const std::string& t) { return x.ExtractHashtags(t, Compat()); };
    auto cashtags = [&x](const std::string& t) { return x.ExtractCashtags(t, Compat()); };
    if (file == "extract.yml") {
      if (section == "mentions" || section == "mentions_with_indices") {
        return entities("screen_name", mentions);
      }
      if (section == "mentions_or_lists_with_indices") {
        return entities("screen_name",
                        [&x](const std::string& t) { return x.ExtractMentionsOrLists(t, Compat()); });
      }
      if (section == "replies") {
        return [this, &x](const YAML::Node& c, const std::string& w, const std::string& d) {
          std::string text = c["text"].as<std::string>();
          const YAML::Node& e = c["expected"];
          std::optional<std::string> want;
          if (e && !e.IsNull()) want = e.as<std::string>();
          std::optional<std::string> got = x.ExtractReplyScreenName(text, Compat());
          Check(want == got, w, d, text, want ? Quote(*want) : "null", got ? Quote(*got) : "null");
        };
      }
      if (section == "urls" || section == "urls_with_indices" ||
          section == "urls_with_directional_markers" || section == "tco_urls_with_params") {
        return entities("url", urls);
      }
      if (section == "hashtags" || section == "hashtags_from_astral" ||
          section == "hashtags_with_indices") {
        return entities("hashtag", hashtags);
      }
      if (section == "cashtags" || section == "cashtags_with_indices") {
        return entities("cashtag", cashtags);
      }
    }
    if (file == "tlds.yml" && (section == "country" || section == "generic")) {
      return entities("url", urls);
    }
    if (file == "validate.yml") {
      if (section == "tweets") {
        return [this](const YAML::Node& c, const std::string& w, const std::string& d) {
          auto it = configs_.find(1);
          if (it == configs_.end()) {
            Fail(w, d, "config-v1.json missing from the suite");
            return;
          }
          CompareBool(c, w, d,
                      plaza::text::IsValidTweet(c["text"].as<std::string>(), it->second,
                                                *extractor_));
        };
      }
      if (section == "usernames") {
        return [this, &x](const YAML::Node& c, const std::string& w, const std::string& d) {
          CompareBool(c, w, d, plaza::text::IsValidUsername(c["text"].as<std::string>(), x));
        };
      }
      if (section == "lists") {
        return [this](const YAML::Node& c, const std::string& w, const std::string& d) {
          CompareBool(c, w, d, plaza::text::IsValidList(c["text"].as<std::string>()));
        };
      }
      if (section == "hashtags") {
        return [this, &x](const YAML::Node& c, const std::string& w, const std::string& d) {
          CompareBool(c, w, d, plaza::text::IsValidHashtag(c["text"].as<std::string>(), x));
        };
      }
      if (section == "urls") {
        return [this](const YAML::Node& c, const std::string& w, const std::string& d) {
          CompareBool(c, w, d, plaza::text::IsValidUrl(c["text"].as<std::string>(), true, true));
        };
      }
      if (section == "urls_without_protocol") {
        return [this](const YAML::Node& c, const std::string& w, const std::string& d) {
          CompareBool(c, w, d, plaza::text::IsValidUrl(c["text"].as<std::string>(), true, false));
        };
      }
      if (section == "WeightedTweetsCounterTest") return Weighted(2);
      if (section == "WeightedTweetsWithDiscountedEmojiCounterTest" ||
          section == "UnicodeDirectionalMarkerCounterTest") {
        return Weighted(3);
      }
    }
    return nullptr;
  }

  fs::path dir_;
  std::unique_ptr<Extractor> extractor_;
  std::map<int, WeightConfig> configs_;
  Counts counts_;
  int files_run_ = 0;
};

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: plaza_conformance SUITE_DIR" << std::endl;
    return 2;
  }
  fs::path dir(argv[1]);
  if (!fs::is_directory(dir)) {
    std::cerr << "plaza_conformance: " << dir << " is not a directory" << std::endl;
    std::cout << "0 passed, 1 failed" << std::endl;
    return 1;
  }
  return Runner(dir).Run();
}
