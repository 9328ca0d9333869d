// fmtlog (C++) under our burst method (burst_method.h), for issue 16's
// `trade!` burst p50 target. Built and run by benches/anchors/run.sh,
// never by cargo.
//
// Arguments: bursts (10000), the poll thread's interval in ns (100000,
// our flusher's idle sleep), the log file. The poll thread is ours
// (fmtlog's startPollingThread loop: poll, then sleep out the interval),
// so that it can be pinned to CPU 1.

#include "burst_method.h"

#define FMTLOG_HEADER_ONLY
#include "fmtlog.h"

#include <atomic>
#include <cstdlib>
#include <string>

int main(int argc, char** argv) {
  size_t bursts = argc > 1 ? std::strtoull(argv[1], nullptr, 10) : 10000;
  long interval_ns = argc > 2 ? std::strtol(argv[2], nullptr, 10) : 100000;
  char const* path = argc > 3 ? argv[3] : "fmtlog_burst.log";

  fmtlog::setLogFile(path, true);
  fmtlog::setThreadName("main");
  fmtlog::preallocate();
  std::atomic<bool> running{true};
  std::thread poller([&] {
    burst::pin_self(1);
    while (running.load(std::memory_order_relaxed)) {
      auto before = std::chrono::steady_clock::now();
      fmtlog::poll(false);
      auto spent = std::chrono::steady_clock::now() - before;
      if (spent < std::chrono::nanoseconds(interval_ns))
        std::this_thread::sleep_for(std::chrono::nanoseconds(interval_ns) - spent);
    }
    fmtlog::poll(true);
  });
  logi("preallocate");
  std::this_thread::sleep_for(std::chrono::milliseconds(10));

  burst::Result r = burst::run(bursts, [](uint64_t i) {
    burst::Order o = burst::order(i);
    logi("order {} {} {} {} {}", o.symbol, o.side, o.qty, o.price, o.order_id);
  });
  running = false;
  poller.join();
  std::string name = "fmtlog, poll interval " + std::to_string(interval_ns) + " ns";
  burst::print(name.c_str(), r);
  return 0;
}
