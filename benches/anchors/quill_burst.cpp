// quill (C++) under our burst method (burst_method.h), for issue 16's
// `trade!` burst p50 target. Built and run by benches/anchors/run.sh,
// never by cargo.
//
// Arguments: bursts (10000), the backend's sleep when idle in ns (100000:
// quill's default and our flusher's idle sleep; 0: quill's own benchmark,
// which spins), the JSON file.

#include "burst_method.h"

#include "quill/Backend.h"
#include "quill/Frontend.h"
#include "quill/LogMacros.h"
#include "quill/Logger.h"
#include "quill/sinks/JsonSink.h"

#include <cstdlib>
#include <string>

int main(int argc, char** argv) {
  size_t bursts = argc > 1 ? std::strtoull(argv[1], nullptr, 10) : 10000;
  long sleep_ns = argc > 2 ? std::strtol(argv[2], nullptr, 10) : 100000;
  char const* path = argc > 3 ? argv[3] : "quill_burst.json";

  quill::BackendOptions options;
  options.cpu_affinity = {1};
  options.sleep_duration = std::chrono::nanoseconds{sleep_ns};
  quill::Backend::start(options);
  auto sink = quill::Frontend::create_or_get_sink<quill::JsonFileSink>(
      path,
      [] {
        quill::FileSinkConfig cfg;
        cfg.set_open_mode('w');
        return cfg;
      }(),
      quill::FileEventNotifier{});
  quill::Logger* logger = quill::Frontend::create_or_get_logger("bench", std::move(sink));

  // The thread's queue exists before the first timed burst.
  quill::Frontend::preallocate();
  LOG_INFO(logger, "preallocate");
  logger->flush_log();
  std::this_thread::sleep_for(std::chrono::milliseconds(10));

  burst::Result r = burst::run(bursts, [logger](uint64_t i) {
    burst::Order o = burst::order(i);
    LOG_INFO(logger, "order {symbol} {side} {qty} {price} {order_id}", o.symbol, o.side, o.qty,
             o.price, o.order_id);
  });
  logger->flush_log();
  std::string name = "quill " + std::to_string(quill::VersionMajor) + "." +
                     std::to_string(quill::VersionMinor) + "." +
                     std::to_string(quill::VersionPatch) + ", backend sleep " +
                     std::to_string(sleep_ns) + " ns";
  burst::print(name.c_str(), r);
  quill::Backend::stop();
  return 0;
}
