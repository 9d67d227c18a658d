// Prefetch hints for objects reached through pointers, on paths that look many of them up at once
// (a timeline page) so that their cache misses overlap.
#pragma once

namespace plaza {

// Prefetches an object made by std::make_shared and the use count that copying a shared_ptr to it
// writes, which libstdc++ keeps just before the object (a vtable pointer and two 32-bit counts).
// A hint only: `object` may have been freed since (a prefetch does not fault). Null is ignored.
inline void PrefetchShared(const void* object) {
  if (object == nullptr) return;
  __builtin_prefetch(object);
  __builtin_prefetch(static_cast<const char*>(object) - 16);
}

}  // namespace plaza
