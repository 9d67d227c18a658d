#include "domain/auth.h"

#include <gtest/gtest.h>

#include "domain/crypto.h"
#include "domain_test_util.h"

namespace plaza::domain {
namespace {

using testing::DomainFixture;

TEST(AuthTest, ScopeHierarchy) {
  EXPECT_TRUE(Auth::ScopeAllows("read", "read:statuses"));
  EXPECT_TRUE(Auth::ScopeAllows("read write", "write:favourites"));
  EXPECT_FALSE(Auth::ScopeAllows("read", "write:statuses"));
  EXPECT_TRUE(Auth::ScopeAllows("read:statuses", "read:statuses"));
  EXPECT_FALSE(Auth::ScopeAllows("read:statuses", "read:accounts"));
  EXPECT_FALSE(Auth::ScopeAllows("read:statuses", "read"));
  EXPECT_TRUE(Auth::ScopeAllows("follow", "write:follows"));
  EXPECT_TRUE(Auth::ScopeAllows("follow", "read:blocks"));
  EXPECT_FALSE(Auth::ScopeAllows("follow", "write:statuses"));
  EXPECT_FALSE(Auth::ScopeAllows("readx", "readx:statuses"));
  EXPECT_TRUE(Auth::ScopeAllows("admin:read", "admin:read:accounts"));
  EXPECT_FALSE(Auth::ScopeAllows("read", "admin:read:accounts"));
  // Every separator the OAuth forms use, repeated, leading and trailing; empty lists allow nothing.
  EXPECT_TRUE(Auth::ScopeAllows("  push,\tfollow+ write ", "write:statuses"));
  EXPECT_TRUE(Auth::ScopeAllows("push,,read:statuses", "read:statuses"));
  EXPECT_FALSE(Auth::ScopeAllows("push,,read:statuses ", "read:accounts"));
  EXPECT_FALSE(Auth::ScopeAllows("", "read"));
  EXPECT_FALSE(Auth::ScopeAllows(" + ,", "read"));
  EXPECT_FALSE(Auth::NormalizeScopes("read bogus", "").ok());
  EXPECT_EQ(*Auth::NormalizeScopes("read+write read", ""), "read write");
  EXPECT_EQ(*Auth::NormalizeScopes("", "read"), "read");
}

TEST(AuthTest, PasswordGrantIssuesRevocableToken) {
  DomainFixture f;
  Id a = f.MakeAccount("alice");
  auto app = f.d().auth().CreateApp("client", "urn:ietf:wg:oauth:2.0:oob", "read write", "");
  ASSERT_TRUE(app.ok());
  auto bad = f.d().auth().PasswordGrant(app->rec.client_id, app->client_secret, "alice",
                                        "wrong password", "read");
  EXPECT_EQ(bad.status().code(), StatusCode::kUnauthorized);
  auto wrong_secret = f.d().auth().PasswordGrant(app->rec.client_id, "nope", "alice",
                                                 "password123", "read");
  EXPECT_EQ(wrong_secret.status().code(), StatusCode::kUnauthorized);
  auto too_wide = f.d().auth().PasswordGrant(app->rec.client_id, app->client_secret, "alice",
                                             "password123", "read follow");
  EXPECT_FALSE(too_wide.ok());
  auto token = f.d().auth().PasswordGrant(app->rec.client_id, app->client_secret,
                                          "ALICE@example.com", "password123", "read");
  ASSERT_TRUE(token.ok()) << token.status().ToString();
  EXPECT_GE(token->access_token.size(), 43u);  // 256 bits, base64url
  auto info = f.d().auth().Authenticate(token->access_token);
  ASSERT_TRUE(info);
  EXPECT_EQ(info->account_id, a);
  EXPECT_EQ(info->scopes, "read");
  ASSERT_TRUE(f.d().auth().Revoke(app->rec.client_id, app->client_secret, token->access_token).ok());
  EXPECT_FALSE(f.d().auth().Authenticate(token->access_token));
}

TEST(AuthTest, TokensAreStoredOnlyAsHashes) {
  DomainFixture f;
  f.MakeAccount("alice");
  auto app = f.d().auth().CreateApp("client", "urn:ietf:wg:oauth:2.0:oob", "read", "");
  auto token = f.d().auth().PasswordGrant(app->rec.client_id, app->client_secret, "alice",
                                          "password123", "read");
  ASSERT_TRUE(token.ok());
  EXPECT_FALSE(f.storage().GetToken(token->access_token).ok());
  EXPECT_TRUE(f.storage().GetToken(Sha256Hex(token->access_token)).ok());
  f.Restart();
  EXPECT_TRUE(f.d().auth().Authenticate(token->access_token));
}

TEST(AuthTest, TokenIndexFollowsIssueRevokeSuspensionAndRestart) {
  DomainFixture f;
  Id a = f.MakeAccount("alice");
  Id b = f.MakeAccount("bob");
  auto app = f.d().auth().CreateApp("client", "urn:ietf:wg:oauth:2.0:oob", "read write", "");
  ASSERT_TRUE(app.ok());
  auto grant = [&](const char* who, const char* scopes) {
    auto t = f.d().auth().PasswordGrant(app->rec.client_id, app->client_secret, who,
                                        "password123", scopes);
    EXPECT_TRUE(t.ok()) << t.status().ToString();
    return t->access_token;
  };
  std::string ta = grant("alice", "read");
  std::string tb = grant("bob", "read write");
  auto app_only = f.d().auth().ClientCredentials(app->rec.client_id, app->client_secret, "read");
  ASSERT_TRUE(app_only.ok());
  std::string tr = grant("alice", "write");
  EXPECT_EQ(f.d().auth().TokenCount(), 4u);
  ASSERT_TRUE(f.d().auth().Revoke(app->rec.client_id, app->client_secret, tr).ok());
  EXPECT_EQ(f.d().auth().TokenCount(), 3u);
  EXPECT_FALSE(f.d().auth().Authenticate(tr));

  // A suspension refuses the account's tokens at once; lifting it lets them in again.
  ASSERT_TRUE(f.d().accounts().Modify(b, [](AccountRecord& r) {
    r.suspended = true;
    return Status::Ok();
  }).ok());
  EXPECT_FALSE(f.d().auth().Authenticate(tb));
  EXPECT_TRUE(f.d().auth().Authenticate(ta));

  // The index is rebuilt from storage: the same tokens, scopes and suspensions after a restart.
  f.Restart();
  EXPECT_EQ(f.d().auth().TokenCount(), 3u);
  auto ia = f.d().auth().Authenticate(ta);
  ASSERT_TRUE(ia);
  EXPECT_EQ(ia->account_id, a);
  EXPECT_EQ(ia->app_id, app->rec.id);
  EXPECT_EQ(ia->scopes, "read");
  EXPECT_EQ(HexOf(ia->token_digest), Sha256Hex(ta));
  auto iapp = f.d().auth().Authenticate(app_only->access_token);
  ASSERT_TRUE(iapp);
  EXPECT_EQ(iapp->account_id, 0u);
  EXPECT_FALSE(f.d().auth().Authenticate(tr));
  EXPECT_FALSE(f.d().auth().Authenticate(tb));
  ASSERT_TRUE(f.d().accounts().Modify(b, [](AccountRecord& r) {
    r.suspended = false;
    return Status::Ok();
  }).ok());
  auto ib = f.d().auth().Authenticate(tb);
  ASSERT_TRUE(ib);
  EXPECT_EQ(ib->account_id, b);
  EXPECT_EQ(ib->scopes, "read write");
  // The scopes a TokenInfo shows are interned by Auth, and stay put as tokens bring new sets.
  for (const char* more : {"read:accounts", "read:statuses", "write:statuses", "read:follows",
                           "write:follows", "read:accounts write:statuses", "write:favourites"}) {
    grant("alice", more);
  }
  EXPECT_EQ(ia->scopes, "read");
  EXPECT_EQ(ib->scopes, "read write");
  // Where they were: the views still point at Auth's strings, not at memory those moved out of.
  EXPECT_EQ(ia->scopes.data(), f.d().auth().Authenticate(ta)->scopes.data());
  EXPECT_EQ(ib->scopes.data(), f.d().auth().Authenticate(tb)->scopes.data());
  // Unknown, empty, oversized and non-token bearers are refused.
  EXPECT_FALSE(f.d().auth().Authenticate("not-a-token"));
  EXPECT_FALSE(f.d().auth().Authenticate(""));
  EXPECT_FALSE(f.d().auth().Authenticate(std::string(600, 'a')));
  EXPECT_FALSE(f.d().auth().Authenticate(Sha256Hex(ta)));
}

TEST(AuthTest, AuthorizationCodeIsSingleUseAndChecksPkce) {
  DomainFixture f;
  Id a = f.MakeAccount("alice");
  auto app = f.d().auth().CreateApp("client", "https://app.example/cb", "read write", "");
  ASSERT_TRUE(app.ok());
  std::string verifier = "a-very-long-verifier-string-with-enough-entropy-123456";
  auto code = f.d().auth().IssueCode(app->rec, a, "read", "https://app.example/cb",
                                     Sha256Base64Url(verifier), "S256");
  ASSERT_TRUE(code.ok());
  auto wrong = f.d().auth().ExchangeCode(app->rec.client_id, nullptr, *code,
                                         "https://app.example/cb", "wrong-verifier");
  EXPECT_FALSE(wrong.ok());
  // The failed attempt burned the code.
  auto again = f.d().auth().ExchangeCode(app->rec.client_id, nullptr, *code,
                                         "https://app.example/cb", verifier);
  EXPECT_FALSE(again.ok());
  auto code2 = f.d().auth().IssueCode(app->rec, a, "read", "https://app.example/cb",
                                      Sha256Base64Url(verifier), "S256");
  auto ok = f.d().auth().ExchangeCode(app->rec.client_id, nullptr, *code2,
                                      "https://app.example/cb", verifier);
  ASSERT_TRUE(ok.ok()) << ok.status().ToString();
  EXPECT_EQ(f.d().auth().Authenticate(ok->access_token)->account_id, a);
}

TEST(AuthTest, FailedSignInsAreLimitedPerAccount) {
  auto config = testing::TestConfig();
  config.max_failed_logins_per_hour = 3;
  DomainFixture f(config);
  f.MakeAccount("alice");
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(f.d().accounts().CheckPassword("alice", "nope").status().code(),
              StatusCode::kUnauthorized);
  }
  EXPECT_EQ(f.d().accounts().CheckPassword("alice", "password123").status().code(),
            StatusCode::kRateLimited);
}

// The password hash is kept only in storage: no view of an account carries it, and every write
// of the account (profile, role, a moderator's change) starts from the stored record, so the
// password keeps working through them and through a restart.
TEST(AccountsTest, ThePasswordHashStaysInStorageThroughEveryWrite) {
  DomainFixture f;
  Id a = f.MakeAccount("alice");
  auto password_works = [&] {
    auto id = f.d().accounts().CheckPassword("alice", "password123");
    return id.ok() && *id == a;
  };
  auto hash_in_view = [&] { return f.d().accounts().Get(a)->rec->password_hash; };
  EXPECT_TRUE(password_works());
  EXPECT_EQ(hash_in_view(), "");
  ProfileUpdate rename;
  rename.display_name = "Alice";
  ASSERT_TRUE(f.d().accounts().UpdateProfile(a, rename).ok());
  EXPECT_TRUE(password_works());
  ASSERT_TRUE(f.d().accounts().SetRole(a, Role::kModerator).ok());
  EXPECT_TRUE(password_works());
  ASSERT_TRUE(f.d()
                  .accounts()
                  .Modify(a,
                          [](AccountRecord& r) {
                            r.note = "changed by a moderator";
                            return Status::Ok();
                          })
                  .ok());
  EXPECT_TRUE(password_works());
  EXPECT_EQ(hash_in_view(), "");
  f.Restart();
  EXPECT_TRUE(password_works());
  EXPECT_EQ(hash_in_view(), "");
  EXPECT_EQ(f.d().accounts().Get(a)->rec->note, "changed by a moderator");
  EXPECT_EQ(f.d().accounts().Get(a)->rec->role, Role::kModerator);
  EXPECT_EQ(f.d().accounts().CheckPassword("alice", "wrong-password").status().code(),
            StatusCode::kUnauthorized);
}

TEST(AccountsTest, UsernamesAreUniqueCaseInsensitively) {
  DomainFixture f;
  f.MakeAccount("Alice");
  auto dup = f.d().accounts().Register({"alice", "other@example.com", "password123", true});
  EXPECT_EQ(dup.status().code(), StatusCode::kUnprocessable);
  auto dup_email = f.d().accounts().Register({"alice2", "ALICE@example.com", "password123", true});
  EXPECT_EQ(dup_email.status().code(), StatusCode::kUnprocessable);
  EXPECT_FALSE(f.d().accounts().Register({"bad name", "x@example.com", "password123", true}).ok());
  EXPECT_FALSE(f.d().accounts().Register({std::string(31, 'a'), "y@example.com", "password123", true}).ok());
  EXPECT_FALSE(f.d().accounts().Register({"noagree", "z@example.com", "password123", false}).ok());
  EXPECT_FALSE(f.d().accounts().Register({"short", "s@example.com", "short", true}).ok());
  EXPECT_TRUE(f.d().accounts().FindByUsername("ALICE"));
}

TEST(AccountsTest, ProfileAcceptsChineseAndLimitsLength) {
  DomainFixture f;
  Id a = f.MakeAccount("alice");
  ProfileUpdate u;
  u.display_name = "爱丽丝";
  u.note = "你好，世界";
  auto r = f.d().accounts().UpdateProfile(a, u);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->rec->display_name, "爱丽丝");
  u.display_name = std::string(31 * 3, 'x');
  EXPECT_EQ(f.d().accounts().UpdateProfile(a, u).status().code(), StatusCode::kUnprocessable);
  u.display_name = "bad\xff";
  EXPECT_EQ(f.d().accounts().UpdateProfile(a, u).status().code(), StatusCode::kInvalid);
}

TEST(CryptoTest, Argon2idHashesVerifyAndDiffer) {
  auto h1 = HashPassword("secret", {1, 8192});
  auto h2 = HashPassword("secret", {1, 8192});
  ASSERT_TRUE(h1.ok());
  EXPECT_NE(*h1, *h2);
  EXPECT_EQ(h1->rfind("$argon2id$", 0), 0u);
  EXPECT_TRUE(VerifyPassword("secret", *h1));
  EXPECT_FALSE(VerifyPassword("Secret", *h1));
  auto real = HashPassword("secret");
  EXPECT_NE(real->find("m=19456,t=2,p=1"), std::string::npos);
}

}  // namespace
}  // namespace plaza::domain
