#include "domain/crypto.h"

#include <gtest/gtest.h>

#include <random>
#include <string>

namespace plaza::domain {
namespace {

// FIPS 180-2 appendix B and the NIST example values.
TEST(Sha256Test, MatchesThePublishedVectors) {
  EXPECT_EQ(Sha256Hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(Sha256Hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(Sha256Hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  EXPECT_EQ(Sha256Hex(std::string(1000000, 'a')),
            "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

// Every length across the one- and two-block padding cases and several whole blocks, with
// random bytes, against libsodium's implementation.
TEST(Sha256Test, AgreesWithLibsodiumAtEveryLengthUpTo300Bytes) {
  std::mt19937 rng(7);
  for (size_t len = 0; len <= 300; ++len) {
    for (int round = 0; round < 4; ++round) {
      std::string s(len, '\0');
      for (char& c : s) c = static_cast<char>(rng());
      ASSERT_EQ(Sha256(s), Sha256Portable(s)) << "length " << len;
    }
  }
}

TEST(Sha256Test, HexIsLowerCaseAndCoversEveryNibble) {
  Sha256Digest d{};
  for (size_t i = 0; i < d.size(); ++i) d[i] = static_cast<uint8_t>(i * 8 + (i % 2 ? 0xF : 0));
  std::string want;
  static constexpr char kDigits[] = "0123456789abcdef";
  for (uint8_t b : d) {
    want += kDigits[b >> 4];
    want += kDigits[b & 0xF];
  }
  EXPECT_EQ(HexOf(d), want);
  EXPECT_EQ(HexOf(Sha256Digest{}), std::string(64, '0'));
  Sha256Digest ff;
  ff.fill(0xFF);
  EXPECT_EQ(HexOf(ff), std::string(64, 'f'));
}

}  // namespace
}  // namespace plaza::domain
