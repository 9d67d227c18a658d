// plaza-datagen-flash-sale: the flash-sale dataset (flash_sale.h) imported straight into a new
// Plaza data directory: a datagen import of --accounts accounts, every one with a token (no
// posts, no likes), then the shop, product, campaign and one reservation per buyer. Writes
//   --tokens-file  one line per buyer (every account but the merchant): `<token> <id> <username>`
//   --manifest     JSON: counts, campaign id, units, sale start, the merchant's token, password
// and prints the manifest on stdout too.
#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>

#include "tools/datagen/datagen.h"
#include "tools/datagen/import_target.h"
#include "tools/datagen/flash_sale.h"

int main(int argc, char** argv) {
  CLI::App cli{"plaza-datagen-flash-sale: a flash-sale campaign with reservations for every account"};
  std::string data_dir, tokens_file, manifest_file;
  plaza::datagen::Options o;
  plaza::datagen::FlashSaleOptions fs;
  size_t accounts = 100'000;
  int64_t starts_in_ms = 0;
  bool quiet = false;
  cli.add_option("--data-dir", data_dir, "new Plaza data directory (must not exist or be empty)")
      ->required();
  cli.add_option("--accounts", accounts, "accounts: one merchant (u0), the rest reserve and buy");
  cli.add_option("--units", fs.units, "units offered by the campaign");
  cli.add_option("--price-minor", fs.price_minor, "price in fen");
  cli.add_option("--sale-start-ms", fs.sale_start_ms, "sale start, Unix milliseconds");
  cli.add_option("--sale-starts-in-ms", starts_in_ms, "sale start, milliseconds from the end of the import");
  cli.add_option("--seed", o.seed, "random seed");
  cli.add_option("--tokens-file", tokens_file, "where to write the buyers' plaintext tokens");
  cli.add_option("--manifest", manifest_file, "where to write the JSON summary");
  cli.add_option("--base-url", o.base_url, "base URL used in rendered links");
  cli.add_flag("--quiet", quiet, "no progress output on stderr");
  CLI11_PARSE(cli, argc, argv);
  if (accounts < 2 || (fs.sale_start_ms == 0) == (starts_in_ms == 0)) {
    std::cerr << "need --accounts >= 2 and exactly one of --sale-start-ms, --sale-starts-in-ms\n";
    return 2;
  }
  o.scale.accounts = accounts;
  o.scale.tokens = accounts;
  o.scale.posts = 0;
  o.scale.likes = 0;
  o.scale.follows_mean = 1;
  if (auto pos = o.base_url.find("://"); pos != std::string::npos) o.domain = o.base_url.substr(pos + 3);

  auto storage = plaza::datagen::OpenImportTarget(data_dir);
  if (!storage.ok()) {
    std::cerr << "cannot import into " << data_dir << ": " << storage.status().ToString() << "\n";
    return storage.status().code() == plaza::StatusCode::kInvalid ? 2 : 1;
  }
  if (!quiet) {
    o.progress = [](const char* phase, uint64_t rows) {
      std::cerr << "datagen: " << phase << ", " << rows << " rows\n";
    };
  }
  auto start = std::chrono::steady_clock::now();
  auto summary = plaza::datagen::Generate(**storage, o);
  if (!summary.ok()) {
    std::cerr << "datagen failed: " << summary.status().ToString() << "\n";
    return 1;
  }
  // Token line 0 is account 0 (u0), the merchant; the others are every other account.
  std::vector<plaza::Id> ids;
  ids.reserve(summary->token_lines.size());
  for (const auto& t : summary->token_lines) ids.push_back(t.account_id);
  if (starts_in_ms != 0) {
    fs.sale_start_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                           std::chrono::system_clock::now().time_since_epoch())
                           .count() +
                       starts_in_ms;
  }
  auto sale = plaza::datagen::GenerateFlashSale(**storage, fs, ids);
  if (!sale.ok()) {
    std::cerr << "flash sale failed: " << sale.status().ToString() << "\n";
    return 1;
  }
  storage->reset();
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

  if (!tokens_file.empty()) {
    std::ofstream f(tokens_file);
    for (size_t i = 1; i < summary->token_lines.size(); ++i) {
      const auto& t = summary->token_lines[i];
      f << t.token << ' ' << t.account_id << ' ' << t.username << '\n';
    }
    if (!f) {
      std::cerr << "cannot write " << tokens_file << "\n";
      return 1;
    }
  }
  char buf[1024];
  snprintf(buf, sizeof buf,
           "{\"accounts\":%llu,\"reservations\":%llu,\"units\":%lld,\"campaign_id\":\"%llu\","
           "\"product_id\":\"%llu\",\"merchant_id\":\"%llu\",\"merchant_token\":\"%s\","
           "\"sale_start_ms\":%lld,\"seconds\":%.3f,\"password\":\"%s\"}",
           static_cast<unsigned long long>(summary->accounts),
           static_cast<unsigned long long>(sale->reservations), static_cast<long long>(fs.units),
           static_cast<unsigned long long>(sale->campaign_id),
           static_cast<unsigned long long>(sale->product_id),
           static_cast<unsigned long long>(sale->merchant_id),
           summary->token_lines[0].token.c_str(), static_cast<long long>(fs.sale_start_ms), seconds,
           o.password.c_str());
  if (!manifest_file.empty()) {
    std::ofstream f(manifest_file);
    f << buf << '\n';
  }
  std::cout << buf << std::endl;
  return 0;
}
