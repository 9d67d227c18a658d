// The in-memory Storage adapter: the full storage contract over a std::map, for unit tests and for
// running Plaza without a disk. Nothing survives the process; `sync` has no meaning here.
//
// Readers share a lock and writers take it exclusively, so every batch is atomic to readers and a
// scan sees one consistent state. A scan callback (ForEach*, ScanNotifications) runs while the
// scan holds the read lock: it may read from the same storage, but a Commit to the same storage
// from inside the callback fails with kInternal instead of deadlocking. Thread-safe.
#pragma once

#include <memory>

#include "storage/kv_engine.h"
#include "storage/storage.h"

namespace plaza::storage {

// A new, empty in-memory Storage.
std::unique_ptr<Storage> NewMemoryStorage();

// The bare ordered key-value engine under NewMemoryStorage, for tests of the engine layer.
std::unique_ptr<KvEngine> NewMemoryEngine();

}  // namespace plaza::storage
