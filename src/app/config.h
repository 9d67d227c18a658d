// Plaza's run-time configuration: defaults, then a TOML file, then command-line flags (the last
// one wins). Every setting is documented in docs/configuration.md.
#pragma once

#include <string>

#include "api/api.h"
#include "common/status.h"
#include "domain/commerce/commerce.h"
#include "domain/config.h"
#include "http/server.h"

namespace plaza::app {

struct Config {
  std::string data_dir = "./var/plaza";
  bool sync = true;  // fsync the WAL before acknowledging a write
  size_t block_cache_mb = 256;
  size_t prepared_wal_mb = 64;  // each write-ahead log starts as this many MiB of zeros; 0: off
  std::string log_level = "info";
  http::ServerOptions server;
  domain::DomainConfig domain;
  api::ApiOptions api;
  domain::commerce::CommerceConfig commerce;
};

// Reads a TOML file into `config` (keys not in the file keep their values). kInvalid with the
// file's line on a syntax error or an unknown/ill-typed key.
Status LoadConfigFile(const std::string& path, Config& config);
// Derives base_url/domain from the listen address when they were not set explicitly.
void FinishConfig(Config& config);

}  // namespace plaza::app
