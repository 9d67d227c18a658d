#include "domain/crypto.h"

#include <sodium.h>
#if defined(__x86_64__)
#include <cpuid.h>
#include <immintrin.h>
#endif

#include <cstring>
#include <mutex>
#include <stdexcept>

namespace plaza::domain {

void InitCrypto() {
  static std::once_flag once;
  std::call_once(once, [] {
    if (sodium_init() < 0) throw std::runtime_error("libsodium initialisation failed");
  });
}

Result<std::string> HashPassword(std::string_view password, const PasswordCost& cost) {
  InitCrypto();
  char out[crypto_pwhash_STRBYTES];
  if (crypto_pwhash_str_alg(out, password.data(), password.size(), cost.ops, cost.mem_bytes,
                            crypto_pwhash_ALG_ARGON2ID13) != 0) {
    return Status::Internal("password hashing ran out of memory");
  }
  return std::string(out);
}

bool VerifyPassword(std::string_view password, const std::string& hash) {
  InitCrypto();
  if (hash.empty() || hash.size() >= crypto_pwhash_STRBYTES) return false;
  return crypto_pwhash_str_verify(hash.c_str(), password.data(), password.size()) == 0;
}

std::string RandomToken(size_t bytes) {
  InitCrypto();
  std::string raw(bytes, '\0');
  randombytes_buf(raw.data(), raw.size());
  std::string out(sodium_base64_ENCODED_LEN(bytes, sodium_base64_VARIANT_URLSAFE_NO_PADDING), '\0');
  sodium_bin2base64(out.data(), out.size(), reinterpret_cast<const unsigned char*>(raw.data()),
                    raw.size(), sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  out.resize(std::char_traits<char>::length(out.c_str()));
  sodium_memzero(raw.data(), raw.size());
  return out;
}

#if defined(__x86_64__)
namespace {

// FIPS 180-4 section 4.2.2.
alignas(16) constexpr uint32_t kRoundConstants[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2};

// FIPS 180-4 section 5.3.3.
constexpr uint32_t kInitialState[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                                       0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};

bool CpuHasShaExtensions() {
  unsigned a = 0, b = 0, c = 0, d = 0;
  if (!__get_cpuid(1, &a, &b, &c, &d)) return false;
  bool ssse3 = (c & bit_SSSE3) != 0;
  bool sse41 = (c & bit_SSE4_1) != 0;
  if (!__get_cpuid_count(7, 0, &a, &b, &c, &d)) return false;
  return ssse3 && sse41 && (b & bit_SHA) != 0;
}

// Runs the compression function over `blocks` 64-byte blocks with the SHA-NI instructions. The
// instructions keep the eight working variables as ABEF and CDGH; sha256rnds2 does two rounds,
// sha256msg1/msg2 the two halves of the message schedule's recurrence
// W[t] = s1(W[t-2]) + W[t-7] + s0(W[t-15]) + W[t-16].
__attribute__((target("sha,sse4.1,ssse3"))) void CompressShaNi(uint32_t state[8],
                                                               const uint8_t* data, size_t blocks) {
  const __m128i byte_swap = _mm_set_epi64x(0x0c0d0e0f08090a0bULL, 0x0405060700010203ULL);
  __m128i dcba = _mm_loadu_si128(reinterpret_cast<const __m128i*>(&state[0]));
  __m128i hgfe = _mm_loadu_si128(reinterpret_cast<const __m128i*>(&state[4]));
  __m128i cdab = _mm_shuffle_epi32(dcba, 0xB1);
  __m128i efgh = _mm_shuffle_epi32(hgfe, 0x1B);
  __m128i abef = _mm_alignr_epi8(cdab, efgh, 8);
  __m128i cdgh = _mm_blend_epi16(efgh, cdab, 0xF0);
  for (; blocks > 0; --blocks, data += 64) {
    const __m128i abef_in = abef;
    const __m128i cdgh_in = cdgh;
    __m128i w[4];  // w[g % 4] holds W[4g .. 4g+3]
    for (int i = 0; i < 4; ++i) {
      w[i] = _mm_shuffle_epi8(_mm_loadu_si128(reinterpret_cast<const __m128i*>(data + 16 * i)),
                              byte_swap);
    }
    for (int g = 0; g < 16; ++g) {
      __m128i wk = _mm_add_epi32(
          w[g & 3], _mm_load_si128(reinterpret_cast<const __m128i*>(&kRoundConstants[4 * g])));
      cdgh = _mm_sha256rnds2_epu32(cdgh, abef, wk);
      abef = _mm_sha256rnds2_epu32(abef, cdgh, _mm_shuffle_epi32(wk, 0x0E));
      if (g < 12) {
        // W[4(g+4) ..]: w[g] is W[t-16], w[g+1] supplies W[t-15], w[g+2..g+3] W[t-7] and W[t-2].
        __m128i next = _mm_sha256msg1_epu32(w[g & 3], w[(g + 1) & 3]);
        next = _mm_add_epi32(next, _mm_alignr_epi8(w[(g + 3) & 3], w[(g + 2) & 3], 4));
        w[g & 3] = _mm_sha256msg2_epu32(next, w[(g + 3) & 3]);
      }
    }
    abef = _mm_add_epi32(abef, abef_in);
    cdgh = _mm_add_epi32(cdgh, cdgh_in);
  }
  __m128i feba = _mm_shuffle_epi32(abef, 0x1B);
  __m128i dchg = _mm_shuffle_epi32(cdgh, 0xB1);
  _mm_storeu_si128(reinterpret_cast<__m128i*>(&state[0]), _mm_blend_epi16(feba, dchg, 0xF0));
  _mm_storeu_si128(reinterpret_cast<__m128i*>(&state[4]), _mm_alignr_epi8(dchg, feba, 8));
}

Sha256Digest Sha256ShaNi(std::string_view s) {
  uint32_t state[8];
  std::memcpy(state, kInitialState, sizeof state);
  const auto* data = reinterpret_cast<const uint8_t*>(s.data());
  size_t whole = s.size() / 64;
  CompressShaNi(state, data, whole);
  // The tail, the 0x80 marker and the bit length fill one block, or two when the tail is longer
  // than 55 bytes.
  uint8_t last[128] = {};
  size_t tail = s.size() - whole * 64;
  if (tail > 0) std::memcpy(last, data + whole * 64, tail);
  last[tail] = 0x80;
  size_t padded = tail < 56 ? 64 : 128;
  uint64_t bits = static_cast<uint64_t>(s.size()) * 8;
  for (int i = 0; i < 8; ++i) last[padded - 1 - i] = static_cast<uint8_t>(bits >> (8 * i));
  CompressShaNi(state, last, padded / 64);
  Sha256Digest out;
  for (int i = 0; i < 8; ++i) {
    out[4 * i] = static_cast<uint8_t>(state[i] >> 24);
    out[4 * i + 1] = static_cast<uint8_t>(state[i] >> 16);
    out[4 * i + 2] = static_cast<uint8_t>(state[i] >> 8);
    out[4 * i + 3] = static_cast<uint8_t>(state[i]);
  }
  return out;
}

}  // namespace
#endif

Sha256Digest Sha256Portable(std::string_view s) {
  Sha256Digest out;
  crypto_hash_sha256(out.data(), reinterpret_cast<const unsigned char*>(s.data()), s.size());
  return out;
}

Sha256Digest Sha256(std::string_view s) {
#if defined(__x86_64__)
  static const bool kShaNi = CpuHasShaExtensions();
  if (kShaNi) return Sha256ShaNi(s);
#endif
  return Sha256Portable(s);
}

std::string HexOf(const Sha256Digest& digest) {
  // Sixteen nibbles at a time; a nibble n becomes '0' + n, plus 39 more when n > 9. Branch- and
  // table-free, as sodium_bin2hex is.
  std::string out(digest.size() * 2, '\0');
#if defined(__x86_64__)
  const __m128i low_nibble = _mm_set1_epi8(0x0F);
  const __m128i nine = _mm_set1_epi8(9);
  const __m128i zero_char = _mm_set1_epi8('0');
  const __m128i letter_gap = _mm_set1_epi8('a' - '0' - 10);
  auto ascii = [&](__m128i n) {
    __m128i above9 = _mm_and_si128(_mm_cmpgt_epi8(n, nine), letter_gap);
    return _mm_add_epi8(_mm_add_epi8(n, zero_char), above9);
  };
  for (size_t half = 0; half < 2; ++half) {
    __m128i bytes = _mm_loadu_si128(reinterpret_cast<const __m128i*>(digest.data() + 16 * half));
    __m128i high = _mm_and_si128(_mm_srli_epi16(bytes, 4), low_nibble);
    __m128i low = _mm_and_si128(bytes, low_nibble);
    char* dst = out.data() + 32 * half;
    _mm_storeu_si128(reinterpret_cast<__m128i*>(dst), ascii(_mm_unpacklo_epi8(high, low)));
    _mm_storeu_si128(reinterpret_cast<__m128i*>(dst + 16), ascii(_mm_unpackhi_epi8(high, low)));
  }
#else
  for (size_t i = 0; i < out.size(); ++i) {
    unsigned n = (i % 2 == 0 ? digest[i / 2] >> 4 : digest[i / 2]) & 0xF;
    out[i] = static_cast<char>('0' + n + ((9u - n) >> 8 & 39u));  // wraps when n > 9
  }
#endif
  return out;
}

std::string Sha256Hex(std::string_view s) { return HexOf(Sha256(s)); }

std::string Sha256Base64Url(std::string_view s) {
  Sha256Digest digest = Sha256(s);
  char out[sodium_base64_ENCODED_LEN(crypto_hash_sha256_BYTES,
                                     sodium_base64_VARIANT_URLSAFE_NO_PADDING)];
  sodium_bin2base64(out, sizeof out, digest.data(), digest.size(),
                    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  return std::string(out);
}

bool ConstantTimeEquals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  return sodium_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace plaza::domain
