#include "domain/commerce/payment.h"

#include <sodium.h>

#include <atomic>
#include <charconv>

#include "common/clock.h"
#include "domain/crypto.h"

namespace plaza::domain::commerce {
namespace {

std::string HmacHex(std::string_view secret, std::string_view message) {
  unsigned char key[crypto_auth_hmacsha256_KEYBYTES] = {};
  // Keys longer than the block are hashed by HMAC itself; libsodium takes a fixed-size key, so
  // derive one from the configured secret of any length.
  crypto_hash_sha256(key, reinterpret_cast<const unsigned char*>(secret.data()), secret.size());
  unsigned char mac[crypto_auth_hmacsha256_BYTES];
  crypto_auth_hmacsha256(mac, reinterpret_cast<const unsigned char*>(message.data()),
                         message.size(), key);
  char hex[crypto_auth_hmacsha256_BYTES * 2 + 1];
  sodium_bin2hex(hex, sizeof hex, mac, sizeof mac);
  return hex;
}

std::string SignedMessage(int64_t t_ms, std::string_view body) {
  std::string m = std::to_string(t_ms);
  m.push_back('.');
  m.append(body);
  return m;
}

class SandboxProvider final : public PaymentProvider {
 public:
  SandboxProvider(std::string secret, WebhookSink sink)
      : secret_(std::move(secret)), sink_(std::move(sink)) {}

  std::string_view name() const override { return "sandbox"; }

  Result<SignedWebhook> Charge(const storage::OrderRecord& order) override {
    PaymentEvent ev;
    ev.type = "payment.succeeded";
    ev.payment_id = "sbx_pay_" + std::to_string(order.id);
    return Deliver(order, std::move(ev));
  }

  Result<SignedWebhook> Refund(const storage::OrderRecord& order) override {
    PaymentEvent ev;
    ev.type = "payment.refunded";
    ev.payment_id = order.payment_id;
    return Deliver(order, std::move(ev));
  }

 private:
  Result<SignedWebhook> Deliver(const storage::OrderRecord& order, PaymentEvent ev) {
    ev.id = "sbx_evt_" + RandomToken(12);
    ev.order_id = order.id;
    ev.amount_minor = order.total_minor;
    ev.currency = order.currency;
    ev.created_ms = NowUnixMs();
    SignedWebhook hook;
    hook.body = WebhookBody(ev);
    hook.signature = SignWebhook(secret_, ev.created_ms, hook.body);
    PLAZA_RETURN_IF_ERROR(sink_(hook, ev));
    return hook;
  }

  const std::string secret_;
  const WebhookSink sink_;
};

}  // namespace

std::string SignWebhook(std::string_view secret, int64_t t_ms, std::string_view body) {
  return "t=" + std::to_string(t_ms) + ",v1=" + HmacHex(secret, SignedMessage(t_ms, body));
}

Status VerifyWebhook(std::string_view secret, std::string_view header, std::string_view body,
                     int64_t now_ms, int64_t tolerance_ms) {
  std::string_view t, v1;
  while (!header.empty()) {
    size_t comma = header.find(',');
    std::string_view part = header.substr(0, comma);
    header = comma == std::string_view::npos ? std::string_view() : header.substr(comma + 1);
    while (!part.empty() && part.front() == ' ') part.remove_prefix(1);
    if (part.substr(0, 2) == "t=") t = part.substr(2);
    if (part.substr(0, 3) == "v1=") v1 = part.substr(3);
  }
  int64_t t_ms = 0;
  auto [end, ec] = std::from_chars(t.data(), t.data() + t.size(), t_ms);
  if (t.empty() || v1.empty() || ec != std::errc() || end != t.data() + t.size()) {
    return Status::Unauthorized("missing or malformed webhook signature");
  }
  if (!ConstantTimeEquals(HmacHex(secret, SignedMessage(t_ms, body)), v1)) {
    return Status::Unauthorized("invalid webhook signature");
  }
  if (t_ms < now_ms - tolerance_ms || t_ms > now_ms + tolerance_ms) {
    return Status::Invalid("webhook timestamp is outside the allowed window");
  }
  return Status::Ok();
}

std::string WebhookBody(const PaymentEvent& ev) {
  // Every field is an id, a number or a fixed token, so no JSON escaping is needed.
  return "{\"id\":\"" + ev.id + "\",\"type\":\"" + ev.type + "\",\"payment_id\":\"" +
         ev.payment_id + "\",\"order_id\":\"" + std::to_string(ev.order_id) +
         "\",\"amount\":" + std::to_string(ev.amount_minor) + ",\"currency\":\"" + ev.currency +
         "\",\"created\":" + std::to_string(ev.created_ms) + "}";
}

std::unique_ptr<PaymentProvider> NewSandboxProvider(std::string secret, WebhookSink sink) {
  return std::make_unique<SandboxProvider>(std::move(secret), std::move(sink));
}

}  // namespace plaza::domain::commerce
