#include "safety/moderation_cli.h"

#include "common/json_writer.h"
#include "safety/moderation_engine.h"

namespace plaza::safety {

int RunModerationCheck(const std::string& rules_path, std::istream& in, std::ostream& out,
                       std::ostream& err) {
  Result<std::unique_ptr<ModerationEngine>> engine = ModerationEngine::Create();
  if (!engine.ok()) {
    err << "moderation: " << engine.status().message() << '\n';
    return 1;
  }
  if (Status st = (*engine)->ReplaceFromFile(rules_path); !st.ok()) {
    err << "moderation: " << st.message() << '\n';
    return 2;
  }
  std::string line;
  std::string json;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    json.clear();
    JsonWriter w(json);
    Result<Verdict> v = (*engine)->Check(line);
    w.BeginObject();
    if (!v.ok()) {
      w.Field("error", v.status().message());
    } else {
      w.Field("action", ActionName(v->action));
      w.Key("rules").BeginArray();
      for (size_t i = 0; i < v->rules.size(); ++i) w.String(v->rule(i).id);
      w.EndArray();
      w.Key("matches").BeginArray();
      for (const MatchSpan& m : v->matches) {
        w.BeginArray().Uint(m.begin).Uint(m.end).EndArray();
      }
      w.EndArray();
    }
    w.EndObject();
    json += '\n';
    out << json;
  }
  out.flush();
  return out ? 0 : 1;
}

}  // namespace plaza::safety
