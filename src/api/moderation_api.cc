// Trust and safety: reports (POST /api/v1/reports), the Mastodon admin API for reports and account
// actions (/api/v1/admin/...), and Plaza's moderation extensions under /api/plaza/v1: rules,
// the review queue, appeals and the audit log. Role checks live in domain::Moderation, so every
// admin route answers 403 to an account without the role, whatever its token's scopes.
#include "api/handlers.h"
#include "common/clock.h"
#include "domain/moderation.h"

namespace plaza::api {
namespace {

using http::Method;
using http::Request;
using http::Response;
using storage::AppealState;
using storage::HoldKind;
using storage::HoldState;
using storage::Role;
using storage::AccountRecord;

constexpr size_t kDefault = 20;
constexpr size_t kMax = 200;

void OptionalTime(JsonWriter& w, std::string_view key, int64_t ms) {
  w.Key(key);
  if (ms > 0) {
    w.String(FormatIso8601(ms));
  } else {
    w.Null();
  }
}

std::string_view AppealStateName(AppealState s) {
  switch (s) {
    case AppealState::kPending: return "pending";
    case AppealState::kApproved: return "approved";
    case AppealState::kRejected: return "rejected";
  }
  return "pending";
}

void WriteRule(JsonWriter& w, const domain::RuleView& r) {
  w.BeginObject()
      .Field("id", r.id)
      .Field("kind", r.kind)
      .Field("pattern", r.pattern)
      .Field("category", r.category)
      .Field("action", r.action)
      .Field("boundary", r.boundary)
      .Field("comment", r.comment)
      .Field("source", r.source);
  OptionalTime(w, "created_at", r.created_at_ms);
  OptionalTime(w, "updated_at", r.updated_at_ms);
  w.EndObject();
}

void WriteAppeal(JsonWriter& w, const storage::AppealRecord& a) {
  w.BeginObject()
      .Field("id", IdToString(a.id))
      .Field("account_id", IdToString(a.account_id))
      .Field("target_type", a.target_type)
      .Field("target_id", IdToString(a.target_id))
      .Field("text", a.text)
      .Field("state", AppealStateName(a.state))
      .Field("decision_text", a.decision_text)
      .Field("created_at", FormatIso8601(a.created_at_ms));
  OptionalTime(w, "decided_at", a.decided_at_ms);
  w.EndObject();
}

void WriteAudit(JsonWriter& w, const storage::AuditRecord& a) {
  w.BeginObject().Field("id", IdToString(a.id)).Key("actor_id");
  if (a.actor_id != 0) {
    w.String(IdToString(a.actor_id));
  } else {
    w.Null();
  }
  w.Field("actor", a.actor_id == 0 ? "system" : "moderator")
      .Field("action", a.action)
      .Field("target_type", a.target_type)
      .Field("target_id", a.target_id != 0 ? IdToString(a.target_id) : "")
      .Field("target_account_id", a.target_account_id != 0 ? IdToString(a.target_account_id) : "")
      .Field("reason", a.reason)
      .Field("created_at", FormatIso8601(a.created_at_ms))
      .EndObject();
}

// An optional moderator note from `text`, `reason` or `comment`.
std::string NoteParam(const Request& req) {
  for (std::string_view key : {"text", "reason", "comment"}) {
    if (auto v = req.params().Get(key)) return std::string(*v);
  }
  return {};
}

Result<domain::RuleInput> ParseRuleInput(const Request& req) {
  domain::RuleInput in;
  auto opt = [&](std::string_view key, std::optional<std::string>& out) {
    if (auto v = req.params().Get(key)) out = std::string(*v);
  };
  opt("kind", in.kind);
  opt("pattern", in.pattern);
  if (!in.pattern) opt("term", in.pattern);
  opt("category", in.category);
  opt("action", in.action);
  opt("boundary", in.boundary);
  opt("comment", in.comment);
  return in;
}

}  // namespace

void Api::Handlers::RegisterModeration(http::Router& r) {
  const http::RouteOptions admin_read{.blocking = true, .tag = "user admin:read"};
  const http::RouteOptions admin_write{.blocking = true, .tag = "user admin:write"};

  auto admin_account = [this](JsonWriter& w, Id id) {
    auto a = d_.accounts().Get(id);
    if (!a) {
      w.Null();
      return;
    }
    const AccountRecord& rec = *a->rec;
    w.BeginObject()
        .Field("id", IdToString(rec.id))
        .Field("username", rec.username)
        .Key("domain")
        .Null()
        .Field("created_at", FormatIso8601(rec.created_at_ms))
        .Field("email", rec.email)
        .Key("ip")
        .Null()
        .Key("ips")
        .BeginArray()
        .EndArray()
        .Key("locale")
        .Null()
        .Key("invite_request")
        .Null()
        .Key("role")
        .BeginObject()
        .Field("id", std::to_string(static_cast<int>(rec.role)))
        .Field("name", rec.role == Role::kAdmin       ? "Admin"
                       : rec.role == Role::kModerator ? "Moderator"
                                                      : "")
        .EndObject()
        .Field("confirmed", true)
        .Field("approved", true)
        .Field("disabled", false)
        .Field("silenced", rec.silenced)
        .Field("suspended", rec.suspended)
        .Field("sensitized", false)
        .Key("account");
    WriteAccount(w, *a, ctx_);
    w.EndObject();
  };

  auto admin_report = [this, admin_account](JsonWriter& w, const storage::ReportRecord& rep,
                                            Id viewer) {
    w.BeginObject()
        .Field("id", IdToString(rep.id))
        .Field("action_taken", rep.action_taken);
    OptionalTime(w, "action_taken_at", rep.action_taken_at_ms);
    w.Field("category", rep.category)
        .Field("comment", rep.comment)
        .Field("forwarded", false)
        .Field("created_at", FormatIso8601(rep.created_at_ms))
        .Field("updated_at", FormatIso8601(rep.updated_at_ms))
        .Key("account");
    admin_account(w, rep.account_id);
    w.Key("target_account");
    admin_account(w, rep.target_account_id);
    w.Key("assigned_account");
    if (rep.assigned_account_id != 0) {
      admin_account(w, rep.assigned_account_id);
    } else {
      w.Null();
    }
    w.Key("action_taken_by_account");
    if (rep.action_taken_by != 0) {
      admin_account(w, rep.action_taken_by);
    } else {
      w.Null();
    }
    w.Key("statuses").BeginArray();
    for (const auto& v : d_.statuses().GetMany(viewer, rep.status_ids)) WriteStatus(w, v, ctx_);
    w.EndArray();
    w.Key("rules").BeginArray().EndArray();
    w.EndObject();
  };

  auto one_report = [this, admin_report](const Request& req,
                                         const Result<storage::ReportRecord>& rep) {
    if (!rep.ok()) return Fail(rep.status());
    return JsonResponse(200, [&](JsonWriter& w) { admin_report(w, *rep, CallerOf(req).account_id); });
  };

  // ---- reports (any signed-in user) ----
  r.Add(Method::kPost, "/api/v1/reports", [this](Request& req) {
    domain::ReportInput in;
    auto account = ParseId(ParamString(req, "account_id"));
    if (!account) return Response::Error(422, "account_id must name an account");
    in.target_account_id = *account;
    for (auto s : req.params().GetAll("status_ids")) {
      auto id = ParseId(s);
      if (!id) return Response::Error(422, "status_ids must be status ids");
      in.status_ids.push_back(*id);
    }
    if (auto c = req.params().Get("category"); c && !c->empty()) in.category = std::string(*c);
    in.comment = ParamString(req, "comment");
    auto rep = d_.moderation().CreateReport(CallerOf(req).account_id, in);
    if (!rep.ok()) return Fail(rep.status());
    return JsonResponse(200, [&](JsonWriter& w) {
      w.BeginObject()
          .Field("id", IdToString(rep->id))
          .Field("action_taken", rep->action_taken)
          .Key("action_taken_at")
          .Null()
          .Field("category", rep->category)
          .Field("comment", rep->comment)
          .Field("forwarded", false)
          .Field("created_at", FormatIso8601(rep->created_at_ms))
          .Key("status_ids")
          .BeginArray();
      for (Id id : rep->status_ids) w.String(IdToString(id));
      w.EndArray().Key("rule_ids").BeginArray().EndArray().Key("target_account");
      if (auto a = d_.accounts().Get(rep->target_account_id)) {
        WriteAccount(w, *a, ctx_);
      } else {
        w.Null();
      }
      w.EndObject();
    });
  }, {.blocking = true, .tag = "user write:reports"});

  // ---- Mastodon admin: reports ----
  r.Add(Method::kGet, "/api/v1/admin/reports", [this, admin_report](Request& req) {
    auto page = ParsePage(req, kDefault, kMax);
    if (!page.ok()) return Fail(page.status());
    domain::ReportFilter f;
    if (auto v = req.params().GetBool("resolved")) f.resolved = *v;
    if (auto v = ParseId(ParamString(req, "account_id"))) f.account_id = *v;
    if (auto v = ParseId(ParamString(req, "target_account_id"))) f.target_account_id = *v;
    Id viewer = CallerOf(req).account_id;
    auto reports = d_.moderation().ListReports(viewer, f, *page);
    if (!reports.ok()) return Fail(reports.status());
    auto resp = JsonResponse(200, [&](JsonWriter& w) {
      w.BeginArray();
      for (const auto& rep : *reports) admin_report(w, rep, viewer);
      w.EndArray();
    });
    if (!reports->empty()) {
      AddLinkHeader(resp, req, ctx_, reports->front().id, reports->back().id);
    }
    return resp;
  }, admin_read);

  r.Add(Method::kGet, "/api/v1/admin/reports/:id", [this, one_report](Request& req) {
    auto id = PathId(req);
    if (!id.ok()) return Fail(id.status());
    return one_report(req, d_.moderation().GetReport(CallerOf(req).account_id, *id));
  }, admin_read);

  struct ReportVerb {
    const char* path;
    bool assign;  // assign/unassign, else resolve/reopen
    bool on;
  };
  for (ReportVerb v : {ReportVerb{"/api/v1/admin/reports/:id/assign_to_self", true, true},
                       ReportVerb{"/api/v1/admin/reports/:id/unassign", true, false},
                       ReportVerb{"/api/v1/admin/reports/:id/resolve", false, true},
                       ReportVerb{"/api/v1/admin/reports/:id/reopen", false, false}}) {
    r.Add(Method::kPost, v.path, [this, one_report, v](Request& req) {
      auto id = PathId(req);
      if (!id.ok()) return Fail(id.status());
      Id actor = CallerOf(req).account_id;
      return one_report(req, v.assign ? d_.moderation().AssignReport(actor, *id, v.on)
                                      : d_.moderation().ResolveReport(actor, *id, v.on));
    }, admin_write);
  }

  // ---- Mastodon admin: accounts ----
  r.Add(Method::kGet, "/api/v1/admin/accounts/:id", [this, admin_account](Request& req) {
    auto id = PathId(req);
    if (!id.ok()) return Fail(id.status());
    auto allowed = d_.moderation().RequireRole(CallerOf(req).account_id, Role::kModerator);
    if (!allowed.ok()) return Fail(allowed);
    if (!d_.accounts().Get(*id)) return Response::Error(404, "Record not found");
    return JsonResponse(200, [&](JsonWriter& w) { admin_account(w, *id); });
  }, admin_read);

  r.Add(Method::kPost, "/api/v1/admin/accounts/:id/action", [this](Request& req) {
    auto id = PathId(req);
    if (!id.ok()) return Fail(id.status());
    auto type = domain::ParseAccountAction(ParamString(req, "type").empty()
                                               ? std::string("none")
                                               : ParamString(req, "type"));
    if (!type.ok()) return Fail(type.status());
    Id report = 0;
    if (auto v = req.params().Get("report_id"); v && !v->empty()) {
      auto rid = ParseId(*v);
      if (!rid) return Response::Error(404, "report not found");
      report = *rid;
    }
    auto st = d_.moderation().ActOnAccount(CallerOf(req).account_id, *id, *type,
                                           ParamString(req, "text"), report);
    if (!st.ok()) return Fail(st);
    return JsonResponse(200, [](JsonWriter& w) { w.BeginObject().EndObject(); });
  }, admin_write);

  for (auto [path, type] : {std::pair{"/api/v1/admin/accounts/:id/unsuspend",
                                      domain::AccountActionType::kUnsuspend},
                            std::pair{"/api/v1/admin/accounts/:id/unsilence",
                                      domain::AccountActionType::kUnsilence}}) {
    r.Add(Method::kPost, path, [this, admin_account, type = type](Request& req) {
      auto id = PathId(req);
      if (!id.ok()) return Fail(id.status());
      auto st = d_.moderation().ActOnAccount(CallerOf(req).account_id, *id, type,
                                             NoteParam(req), 0);
      if (!st.ok()) return Fail(st);
      return JsonResponse(200, [&](JsonWriter& w) { admin_account(w, *id); });
    }, admin_write);
  }

  // ---- Plaza: rules ----
  r.Add(Method::kGet, "/api/plaza/v1/admin/rules", [this](Request& req) {
    auto rules = d_.moderation().ListRules(CallerOf(req).account_id);
    if (!rules.ok()) return Fail(rules.status());
    return JsonResponse(200, [&](JsonWriter& w) {
      w.BeginArray();
      for (const auto& rule : *rules) WriteRule(w, rule);
      w.EndArray();
    });
  }, admin_read);

  r.Add(Method::kPost, "/api/plaza/v1/admin/rules", [this](Request& req) {
    auto in = ParseRuleInput(req);
    if (!in.ok()) return Fail(in.status());
    auto rule = d_.moderation().CreateRule(CallerOf(req).account_id, *in);
    if (!rule.ok()) return Fail(rule.status());
    return JsonResponse(200, [&](JsonWriter& w) { WriteRule(w, *rule); });
  }, admin_write);

  r.Add(Method::kGet, "/api/plaza/v1/admin/rules/:id", [this](Request& req) {
    auto rule = d_.moderation().GetRule(CallerOf(req).account_id, req.PathParam("id"));
    if (!rule.ok()) return Fail(rule.status());
    return JsonResponse(200, [&](JsonWriter& w) { WriteRule(w, *rule); });
  }, admin_read);

  for (Method m : {Method::kPut, Method::kPatch}) {
    r.Add(m, "/api/plaza/v1/admin/rules/:id", [this](Request& req) {
      auto id = PathId(req);
      if (!id.ok()) return Fail(id.status());
      auto in = ParseRuleInput(req);
      if (!in.ok()) return Fail(in.status());
      auto rule = d_.moderation().UpdateRule(CallerOf(req).account_id, *id, *in);
      if (!rule.ok()) return Fail(rule.status());
      return JsonResponse(200, [&](JsonWriter& w) { WriteRule(w, *rule); });
    }, admin_write);
  }

  r.Add(Method::kDelete, "/api/plaza/v1/admin/rules/:id", [this](Request& req) {
    auto id = PathId(req);
    if (!id.ok()) return Fail(id.status());
    auto st = d_.moderation().DeleteRule(CallerOf(req).account_id, *id);
    if (!st.ok()) return Fail(st);
    return JsonResponse(200, [](JsonWriter& w) { w.BeginObject().EndObject(); });
  }, admin_write);

  // ---- Plaza: review queue ----
  auto write_hold = [this](JsonWriter& w, const storage::HoldRecord& h, Id viewer) {
    w.BeginObject()
        .Field("id", IdToString(h.target_id))
        .Field("type", h.kind == HoldKind::kStatus ? "status" : "profile")
        .Field("state", h.state == HoldState::kPending ? "pending" : "rejected")
        .Field("reason", h.reason)
        .Field("created_at", FormatIso8601(h.created_at_ms))
        .Field("account_id", IdToString(h.account_id));
    if (h.kind == HoldKind::kStatus) {
      w.Key("status");
      auto v = d_.statuses().Get(viewer, h.target_id);
      if (v.ok()) {
        WriteStatus(w, *v, ctx_);
      } else {
        w.Null();
      }
    } else {
      w.Key("display_name");
      if (h.has_display_name) {
        w.String(h.display_name);
      } else {
        w.Null();
      }
      w.Key("note");
      if (h.has_note) {
        w.String(h.note);
      } else {
        w.Null();
      }
    }
    w.EndObject();
  };

  r.Add(Method::kGet, "/api/plaza/v1/admin/review", [this, write_hold](Request& req) {
    Id viewer = CallerOf(req).account_id;
    auto holds = d_.moderation().ListHolds(viewer, ParamString(req, "state") == "rejected");
    if (!holds.ok()) return Fail(holds.status());
    return JsonResponse(200, [&](JsonWriter& w) {
      w.BeginArray();
      for (const auto& h : *holds) write_hold(w, h, viewer);
      w.EndArray();
    });
  }, admin_read);

  for (bool approve : {true, false}) {
    r.Add(Method::kPost,
          approve ? "/api/plaza/v1/admin/review/:id/approve" : "/api/plaza/v1/admin/review/:id/reject",
          [this, write_hold, approve](Request& req) {
            auto id = PathId(req);
            if (!id.ok()) return Fail(id.status());
            Id actor = CallerOf(req).account_id;
            auto hold = approve ? d_.moderation().ApproveHold(actor, *id, NoteParam(req))
                                : d_.moderation().RejectHold(actor, *id, NoteParam(req));
            if (!hold.ok()) return Fail(hold.status());
            return JsonResponse(200, [&](JsonWriter& w) { write_hold(w, *hold, actor); });
          },
          admin_write);
  }

  // ---- Plaza: appeals ----
  r.Add(Method::kPost, "/api/plaza/v1/appeals", [this](Request& req) {
    std::string type = ParamString(req, "target_type");
    std::string target = ParamString(req, "target_id");
    for (std::string_view key : {"status_id", "warning_id"}) {
      if (auto v = req.params().Get(key); v && !v->empty()) {
        type = key == "status_id" ? "status" : "warning";
        target = std::string(*v);
      }
    }
    Id caller = CallerOf(req).account_id;
    if (type == "profile" && target.empty()) target = IdToString(caller);
    auto id = ParseId(target);
    if (!id) return Response::Error(422, "target_id must name the decision appealed");
    auto appeal = d_.moderation().CreateAppeal(caller, type, *id, ParamString(req, "text"));
    if (!appeal.ok()) return Fail(appeal.status());
    return JsonResponse(200, [&](JsonWriter& w) { WriteAppeal(w, *appeal); });
  }, {.blocking = true, .tag = "user write"});

  r.Add(Method::kGet, "/api/plaza/v1/appeals", [this](Request& req) {
    auto appeals = d_.moderation().AppealsOf(CallerOf(req).account_id);
    return JsonResponse(200, [&](JsonWriter& w) {
      w.BeginArray();
      for (const auto& a : appeals) WriteAppeal(w, a);
      w.EndArray();
    });
  }, {.tag = "user read"});

  r.Add(Method::kGet, "/api/plaza/v1/admin/appeals", [this](Request& req) {
    auto appeals = d_.moderation().ListAppeals(CallerOf(req).account_id,
                                               ParamString(req, "state") != "all");
    if (!appeals.ok()) return Fail(appeals.status());
    return JsonResponse(200, [&](JsonWriter& w) {
      w.BeginArray();
      for (const auto& a : *appeals) WriteAppeal(w, a);
      w.EndArray();
    });
  }, admin_read);

  for (bool approve : {true, false}) {
    r.Add(Method::kPost,
          approve ? "/api/plaza/v1/admin/appeals/:id/approve"
                  : "/api/plaza/v1/admin/appeals/:id/reject",
          [this, approve](Request& req) {
            auto id = PathId(req);
            if (!id.ok()) return Fail(id.status());
            auto appeal = d_.moderation().DecideAppeal(CallerOf(req).account_id, *id, approve,
                                                       NoteParam(req));
            if (!appeal.ok()) return Fail(appeal.status());
            return JsonResponse(200, [&](JsonWriter& w) { WriteAppeal(w, *appeal); });
          },
          admin_write);
  }

  // ---- Plaza: audit log (admins; read-only: no route changes it) ----
  r.Add(Method::kGet, "/api/plaza/v1/admin/audit_log", [this](Request& req) {
    auto page = ParsePage(req, 50, kMax);
    if (!page.ok()) return Fail(page.status());
    auto log = d_.moderation().AuditLog(CallerOf(req).account_id, *page);
    if (!log.ok()) return Fail(log.status());
    auto resp = JsonResponse(200, [&](JsonWriter& w) {
      w.BeginArray();
      for (const auto& a : *log) WriteAudit(w, a);
      w.EndArray();
    });
    if (!log->empty()) AddLinkHeader(resp, req, ctx_, log->front().id, log->back().id);
    return resp;
  }, admin_read);
}

}  // namespace plaza::api
