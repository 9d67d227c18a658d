// The plaza binary: `plaza serve` runs the server; `plaza admin ...` and other subcommands run
// operator tasks against the same data directory. This is the only place that knows which
// storage adapter is in use.
#include <malloc.h>
#include <pthread.h>
#include <signal.h>
#include <spdlog/spdlog.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <iostream>
#include <memory>
#include <string>
#include <string_view>
#include <thread>

#include "api/api.h"
#include "app/config.h"
#include "domain/commerce/commerce.h"
#include "domain/domain.h"
#include "http/router.h"
#include "http/server.h"
#include "safety/moderation_cli.h"
#include "storage/rocksdb/rocksdb_storage.h"

namespace plaza::app {
namespace {

// Serving a page touches a few hundred hash-table entries scattered over a heap of hundreds of
// megabytes or more; with 4 KiB pages nearly every one of those reads is also a TLB miss (in a
// virtual machine, a two-level page walk). glibc backs malloc's heap with transparent huge pages
// when the tunable glibc.malloc.hugetlb=1 is set, and tunables are read from the environment only
// when a process starts, so the binary executes itself once more with it set (same pid, same
// arguments). An operator's own GLIBC_TUNABLES setting of it wins; PLAZA_HUGEPAGES=0 opts out.
// Measured: a third to a half less CPU per home-timeline read (bench/README.md).
void ReexecWithHugePages(char** argv) {
  if (const char* opt = getenv("PLAZA_HUGEPAGES"); opt != nullptr && std::string_view(opt) == "0") {
    return;
  }
  const char* current = getenv("GLIBC_TUNABLES");
  const bool had = current != nullptr;
  const std::string original = had ? current : "";
  if (original.find("glibc.malloc.hugetlb") != std::string::npos) return;
  std::string tunables = original.empty() ? "glibc.malloc.hugetlb=1"
                                          : original + ":glibc.malloc.hugetlb=1";
  if (setenv("GLIBC_TUNABLES", tunables.c_str(), 1) != 0) return;
  execv("/proc/self/exe", argv);
  // Not executed (no /proc, say): carry on with ordinary pages.
  if (had) {
    setenv("GLIBC_TUNABLES", original.c_str(), 1);
  } else {
    unsetenv("GLIBC_TUNABLES");
  }
}

Result<std::unique_ptr<storage::Storage>> OpenStorage(const Config& c) {
  storage::RocksDbOptions opts;
  opts.sync = c.sync;
  opts.block_cache_mb = c.block_cache_mb;
  opts.prepared_wal_mb = c.prepared_wal_mb;
  return storage::OpenRocksDbStorage(c.data_dir, opts);
}

// A thread's malloc arena (other than the main one) lives in a 64 MiB reservation that glibc
// makes writable only as far as the arena has grown, a few pages at a time: growing the model by
// a new post's records and cached JSON cost an mprotect call about every 4 posts and a page fault
// for every 4 KiB. Padding each step to the whole reservation makes it writable at once, and
// with the heap's transparent huge pages (above) it is then faulted in 2 MiB at a time. Measured
// over 60,000 posts: mprotect calls 14,789 -> 1, page faults 23,562 -> 986 (bench/README.md).
// Memory is still committed only as it is touched; what the pad changes is that up to 64 MiB
// freed at the top of an arena stays with it instead of being returned at once.
void PadMallocArenas() { mallopt(M_TOP_PAD, 64 << 20); }

// Each client connection is a descriptor, and RocksDB keeps its table files open (a few hundred
// at the large benchmark's size), while the soft limit a login shell hands out is often 1,024:
// a thousand keep-alive clients would make accept() fail. The soft limit is raised to the hard
// one, which only an administrator can raise.
void RaiseOpenFileLimit() {
  rlimit files{};
  if (getrlimit(RLIMIT_NOFILE, &files) != 0 || files.rlim_cur >= files.rlim_max) return;
  files.rlim_cur = files.rlim_max;
  if (setrlimit(RLIMIT_NOFILE, &files) != 0) {
    spdlog::warn("could not raise the open-file limit to {}", files.rlim_max);
  }
}

int Serve(Config config) {
  PadMallocArenas();
  FinishConfig(config);
  spdlog::set_level(spdlog::level::from_str(config.log_level));
  RaiseOpenFileLimit();
  spdlog::set_pattern(R"({"ts":"%Y-%m-%dT%H:%M:%S.%eZ","level":"%l","msg":"%v"})",
                      spdlog::pattern_time_type::utc);

  // Block the shutdown signals in every thread; one thread waits for them.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  signal(SIGPIPE, SIG_IGN);

  auto storage = OpenStorage(config);
  if (!storage.ok()) {
    spdlog::critical("cannot open storage at {}: {}", config.data_dir, storage.status().ToString());
    return 1;
  }
  auto domain = std::make_unique<domain::Domain>(**storage, config.domain);
  auto loaded = domain->Start();
  if (!loaded.ok()) {
    spdlog::critical("cannot load state: {}", loaded.status().ToString());
    return 1;
  }
  spdlog::info("loaded {} accounts, {} statuses, {} edges, {} marks in {} ms", loaded->accounts,
               loaded->statuses, loaded->edges, loaded->marks, loaded->elapsed_ms);
  // The load freed what it had decoded and what the lists had spare, in holes among what stays.
  malloc_trim(0);
  auto commerce = std::make_unique<domain::commerce::Commerce>(**storage, *domain, config.commerce);
  if (auto st = commerce->Start(); !st.ok()) {
    spdlog::critical("cannot load commerce state: {}", st.ToString());
    return 1;
  }

  http::Router router;
  api::Api api(*domain, config.api, commerce.get());
  api.Register(router);
  http::Server server(router, config.server);
  api.Install(server);
  if (auto st = server.Start(); !st.ok()) {
    spdlog::critical("cannot listen on {}: {}", config.server.listen, st.ToString());
    return 1;
  }
  spdlog::info("plaza listening on {} (port {}), data in {}", config.server.listen, server.port(),
               config.data_dir);

  std::thread waiter([&server, signals] {
    int sig = 0;
    sigwait(&signals, &sig);
    spdlog::info("signal {} received, shutting down", sig);
    server.Stop();
  });
  server.Run();
  // Run() returns after Stop(); make the waiter exit if the server stopped by itself.
  pthread_kill(waiter.native_handle(), SIGTERM);
  waiter.join();
  commerce->Stop();
  domain->Stop();
  // Every acknowledged write is already durable, and the storage is closed normally below. The
  // in-memory model is left to the operating system: freeing it allocation by allocation took
  // minutes on a medium dataset (glibc's unlink_chunk and malloc_consolidate over ~20 million
  // chunks), long enough for a service manager to give up and kill the process.
  (void)commerce.release();
  (void)domain.release();
  spdlog::info("plaza stopped");
  return 0;
}

int SetRole(Config config, const std::string& username, const std::string& role_name) {
  FinishConfig(config);
  storage::Role role;
  if (role_name == "admin") {
    role = storage::Role::kAdmin;
  } else if (role_name == "moderator") {
    role = storage::Role::kModerator;
  } else if (role_name == "user") {
    role = storage::Role::kUser;
  } else {
    std::cerr << "role must be admin, moderator or user\n";
    return 2;
  }
  auto storage = OpenStorage(config);
  if (!storage.ok()) {
    std::cerr << "cannot open storage: " << storage.status().ToString() << "\n";
    return 1;
  }
  domain::Domain domain(**storage, config.domain);
  if (auto st = domain.Start(); !st.ok()) {
    std::cerr << st.status().ToString() << "\n";
    return 1;
  }
  auto account = domain.accounts().FindByUsername(username);
  if (!account) {
    std::cerr << "no account named " << username << "\n";
    return 1;
  }
  if (auto st = domain.accounts().SetRole(account->rec->id, role); !st.ok()) {
    std::cerr << st.ToString() << "\n";
    return 1;
  }
  std::cout << username << " is now " << role_name << "\n";
  return 0;
}

// Proves the double-entry ledger balances: prints one JSON object, exits 0 when balanced.
int CheckLedger(Config config) {
  FinishConfig(config);
  auto storage = OpenStorage(config);
  if (!storage.ok()) {
    std::cerr << "cannot open storage: " << storage.status().ToString() << "\n";
    return 2;
  }
  auto report = domain::commerce::CheckLedger(**storage);
  if (!report.ok()) {
    std::cerr << report.status().ToString() << "\n";
    return 2;
  }
  std::cout << "{\"balanced\":" << (report->balanced ? "true" : "false")
            << ",\"entries\":" << report->entries << ",\"transactions\":" << report->transactions
            << ",\"orders\":" << report->orders_checked << ",\"totals\":{";
  bool first = true;
  for (const auto& [key, sum] : report->totals) {
    std::cout << (first ? "" : ",") << "\"" << key << "\":" << sum;
    first = false;
  }
  std::cout << "},\"problems\":" << report->problems.size() << "}\n";
  for (const auto& p : report->problems) std::cerr << p << "\n";
  return report->balanced ? 0 : 1;
}

}  // namespace
}  // namespace plaza::app

