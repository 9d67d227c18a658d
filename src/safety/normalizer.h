// Normalizer: turns text into the canonical form the moderation matcher sees, and remembers where
// every canonical character came from so matches can be reported in the caller's byte offsets.
//
// The same normalization is applied to rule terms and to the text being checked, so an evasive
// spelling and the plain term meet in the middle. Per code point, in this order:
//   1. look-alike letters (Cyrillic/Greek/Latin homoglyphs such as Cyrillic "а", Greek "Ο") are
//      replaced by the Latin letter they imitate;
//   2. utf8proc NFKC + case folding + mark stripping: full-width forms become half-width,
//      ligatures and mathematical letters become plain letters, "é" becomes "e";
//   3. Traditional Chinese becomes Simplified, using OpenCC's character-level dictionary
//      (TSCharacters, found through the t2s.json config) loaded once into a table;
//   4. "l" and "i" are folded together (they are the usual substitutes for each other and for
//      "1"), then every resulting code point is classified: dropped (zero-width and other format
//      characters, controls, combining marks), whitespace, punctuation/symbol (emoji included),
//      word character (letters and digits of alphabetic scripts, plus "@" and "$"), or CJK
//      (Han, kana, Hangul: scripts written without spaces).
// The whole per-code-point pipeline is precomputed into a table at start-up (OpenCC and utf8proc
// are never called per check); code points above U+2FFFF are computed on the fly. The table holds
// 4-byte packed entries, and a 24 KiB bitmap marks the code points that map to themselves as CJK
// (most Simplified Chinese), so the common case of a check never touches the big table: ASCII is
// looked up in two 128-byte tables, common CJK in the bitmap. Normalize() decodes and validates
// UTF-8 in the same pass that writes the units and canonical bytes (runs of ASCII and of
// three-byte code points in loops of their own), then makes the token decisions below over the
// runs of word units only; NormalizeReference() is the plain per-code-point path it must agree
// with (kept for tests).
//
// Then, over the sequence of word/CJK characters ("units"):
//   - separators (whitespace, punctuation, symbols) and dropped characters are removed, so the
//     canonical text of "f.u.c.k", "法 轮 功" or "fu\u200bck" is "fuck" / "法轮功" / "fuck";
//   - a "token" is a maximal run of word units with no separator and no CJK unit inside;
//   - leet digits (0→o 1→i 3→e 4→a 5→s 7→t) and "@"→a, "$"→s are applied only inside tokens
//     that contain a real letter (or "@"/"$"), and to a lone digit next to such a token, so "sh1t" and "a$$" become "shit"/"ass" while numbers such as
//     "455" or "2024" stay numbers; a run of one-character tokens ("5 3 x") counts as one token
//     for this decision. A run of three or more digits is always a number and forms a token of
//     its own, so "qq123456" is "qq" + "123456" and "fuck2024" still contains the word "fuck".
//
// Word boundaries (the Scunthorpe problem). Removing separators would let "class is" contain
// "ass" and "the pen is" contain "penis". So every unit carries flags describing the ORIGINAL
// token structure, and the matcher accepts a Latin match only when:
//   - it starts at the first unit of a token and ends at the last unit of a token (so
//     "Scunthorpe", "assassin", "grape" do not match "cunt", "ass", "rape"), and
//   - it does not cross whitespace between two tokens of which at least one is longer than one
//     character, unless the rule itself has whitespace at that place ("buy followers").
// Whitespace between one-character tokens ("f u c k") and punctuation inside a word ("fu.ck",
// "f.u.c.k") are crossed freely; that is how spaced-out spellings are caught. A run of
// one-character tokens is read as one spaced-out word: a match inside it must cover the whole
// run except for one-letter words such as "a", "I", "u", "r" ("so u r a f u c k" matches;
// "C L A S S", "G R A P E S" and "A S S E S S M E N T" do not contain "ass"/"rape").
//
// Thread-safety: a Normalizer is immutable after Create() and may be shared by any number of
// threads. NormalizedText is a per-call buffer owned by one thread.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "common/status.h"

