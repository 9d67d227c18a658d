// plaza-load: an open-loop (constant-rate) HTTP/1.1 load generator for loopback benchmarks.
//
// Request i is due at start + i / rate, whether or not earlier requests have finished; when no
// connection is free at that moment the request waits in a queue, and its latency is measured
// from its due time, not from when it was finally sent. A server that stalls therefore shows the
// stall in every request that should have been sent during it (no coordinated omission).
// Latencies go into a log-linear histogram (128 linear sub-buckets per power of two of
// microseconds, < 1% error). The run is bounded by --duration and --max-requests; requests still
// unanswered 5 s after the end count as errors. Loopback only: the target must be 127.0.0.1.
//
// Workloads (--mix): home, account, compose, follow, signin (weights, e.g.
// home=60,account=30,compose=10) with bearer tokens from --tokens (lines `token account_id
// username`) and profile ids from --targets; or --path /x for a fixed unauthenticated GET
// (reference servers).
//
// --celebrity N: instead of load, the first token's account posts N times; after each post the
// home timelines of --sample followers (the next tokens in the file, all of whom follow account
// u0 in generated datasets) are polled until every one shows the post: all at once, each on its
// own connection, sweep after sweep. Reports the time from the post's acknowledgement until the
// last sampled follower's answer held it (an upper bound: it includes that answer's own queueing
// behind the other load), and the share of first reads after the acknowledgement that already
// held the post (1.0 means every sampled follower saw it on its first look).
//
// --flash-sale CAMPAIGN_ID: the flash-sale burst. Waits until the campaign is on sale, then sends
// exactly one purchase attempt (POST /api/plaza/v1/campaigns/ID/buy) per token in --tokens, each
// with its own account's token, over --connections keep-alive connections as fast as the server
// answers (closed loop: latency is from send to answer). Reports attempts/s, p50/p99, wins (200),
// sold-out answers (409), anything else, and the time from the first attempt to the last win.
// Then pays the first --pay winning orders through the sandbox provider (so the ledger has
// entries to check).
//
// Output: one JSON object on stdout.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <bit>
#include <chrono>
#include <cmath>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;

int64_t NowUs() {
  return std::chrono::duration_cast<std::chrono::microseconds>(Clock::now().time_since_epoch())
      .count();
}

// Log-linear histogram of microsecond values.
class Histogram {
 public:
  Histogram() : counts_(64 * 48, 0) {}
  void Record(int64_t us) {
    uint64_t v = us < 0 ? 0 : static_cast<uint64_t>(us);
    size_t idx = Index(v);
    if (idx >= counts_.size()) idx = counts_.size() - 1;
    ++counts_[idx];
    ++total_;
    max_ = std::max(max_, v);
  }
  uint64_t total() const { return total_; }
  // Upper edge of the bucket holding the q-quantile, in milliseconds.
  double QuantileMs(double q) const {
    if (total_ == 0) return 0;
    auto rank = static_cast<uint64_t>(std::ceil(q * static_cast<double>(total_)));
    if (rank == 0) rank = 1;
    uint64_t seen = 0;
    for (size_t i = 0; i < counts_.size(); ++i) {
      seen += counts_[i];
      if (seen >= rank) return std::min<double>(static_cast<double>(Upper(i)), max_) / 1000.0;
    }
    return max_ / 1000.0;
  }
  double MaxMs() const { return max_ / 1000.0; }

 private:
  static size_t Index(uint64_t v) {
    int m = std::max(0, static_cast<int>(std::bit_width(v)) - 7);
    return m == 0 ? static_cast<size_t>(v) : static_cast<size_t>(64 * m + (v >> m));
  }
  static uint64_t Upper(size_t idx) {
    if (idx < 128) return idx;
    uint64_t m = idx / 64 - 1;
    return ((idx - 64 * m + 1) << m) - 1;
  }
  std::vector<uint64_t> counts_;
  uint64_t total_ = 0;
  uint64_t max_ = 0;
};

struct Token {
  std::string token;
  std::string account_id;
  std::string username;
};

