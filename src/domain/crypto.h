// Password hashing and secret tokens (libsodium). Passwords are hashed with argon2id at OWASP's
// recommended cost (m = 19 MiB, t = 2, p = 1); tokens carry 256 bits from the system CSPRNG and
// are stored only as SHA-256 hashes, so a leaked database yields no usable credential.
#pragma once

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
// Lower-case hex SHA-256 of `s`.
std::string Sha256Hex(std::string_view s);
// Unpadded base64url of SHA-256 of `s` (PKCE S256).
std::string Sha256Base64Url(std::string_view s);
bool ConstantTimeEquals(std::string_view a, std::string_view b);

}  // namespace plaza::domain
