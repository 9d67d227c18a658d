#include "storage/rocksdb/prepared_wal.h"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <utility>
#include <vector>

namespace plaza::storage {

PreparedWalFileSystem::PreparedWalFileSystem(const std::shared_ptr<rocksdb::FileSystem>& base,
                                             std::string dir, uint64_t bytes)
    : rocksdb::FileSystemWrapper(base),
      dir_(std::move(dir)),
      ready_path_(dir_ + "/" + kReadyName),
      temp_path_(ready_path_ + kTempSuffix),
      bytes_(bytes),
      // Left by an earlier run: complete and all zeros, or it would not have this name. Only
      // the holder of the database's lock changes it, and this process does not hold it yet.
      ready_(target()->FileExists(ready_path_, rocksdb::IOOptions(), nullptr).ok()) {}

void PreparedWalFileSystem::RemoveFiles(const std::string& dir) {
  std::error_code ignored;
  std::filesystem::remove(dir + "/" + kReadyName, ignored);
  std::filesystem::remove(dir + "/" + kReadyName + kTempSuffix, ignored);
}

PreparedWalFileSystem::~PreparedWalFileSystem() { Stop(); }

void PreparedWalFileSystem::Stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (preparer_.joinable()) preparer_.join();
}

void PreparedWalFileSystem::Opened() {
  std::lock_guard lock(mu_);
  opened_ = true;
  preparer_ = std::thread([this] { PrepareLoop(); });
}

bool PreparedWalFileSystem::IsLog(const std::string& fname) const {
  // RocksDB names a log "<dir>/<number>.log", the number in at least six digits.
  size_t slash = fname.rfind('/');
  std::string_view base =
      std::string_view(fname).substr(slash == std::string::npos ? 0 : slash + 1);
  constexpr std::string_view kSuffix = ".log";
  if (base.size() <= kSuffix.size() || !base.ends_with(kSuffix)) return false;
  base.remove_suffix(kSuffix.size());
  return std::all_of(base.begin(), base.end(), [](char c) { return std::isdigit(uint8_t(c)); });
}

rocksdb::IOStatus PreparedWalFileSystem::NewWritableFile(
    const std::string& fname, const rocksdb::FileOptions& options,
    std::unique_ptr<rocksdb::FSWritableFile>* result, rocksdb::IODebugContext* dbg) {
  if (!IsLog(fname)) return target()->NewWritableFile(fname, options, result, dbg);
  std::unique_lock lock(mu_);
  if (!ready_ && !opened_) {
    // Opening: no commit waits for this log, so it is worth preparing now.
    lock.unlock();
    bool prepared = Prepare();
    lock.lock();
    ready_ = prepared;
  }
  if (!ready_) return target()->NewWritableFile(fname, options, result, dbg);
  ready_ = false;
  cv_.notify_all();  // the preparer starts the next one
  if (!target()->ReuseWritableFile(fname, ready_path_, options, result, dbg).ok()) {
    // Not taken (the file vanished, say): this log is made the ordinary way, and the preparer
    // makes a new one unless the old is still there.
    ready_ = target()->FileExists(ready_path_, rocksdb::IOOptions(), nullptr).ok();
    result->reset();
    return target()->NewWritableFile(fname, options, result, dbg);
  }
  // The rename is made durable before RocksDB writes a record into the file (the second rule).
  if (!SyncDir()) {
    result->reset();
    return rocksdb::IOStatus::IOError("sync of " + dir_ + " after taking a prepared log failed");
  }
  return rocksdb::IOStatus::OK();
}

bool PreparedWalFileSystem::Prepare() {
  rocksdb::IOOptions io;
  std::unique_ptr<rocksdb::FSWritableFile> file;
  if (!target()->NewWritableFile(temp_path_, rocksdb::FileOptions(), &file, nullptr).ok()) {
    return false;
  }
  const std::vector<char> zeros(1 << 20, '\0');
  bool ok = true;
  for (uint64_t done = 0; ok && done < bytes_; done += zeros.size()) {
    if (stopping_.load(std::memory_order_relaxed)) ok = false;
    size_t n = std::min<uint64_t>(zeros.size(), bytes_ - done);
    if (ok) ok = file->Append(rocksdb::Slice(zeros.data(), n), io, nullptr).ok();
  }
  if (ok) ok = file->Sync(io, nullptr).ok();
  ok = file->Close(io, nullptr).ok() && ok;
  if (ok) ok = target()->RenameFile(temp_path_, ready_path_, io, nullptr).ok();
  if (ok) ok = SyncDir();
  if (!ok) {
    target()->DeleteFile(temp_path_, io, nullptr).PermitUncheckedError();
    target()->DeleteFile(ready_path_, io, nullptr).PermitUncheckedError();
  }
  return ok;
}

bool PreparedWalFileSystem::SyncDir() {
  std::unique_ptr<rocksdb::FSDirectory> dir;
  rocksdb::IOOptions io;
  return target()->NewDirectory(dir_, io, &dir, nullptr).ok() && dir->Fsync(io, nullptr).ok();
}

void PreparedWalFileSystem::PrepareLoop() {
  std::unique_lock lock(mu_);
  for (;;) {
    cv_.wait(lock, [this] { return stopping_ || !ready_; });
    if (stopping_) return;
    lock.unlock();
    bool prepared = Prepare();
    lock.lock();
    // An I/O error ends preparing: later logs are created the ordinary way.
    if (!prepared) return;
    ready_ = true;
  }
}

}  // namespace plaza::storage
