// A synthetic microblog shaped like Weibo, written straight into Plaza's storage.
//
// What the generated data looks like (see tools/README.md for the reasoning and the sources):
// - Follows: every account follows k others, k exponential with the scale's mean; targets are
//   drawn with probability proportional to 1/rank (Zipf s = 1), which gives an in-degree
//   distribution that is a power law with exponent about 2: a few celebrities hold a large
//   share of all edges. Account 0 (rank 0) is followed by every other account.
// - 57% of accounts never post or like (outside the top ranks, which are always active).
// - Posts: originals, replies, reposts and quotes by active authors (half Zipf-weighted, half
//   uniform), mixing Chinese and English, with @mentions, #topics# and URLs, rendered to HTML by
//   the same code the server uses. Likes on earlier posts.
// - One OAuth app, one shared password for every account (one argon2id hash computed once and
//   reused: hashing a million passwords would take hours), and bearer tokens for a sample of
//   accounts written in plain text to a file for the load generator.
//
// Deterministic: the same options give identical records (and the same digest) on every run,
// except the shared password hash, whose argon2id salt is random (it is left out of the digest).
// Ids and timestamps come from a fixed calendar (posts in December 2025), not the clock.
//
// Loading: large batches committed without sync (the caller opens storage in bulk-load mode),
// generation of the next batches overlapping the commits of earlier ones on `commit_threads`
// helper threads, one Storage::Flush at the end. Posts are planned in order on the calling
// thread, and their text (parsed and rendered by the server's own code, most of the cost) is
// made on the helper threads. Notifications are not generated.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "common/id.h"
#include "common/status.h"
#include "storage/storage.h"

namespace plaza::datagen {

struct Scale {
  size_t accounts = 10'000;
  double follows_mean = 50;  // mean out-degree; plus the follow of account 0
  size_t posts = 200'000;
  size_t likes = 200'000;
  size_t tokens = 10'000;  // accounts that get a bearer token (account 0 always does)
};

// "small", "medium" or "large"; kInvalid otherwise.
Result<Scale> ScaleByName(const std::string& name);

struct Options {
  Scale scale;
  uint64_t seed = 1;
  std::string base_url = "http://127.0.0.1:8080";  // used in rendered HTML links
  std::string domain = "127.0.0.1:8080";
  std::string password = "plaza-bench-password";
  std::string client_id = "plaza-bench";
  std::string client_secret = "plaza-bench-secret";
  size_t batch_rows = 100'000;
  // Threads that encode batches and write their table files, and render posts, while
  // generation goes on.
  size_t commit_threads = 2;
  // Called after each committed batch with the rows written so far (for progress output).
  std::function<void(const char* phase, uint64_t rows)> progress;
};

struct TokenLine {
  std::string token;  // plaintext bearer token
  Id account_id = 0;
  std::string username;
};

struct Summary {
  uint64_t accounts = 0;
  uint64_t follows = 0;
  uint64_t posts = 0;
  uint64_t likes = 0;
  uint64_t tokens = 0;
  uint64_t rows = 0;  // every record written (accounts, app, tokens, edges, statuses, marks)
  uint64_t digest = 0;  // FNV-1a over a canonical encoding of every record, in write order
  uint64_t celebrity_followers = 0;
  Id celebrity_id = 0;
  double seconds = 0;  // generation + commits + final flush
  std::vector<TokenLine> token_lines;
  std::vector<Id> view_targets;  // accounts whose profile timelines readers visit
};

// Generates the dataset into `storage`, which must be empty. Not thread-safe; commits on
// `options.commit_threads` helper threads, concurrently (`storage` must accept concurrent
// Commits, as every adapter does).
Result<Summary> Generate(storage::Storage& storage, const Options& options);

}  // namespace plaza::datagen
