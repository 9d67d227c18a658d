// Password hashing and secret tokens (libsodium). Passwords are hashed with argon2id at OWASP's
// recommended cost (m = 19 MiB, t = 2, p = 1); tokens carry 256 bits from the system CSPRNG and
// are stored only as SHA-256 hashes, so a leaked database yields no usable credential.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "common/status.h"

namespace plaza::domain {

// Must be called once before any other function here (idempotent, thread-safe).
void InitCrypto();

struct PasswordCost {
  unsigned long long ops = 2;
  size_t mem_bytes = 19u << 20;
};

Result<std::string> HashPassword(std::string_view password, const PasswordCost& cost = {});
bool VerifyPassword(std::string_view password, const std::string& hash);

// A random URL-safe token (base64url, no padding) of `bytes` random bytes.
std::string RandomToken(size_t bytes = 32);
using Sha256Digest = std::array<uint8_t, 32>;
// SHA-256 of `s`. Uses the CPU's SHA extensions where it has them (one bearer token is hashed per
// request, and libsodium's portable code cost ~4k instructions of it); libsodium otherwise.
Sha256Digest Sha256(std::string_view s);
// The same through libsodium alone: the reference the tests hold Sha256 to.
Sha256Digest Sha256Portable(std::string_view s);
// Lower-case hex SHA-256 of `s`.
std::string Sha256Hex(std::string_view s);
// Lower-case hex of `digest`.
std::string HexOf(const Sha256Digest& digest);
// Unpadded base64url of SHA-256 of `s` (PKCE S256).
std::string Sha256Base64Url(std::string_view s);
bool ConstantTimeEquals(std::string_view a, std::string_view b);

}  // namespace plaza::domain