struct Options {
  std::string host = "127.0.0.1";
  int port = 8080;
  double rate = 1000;
  double duration = 10;
  uint64_t max_requests = 0;  // 0: rate * duration
  int connections = 32;
  std::string mix;
  std::string path;
  std::string tokens_file;
  std::string targets_file;
  int celebrity_posts = 0;
  std::string flash_sale;  // campaign id
  int pay = 0;
  int sample = 50;
  uint64_t seed = 1;
  // Each request takes the next token in file order (wrapping) instead of a random one: one
  // pass over the file reads every account's home once (the suite's warm-up).
  bool sequential_tokens = false;
  std::string client_id, client_secret, password;  // for the signin kind
};

std::string UrlEncode(const std::string& s) {
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}

class RequestMaker {
 public:
  RequestMaker(const Options& o, std::vector<Token> tokens, std::vector<std::string> targets)
      : o_(o), tokens_(std::move(tokens)), targets_(std::move(targets)), rng_(o.seed * 7919 + 1) {
    host_header_ = "Host: " + o.host + ":" + std::to_string(o.port) + "\r\n";
    std::stringstream ss(o.mix);
    std::string item;
    while (std::getline(ss, item, ',')) {
      auto eq = item.find('=');
      std::string name = item.substr(0, eq);
      double w = eq == std::string::npos ? 1 : std::atof(item.c_str() + eq + 1);
      if (name != "home" && name != "account" && name != "compose" && name != "follow" &&
          name != "signin") {
        std::cerr << "unknown request kind in --mix: " << name << "\n";
        std::exit(2);
      }
      kinds_.push_back(name);
      weights_.push_back(w);
    }
    double sum = 0;
    for (double w : weights_) sum += w;
    for (double& w : weights_) w /= sum;
    following_.assign(tokens_.size(), 0);
  }

  std::string Next() {
    if (!o_.path.empty()) return "GET " + o_.path + " HTTP/1.1\r\n" + host_header_ + "\r\n";
    double u = Unit();
    size_t k = 0;
    for (; k + 1 < weights_.size() && u >= weights_[k]; ++k) u -= weights_[k];
    const std::string& kind = kinds_[k];
    size_t t = o_.sequential_tokens ? next_token_++ % tokens_.size()
                                    : static_cast<size_t>(Unit() * tokens_.size());
    std::string auth = "Authorization: Bearer " + tokens_[t].token + "\r\n";
    if (kind == "home") {
      return "GET /api/v1/timelines/home?limit=20 HTTP/1.1\r\n" + host_header_ + auth + "\r\n";
    }
    if (kind == "account") {
      return "GET /api/v1/accounts/" + Target() + "/statuses?limit=20 HTTP/1.1\r\n" +
             host_header_ + auth + "\r\n";
    }
    if (kind == "follow") {
      // Each token alternates between following and unfollowing one target; never its own
      // account (that is a 422, not churn), as the wrk script does.
      size_t k = t % targets_.size();
      if (targets_[k] == tokens_[t].account_id && targets_.size() > 1) {
        k = (k + 1) % targets_.size();
      }
      const std::string& target = targets_[k];
      const char* verb = following_[t] ? "unfollow" : "follow";
      following_[t] ^= 1;
      return "POST /api/v1/accounts/" + target + "/" + verb + " HTTP/1.1\r\n" + host_header_ +
             auth + "Content-Length: 0\r\n\r\n";
    }
    if (kind == "signin") {
      std::string body = "grant_type=password&username=" + tokens_[t].username +
                         "&password=" + UrlEncode(o_.password) + "&client_id=" +
                         UrlEncode(o_.client_id) + "&client_secret=" +
                         UrlEncode(o_.client_secret) + "&scope=read";
      return "POST /oauth/token HTTP/1.1\r\n" + host_header_ +
             "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: " +
             std::to_string(body.size()) + "\r\n\r\n" + body;
    }
    // compose
    static const char* kTexts[] = {"压测中 load test #benchmark# 第", "今天的第 #plaza# post",
                                   "hello 微博 @u1 number", "新品发布 https://t.cn/A6bench 编号"};
    std::string body = "status=" + UrlEncode(std::string(kTexts[seq_ % 4]) + " " +
                                             std::to_string(seq_));
    ++seq_;
    return "POST /api/v1/statuses HTTP/1.1\r\n" + host_header_ + auth +
           "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: " +
           std::to_string(body.size()) + "\r\n\r\n" + body;
  }