namespace plaza::safety {

// Where Debian's opencc package installs the Traditional→Simplified config.
inline constexpr std::string_view kDefaultOpenccT2sConfig = "/usr/share/opencc/t2s.json";

struct NormalizerOptions {
  // OpenCC config whose character dictionaries are loaded. Empty disables Traditional→Simplified
  // conversion (only for tests and environments without OpenCC; matching Traditional spellings
  // then fails).
  std::string opencc_config = std::string(kDefaultOpenccT2sConfig);
};

// Flags of one canonical unit.
enum UnitFlag : uint8_t {
  kUnitWord = 1 << 0,        // letter/digit of a spaced script (Latin, Cyrillic, ...)
  kUnitCjk = 1 << 1,         // Han, kana or Hangul
  kUnitLeftEdge = 1 << 2,    // a word boundary lies just before this unit
  kUnitRightEdge = 1 << 3,   // a word boundary lies just after this unit
  kUnitHardInner = 1 << 4,   // whitespace separates this unit from the previous word unit and
                             // the two tokens are not both one character long
  kUnitSpaceBefore = 1 << 5, // whitespace (not only punctuation) precedes this unit
  kUnitSpaced = 1 << 6,      // one of a run of two or more one-character tokens ("f u c k")
};

// Plain data without default member values, so that the buffer of NormalizedText::units can grow
// without being zeroed first (Normalize() writes every field of every unit).
struct NormalizedUnit {
  uint32_t orig_begin;  // byte range of the source code point in the original text
  uint32_t orig_end;
  uint32_t byte_begin;   // byte offset of this unit in NormalizedText::bytes
  uint32_t group_begin;  // with kUnitSpaced: the unit range [group_begin, group_end) of the run
  uint32_t group_end;    // of one-character tokens this unit belongs to; otherwise 0
  uint8_t flags;
};

// An allocator whose value-less construct() default-initializes: resize() of a vector of plain
// structs leaves the new elements to be written instead of zeroing them.
template <class T>
struct UninitializedAllocator : std::allocator<T> {
  template <class U>
  struct rebind {
    using other = UninitializedAllocator<U>;
  };
  UninitializedAllocator() = default;
  template <class U>
  UninitializedAllocator(const UninitializedAllocator<U>&) noexcept {}
  template <class U>
  void construct(U* p) noexcept(std::is_nothrow_default_constructible_v<U>) {
    ::new (static_cast<void*>(p)) U;
  }
  template <class U, class... Args>
  void construct(U* p, Args&&... args) {
    ::new (static_cast<void*>(p)) U(std::forward<Args>(args)...);
  }
};

// The canonical form of one text. Reused across calls to avoid allocation.
struct NormalizedText {
  std::string bytes;  // canonical UTF-8, separators removed
  std::vector<NormalizedUnit, UninitializedAllocator<NormalizedUnit>>
      units;  // one per canonical code point, in order

  // Index of the unit that canonical byte `pos` belongs to (binary search; only matches need it).
  // REQUIRES: pos < bytes.size().
  uint32_t UnitAt(uint32_t pos) const;

  // The first unit of every token ("word" in normalizer terms: a maximal run of word units, see
  // above), in order: the only places where a match that must begin at a word boundary can begin.
  std::vector<uint32_t> word_starts;

  void Clear() {
    bytes.clear();
    units.clear();
    word_starts.clear();
  }
};

class Normalizer {
 public:
  // Builds the per-code-point tables. Fails with a clear message when the OpenCC config is set
  // but cannot be loaded (e.g. the opencc package is not installed).
  static Result<std::shared_ptr<const Normalizer>> Create(const NormalizerOptions& options = {});

  // A process-wide normalizer built from default options on first use.
  static Result<std::shared_ptr<const Normalizer>> Default();

  ~Normalizer();
  Normalizer(const Normalizer&) = delete;
  Normalizer& operator=(const Normalizer&) = delete;

  // Normalizes `text` into `out` (cleared first). Returns false, with `out` empty, when `text` is
  // not valid UTF-8 (validation happens in the same pass). REQUIRES: text shorter than 4 GiB.
  bool Normalize(std::string_view text, NormalizedText& out) const;

  // The same result by the general per-code-point path (one table entry per code point, no fast
  // paths). For tests that compare the two. REQUIRES: text is valid UTF-8.
  void NormalizeReference(std::string_view text, NormalizedText& out) const;

  // The canonical text alone; convenient for tests and tools.
  std::string Canonical(std::string_view text) const;

  // Canonical form of one code point as used inside regex rules: the mapped letter when the code
  // point maps to exactly one word or CJK character, otherwise 0.
  char32_t MapLetter(char32_t cp) const;

  bool has_traditional_conversion() const { return has_t2s_; }

  struct Entry;  // one precomputed code point; defined in normalizer.cc

 private:
  Normalizer();
  Entry Compute(char32_t cp) const;
  Entry Lookup(char32_t cp) const;

  uint8_t ascii_class_[128] = {};  // ASCII: the class, and the canonical byte of word classes
  uint8_t ascii_byte_[128] = {};
  std::vector<uint32_t> table_;     // packed entries of the code points below kTableSize
  std::vector<uint64_t> cjk_self_;  // bitmap: code point maps to itself as one CJK unit
  std::vector<Entry> expansions_;   // targets of entries that expand to several code points
  std::vector<std::pair<char32_t, char32_t>> t2s_;  // sorted Traditional→Simplified pairs
  bool has_t2s_ = false;
};

}  // namespace plaza::safety
