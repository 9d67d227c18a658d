// plaza-datagen: generates a benchmark dataset (datagen.h) straight into a new Plaza data
// directory through the RocksDB adapter's bulk-load mode, then writes the files the load
// generator reads:
//   --tokens-file   one line per token: `<token> <account id> <username>`
//   --targets-file  one account id per line: profiles readers open
//   --manifest      JSON: counts, rows/s, digest, password, OAuth client, celebrity
// Prints the manifest on stdout too.
#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>

#include "tools/datagen/datagen.h"
#include "tools/datagen/import_target.h"

namespace {

std::string Manifest(const plaza::datagen::Options& o, const std::string& scale,
                     const plaza::datagen::Summary& s) {
  char buf[2048];
  snprintf(buf, sizeof buf,
           "{\"scale\":\"%s\",\"seed\":%llu,\"accounts\":%llu,\"follows\":%llu,\"posts\":%llu,"
           "\"likes\":%llu,\"tokens\":%llu,\"rows\":%llu,\"seconds\":%.3f,\"rows_per_s\":%.0f,"
           "\"digest\":\"%016llx\",\"celebrity_id\":\"%llu\",\"celebrity_username\":\"u0\","
           "\"celebrity_followers\":%llu,\"password\":\"%s\",\"client_id\":\"%s\","
           "\"client_secret\":\"%s\"}",
           scale.c_str(), static_cast<unsigned long long>(o.seed),
           static_cast<unsigned long long>(s.accounts), static_cast<unsigned long long>(s.follows),
           static_cast<unsigned long long>(s.posts), static_cast<unsigned long long>(s.likes),
           static_cast<unsigned long long>(s.tokens), static_cast<unsigned long long>(s.rows),
           s.seconds, s.seconds > 0 ? static_cast<double>(s.rows) / s.seconds : 0.0,
           static_cast<unsigned long long>(s.digest),
           static_cast<unsigned long long>(s.celebrity_id),
           static_cast<unsigned long long>(s.celebrity_followers), o.password.c_str(),
           o.client_id.c_str(), o.client_secret.c_str());
  return buf;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App cli{"plaza-datagen: generate a Weibo-shaped benchmark dataset into a Plaza data dir"};
  std::string scale_name = "small", data_dir, tokens_file, targets_file, manifest_file;
  plaza::datagen::Options o;
  std::optional<size_t> accounts, posts, likes, tokens;
  std::optional<double> follows_mean;
  bool quiet = false;
  cli.add_option("--scale", scale_name, "small, medium or large")->default_val("small");
  cli.add_option("--seed", o.seed, "random seed; the same seed gives the same dataset");
  cli.add_option("--data-dir", data_dir, "new Plaza data directory (must not exist or be empty)")
      ->required();
  cli.add_option("--tokens-file", tokens_file, "where to write the plaintext tokens");
  cli.add_option("--targets-file", targets_file, "where to write profile ids readers open");
  cli.add_option("--manifest", manifest_file, "where to write the JSON summary");
  cli.add_option("--base-url", o.base_url, "base URL used in rendered links");
  cli.add_option("--accounts", accounts, "override the scale's account count");
  cli.add_option("--posts", posts, "override the scale's post count");
  cli.add_option("--likes", likes, "override the scale's like count");
  cli.add_option("--tokens", tokens, "override how many accounts get a token");
  cli.add_option("--follows-mean", follows_mean, "override the mean out-degree");
  cli.add_option("--batch-rows", o.batch_rows, "records per storage batch");
  cli.add_option("--commit-threads", o.commit_threads,
                 "threads encoding and writing batches while generation goes on");
  cli.add_flag("--quiet", quiet, "no progress output on stderr");
  CLI11_PARSE(cli, argc, argv);

  auto scale = plaza::datagen::ScaleByName(scale_name);
  if (!scale.ok()) {
    std::cerr << scale.status().message() << "\n";
    return 2;
  }
  o.scale = *scale;
  if (accounts) o.scale.accounts = *accounts;
  if (posts) o.scale.posts = *posts;
  if (likes) o.scale.likes = *likes;
  if (tokens) o.scale.tokens = *tokens;
  if (follows_mean) o.scale.follows_mean = *follows_mean;
  if (auto pos = o.base_url.find("://"); pos != std::string::npos) {
    o.domain = o.base_url.substr(pos + 3);
  }

  auto storage = plaza::datagen::OpenImportTarget(data_dir);
  if (!storage.ok()) {
    std::cerr << "cannot import into " << data_dir << ": " << storage.status().ToString() << "\n";
    return storage.status().code() == plaza::StatusCode::kInvalid ? 2 : 1;
  }
  auto last = std::chrono::steady_clock::now();
  if (!quiet) {
    o.progress = [&last](const char* phase, uint64_t rows) {
      auto now = std::chrono::steady_clock::now();
      if (now - last < std::chrono::seconds(2)) return;
      last = now;
      std::cerr << "datagen: " << phase << ", " << rows << " rows\n";
    };
  }
  auto summary = plaza::datagen::Generate(**storage, o);
  if (!summary.ok()) {
    std::cerr << "datagen failed: " << summary.status().ToString() << "\n";
    return 1;
  }
  storage->reset();  // close the database before anyone else opens it

  if (!tokens_file.empty()) {
    std::ofstream f(tokens_file);
    for (const auto& t : summary->token_lines) {
      f << t.token << ' ' << t.account_id << ' ' << t.username << '\n';
    }
    if (!f) {
      std::cerr << "cannot write " << tokens_file << "\n";
      return 1;
    }
  }
  if (!targets_file.empty()) {
    std::ofstream f(targets_file);
    for (auto id : summary->view_targets) f << id << '\n';
    if (!f) {
      std::cerr << "cannot write " << targets_file << "\n";
      return 1;
    }
  }
  std::string manifest = Manifest(o, scale_name, *summary);
  if (!manifest_file.empty()) {
    std::ofstream f(manifest_file);
    f << manifest << '\n';
  }
  std::cout << manifest << std::endl;
  return 0;
}
