// The qbot-server /metrics reader: a real Prometheus text page (written by
// prometheus-cpp's own serializer) gives the run's figures; hostile or
// broken pages give an error naming what is wrong, never a crash.
#include <gtest/gtest.h>
#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>
#include <prometheus/text_serializer.h>

#include <string>

#include "client_headless/server_metrics.h"

using namespace qbot::client;

namespace {

/// A page shaped like qbot-server's: `fast` ticks of 0.4 ms and `slow` of 3 ms.
std::string page(int fast, int slow, double cpu_s) {
  prometheus::Registry r;
  auto& hist = prometheus::BuildHistogram()
                   .Name("qbot_tick_duration_seconds")
                   .Help("t")
                   .Register(r)
                   .Add({}, prometheus::Histogram::BucketBoundaries{0.0005, 0.001, 0.002, 0.004});
  for (int i = 0; i < fast; ++i) hist.Observe(0.0004);
  for (int i = 0; i < slow; ++i) hist.Observe(0.003);
  prometheus::BuildCounter().Name("qbot_ticks_total").Help("t").Register(r).Add({}).Increment(fast + slow);
  prometheus::BuildCounter().Name("qbot_tick_overruns_total").Help("t").Register(r).Add({}).Increment(slow);
  prometheus::BuildCounter().Name("qbot_process_cpu_seconds_total").Help("t").Register(r).Add({}).Increment(cpu_s);
  auto& bytes = prometheus::BuildCounter().Name("qbot_net_bytes_total").Help("t").Register(r);
  bytes.Add({{"direction", "in"}}).Increment(5);
  bytes.Add({{"direction", "out"}}).Increment(1000);
  prometheus::BuildGauge().Name("qbot_tick_duration_max_seconds").Help("t").Register(r).Add({}).Set(0.003);
  return prometheus::TextSerializer().Serialize(r.Collect());
}

std::string error_of(const std::string& text) {
  auto r = parse_server_metrics(text);
  return r.ok() ? std::string("(parsed)") : r.error();
}

const std::string kMinimal =
    "qbot_ticks_total 10\n"
    "qbot_tick_duration_seconds_bucket{le=\"0.001\"} 4\n"
    "qbot_tick_duration_seconds_bucket{le=\"+Inf\"} 10\n";

}  // namespace

TEST(ServerMetrics, ARealPageGivesTheRunsFiguresBetweenTwoScrapes) {
  auto before = parse_server_metrics(page(0, 0, 1.0));
  ASSERT_TRUE(before.ok()) << before.error();
  auto after = parse_server_metrics(page(90, 10, 3.5));
  ASSERT_TRUE(after.ok()) << after.error();
  EXPECT_EQ(after->tick_buckets.size(), 5u) << "four bounds and +Inf";
  const ServerFigures f = server_figures(*before, *after);
  EXPECT_DOUBLE_EQ(f.ticks, 100);
  EXPECT_DOUBLE_EQ(f.overruns, 10);
  EXPECT_DOUBLE_EQ(f.cpu_s, 2.5);
  EXPECT_DOUBLE_EQ(f.bytes_out, 0) << "the same 1000 bytes in both scrapes";
  EXPECT_DOUBLE_EQ(f.tick_ms_max, 3.0);
  // p50 inside the first bucket (0..0.5 ms, 90 of 100); p99 in 2..4 ms.
  EXPECT_NEAR(f.tick_ms_p50, 0.5 * 50.0 / 90.0, 1e-9);
  EXPECT_GT(f.tick_ms_p99, 2.0);
  EXPECT_LE(f.tick_ms_p99, 4.0);
}

TEST(ServerMetrics, APageThatIsNotQbotServersIsRefused) {
  EXPECT_EQ(error_of(""), "not a qbot-server /metrics page");
  EXPECT_EQ(error_of("# HELP x\nsome_other_metric 1\n"), "not a qbot-server /metrics page");
  EXPECT_EQ(error_of("qbot_ticks_total 3\n"), "not a qbot-server /metrics page") << "no histogram";
}

