// The burst method of benches/src/measure.rs, for the C++ anchors
// (quill_burst.cpp, fmtlog_burst.cpp): the same timer, waits and
// percentiles as our latency bench, so that their figures and ours can
// be set side by side from one machine and one hour.
//
// The producer is pinned to CPU 0 (the caller pins the backend to CPU 1);
// bursts of 20 calls are timed as a whole (lfence; rdtsc; lfence ...
// rdtscp; lfence) and the per-call average of a burst is one sample; a
// random 2.0-2.2 ms busy wait separates bursts; a tenth of the bursts run
// first as a warm-up. The "calm" p50 leaves out the bursts whose wait had
// a gap of 50 us or more between two TSC reads (another task ran on
// CPU 0). The record is ours: symbol, side, qty, price, order_id.
#pragma once

#include <x86intrin.h>
#include <sched.h>
#include <time.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

namespace burst {

inline uint64_t tsc_start() {
  _mm_lfence();
  uint64_t t = __rdtsc();
  _mm_lfence();
  return t;
}

inline uint64_t tsc_stop() {
  unsigned aux;
  uint64_t t = __rdtscp(&aux);
  _mm_lfence();
  return t;
}

inline uint64_t monotonic_ns() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return uint64_t(ts.tv_sec) * 1000000000ull + uint64_t(ts.tv_nsec);
}

// Nanoseconds per TSC tick against CLOCK_MONOTONIC over 200 ms.
inline double ns_per_tick() {
  auto pair = [] {
    uint64_t best = UINT64_MAX, mid = 0, mono = 0;
    for (int i = 0; i < 16; ++i) {
      uint64_t a = tsc_start();
      uint64_t m = monotonic_ns();
      uint64_t b = tsc_stop();
      if (b - a < best) {
        best = b - a;
        mid = a + (b - a) / 2;
        mono = m;
      }
    }
    return std::pair<uint64_t, uint64_t>{mid, mono};
  };
  auto [t0, m0] = pair();
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  auto [t1, m1] = pair();
  return double(m1 - m0) / double(t1 - t0);
}

// The same xorshift and seed as benches/src/measure.rs.
struct Rng {
  uint64_t s = 0x5eed1234ull | 1;
  uint64_t below(uint64_t n) {
    s ^= s << 13;
    s ^= s >> 7;
    s ^= s << 17;
    return s % (n ? n : 1);
  }
};

// Busy-waits `ns`; returns the longest gap between two TSC reads, in ns
// (measure.rs `busy_wait_max_gap_ns`: fenced reads, `pause` between).
inline double busy_wait_max_gap_ns(uint64_t ns, double npt) {
  uint64_t ticks = uint64_t(double(ns) / npt);
  uint64_t last = tsc_start(), end = last + ticks, gap = 0;
  while (last < end) {
    _mm_pause();
    uint64_t t = tsc_start();
    gap = std::max(gap, t - last);
    last = t;
  }
  return double(gap) * npt;
}

// Nearest-rank percentile (sorts `v`).
inline double percentile(std::vector<double>& v, double p) {
  if (v.empty()) return 0.0;
  std::sort(v.begin(), v.end());
  size_t rank = size_t(std::ceil(p * double(v.size())));
  rank = std::clamp<size_t>(rank, 1, v.size());
  return v[rank - 1];
}

inline void pin_self(int cpu) {
  cpu_set_t set;
  CPU_ZERO(&set);
  CPU_SET(cpu, &set);
  if (sched_setaffinity(0, sizeof(set), &set) != 0) std::perror("sched_setaffinity");
}

// The i-th order of benches/src/lib.rs `order(i)`.
struct Order {
  std::string_view symbol;
  std::string_view side;  // a length known, as a Rust `&str`: no strlen per call
  uint64_t qty;
  double price;
  uint64_t order_id;
};

inline Order order(uint64_t i) {
  static constexpr std::string_view SYMBOLS[4] = {"AAPL", "MSFT", "NVDA", "ESZ6"};
  asm volatile("" : "+r"(i));  // std::hint::black_box
  return Order{SYMBOLS[i & 3], (i & 1) == 0 ? std::string_view("BUY") : std::string_view("SELL"),
               100 + (i & 0xff),
               100.0 + double(i & 0xffff) * 0.25, 1000000 + i};
}

struct Result {
  double p50, p999, calm_p50;
  size_t calm, bursts;
};

// Runs the bursts on the calling thread (pinned to CPU 0 here) and
// returns the percentiles of the per-call averages, in ns.
template <typename Call>
Result run(size_t bursts, Call call) {
  constexpr size_t BURST = 20;
  constexpr double PREEMPTED_NS = 50000.0;
  constexpr uint64_t GAP_NS = 2000000;
  pin_self(0);
  double npt = ns_per_tick();
  Rng rng;
  size_t warmup = std::max<size_t>(bursts / 10, 10);
  std::vector<double> samples, calm;
  samples.reserve(bursts);
  calm.reserve(bursts);
  bool preempted = true;
  uint64_t i = 0;
  for (size_t b = 0; b < warmup + bursts; ++b) {
    uint64_t t0 = tsc_start();
    for (size_t k = 0; k < BURST; ++k) call(i++);
    uint64_t t1 = tsc_stop();
    if (b >= warmup) {
      double avg = double(t1 - t0) * npt / double(BURST);
      samples.push_back(avg);
      if (!preempted) calm.push_back(avg);
    }
    preempted = busy_wait_max_gap_ns(GAP_NS + rng.below(GAP_NS / 10), npt) >= PREEMPTED_NS;
  }
  Result r{};
  r.bursts = samples.size();
  r.calm = calm.size();
  r.p50 = percentile(samples, 0.50);
  r.p999 = percentile(samples, 0.999);
  r.calm_p50 = percentile(calm, 0.50);
  return r;
}

inline void print(char const* logger, Result const& r) {
  std::printf("%s: burst p50 %.1f ns, p99.9 %.1f ns; calm p50 %.1f ns (%zu of %zu bursts)\n", logger,
              r.p50, r.p999, r.calm_p50, r.calm, r.bursts);
}

}  // namespace burst
