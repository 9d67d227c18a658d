// Payment providers and their webhooks. A provider starts payments and refunds and later confirms
// each one by calling Plaza's webhook with a signed event; Commerce::HandleWebhook verifies the
// signature before believing any field of the event. Adding a real provider means implementing
// PaymentProvider and routing its webhook to HandleWebhook — no other domain code changes.
//
// Signatures follow the common "timestamp.body" scheme: the header is `t=<unix ms>,v1=<hex>`,
// where hex is HMAC-SHA-256(secret, "<t>.<body>") (libsodium crypto_auth_hmacsha256). The
// timestamp bounds how old a delivery may be; the event id makes each event apply at most once.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "common/status.h"
#include "storage/commerce_records.h"

namespace plaza::domain::commerce {

// A webhook event as the provider describes it. Trusted only after the signature over the raw
// body it was parsed from has been verified.
struct PaymentEvent {
  std::string id;    // unique per event; a second delivery is refused
  std::string type;  // "payment.succeeded" or "payment.refunded"
  std::string payment_id;
  Id order_id = 0;
  int64_t amount_minor = 0;
  std::string currency;
  int64_t created_ms = 0;
};

// The raw body and signature header of one delivery, as they travel over HTTP.
struct SignedWebhook {
  std::string body;
  std::string signature;
};

// "t=<t>,v1=<hex HMAC-SHA-256(secret, t.body)>".
std::string SignWebhook(std::string_view secret, int64_t t_ms, std::string_view body);
// OK when `header` carries a valid signature of `body` made within `tolerance_ms` of `now_ms`;
// kUnauthorized for a missing or wrong signature, kInvalid for a stale or future timestamp.
Status VerifyWebhook(std::string_view secret, std::string_view header, std::string_view body,
                     int64_t now_ms, int64_t tolerance_ms);
// The JSON body of `event`, the form providers deliver.
std::string WebhookBody(const PaymentEvent& event);

// Delivers a signed event to Plaza's webhook and returns its answer.
using WebhookSink = std::function<Status(const SignedWebhook&, const PaymentEvent&)>;

// A payment provider. Implementations are thread-safe.
class PaymentProvider {
 public:
  virtual ~PaymentProvider() = default;
  virtual std::string_view name() const = 0;
  // Charges the buyer for `order`. The provider confirms through the webhook; the returned
  // delivery is what it sent (the sandbox answers after its webhook call has been answered).
  virtual Result<SignedWebhook> Charge(const storage::OrderRecord& order) = 0;
  // Refunds a paid order in full; confirmed through the webhook like Charge.
  virtual Result<SignedWebhook> Refund(const storage::OrderRecord& order) = 0;
};

// A provider that behaves like a real one without moving money: every charge succeeds, and each
// charge or refund is confirmed by a signed webhook delivered to `sink` before the call returns.
std::unique_ptr<PaymentProvider> NewSandboxProvider(std::string secret, WebhookSink sink);

}  // namespace plaza::domain::commerce