 private:
  std::string Target() { return targets_[static_cast<size_t>(Unit() * targets_.size())]; }
  double Unit() {
    rng_ ^= rng_ << 13;
    rng_ ^= rng_ >> 7;
    rng_ ^= rng_ << 17;
    return static_cast<double>(rng_ >> 11) * 0x1.0p-53;
  }
  const Options& o_;
  std::vector<Token> tokens_;
  std::vector<std::string> targets_;
  std::vector<std::string> kinds_;
  std::vector<double> weights_;
  std::vector<uint8_t> following_;
  std::string host_header_;
  uint64_t rng_;
  uint64_t seq_ = 0;
  size_t next_token_ = 0;
};

// Incremental parse of one HTTP/1.1 response (Content-Length bodies only).
struct ResponseParser {
  std::string buf;
  // Returns true with `status` set once a full response is in `buf`, and removes it.
  bool Take(int& status, bool& close, std::string* body) {
    auto end = buf.find("\r\n\r\n");
    if (end == std::string::npos) return false;
    status = std::atoi(buf.c_str() + 9);
    size_t length = 0;
    close = false;
    std::string head = buf.substr(0, end);
    for (auto& c : head) c = static_cast<char>(tolower(c));
    if (auto p = head.find("\r\ncontent-length:"); p != std::string::npos) {
      length = std::strtoull(head.c_str() + p + 17, nullptr, 10);
    }
    if (head.find("\r\nconnection: close") != std::string::npos) close = true;
    if (buf.size() < end + 4 + length) return false;
    if (body) body->assign(buf, end + 4, length);
    buf.erase(0, end + 4 + length);
    return true;
  }
};

int Connect(const Options& o, bool nonblocking) {
  int fd = socket(AF_INET, SOCK_STREAM | (nonblocking ? SOCK_NONBLOCK : 0), 0);
  if (fd < 0) return -1;
  int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(o.port));
  inet_pton(AF_INET, o.host.c_str(), &addr.sin_addr);
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) < 0 && errno != EINPROGRESS) {
    close(fd);
    return -1;
  }
  return fd;
}

// A non-blocking keep-alive connection in an epoll set: the request being written and the
// response being read.
struct Wire {
  int fd = -1;
  std::string out;
  size_t out_off = 0;
  ResponseParser in;

  // Connects and adds the socket to `ep` (edge-triggered, events tagged `tag`); false when the
  // connection cannot be made.
  bool Open(const Options& o, int ep, uint64_t tag) {
    fd = Connect(o, true);
    if (fd < 0) return false;
    epoll_event ev{};
    ev.events = EPOLLIN | EPOLLOUT | EPOLLET;
    ev.data.u64 = tag;
    epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
    return true;
  }
  void Close(int ep) {
    epoll_ctl(ep, EPOLL_CTL_DEL, fd, nullptr);
    close(fd);
    fd = -1;
  }
  // Writes what is left of `out`; false on a socket error. EAGAIN (or a connect still under
  // way) leaves the rest for EPOLLOUT.
  bool Flush() {
    while (out_off < out.size()) {
      ssize_t n = write(fd, out.data() + out_off, out.size() - out_off);
      if (n <= 0) return errno == EAGAIN || errno == ENOTCONN;
      out_off += static_cast<size_t>(n);
    }
    return true;
  }
  // Reads everything available into `in`; false when the peer closed or the socket failed.
  bool Drain() {
    char buf[65536];
    for (;;) {
      ssize_t got = read(fd, buf, sizeof buf);
      if (got > 0) {
        in.buf.append(buf, static_cast<size_t>(got));
        continue;
      }
      return got != 0 && errno == EAGAIN;
    }
  }
};

struct Conn : Wire {
  bool busy = false;
  int64_t due_us = 0;
};

struct RunResult {
  Histogram hist;
  uint64_t sent = 0, ok = 0, errors = 0, non2xx = 0, socket_errors = 0, unanswered = 0;
  double seconds = 0;
};

