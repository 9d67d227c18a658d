// Merchant statistics and the ledger check: read-only views over orders and ledger entries.
#include <algorithm>
#include <cstdio>
#include <unordered_map>

#include "domain/commerce/campaign_state.h"
#include "domain/commerce/commerce.h"

namespace plaza::domain::commerce {
namespace {

// "YYYY-MM-DD" (UTC) of a Unix millisecond time (Howard Hinnant's civil_from_days).
std::string Day(int64_t unix_ms) {
  int64_t z = unix_ms / 86'400'000 + 719468;
  int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  int64_t doe = z - era * 146097;
  int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  int64_t y = yoe + era * 400;
  int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  int64_t mp = (5 * doy + 2) / 153;
  int64_t d = doy - (153 * mp + 2) / 5 + 1;
  int64_t m = mp < 10 ? mp + 3 : mp - 9;
  if (m <= 2) ++y;
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", static_cast<int>(y), static_cast<int>(m),
                static_cast<int>(d));
  return buf;
}

std::vector<SalesRow> Rows(std::map<std::string, SalesRow>& m, bool by_revenue) {
  std::vector<SalesRow> out;
  for (auto& [k, row] : m) {
    row.key = k;
    out.push_back(row);
  }
  if (by_revenue) {
    std::stable_sort(out.begin(), out.end(), [](const SalesRow& a, const SalesRow& b) {
      return a.revenue_minor > b.revenue_minor;
    });
  }
  return out;
}

std::string_view AccountName(storage::LedgerAccount a) {
  switch (a) {
    case storage::LedgerAccount::kBuyer: return "buyer";
    case storage::LedgerAccount::kMerchant: return "merchant";
    case storage::LedgerAccount::kCommission: return "commission";
    case storage::LedgerAccount::kPlatform: return "platform";
  }
  return "unknown";
}

}  // namespace

MerchantStats Commerce::Stats(Id merchant) const {
  MerchantStats st;
  std::map<std::string, SalesRow> by_product, by_status, by_day, reposters;
  std::unordered_map<Id, CampaignStats> campaigns;
  std::unordered_map<Id, std::unordered_set<Id>> campaign_buyers;
  std::shared_lock lock(mu_);
  auto it = orders_by_merchant_.find(merchant);
  if (it != orders_by_merchant_.end()) {
    for (Id id : it->second) {
      const OrderRecord& o = *orders_.at(id);
      if (st.currency.empty()) st.currency = o.currency;
      int64_t units = 0;
      for (const auto& l : o.lines) units += l.quantity;
      if (o.campaign_id != 0 && o.state != OrderState::kCancelled) {
        auto& c = campaigns[o.campaign_id];
        ++c.orders;
        c.units_sold += units;
        if (o.state != OrderState::kPendingPayment && o.state != OrderState::kRefunded) ++c.paid_orders;
        campaign_buyers[o.campaign_id].insert(o.buyer_id);
      }
      bool sale = o.state == OrderState::kPaid || o.state == OrderState::kShipped ||
                  o.state == OrderState::kCompleted;
      if (!sale) continue;
      auto add = [&](SalesRow& row, int64_t row_units, int64_t revenue) {
        ++row.orders;
        row.units += row_units;
        row.revenue_minor += revenue;
      };
      for (const auto& l : o.lines) {
        add(by_product[IdToString(l.product_id)], l.quantity, l.quantity * l.unit_price_minor);
      }
      if (o.via_status_id != 0) add(by_status[IdToString(o.via_status_id)], units, o.total_minor);
      add(by_day[Day(o.created_at_ms)], units, o.total_minor);
      if (o.affiliate_id != 0) {
        auto& row = reposters[IdToString(o.affiliate_id)];
        add(row, units, o.total_minor);
        row.commission_minor +=
            static_cast<int64_t>(static_cast<__int128>(o.total_minor) * o.affiliate_bp / 10000);
      }
    }
  }
  st.by_product = Rows(by_product, true);
  st.by_status = Rows(by_status, true);
  st.by_day = Rows(by_day, false);
  st.top_reposters = Rows(reposters, true);
  if (st.top_reposters.size() > 20) st.top_reposters.resize(20);
  auto cs = campaigns_by_merchant_.find(merchant);
  if (cs != campaigns_by_merchant_.end()) {
    for (Id cid : cs->second) {
      const auto& state = campaigns_.at(cid);
      CampaignStats c = campaigns[cid];
      c.campaign_id = cid;
      c.units = state->rec->units;
      std::lock_guard clock(state->mu);
      c.reservations = static_cast<int64_t>(state->reservations.size());
      for (Id buyer : campaign_buyers[cid]) {
        if (state->reservations.count(buyer) != 0) ++c.reservation_holders_who_bought;
      }
      st.campaigns.push_back(c);
    }
  }
  return st;
}

Result<LedgerReport> CheckLedger(storage::Storage& storage) {
  LedgerReport report;
  std::map<Id, std::map<std::string, int64_t>> txn_sums;
  std::unordered_map<Id, std::vector<LedgerEntryRecord>> by_order;
  PLAZA_RETURN_IF_ERROR(storage.ForEachLedgerEntry([&](const LedgerEntryRecord& e) {
    ++report.entries;
    txn_sums[e.txn_id][e.currency] += e.amount_minor;
    by_order[e.order_id].push_back(e);
    report.totals[std::string(AccountName(e.account)) + ":" + e.currency] += e.amount_minor;
    return Status::Ok();
  }));
  report.transactions = txn_sums.size();
  for (const auto& [txn, sums] : txn_sums) {
    for (const auto& [currency, sum] : sums) {
      if (sum != 0) {
        report.problems.push_back("transaction " + IdToString(txn) + " does not balance in " +
                                  currency + ": " + std::to_string(sum));
      }
    }
  }
  PLAZA_RETURN_IF_ERROR(storage.ForEachOrder([&](const OrderRecord& o) {
    ++report.orders_checked;
    int64_t buyer = 0, payments = 0, refunds = 0;
    auto it = by_order.find(o.id);
    if (it != by_order.end()) {
      for (const auto& e : it->second) {
        if (e.currency != o.currency) {
          report.problems.push_back("order " + IdToString(o.id) + " has an entry in " + e.currency);
        }
        if (e.account == storage::LedgerAccount::kBuyer) {
          buyer += e.amount_minor;
          (e.memo == "refund" ? refunds : payments) += 1;
        }
      }
      by_order.erase(it);
    }
    bool sale = o.state == OrderState::kPaid || o.state == OrderState::kShipped ||
                o.state == OrderState::kCompleted;
    bool ok = sale       ? (payments == 1 && refunds == 0 && buyer == -o.total_minor)
              : o.state == OrderState::kRefunded ? (payments == 1 && refunds == 1 && buyer == 0)
                                                 : (payments == 0 && refunds == 0);
    if (!ok) {
      report.problems.push_back("order " + IdToString(o.id) + " (" +
                                std::string(OrderStateName(o.state)) +
                                ") does not match its ledger entries");
    }
    return Status::Ok();
  }));
  for (const auto& [order, entries] : by_order) {
    report.problems.push_back("ledger entries name unknown order " + IdToString(order));
  }
  report.balanced = report.problems.empty();
  return report;
}

}  // namespace plaza::domain::commerce
