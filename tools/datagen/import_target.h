// The storage an import writes into: a new (or empty) Plaza data directory opened with RocksDB in
// bulk-load mode (unsynced batches, large memtables; the importer calls Storage::Flush at the end).
#pragma once

#include <memory>
#include <string>

#include "common/status.h"
#include "storage/storage.h"

namespace plaza::datagen {

// kInvalid when `data_dir` exists and is not empty (the importer only fills new directories).
Result<std::unique_ptr<storage::Storage>> OpenImportTarget(const std::string& data_dir);

}  // namespace plaza::datagen