int main(int argc, char** argv) {
  plaza::app::ReexecWithHugePages(argv);
  using plaza::app::Config;
  CLI::App cli{"Plaza: a microblogging server with social commerce built in"};
  cli.require_subcommand(1);
  Config config;
  // Derived from the listen address in FinishConfig unless a file or flag sets them.
  config.api.base_url.clear();
  config.api.domain.clear();
  std::string config_file;
  cli.add_option("-c,--config", config_file, "TOML configuration file")->check(CLI::ExistingFile);

  auto* serve = cli.add_subcommand("serve", "Run the HTTP server");
  std::optional<std::string> listen, data_dir, log_level, base_url;
  std::optional<int> threads, max_chars;
  std::optional<int64_t> celebrity_threshold;
  std::optional<bool> no_rate_limit;
  std::optional<std::string> moderation_rules;
  serve->add_option("--listen", listen, "host:port to listen on (default 127.0.0.1:8080)");
  serve->add_option("--data-dir", data_dir, "data directory (default ./var/plaza)");
  serve->add_option("--threads", threads, "io threads (default: one per core)");
  serve->add_option("--log-level", log_level, "trace, debug, info, warn, error");
  serve->add_option("--base-url", base_url, "public base URL used in links");
  serve->add_option("--max-chars", max_chars, "Weibo length limit of a status (default 140)");
  serve->add_option("--celebrity-threshold", celebrity_threshold,
                    "followers above which an author's posts are pulled at read time");
  serve->add_flag("--no-rate-limit", no_rate_limit,
                  "disable per-IP and per-token rate limits and the posting spam limits");
  serve->add_option("--moderation-rules", moderation_rules,
                    "read-only moderation rule file loaded beside the rules stored via the API")
      ->check(CLI::ExistingFile);
  std::optional<int64_t> order_ttl_ms;
  serve->add_option("--order-ttl-ms", order_ttl_ms,
                    "unpaid orders are cancelled after this many milliseconds (default 900000)");

  auto* commerce = cli.add_subcommand("commerce", "Commerce tools");
  commerce->require_subcommand(1);
  auto* check_ledger = commerce->add_subcommand(
      "check-ledger", "Prove the ledger balances (JSON report; exit 0 when balanced, 1 if not)");
  std::optional<std::string> commerce_data_dir;
  check_ledger->add_option("--data-dir", commerce_data_dir, "data directory");

  auto* admin = cli.add_subcommand("admin", "Operator tasks");
  admin->require_subcommand(1);
  auto* role = admin->add_subcommand("set-role", "Give an account a role");
  std::string role_user, role_name;
  std::optional<std::string> admin_data_dir;
  role->add_option("--username", role_user)->required();
  role->add_option("--role", role_name, "admin, moderator or user")->required();
  role->add_option("--data-dir", admin_data_dir, "data directory");

  auto* moderation = cli.add_subcommand("moderation", "Moderation tools");
  moderation->require_subcommand(1);
  auto* check = moderation->add_subcommand(
      "check", "Check one text per line of standard input; one JSON verdict per line out");
  std::string rules_file;
  check->add_option("--rules", rules_file, "rule file (Plaza format or plain `ACTION TERM`)")
      ->required();

  CLI11_PARSE(cli, argc, argv);
  if (*check) return plaza::safety::RunModerationCheck(rules_file, std::cin, std::cout, std::cerr);

  if (!config_file.empty()) {
    if (auto st = plaza::app::LoadConfigFile(config_file, config); !st.ok()) {
      std::cerr << st.message() << "\n";
      return 2;
    }
  }
  if (listen) config.server.listen = *listen;
  if (data_dir) config.data_dir = *data_dir;
  if (admin_data_dir) config.data_dir = *admin_data_dir;
  if (commerce_data_dir) config.data_dir = *commerce_data_dir;
  if (order_ttl_ms) config.commerce.order_ttl_ms = *order_ttl_ms;
  if (threads) config.server.threads = *threads;
  if (log_level) config.log_level = *log_level;
  if (base_url) config.api.base_url = *base_url;
  if (max_chars) config.domain.max_status_chars = *max_chars;
  if (celebrity_threshold) config.domain.celebrity_threshold = *celebrity_threshold;
  if (no_rate_limit && *no_rate_limit) {
    config.server.ip_rate_limit_enabled = false;
    config.api.token_rate_limit_enabled = false;
    config.domain.moderation.spam_limits = false;
  }
  if (moderation_rules) config.domain.moderation.rules_file = *moderation_rules;
  if (*serve) return plaza::app::Serve(config);
  if (*role) return plaza::app::SetRole(config, role_user, role_name);
  if (*check_ledger) return plaza::app::CheckLedger(config);
  return 2;
}