RunResult RunOpenLoop(const Options& o, RequestMaker& maker) {
  RunResult r;
  int ep = epoll_create1(0);
  std::vector<Conn> conns(static_cast<size_t>(o.connections));
  auto open_conn = [&](size_t i) {
    Conn& c = conns[i];
    if (c.fd >= 0) c.Close(ep);
    c = Conn{};
    c.Open(o, ep, i);
  };
  for (size_t i = 0; i < conns.size(); ++i) open_conn(i);
  std::vector<size_t> idle;
  for (size_t i = conns.size(); i-- > 0;) idle.push_back(i);

  const uint64_t total = o.max_requests ? o.max_requests
                                        : static_cast<uint64_t>(o.rate * o.duration);
  const double interval_us = 1e6 / o.rate;
  const int64_t start = NowUs();
  const int64_t stop_sending = start + static_cast<int64_t>(o.duration * 1e6);
  uint64_t issued = 0;
  std::deque<int64_t> backlog;  // due times of requests waiting for a connection
  uint64_t in_flight = 0;

  auto send_on = [&](size_t i, int64_t due) {
    Conn& c = conns[i];
    c.busy = true;
    c.due_us = due;
    c.out = maker.Next();
    c.out_off = 0;
    ++r.sent;
    ++in_flight;
    if (!c.Flush()) {
      ++r.socket_errors;
      ++r.errors;
      --in_flight;
      r.hist.Record(NowUs() - due);
      open_conn(i);
      idle.push_back(i);
    }
  };

  std::vector<epoll_event> events(256);
  for (;;) {
    int64_t now = NowUs();
    while (issued < total && now < stop_sending &&
           start + static_cast<int64_t>(static_cast<double>(issued) * interval_us) <= now) {
      backlog.push_back(start + static_cast<int64_t>(static_cast<double>(issued) * interval_us));
      ++issued;
    }
    while (!backlog.empty() && !idle.empty()) {
      size_t i = idle.back();
      idle.pop_back();
      if (conns[i].fd < 0) open_conn(i);
      send_on(i, backlog.front());
      backlog.pop_front();
    }
    bool done_issuing = issued >= total || now >= stop_sending;
    if (done_issuing && backlog.empty() && in_flight == 0) break;
    if (done_issuing && now > stop_sending + 5'000'000) break;
    int timeout_ms = 1;
    if (!done_issuing) {
      int64_t next_due = start + static_cast<int64_t>(static_cast<double>(issued) * interval_us);
      timeout_ms = static_cast<int>(std::clamp<int64_t>((next_due - now) / 1000, 0, 5));
    }
    int n = epoll_wait(ep, events.data(), static_cast<int>(events.size()), timeout_ms);
    for (int e = 0; e < n; ++e) {
      size_t i = events[e].data.u64;
      Conn& c = conns[i];
      if (c.fd < 0) continue;
      if (events[e].events & EPOLLOUT) c.Flush();
      bool broken = events[e].events & (EPOLLERR | EPOLLHUP);
      if (!c.Drain()) broken = true;
      int status = 0;
      bool server_close = false;
      if (c.busy && c.in.Take(status, server_close, nullptr)) {
        int64_t lat = NowUs() - c.due_us;
        r.hist.Record(lat);
        --in_flight;
        c.busy = false;
        if (status >= 200 && status < 400) {
          ++r.ok;
        } else {
          ++r.non2xx;
          ++r.errors;
        }
        if (server_close) broken = true;
        if (!broken) idle.push_back(i);
      }
      if (broken) {
        if (c.busy) {
          ++r.socket_errors;
          ++r.errors;
          --in_flight;
          r.hist.Record(NowUs() - c.due_us);
        }
        open_conn(i);
        idle.push_back(i);
      }
    }
  }
  r.unanswered = in_flight + backlog.size();
  r.errors += r.unanswered;
  r.seconds = static_cast<double>(NowUs() - start) / 1e6;
  for (auto& c : conns) {
    if (c.fd >= 0) close(c.fd);
  }
  close(ep);
  return r;
}

// Writes all of `req` to a blocking socket.
bool SendAll(int fd, const std::string& req) {
  size_t off = 0;
  while (off < req.size()) {
    ssize_t n = write(fd, req.data() + off, req.size() - off);
    if (n <= 0) return false;
    off += static_cast<size_t>(n);
  }
  return true;
}

