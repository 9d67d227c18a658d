// Helpers shared by the API handlers: the caller, parameter parsing, pagination and Link headers,
// and JSON response builders. Internal to src/api.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "api/api.h"
#include "api/entities.h"
#include "common/json_writer.h"
#include "common/status.h"
#include "domain/model.h"
#include "http/request.h"
#include "http/response.h"

namespace plaza::api {

// The caller set by the auth hook; an anonymous Caller when none.
const Caller& CallerOf(const http::Request& req);

// Parses max_id / since_id / min_id / limit (limit clamped to [1, max_limit], default def_limit).
Result<domain::Page> ParsePage(const http::Request& req, size_t def_limit, size_t max_limit);

// Adds a Mastodon Link header: rel="next" with max_id=<oldest cursor>, rel="prev" with
// min_id=<newest cursor>, keeping the request's limit and list filters (exclude_replies,
// types[], ...) as sent; other query parameters are left out.
void AddLinkHeader(http::Response& resp, const http::Request& req, const RenderContext& ctx,
                   Id newest_cursor, Id oldest_cursor);

// The :id path parameter as an Id; kNotFound when it is not a valid id.
Result<Id> PathId(const http::Request& req, std::string_view name = "id");

// A string parameter, "" when absent.
std::string ParamString(const http::Request& req, std::string_view key);

// Builds a JSON response by letting `fn` write into the body.
// `reserve` sizes the body up front (a timeline page of 20 statuses is ~40 KB; growing to that
// from a small buffer copies it several times).
http::Response JsonResponse(int status, const std::function<void(JsonWriter&)>& fn,
                            size_t reserve = 1024);
inline http::Response Fail(const Status& s) { return http::Response::FromStatus(s); }

}  // namespace plaza::api
