// Prefetch hints for objects reached through pointers, on paths that look many of them up at once
// (a timeline page) so that their cache misses overlap.
#pragma once

#include <cstddef>
#include <cstdint>

namespace plaza {

// Prefetches an object made by std::make_shared and the use count that copying a shared_ptr to it
// writes, which libstdc++ keeps just before the object (a vtable pointer and two 32-bit counts).
// A hint only: `object` may have been freed since (a prefetch does not fault). Null is ignored.
inline void PrefetchShared(const void* object) {
  if (object == nullptr) return;
  __builtin_prefetch(object);
  __builtin_prefetch(static_cast<const char*>(object) - 16);
}

// Prefetches every cache line of [data, data + size): a contiguous object (a text, a sorted
// list) that will be read whole, or searched, soon after.
inline void PrefetchBytes(const void* data, size_t size) {
  auto at = reinterpret_cast<uintptr_t>(data) & ~uintptr_t{63};
  const auto end = reinterpret_cast<uintptr_t>(data) + size;
  for (; at < end; at += 64) __builtin_prefetch(reinterpret_cast<const void*>(at));
}

}  // namespace plaza