// Reads one response from a blocking keep-alive connection: its status, or -1 when the connection
// failed. Closes `fd` (and sets it to -1) on a failure or when the server closes.
int ReceiveResponse(int& fd, std::string& body) {
  ResponseParser p;
  char buf[65536];
  int status = 0;
  bool server_close = false;
  while (!p.Take(status, server_close, &body)) {
    ssize_t n = read(fd, buf, sizeof buf);
    if (n <= 0) {
      close(fd);
      fd = -1;
      return -1;
    }
    p.buf.append(buf, static_cast<size_t>(n));
  }
  if (server_close) {
    close(fd);
    fd = -1;
  }
  return status;
}

// One blocking request on a keep-alive connection; reconnects once if the connection dropped.
int BlockingRequest(const Options& o, int& fd, const std::string& req, std::string& body) {
  for (int attempt = 0; attempt < 2; ++attempt) {
    if (fd < 0) fd = Connect(o, false);
    if (fd < 0) return -1;
    if (!SendAll(fd, req)) {
      close(fd);
      fd = -1;
      continue;
    }
    if (int status = ReceiveResponse(fd, body); status >= 0) return status;
  }
  return -1;
}

int RunCelebrity(const Options& o, const std::vector<Token>& tokens) {
  if (tokens.size() < 2) {
    std::cerr << "celebrity: need at least two tokens\n";
    return 2;
  }
  const std::string host = "Host: " + o.host + ":" + std::to_string(o.port) + "\r\n";
  size_t sample = std::min<size_t>(static_cast<size_t>(o.sample), tokens.size() - 1);
  int fd = -1;
  std::vector<int> probe_fds(sample, -1);  // a sampled follower's own connection
  std::vector<double> from_ack, from_send;
  int errors = 0;
  size_t first_sweep_hits = 0, first_sweep_reads = 0;
  // The sampled accounts follow the celebrity in the dataset, but a workload run before this one
  // (follow-churn, whose targets include celebrities) may have unfollowed it: follow again
  // (idempotent), so that every sampled account is a follower when the posts go out.
  for (size_t s = 0; s < sample; ++s) {
    std::string follow = "POST /api/v1/accounts/" + tokens[0].account_id + "/follow HTTP/1.1\r\n" +
                         host + "Authorization: Bearer " + tokens[1 + s].token +
                         "\r\nContent-Length: 0\r\n\r\n";
    std::string resp;
    if (BlockingRequest(o, fd, follow, resp) != 200) {
      std::cerr << "celebrity: " << tokens[1 + s].username << " could not follow "
                << tokens[0].username << "\n";
      return 1;
    }
  }
  for (int post = 0; post < o.celebrity_posts; ++post) {
    std::string body = "status=" + UrlEncode("明星发布会 celebrity post #" + std::to_string(post) +
                                             " " + std::to_string(NowUs()));
    std::string req = "POST /api/v1/statuses HTTP/1.1\r\n" + host + "Authorization: Bearer " +
                      tokens[0].token +
                      "\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: " +
                      std::to_string(body.size()) + "\r\n\r\n" + body;
    std::string resp;
    int64_t sent = NowUs();
    int status = BlockingRequest(o, fd, req, resp);
    int64_t acked = NowUs();
    auto p = resp.find("\"id\":\"");
    if (status != 200 || p == std::string::npos) {
      ++errors;
      continue;
    }
    std::string id = resp.substr(p + 6, resp.find('"', p + 6) - p - 6);
    std::string needle = "\"id\":\"" + id + "\"";
    std::vector<char> seen(sample, 0);
    size_t remaining = sample;
    int64_t deadline = acked + 30'000'000;
    for (bool first_sweep = true; remaining > 0 && NowUs() < deadline; first_sweep = false) {
      // Every follower not yet seen to hold the post is asked at once, each on its own
      // connection, then the answers are read in turn: a sweep ends when the slowest answer has
      // come, where asking one after another took the sum of all of them.
      std::vector<char> asked(sample, 0);
      for (size_t s = 0; s < sample; ++s) {
        if (seen[s]) continue;
        if (probe_fds[s] < 0) probe_fds[s] = Connect(o, false);
        if (probe_fds[s] < 0) continue;
        std::string get = "GET /api/v1/timelines/home?limit=20 HTTP/1.1\r\n" + host +
                          "Authorization: Bearer " + tokens[1 + s].token + "\r\n\r\n";
        if (SendAll(probe_fds[s], get)) {
          asked[s] = 1;
        } else {
          close(probe_fds[s]);
          probe_fds[s] = -1;
        }
      }
      for (size_t s = 0; s < sample; ++s) {
        if (!asked[s]) continue;
        std::string home;
        bool hit =
            ReceiveResponse(probe_fds[s], home) == 200 && home.find(needle) != std::string::npos;
        if (first_sweep) {
          ++first_sweep_reads;
          if (hit) ++first_sweep_hits;
        }
        if (hit) {
          seen[s] = 1;
          --remaining;
        }
      }
    }
    int64_t last_seen = NowUs();
    if (remaining > 0) {
      ++errors;
      continue;
    }
    from_ack.push_back(static_cast<double>(last_seen - acked) / 1000.0);
    from_send.push_back(static_cast<double>(last_seen - sent) / 1000.0);
  }
  if (fd >= 0) close(fd);
  for (int f : probe_fds) {
    if (f >= 0) close(f);
  }
  auto median = [](std::vector<double> v) {
    if (v.empty()) return 0.0;
    std::sort(v.begin(), v.end());
    return v[v.size() / 2];
  };
  auto maxv = [](const std::vector<double>& v) {
    return v.empty() ? 0.0 : *std::max_element(v.begin(), v.end());
  };
  printf("{\"mode\":\"celebrity\",\"posts\":%d,\"sampled_followers\":%zu,\"errors\":%d,"
         "\"visible_all_sampled_ms_p50\":%.3f,\"visible_all_sampled_ms_max\":%.3f,"
         "\"visible_from_send_ms_p50\":%.3f,\"first_read_hit_ratio\":%.3f}\n",
         o.celebrity_posts, sample, errors, median(from_ack), maxv(from_ack), median(from_send),
         first_sweep_reads ? static_cast<double>(first_sweep_hits) / first_sweep_reads : 0.0);
  return 0;
}

