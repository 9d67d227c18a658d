// OAuth 2 endpoints and app registration (Mastodon-compatible).
#include <sstream>

#include "api/handlers.h"
#include "common/utf8.h"

namespace plaza::api {
namespace {

using http::Method;
using http::Request;
using http::Response;

std::string UrlEncode(std::string_view s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

std::vector<std::string> Lines(std::string_view s) {
  std::vector<std::string> out;
  std::istringstream in{std::string(s)};
  for (std::string line; std::getline(in, line);) {
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.pop_back();
    if (!line.empty()) out.push_back(line);
  }
  return out;
}

void WriteScopesArray(JsonWriter& w, std::string_view scopes) {
  w.BeginArray();
  size_t start = 0;
  while (start < scopes.size()) {
    size_t sp = scopes.find(' ', start);
    if (sp == std::string_view::npos) sp = scopes.size();
    if (sp > start) w.String(scopes.substr(start, sp - start));
    start = sp + 1;
  }
  w.EndArray();
}

Response OAuthError(int status, std::string_view error, std::string_view description) {
  return JsonResponse(status, [&](JsonWriter& w) {
    w.BeginObject().Field("error", error).Field("error_description", description).EndObject();
  });
}

Response OAuthFailure(const Status& s) {
  switch (s.code()) {
    case StatusCode::kUnauthorized:
      return OAuthError(401, "invalid_client", s.message());
    case StatusCode::kInvalid:
      if (s.message().rfind("invalid_grant", 0) == 0) {
        return OAuthError(400, "invalid_grant", s.message());
      }
      if (s.message().rfind("unknown scope", 0) == 0 ||
          s.message().find("scopes") != std::string::npos) {
        return OAuthError(400, "invalid_scope", s.message());
      }
      return OAuthError(400, "invalid_request", s.message());
    default:
      return http::Response::FromStatus(s);
  }
}

std::string ConsentPage(const storage::AppRecord& app, const Request& req, std::string_view error) {
  auto hidden = [&](std::string_view key) {
    return "<input type=\"hidden\" name=\"" + std::string(key) + "\" value=\"" +
           HtmlEscape(ParamString(req, key)) + "\">";
  };
  std::string page =
      "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">"
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
      "<title>Authorize " + HtmlEscape(app.name) + " — Plaza</title>"
      "<style>body{font-family:system-ui,sans-serif;max-width:24rem;margin:3rem auto;padding:0 1rem}"
      "label{display:block;margin:.8rem 0 .2rem}input[type=text],input[type=password]{width:100%;"
      "padding:.5rem;box-sizing:border-box}button{margin-top:1rem;padding:.6rem 1.2rem}"
      ".error{color:#b00020}.scopes{color:#555}</style></head><body>"
      "<h1>Plaza</h1><p><strong>" + HtmlEscape(app.name) +
      "</strong> wants to use your account.</p><p class=\"scopes\">Requested access: " +
      HtmlEscape(ParamString(req, "scope").empty() ? app.scopes : ParamString(req, "scope")) +
      "</p>";
  if (!error.empty()) page += "<p class=\"error\">" + HtmlEscape(error) + "</p>";
  page += "<form method=\"post\" action=\"/oauth/authorize\">" + hidden("client_id") +
          hidden("redirect_uri") + hidden("scope") + hidden("state") + hidden("response_type") +
          hidden("code_challenge") + hidden("code_challenge_method") +
          "<label for=\"login\">Username or email</label>"
          "<input type=\"text\" id=\"login\" name=\"login\" autocomplete=\"username\" required>"
          "<label for=\"password\">Password</label>"
          "<input type=\"password\" id=\"password\" name=\"password\" "
          "autocomplete=\"current-password\" required>"
          "<button type=\"submit\">Authorize</button></form></body></html>";
  return page;
}

Response Html(int status, std::string body) {
  Response r;
  r.status = status;
  r.body = std::move(body);
  r.content_type = "text/html; charset=utf-8";
  r.SetHeader("X-Frame-Options", "DENY");
  r.SetHeader("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'");
  return r;
}

}  // namespace

void Api::Handlers::RegisterOAuth(http::Router& r) {
  http::RouteOptions write{.blocking = true, .tag = "none"};

  r.Add(Method::kPost, "/api/v1/apps", [this](Request& req) {
    std::string uris;
    for (auto u : req.params().GetAll("redirect_uris")) {
      if (!uris.empty()) uris += '\n';
      uris += u;
    }
    auto created = d_.auth().CreateApp(ParamString(req, "client_name"), uris,
                                       ParamString(req, "scopes"), ParamString(req, "website"));
    if (!created.ok()) return Fail(created.status());
    const auto& app = created->rec;
    auto lines = Lines(app.redirect_uris);
    return JsonResponse(200, [&](JsonWriter& w) {
      w.BeginObject()
          .Field("id", IdToString(app.id))
          .Field("name", app.name)
          .Key("website");
      if (app.website.empty()) {
        w.Null();
      } else {
        w.String(app.website);
      }
      w.Key("scopes");
      WriteScopesArray(w, app.scopes);
      w.Field("redirect_uri", app.redirect_uris);
      w.Key("redirect_uris").BeginArray();
      for (const auto& l : lines) w.String(l);
      w.EndArray();
      w.Field("client_id", app.client_id)
          .Field("client_secret", created->client_secret)
          .Field("client_secret_expires_at", 0)
          .Field("vapid_key", "")
          .EndObject();
    });
  }, write);

  r.Add(Method::kGet, "/api/v1/apps/verify_credentials", [this](Request& req) {
    auto app = d_.auth().FindAppById(CallerOf(req).app_id);
    if (!app) return Response::Error(401, "The access token is invalid");
    return JsonResponse(200, [&](JsonWriter& w) {
      w.BeginObject().Field("id", IdToString(app->id)).Field("name", app->name).Key("website");
      if (app->website.empty()) {
        w.Null();
      } else {
        w.String(app->website);
      }
      w.Key("scopes");
      WriteScopesArray(w, app->scopes);
      w.Key("redirect_uris").BeginArray();
      for (const auto& l : Lines(app->redirect_uris)) w.String(l);
      w.EndArray();
      w.Field("vapid_key", "").EndObject();
    });
  }, {.tag = "app"});

  r.Add(Method::kGet, "/oauth/authorize", [this](Request& req) {
    auto app = d_.auth().FindApp(ParamString(req, "client_id"));
    if (!app) return Html(400, "<!DOCTYPE html><p>Unknown client_id.</p>");
    std::string redirect = ParamString(req, "redirect_uri");
    if (!redirect.empty()) {
      auto allowed = Lines(app->redirect_uris);
      if (std::find(allowed.begin(), allowed.end(), redirect) == allowed.end()) {
        return Html(400, "<!DOCTYPE html><p>The redirect_uri is not registered for this app.</p>");
      }
    }
    if (!ParamString(req, "response_type").empty() && ParamString(req, "response_type") != "code") {
      return Html(400, "<!DOCTYPE html><p>Only response_type=code is supported.</p>");
    }
    return Html(200, ConsentPage(*app, req, ""));
  }, {.tag = "none"});

  r.Add(Method::kPost, "/oauth/authorize", [this](Request& req) {
    auto app = d_.auth().FindApp(ParamString(req, "client_id"));
    if (!app) return Html(400, "<!DOCTYPE html><p>Unknown client_id.</p>");
    std::string redirect = ParamString(req, "redirect_uri");
    auto allowed = Lines(app->redirect_uris);
    if (redirect.empty() && !allowed.empty()) redirect = allowed.front();
    if (std::find(allowed.begin(), allowed.end(), redirect) == allowed.end()) {
      return Html(400, "<!DOCTYPE html><p>The redirect_uri is not registered for this app.</p>");
    }
    auto account = d_.accounts().CheckPassword(ParamString(req, "login"),
                                               ParamString(req, "password"));
    if (!account.ok()) {
      int status = account.status().code() == StatusCode::kRateLimited ? 429 : 401;
      return Html(status, ConsentPage(*app, req, account.status().message()));
    }
    auto code = d_.auth().IssueCode(*app, *account, ParamString(req, "scope"), redirect,
                                    ParamString(req, "code_challenge"),
                                    ParamString(req, "code_challenge_method"));
    if (!code.ok()) return Html(400, ConsentPage(*app, req, code.status().message()));
    if (redirect == "urn:ietf:wg:oauth:2.0:oob") {
      return Html(200, "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>Plaza</title>"
                       "</head><body><p>Copy this authorization code into the app:</p><pre id=\"code\">" +
                           HtmlEscape(*code) + "</pre></body></html>");
    }
    std::string location = redirect + (redirect.find('?') == std::string::npos ? "?" : "&") +
                           "code=" + UrlEncode(*code);
    std::string state = ParamString(req, "state");
    if (!state.empty()) location += "&state=" + UrlEncode(state);
    Response resp;
    resp.status = 302;
    resp.content_type = "text/html; charset=utf-8";
    resp.SetHeader("Location", location);
    return resp;
  }, {.blocking = true, .tag = "none"});

  r.Add(Method::kPost, "/oauth/token", [this](Request& req) {
    std::string grant = ParamString(req, "grant_type");
    std::string client_id = ParamString(req, "client_id");
    std::optional<std::string> secret;
    if (req.params().Has("client_secret")) secret = ParamString(req, "client_secret");
    Result<domain::IssuedToken> token = Status::Invalid("unsupported grant_type");
    if (grant == "authorization_code") {
      token = d_.auth().ExchangeCode(client_id, secret ? &*secret : nullptr,
                                     ParamString(req, "code"), ParamString(req, "redirect_uri"),
                                     ParamString(req, "code_verifier"));
    } else if (grant == "password") {
      if (!secret) return OAuthError(401, "invalid_client", "client_secret is required");
      // A bad client is invalid_client (401); only a bad login or password is invalid_grant.
      if (auto client = d_.auth().VerifyClient(client_id, &*secret); !client.ok()) {
        return OAuthFailure(client.status());
      }
      std::string login = ParamString(req, "username");
      if (login.empty()) login = ParamString(req, "email");
      token = d_.auth().PasswordGrant(client_id, *secret, login, ParamString(req, "password"),
                                      ParamString(req, "scope"));
      if (!token.ok() && token.status().code() == StatusCode::kUnauthorized &&
          d_.auth().FindApp(client_id)) {
        return OAuthError(400, "invalid_grant", token.status().message());
      }
    } else if (grant == "client_credentials") {
      if (!secret) return OAuthError(401, "invalid_client", "client_secret is required");
      token = d_.auth().ClientCredentials(client_id, *secret, ParamString(req, "scope"));
    } else {
      return OAuthError(400, "unsupported_grant_type", "unsupported grant_type");
    }
    if (!token.ok()) return OAuthFailure(token.status());
    auto resp = JsonResponse(200, [&](JsonWriter& w) {
      w.BeginObject()
          .Field("access_token", token->access_token)
          .Field("token_type", "Bearer")
          .Field("scope", token->scopes)
          .Field("created_at", token->created_at_ms / 1000)
          .EndObject();
    });
    resp.SetHeader("Cache-Control", "no-store");
    return resp;
  }, write);

  r.Add(Method::kPost, "/oauth/revoke", [this](Request& req) {
    auto st = d_.auth().Revoke(ParamString(req, "client_id"), ParamString(req, "client_secret"),
                               ParamString(req, "token"));
    if (!st.ok()) {
      if (st.code() == StatusCode::kUnauthorized) return OAuthError(401, "invalid_client", st.message());
      if (st.code() == StatusCode::kForbidden) {
        return OAuthError(403, "unauthorized_client", st.message());
      }
      return Fail(st);
    }
    return JsonResponse(200, [](JsonWriter& w) { w.BeginObject().EndObject(); });
  }, write);
}

}  // namespace plaza::api
