#include "tools/datagen/import_target.h"

#include <filesystem>

#include "storage/rocksdb/rocksdb_storage.h"

namespace plaza::datagen {

Result<std::unique_ptr<storage::Storage>> OpenImportTarget(const std::string& data_dir) {
  std::error_code ec;
  if (std::filesystem::exists(data_dir, ec) && !std::filesystem::is_empty(data_dir, ec)) {
    return Status::Invalid("data dir " + data_dir +
                           " is not empty; the importer only fills new ones");
  }
  storage::RocksDbOptions o;
  o.bulk_load = true;
  o.sync = false;
  o.write_buffer_mb = 128;
  o.block_cache_mb = 64;
  o.max_background_jobs = 2;
  return storage::OpenRocksDbStorage(data_dir, o);
}

}  // namespace plaza::datagen
