// A Domain over in-memory storage with cheap password hashing, plus helpers to make accounts.
#pragma once

#include <memory>
#include <string>

#include "domain/domain.h"
#include "storage/memory/memory_storage.h"

namespace plaza::domain::testing {

DomainConfig TestConfig();

class DomainFixture {
 public:
  explicit DomainFixture(DomainConfig config = TestConfig());
  ~DomainFixture();
  Domain& d() { return *domain_; }
  storage::Storage& storage() { return *storage_; }
  // Makes an account and returns its id.
  Id MakeAccount(const std::string& username);
  // Replaces the Domain with a new one loaded from the same storage (a restart).
  void Restart();
  Id Post(Id author, const std::string& text, Visibility v = Visibility::kPublic);

 private:
  DomainConfig config_;
  std::unique_ptr<storage::Storage> storage_;
  std::unique_ptr<Domain> domain_;
};

}  // namespace plaza::domain::testing
