// Write-ahead logs that start as a synced file of zeros, so that a synced commit writes its data
// and nothing else.
//
// Why: RocksDB appends each commit to its log and fdatasyncs it. An append that grows the file
// changes the inode (its size, and on ext4 the extent that turns from preallocated to written),
// and fdatasync must write that too: on ext4 a second synchronous write of the inode's block
// before the flush (ext4_write_inode under ext4_sync_file). Overwriting a file that already has
// its size and written blocks changes only data. On this machine kind's ext4, one synced commit
// at a time (bench/storage/storage_bench, BM_RocksDbCommitSync against ...Unprepared): 184 ->
// 150 us (bench/README.md, session 16).
// RocksDB's own answer, recycle_log_file_num, reuses old logs but RocksDB turns it off under
// kPointInTimeRecovery, the recovery mode Plaza needs (every acknowledged write survives).
//
// How: this file system hands RocksDB, for each new log, a file already filled with zeros of a
// set size. RocksDB writes it from the start as if new (FileSystem::ReuseWritableFile), and
// trims it to what it wrote when it closes it. RocksDB's log format reserves record type 0 for
// preallocated space: recovery reads the records written and skips the zeros after them as
// padding, so a log cut short by a crash recovers exactly as an appended one. A log that outgrows
// the prepared size goes on by appending.
//
// Safety rests on two rules:
// - A file under the ready name is all zeros and durable: it is filled under a temporary name,
//   synced, renamed, and the directory synced.
// - A ready file becomes a log by a rename that is synced (the directory) before RocksDB writes
//   it, so after a crash a file holding log records never sits under the ready name, where a later
//   log would take it and recovery could read old records past the new ones.
//
// One prepared file is kept ready. While the database is opening (`Opened` not yet called, so
// RocksDB holds the directory's lock and no commit waits), a new log with none ready is prepared
// on the spot; afterwards a background thread prepares the next one while the current log is in
// use, and a log needed before it is ready is created the ordinary way.
#pragma once

#include <rocksdb/file_system.h>

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

namespace plaza::storage {

class PreparedWalFileSystem final : public rocksdb::FileSystemWrapper {
 public:
  // Logs in `dir` (the database directory) start as `bytes` of zeros.
  PreparedWalFileSystem(const std::shared_ptr<rocksdb::FileSystem>& base, std::string dir,
                        uint64_t bytes);
  ~PreparedWalFileSystem() override;

  const char* Name() const override { return "PlazaPreparedWal"; }

  // The database is open (its lock held): prepare the next log in the background from now on.
  void Opened();
  // Stops preparing (and waits for the preparer), for the database's close: nothing touches the
  // directory once its lock is released. Nothing is prepared after this.
  void Stop();

  rocksdb::IOStatus NewWritableFile(const std::string& fname, const rocksdb::FileOptions& options,
                                    std::unique_ptr<rocksdb::FSWritableFile>* result,
                                    rocksdb::IODebugContext* dbg) override;

  // Removes a prepared file (and one half made) left in `dir` by an earlier run, for a database
  // opened with preparing off. The caller holds the database's lock.
  static void RemoveFiles(const std::string& dir);

  // The ready file's name in the database directory (the tests look for it).
  static constexpr const char* kReadyName = "plaza-wal.prepared";
  static constexpr const char* kTempSuffix = ".tmp";

 private:
  bool IsLog(const std::string& fname) const;
  // Fills the temporary file and renames it to the ready name, durably. Stops early (false)
  // when Stop is called; an I/O error also answers false, leaving no ready file.
  bool Prepare();
  void PrepareLoop();
  bool SyncDir();

  const std::string dir_;
  const std::string ready_path_;
  const std::string temp_path_;
  const uint64_t bytes_;

  std::mutex mu_;
  std::condition_variable cv_;
  bool ready_;           // guarded by mu_: a ready file exists
  bool opened_ = false;  // guarded by mu_
  std::atomic<bool> stopping_{false};
  std::thread preparer_;
};

}  // namespace plaza::storage
