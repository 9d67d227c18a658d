#include "http/params.h"

#include <gtest/gtest.h>

#include <optional>
#include <random>
#include <string>
#include <vector>

namespace plaza::http {
namespace {

using Values = std::vector<std::string_view>;

Params MustDecode(std::string_view content_type, std::string_view body,
                  const ParamLimits& limits = {}) {
  Result<Params> r = DecodeBodyParams(content_type, body, limits);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return r.ok() ? std::move(r).value() : Params();
}

TEST(ParamsTest, FormArraysAndNestedKeysFlattenRailsStyle) {
  Params p = MustDecode("application/x-www-form-urlencoded",
                        "status=hi+there%21&media_ids[]=1&media_ids[]=2&poll[options][]=x&"
                        "poll[options][]=y&poll[expires_in]=60&%E5%8C%97=%E4%BA%AC");
  EXPECT_EQ(p.Get("status"), "hi there!");
  EXPECT_EQ(p.GetAll("media_ids"), (Values{"1", "2"}));
  EXPECT_EQ(p.GetAll("poll[options]"), (Values{"x", "y"}));
  EXPECT_EQ(p.Get("poll[expires_in]"), "60");
  EXPECT_EQ(p.Get("北"), "京");
  EXPECT_FALSE(p.Has("media_ids[]"));
  EXPECT_FALSE(p.Has("missing"));
  EXPECT_EQ(p.Get("missing"), std::nullopt);
}

TEST(ParamsTest, JsonFlattensLikeForm) {
  Params p = MustDecode(
      "application/json; charset=utf-8",
      R"({"status":"hi","media_ids":[1,"2"],"poll":{"options":["x","y"],"expires_in":60},)"
      R"("sensitive":true,"reblogs":false,"spoiler_text":null,"fields_attributes":)"
      R"([{"name":"n","value":"v"}],"ratio":1.50,"big":18446744073709551615,"neg":-3,)"
      R"("empty":[],"nested":[[1,2]]})");
  EXPECT_EQ(p.Get("status"), "hi");
  EXPECT_EQ(p.GetAll("media_ids"), (Values{"1", "2"}));
  EXPECT_EQ(p.GetAll("poll[options]"), (Values{"x", "y"}));
  EXPECT_EQ(p.Get("poll[expires_in]"), "60");
  EXPECT_EQ(p.Get("sensitive"), "true");
  EXPECT_EQ(p.Get("reblogs"), "false");
  EXPECT_FALSE(p.Has("spoiler_text"));
  EXPECT_EQ(p.Get("fields_attributes[0][name]"), "n");
  EXPECT_EQ(p.Get("fields_attributes[0][value]"), "v");
  EXPECT_EQ(p.Get("ratio"), "1.5");
  EXPECT_EQ(p.Get("big"), "18446744073709551615");
  EXPECT_EQ(p.Get("neg"), "-3");
  EXPECT_FALSE(p.Has("empty"));
  EXPECT_EQ(p.GetAll("nested[0]"), (Values{"1", "2"}));
}

TEST(ParamsTest, JsonAndFormAndMultipartAgree) {
  Params json = MustDecode("application/json", R"({"a":[1,2],"poll":{"options":["x"]}})");
  Params form = MustDecode("application/x-www-form-urlencoded", "a[]=1&a[]=2&poll[options][]=x");
  std::string multipart =
      "--XyZ\r\nContent-Disposition: form-data; name=\"a[]\"\r\n\r\n1\r\n"
      "--XyZ\r\nContent-Disposition: form-data; name=\"a[]\"\r\n\r\n2\r\n"
      "--XyZ\r\nContent-Disposition: form-data; name=\"poll[options][]\"\r\n\r\nx\r\n"
      "--XyZ--\r\n";
  Params mp = MustDecode("multipart/form-data; boundary=XyZ", multipart);
  for (const Params* p : {&json, &form, &mp}) {
    EXPECT_EQ(p->GetAll("a"), (Values{"1", "2"}));
    EXPECT_EQ(p->GetAll("poll[options]"), (Values{"x"}));
  }
}

TEST(ParamsTest, MultipartFilesAndTextFields) {
  std::string body =
      "preamble\r\n"
      "--b0undary\r\n"
      "Content-Disposition: form-data; name=\"description\"\r\n\r\n"
      "a cat\r\non two lines\r\n"
      "--b0undary\r\n"
      "Content-Disposition: form-data; name=\"file\"; filename=\"cat.png\"\r\n"
      "Content-Type: image/png\r\n\r\n"
      "\x89PNG\r\n\x1a\n\xff\xfe"
      "\r\n--b0undary\r\n"
      "content-disposition: form-data; name=\"empty\"; filename=\"\"\r\n\r\n"
      "\r\n--b0undary--";
  Params p = MustDecode("multipart/form-data; boundary=\"b0undary\"", body);
  EXPECT_EQ(p.Get("description"), "a cat\r\non two lines");
  const UploadedFile* f = p.GetFile("file");
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->filename, "cat.png");
  EXPECT_EQ(f->content_type, "image/png");
  EXPECT_EQ(f->data, std::string_view("\x89PNG\r\n\x1a\n\xff\xfe"));
  EXPECT_EQ(p.GetFile("empty"), nullptr);
  EXPECT_EQ(p.files().size(), 1u);
}

TEST(ParamsTest, MalformedBodiesAreRejected) {
  ParamLimits limits;
  struct Case {
    const char* type;
    std::string body;
  };
  std::vector<Case> cases = {
      {"application/json", "{\"a\":"},
      {"application/json", "[1,2]"},
      {"application/json", "\"just a string\""},
      {"application/json", "{\"a\":1} trailing"},
      {"application/json", "{\"a\":\"\xff\"}"},
      {"application/json", "{\"\xc3\":1}"},
      {"application/x-www-form-urlencoded", "a=%zz"},
      {"application/x-www-form-urlencoded", "a=%4"},
      {"application/x-www-form-urlencoded", "a=%ff"},
      {"application/x-www-form-urlencoded", "%c3=1"},
      {"multipart/form-data", "--x\r\n\r\nbody\r\n--x--"},
      {"multipart/form-data; boundary=x", "--x\r\nContent-Disposition: form-data; name=\"a\""},
      {"multipart/form-data; boundary=x",
       "--x\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nunterminated"},
      {"multipart/form-data; boundary=x",
       "--x\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n\xed\xa0\x80\r\n--x--"},
      {"multipart/form-data; boundary=x", "--x\r\nContent-Type: text/plain\r\n\r\nv\r\n--x--"},
  };
  for (const Case& c : cases) {
    Result<Params> r = DecodeBodyParams(c.type, c.body, limits);
    EXPECT_FALSE(r.ok()) << c.type << " " << c.body;
    if (!r.ok()) {
      EXPECT_EQ(r.status().code(), StatusCode::kInvalid);
    }
  }
}

TEST(ParamsTest, LimitsOnFieldsDepthAndKeys) {
  ParamLimits limits;
  limits.max_fields = 3;
  limits.max_depth = 2;
  EXPECT_TRUE(DecodeFormParams("a=1&b=2&c=3", limits).ok());
  EXPECT_FALSE(DecodeFormParams("a=1&b=2&c=3&d=4", limits).ok());
  EXPECT_FALSE(DecodeBodyParams("application/json", R"({"a":[1,2,3,4]})", limits).ok());
  EXPECT_TRUE(DecodeFormParams("a[b][c]=1", limits).ok());
  EXPECT_FALSE(DecodeFormParams("a[b][c][d]=1", limits).ok());
  EXPECT_TRUE(DecodeBodyParams("application/json", R"({"a":{"b":1}})", limits).ok());
  EXPECT_FALSE(DecodeBodyParams("application/json", R"({"a":{"b":{"c":{"d":1}}}})", limits).ok());

  std::string deep(5000, '[');
  deep += std::string(5000, ']');
  EXPECT_FALSE(DecodeBodyParams("application/json", "{\"a\":" + deep + "}", ParamLimits{}).ok());
  ParamLimits small_keys;
  small_keys.max_key_bytes = 4;
  EXPECT_FALSE(DecodeFormParams("abcdefgh=1", small_keys).ok());
}

TEST(ParamsTest, EmptyAndUnknownBodiesGiveNoParams) {
  EXPECT_TRUE(MustDecode("application/json", "").empty());
  EXPECT_TRUE(MustDecode("application/json", " \r\n").empty());
  EXPECT_TRUE(MustDecode("text/plain", "a=1").empty());
  EXPECT_TRUE(MustDecode("application/x-www-form-urlencoded", "&&").empty());
}

TEST(ParamsTest, BoolAndIntAccessors) {
  Params p = MustDecode("application/x-www-form-urlencoded",
                        "t=true&T=TRUE&one=1&on=on&f=false&zero=0&x=yes&n=42&neg=-7&bad=4x&"
                        "huge=99999999999999999999");
  EXPECT_EQ(p.GetBool("t"), true);
  EXPECT_EQ(p.GetBool("T"), true);
  EXPECT_EQ(p.GetBool("one"), true);
  EXPECT_EQ(p.GetBool("on"), true);
  EXPECT_EQ(p.GetBool("f"), false);
  EXPECT_EQ(p.GetBool("zero"), false);
  EXPECT_EQ(p.GetBool("x"), false);
  EXPECT_EQ(p.GetBool("missing"), std::nullopt);
  EXPECT_TRUE(p.GetBool("missing", true));
  EXPECT_EQ(p.GetInt("n").value(), 42);
  EXPECT_EQ(p.GetInt("neg").value(), -7);
  EXPECT_EQ(p.GetInt("bad").status().code(), StatusCode::kInvalid);
  EXPECT_EQ(p.GetInt("huge").status().code(), StatusCode::kInvalid);
  EXPECT_EQ(p.GetInt("missing").status().code(), StatusCode::kNotFound);
}

TEST(ParamsTest, RepeatedScalarGetReturnsLast) {
  Params p = MustDecode("application/x-www-form-urlencoded", "a=1&a=2");
  EXPECT_EQ(p.Get("a"), "2");
  EXPECT_EQ(p.GetAll("a"), (Values{"1", "2"}));
}

TEST(ParamsTest, MergeLetsLaterKeysReplaceEarlier) {
  Params query = DecodeFormParams("limit=20&a[]=q1&a[]=q2&only_query=1", {}).value();
  Params body = DecodeFormParams("limit=40&a[]=b1", {}).value();
  query.MergeFrom(body);
  EXPECT_EQ(query.Get("limit"), "40");
  EXPECT_EQ(query.GetAll("limit"), (Values{"40"}));
  EXPECT_EQ(query.GetAll("a"), (Values{"b1"}));
  EXPECT_EQ(query.Get("only_query"), "1");
}

TEST(ParamsTest, PercentDecode) {
  EXPECT_EQ(PercentDecode("a%20b+c", false).value(), "a b+c");
  EXPECT_EQ(PercentDecode("a%20b+c", true).value(), "a b c");
  EXPECT_FALSE(PercentDecode("%", true).ok());
  EXPECT_FALSE(PercentDecode("%g0", true).ok());
}

// The decoder against the plain definition, on random strings of escapes (whole, cut short, with
// every kind of digit and non-digit), plus signs and other bytes: the same text, or the same
// refusal.
TEST(ParamsTest, PercentDecodeAgreesWithTheDefinition) {
  auto hex = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  auto reference = [&](std::string_view in, bool plus) -> std::optional<std::string> {
    std::string out;
    for (size_t i = 0; i < in.size(); ++i) {
      if (in[i] == '%') {
        if (i + 2 >= in.size() || hex(in[i + 1]) < 0 || hex(in[i + 2]) < 0) return std::nullopt;
        out += static_cast<char>(hex(in[i + 1]) * 16 + hex(in[i + 2]));
        i += 2;
      } else {
        out += in[i] == '+' && plus ? ' ' : in[i];
      }
    }
    return out;
  };
  const std::string alphabet = "%%%%+09afAFgG/z\xe5\x80 ";
  std::mt19937 rng(7);
  for (int n = 0; n < 200000; ++n) {
    std::string in(rng() % 12, ' ');
    for (char& c : in) c = alphabet[rng() % alphabet.size()];
    const bool plus = rng() % 2 == 0;
    auto want = reference(in, plus);
    auto got = PercentDecode(in, plus);
    ASSERT_EQ(got.ok(), want.has_value()) << in;
    if (want) {
      ASSERT_EQ(*got, *want) << in;
    }
  }
}

}  // namespace
}  // namespace plaza::http