int RunFlashSale(const Options& o, const std::vector<Token>& tokens) {
  if (tokens.empty()) {
    std::cerr << "flash-sale: need --tokens\n";
    return 2;
  }
  const std::string host = "Host: " + o.host + ":" + std::to_string(o.port) + "\r\n";
  const std::string campaign_path = "/api/plaza/v1/campaigns/" + o.flash_sale;
  int fd = -1;
  // Wait for the sale to open (the campaign's start time is set by the dataset).
  for (int64_t deadline = NowUs() + 600'000'000;;) {
    std::string body;
    int status = BlockingRequest(o, fd, "GET " + campaign_path + " HTTP/1.1\r\n" + host + "\r\n",
                                 body);
    if (status == 200 && body.find("\"phase\":\"on_sale\"") != std::string::npos) break;
    if (status != 200 || body.find("\"phase\":\"reservation\"") == std::string::npos ||
        NowUs() > deadline) {
      std::cerr << "flash-sale: campaign is not about to go on sale: " << status << " " << body
                << "\n";
      return 1;
    }
    usleep(2000);
  }

  Histogram hist;
  uint64_t wins = 0, sold_out = 0, other = 0, socket_errors = 0;
  std::vector<std::pair<size_t, std::string>> won;  // (token index, order id) of the first wins
  int64_t last_win_us = 0;
  int ep = epoll_create1(0);
  struct BurstConn : Wire {
    size_t token = 0;
    int64_t sent_us = 0;
  };
  std::vector<BurstConn> conns(static_cast<size_t>(o.connections));
  size_t next = 0, answered = 0;
  const int64_t start = NowUs();
  auto send_next = [&](size_t i) {
    BurstConn& c = conns[i];
    if (next >= tokens.size()) return;
    if (c.fd < 0 && !c.Open(o, ep, i)) return;
    c.token = next++;
    c.out = "POST " + campaign_path + "/buy HTTP/1.1\r\n" + host + "Authorization: Bearer " +
            tokens[c.token].token + "\r\nContent-Length: 0\r\n\r\n";
    c.out_off = 0;
    c.sent_us = NowUs();
    c.Flush();  // a socket error shows as EPOLLERR/EPOLLHUP and is counted there
  };
  for (size_t i = 0; i < conns.size(); ++i) send_next(i);
  std::vector<epoll_event> events(256);
  int64_t idle_since = NowUs();
  while (answered < next || next < tokens.size()) {
    int n = epoll_wait(ep, events.data(), static_cast<int>(events.size()), 100);
    if (n <= 0) {
      if (NowUs() - idle_since > 30'000'000) break;  // the server stopped answering
      continue;
    }
    idle_since = NowUs();
    for (int e = 0; e < n; ++e) {
      size_t i = events[e].data.u64;
      BurstConn& c = conns[i];
      if (c.fd < 0) continue;
      c.Flush();
      bool broken = events[e].events & (EPOLLERR | EPOLLHUP);
      if (!c.Drain()) broken = true;
      int status = 0;
      bool server_close = false;
      std::string body;
      bool got_answer = c.in.Take(status, server_close, &body);
      if (got_answer) {
        int64_t now = NowUs();
        hist.Record(now - c.sent_us);
        ++answered;
        if (status == 200) {
          ++wins;
          last_win_us = now;
          auto p = body.find("\"id\":\"");
          if (won.size() < static_cast<size_t>(o.pay) && p != std::string::npos) {
            won.emplace_back(c.token, body.substr(p + 6, body.find('"', p + 6) - p - 6));
          }
        } else if (status == 409) {
          ++sold_out;
        } else {
          ++other;
        }
      }
      if (broken || server_close) {
        if (!got_answer) {
          ++socket_errors;
          ++answered;
        }
        c.Close(ep);
        c = BurstConn{};
        send_next(i);
      } else if (got_answer) {
        send_next(i);
      }
    }
  }
  const double seconds = static_cast<double>(NowUs() - start) / 1e6;
  close(ep);
  for (auto& c : conns) {
    if (c.fd >= 0) close(c.fd);
  }
  int paid = 0;
  for (const auto& [token, id] : won) {
    std::string body;
    std::string req = "POST /api/plaza/v1/orders/" + id + "/pay HTTP/1.1\r\n" + host +
                      "Authorization: Bearer " + tokens[token].token +
                      "\r\nContent-Length: 0\r\n\r\n";
    if (BlockingRequest(o, fd, req, body) == 200) ++paid;
  }
  if (fd >= 0) close(fd);
  printf("{\"mode\":\"flash-sale\",\"attempts\":%zu,\"answered\":%zu,\"wins\":%llu,"
         "\"sold_out\":%llu,\"other\":%llu,\"socket_errors\":%llu,\"attempts_per_s\":%.1f,"
         "\"time_to_sell_out_ms\":%.3f,\"p50_ms\":%.3f,\"p90_ms\":%.3f,\"p99_ms\":%.3f,"
         "\"max_ms\":%.3f,\"duration_s\":%.3f,\"connections\":%d,\"paid\":%d}\n",
         next, answered, static_cast<unsigned long long>(wins),
         static_cast<unsigned long long>(sold_out), static_cast<unsigned long long>(other),
         static_cast<unsigned long long>(socket_errors), static_cast<double>(answered) / seconds,
         last_win_us == 0 ? 0.0 : static_cast<double>(last_win_us - start) / 1000.0,
         hist.QuantileMs(0.50), hist.QuantileMs(0.90), hist.QuantileMs(0.99), hist.MaxMs(),
         seconds, o.connections, paid);
  return 0;
}

