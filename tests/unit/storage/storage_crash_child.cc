// Helper process for rocksdb_storage_test, run by fork + exec so that the child starts without the
// parent's RocksDB threads.
//   storage_crash_child commit <dir> <first_seq>
//     Commits batch after batch with sync on, starting at <first_seq>; after each Commit returns
//     OK, writes the batch's sequence number (8 bytes, native order) to stdout. Runs until killed.
//   storage_crash_child hold <dir>
//     Opens the database, writes "ready\n" to stdout, then waits to be killed.

#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "storage/rocksdb/rocksdb_storage.h"
#include "storage/storage.h"

namespace plaza::storage {
namespace {

bool WriteAll(const void* data, size_t size) {
  const char* p = static_cast<const char*>(data);
  while (size > 0) {
    ssize_t n = write(STDOUT_FILENO, p, size);
    if (n <= 0) return false;
    p += n;
    size -= static_cast<size_t>(n);
  }
  return true;
}

// The batch for `seq`; rocksdb_storage_test checks for exactly these records.
WriteBatch CrashBatch(uint64_t seq) {
  WriteBatch b;
  StatusRecord s;
  s.id = seq;
  s.account_id = 7;
  s.text = "post " + std::to_string(seq) + std::string(200, 'x');
  b.Put(s);
  b.Put(IdempotencyRecord{7, "key-" + std::to_string(seq), seq, 1});
  NotificationRecord n;
  n.account_id = 9;
  n.id = seq;
  n.status_id = seq;
  b.Put(n);
  return b;
}

int Run(int argc, char** argv) {
  if (argc < 3) return 64;
  std::string mode = argv[1];
  auto storage = OpenRocksDbStorage(argv[2], RocksDbOptions{});
  if (!storage.ok()) {
    std::fprintf(stderr, "open: %s\n", storage.status().ToString().c_str());
    return 2;
  }
  if (mode == "hold") {
    if (!WriteAll("ready\n", 6)) return 3;
    for (;;) pause();
  }
  if (mode != "commit" || argc < 4) return 64;
  for (uint64_t seq = std::strtoull(argv[3], nullptr, 10);; ++seq) {
    Status s = storage.value()->Commit(CrashBatch(seq));
    if (!s.ok()) {
      std::fprintf(stderr, "commit: %s\n", s.ToString().c_str());
      return 4;
    }
    if (!WriteAll(&seq, sizeof(seq))) return 5;
  }
}

}  // namespace
}  // namespace plaza::storage

int main(int argc, char** argv) { return plaza::storage::Run(argc, argv); }
