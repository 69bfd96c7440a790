#include "client_headless/plot_svg.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <functional>

namespace qbot::client {
namespace {

constexpr double kWidth = 900, kPanelHeight = 200, kLeft = 70, kRight = 20, kTop = 40, kGap = 50;

struct Line {
  const char* label;
  const char* colour;
  std::function<double(const Sample&)> value;
};

/// A 1-2-5 step that gives about 4 grid lines up to `max`.
double nice_step(double max) {
  if (max <= 0) return 1;
  const double raw = max / 4;
  const double mag = std::pow(10.0, std::floor(std::log10(raw)));
  for (double m : {1.0, 2.0, 5.0, 10.0}) {
    if (raw <= m * mag) return m * mag;
  }
  return 10 * mag;
}

/// `digits` decimals.
std::string num(double v, int digits = 1) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", digits, v);
  return buf;
}

void panel(std::string& svg, const std::vector<Sample>& s, double top, const char* title, const char* unit,
           const std::vector<Line>& lines) {
  const double t_max = s.empty() ? 1 : std::max(1.0, s.back().t);
  double y_max = 0;
  for (const Line& l : lines) {
    for (const Sample& x : s) y_max = std::max(y_max, l.value(x));
  }
  const double step = nice_step(y_max);
  y_max = std::max(step, std::ceil(y_max / step) * step);
  const double w = kWidth - kLeft - kRight, h = kPanelHeight;
  const auto X = [&](double t) { return kLeft + w * t / t_max; };
  const auto Y = [&](double v) { return top + h - h * v / y_max; };

  svg +=
      "<text x='" + num(kLeft, 0) + "' y='" + num(top - 8, 0) + "' class='title'>" + title + " (" + unit + ")</text>\n";
  for (double v = 0; v <= y_max + 1e-9; v += step) {
    svg += "<line x1='" + num(kLeft, 1) + "' x2='" + num(kLeft + w, 1) + "' y1='" + num(Y(v), 1) + "' y2='" +
           num(Y(v), 1) + "' class='grid'/>";
    svg += "<text x='" + num(kLeft - 6, 0) + "' y='" + num(Y(v) + 4, 1) + "' class='axis' text-anchor='end'>" +
           num(v, step < 1 ? 2 : 0) + "</text>\n";
  }
  const double t_step = nice_step(t_max);
  for (double t = 0; t <= t_max + 1e-9; t += t_step) {
    svg += "<text x='" + num(X(t), 1) + "' y='" + num(top + h + 16, 0) + "' class='axis' text-anchor='middle'>" +
           num(t, 0) + " s</text>";
  }
  double legend_x = kLeft + w - 10;
  for (auto it = lines.rbegin(); it != lines.rend(); ++it) {
    std::string points;
    for (const Sample& x : s) points += num(X(x.t), 1) + "," + num(Y(it->value(x)), 1) + " ";
    svg +=
        "<polyline fill='none' stroke='" + std::string(it->colour) + "' stroke-width='2' points='" + points + "'/>\n";
    svg += "<text x='" + num(legend_x, 0) + "' y='" + num(top + 14, 0) + "' class='legend' fill='" + it->colour +
           "' text-anchor='end'>" + it->label + "</text>\n";
    legend_x -= 110;
  }
}

/// Text for an SVG element: markup characters as entities (the server
/// string comes from the command line).
std::string xml_text(const std::string& text) {
  std::string out;
  for (const char c : text) {
    switch (c) {
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '&': out += "&amp;"; break;
      case '\'': out += "&apos;"; break;
      case '"': out += "&quot;"; break;
      default: out += c;
    }
  }
  return out;
}

}  // namespace

std::string plot_svg(const std::vector<Sample>& s, const RunInfo& run) {
  const double height = kTop + 3 * kPanelHeight + 3 * kGap;
  std::string svg = "<svg xmlns='http://www.w3.org/2000/svg' width='" + num(kWidth, 0) + "' height='" + num(height, 0) +
                    "' font-family='sans-serif'>\n";
  svg +=
      "<style>.title{font-size:14px;font-weight:bold}.axis{font-size:11px;fill:#555}.legend{font-size:12px}"
      ".grid{stroke:#ddd;stroke-width:1}</style>\n<rect width='100%' height='100%' fill='white'/>\n";
  svg += "<text x='" + num(kLeft, 0) + "' y='20' font-size='16'>qbot-headless: " + std::to_string(run.bots_requested) +
         " bots on " + xml_text(run.server) + "</text>\n";
  double top = kTop + 20;
  panel(svg, s, top, "Bots", "count",
        {{"started", "#999999", [](const Sample& x) { return static_cast<double>(x.started); }},
         {"connected", "#1f77b4", [](const Sample& x) { return static_cast<double>(x.connected); }},
         {"errors", "#d62728", [](const Sample& x) { return static_cast<double>(x.errors); }}});
  top += kPanelHeight + kGap;
  panel(svg, s, top, "Round-trip time", "ms",
        {{"p50", "#2ca02c", [](const Sample& x) { return x.rtt_ms_p50; }},
         {"p99", "#ff7f0e", [](const Sample& x) { return x.rtt_ms_p99; }}});
  top += kPanelHeight + kGap;
  panel(svg, s, top, "Bandwidth per bot", "bytes/s",
        {{"down", "#9467bd", [](const Sample& x) { return x.down_per_bot; }},
         {"up", "#8c564b", [](const Sample& x) { return x.up_per_bot; }}});
  svg += "</svg>\n";
  return svg;
}

}  // namespace qbot::client
