#include "domain_test_util.h"

#include <gtest/gtest.h>

namespace plaza::domain::testing {

DomainConfig TestConfig() {
  DomainConfig c;
  c.password_ops = 1;
  c.password_mem_bytes = 8192;
  c.celebrity_threshold = 3;
  c.home_timeline_cap = 50;
  c.moderation.spam_limits = false;  // tests post in bursts; moderation_test turns them on
  return c;
}

DomainFixture::DomainFixture(DomainConfig config)
    : config_(config), storage_(storage::NewMemoryStorage()) {
  Restart();
}

DomainFixture::~DomainFixture() {
  if (domain_) domain_->Stop();
}

void DomainFixture::Restart() {
  if (domain_) domain_->Stop();
  domain_.reset();
  domain_ = std::make_unique<Domain>(*storage_, config_);
  auto loaded = domain_->Start();
  EXPECT_TRUE(loaded.ok()) << loaded.status().ToString();
}

Id DomainFixture::MakeAccount(const std::string& username) {
  auto a = domain_->accounts().Register({username, username + "@example.com", "password123", true});
  EXPECT_TRUE(a.ok()) << a.status().ToString();
  return a.ok() ? a->rec->id : 0;
}

Id DomainFixture::Post(Id author, const std::string& text, Visibility v) {
  NewStatus in;
  in.text = text;
  in.visibility = v;
  auto s = domain_->statuses().Create(author, in);
  EXPECT_TRUE(s.ok()) << s.status().ToString();
  return s.ok() ? s->rec->id : 0;
}

}  // namespace plaza::domain::testing