TEST(ServerMetrics, UnparsableValuesAreRefusedAndQuoted) {
  const std::string e = error_of("qbot_ticks_total 12abc\n");
  EXPECT_EQ(e.rfind("unparsable value in: \"qbot_ticks_total 12abc\"", 0), 0u) << e;
  // Control bytes are escaped, long lines cut.
  const std::string hostile = "x \x1b[31m" + std::string(5000, 'A');
  const std::string h = error_of(hostile + "\n");
  EXPECT_EQ(h.find('\x1b'), std::string::npos) << "no raw escape in the message";
  EXPECT_LT(h.size(), 200u);
}

TEST(ServerMetrics, CountersWeReadMustBeFiniteAndNotNegative) {
  EXPECT_EQ(error_of(kMinimal + "qbot_tick_overruns_total -1\n"), "qbot_tick_overruns_total: must be finite and >= 0");
  EXPECT_EQ(error_of("qbot_ticks_total NaN\n" + kMinimal), "qbot_ticks_total: must be finite and >= 0");
  EXPECT_EQ(error_of(kMinimal + "qbot_process_cpu_seconds_total +Inf\n"),
            "qbot_process_cpu_seconds_total: must be finite and >= 0");
  // A NaN gauge we do not read is legal Prometheus and ignored.
  EXPECT_EQ(error_of(kMinimal + "unrelated_gauge NaN\n"), "(parsed)");
}

TEST(ServerMetrics, BucketsMustFormAHistogram) {
  EXPECT_EQ(error_of("qbot_ticks_total 1\nqbot_tick_duration_seconds_bucket{le=\"abc\"} 1\n").rfind("bad bucket: ", 0),
            0u);
  EXPECT_EQ(error_of("qbot_ticks_total 1\nqbot_tick_duration_seconds_bucket{x=\"1\"} 1\n").rfind("bad bucket: ", 0), 0u)
      << "no le label";
  EXPECT_EQ(error_of("qbot_ticks_total 1\n"
                     "qbot_tick_duration_seconds_bucket{le=\"0.002\"} 1\n"
                     "qbot_tick_duration_seconds_bucket{le=\"0.001\"} 2\n"
                     "qbot_tick_duration_seconds_bucket{le=\"+Inf\"} 2\n"),
            "qbot_tick_duration_seconds_bucket[1]: le not ascending");
  EXPECT_EQ(error_of("qbot_ticks_total 1\n"
                     "qbot_tick_duration_seconds_bucket{le=\"0.001\"} 5\n"
                     "qbot_tick_duration_seconds_bucket{le=\"+Inf\"} 2\n"),
            "qbot_tick_duration_seconds_bucket[1]: count decreases");
  EXPECT_EQ(error_of("qbot_ticks_total 1\nqbot_tick_duration_seconds_bucket{le=\"0.001\"} 1\n"),
            "qbot_tick_duration_seconds_bucket: no le=\"+Inf\"");
  EXPECT_EQ(error_of("qbot_ticks_total 1\nqbot_tick_duration_seconds_bucket{le=\"+Inf\"} NaN\n"),
            "qbot_tick_duration_seconds_bucket[0]: count must be finite and >= 0");
}

TEST(ServerMetrics, TheNumberOfBucketsIsBounded) {
  std::string text = "qbot_ticks_total 1\n";
  for (std::size_t i = 0; i <= ServerSample::kMaxBuckets; ++i) {
    text += "qbot_tick_duration_seconds_bucket{le=\"" + std::to_string(i + 1) + "\"} 1\n";
  }
  EXPECT_EQ(error_of(text), "more than 64 qbot_tick_duration_seconds buckets");
}

TEST(ServerMetrics, ArbitraryBytesNeverCrash) {
  std::string junk;
  std::uint32_t x = 12345;
  for (int i = 0; i < 20000; ++i) {
    x = x * 1103515245u + 12345u;
    junk += static_cast<char>(x >> 24);
    if (i % 97 == 0) junk += "\nqbot_tick_duration_seconds_bucket{le=\"";
  }
  EXPECT_FALSE(parse_server_metrics(junk).ok());
}