std::vector<Token> ReadTokens(const std::string& path) {
  std::vector<Token> out;
  std::ifstream f(path);
  Token t;
  while (f >> t.token >> t.account_id >> t.username) out.push_back(t);
  return out;
}

std::vector<std::string> ReadLines(const std::string& path) {
  std::vector<std::string> out;
  std::ifstream f(path);
  std::string s;
  while (f >> s) out.push_back(s);
  return out;
}

void Usage() {
  std::cerr << "usage: plaza-load --port P [--host 127.0.0.1] --rate R --duration S "
               "[--max-requests N] [--connections C] [--sequential-tokens]\n"
               "       (--path /x | --mix home=60,account=30,compose=10 --tokens F --targets F)\n"
               "       | --celebrity N --tokens F [--sample K]\n"
               "       | --flash-sale CAMPAIGN_ID --tokens F [--connections C] [--pay N]\n";
}

}  // namespace

int main(int argc, char** argv) {
  // A connection is a descriptor: --connections and --celebrity's --sample may ask for more
  // than a shell's soft limit (often 1,024). Use what the hard limit allows.
  if (rlimit files{}; getrlimit(RLIMIT_NOFILE, &files) == 0 && files.rlim_cur < files.rlim_max) {
    files.rlim_cur = files.rlim_max;
    setrlimit(RLIMIT_NOFILE, &files);
  }
  Options o;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto next = [&]() -> std::string {
      if (i + 1 >= argc) {
        Usage();
        std::exit(2);
      }
      return argv[++i];
    };
    if (a == "--host") o.host = next();
    else if (a == "--port") o.port = std::atoi(next().c_str());
    else if (a == "--rate") o.rate = std::atof(next().c_str());
    else if (a == "--duration") o.duration = std::atof(next().c_str());
    else if (a == "--max-requests") o.max_requests = std::strtoull(next().c_str(), nullptr, 10);
    else if (a == "--connections") o.connections = std::atoi(next().c_str());
    else if (a == "--mix") o.mix = next();
    else if (a == "--path") o.path = next();
    else if (a == "--tokens") o.tokens_file = next();
    else if (a == "--targets") o.targets_file = next();
    else if (a == "--celebrity") o.celebrity_posts = std::atoi(next().c_str());
    else if (a == "--sample") o.sample = std::atoi(next().c_str());
    else if (a == "--flash-sale") o.flash_sale = next();
    else if (a == "--pay") o.pay = std::atoi(next().c_str());
    else if (a == "--client-id") o.client_id = next();
    else if (a == "--client-secret") o.client_secret = next();
    else if (a == "--password") o.password = next();
    else if (a == "--sequential-tokens") o.sequential_tokens = true;
    else if (a == "--seed") o.seed = std::strtoull(next().c_str(), nullptr, 10);
    else {
      Usage();
      return 2;
    }
  }
  if (o.host != "127.0.0.1" && o.host != "localhost") {
    std::cerr << "plaza-load drives loopback only\n";
    return 2;
  }
  if (o.host == "localhost") o.host = "127.0.0.1";
  if (o.rate <= 0 || o.duration <= 0 || o.connections <= 0) {
    Usage();
    return 2;
  }
  signal(SIGPIPE, SIG_IGN);
  std::vector<Token> tokens;
  if (!o.tokens_file.empty()) tokens = ReadTokens(o.tokens_file);
  if (o.celebrity_posts > 0) return RunCelebrity(o, tokens);
  if (!o.flash_sale.empty()) return RunFlashSale(o, tokens);
  std::vector<std::string> targets;
  if (!o.targets_file.empty()) targets = ReadLines(o.targets_file);
  if (o.path.empty()) {
    if (o.mix.empty() || tokens.empty()) {
      Usage();
      return 2;
    }
    if (targets.empty()) {
      for (const auto& t : tokens) targets.push_back(t.account_id);
    }
  }
  RequestMaker maker(o, tokens, targets);
  RunResult r = RunOpenLoop(o, maker);
  printf("{\"mode\":\"open-loop\",\"target_rps\":%.1f,\"rps\":%.1f,\"requests\":%llu,"
         "\"ok\":%llu,\"errors\":%llu,\"non2xx\":%llu,\"socket_errors\":%llu,\"unanswered\":%llu,"
         "\"p50_ms\":%.3f,\"p90_ms\":%.3f,\"p99_ms\":%.3f,\"p999_ms\":%.3f,\"max_ms\":%.3f,"
         "\"duration_s\":%.2f,\"connections\":%d}\n",
         o.rate, static_cast<double>(r.ok + r.non2xx) / r.seconds,
         static_cast<unsigned long long>(r.sent), static_cast<unsigned long long>(r.ok),
         static_cast<unsigned long long>(r.errors), static_cast<unsigned long long>(r.non2xx),
         static_cast<unsigned long long>(r.socket_errors),
         static_cast<unsigned long long>(r.unanswered), r.hist.QuantileMs(0.50),
         r.hist.QuantileMs(0.90), r.hist.QuantileMs(0.99), r.hist.QuantileMs(0.999),
         r.hist.MaxMs(), r.seconds, o.connections);
  return 0;
}
