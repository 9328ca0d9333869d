//! `stats`, `plot` and `report` over a directory written by the library:
//! the numbers against what was logged; the images decoded and checked to
//! be charts; the HTML page opened in headless Chromium.

mod common;

use std::collections::{BTreeMap, HashSet};
use std::path::Path;
use std::process::Command;

use common::{arg, cli, records_of, stderr, stdout};
use serde_json::Value;

#[test]
fn child_writer() {
    common::child_main();
}

#[test]
fn stats_json_matches_the_records_logged() {
    let dir = common::write_logs("s");
    let out = cli(&["stats", "--json", arg(dir.path())]);
    assert!(out.status.success(), "{}", stderr(&out));
    let s: Value = serde_json::from_slice(&out.stdout).unwrap();
    let recs = records_of(dir.path(), "app");
    assert_eq!(s["records"].as_u64().unwrap() as usize, recs.len());

    let op = |name: &str| {
        s["operations"]
            .as_array()
            .unwrap()
            .iter()
            .find(|o| o["operation"] == name)
            .unwrap()
            .clone()
    };
    let risk = op("risk_check");
    assert_eq!(risk["count"], common::ORDERS);
    assert_eq!(risk["errors"], 0);
    // elapsed = 1000 + 10 i ns; HDR keeps 3 significant digits.
    assert_eq!(risk["min_ns"], 1000);
    let max = risk["max_ns"].as_u64().unwrap();
    assert!((2990..=2993).contains(&max), "{max}");
    let p50 = risk["p50_ns"].as_u64().unwrap();
    assert!((1990..=2001).contains(&p50), "{p50}");
    let send = op("send_order");
    assert_eq!(send["count"], common::ORDERS);
    assert_eq!(send["errors"], common::ORDERS / 10);
    assert_eq!(send["errors_by_outcome"]["err"], common::ORDERS / 10);

    // Trades by symbol: count, quantity and notional from the records.
    let mut want: BTreeMap<String, (u64, f64, f64)> = BTreeMap::new();
    for r in recs.iter().filter(|r| r["kind"] == "trade") {
        let f = &r["fields"];
        let e = want
            .entry(f["symbol"].as_str().unwrap().to_string())
            .or_default();
        e.0 += 1;
        e.1 += f["qty"].as_f64().unwrap();
        e.2 += f["qty"].as_f64().unwrap() * f["price"].as_f64().unwrap();
    }
    let got: BTreeMap<String, (u64, f64, f64)> = s["trades_by_symbol"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            let key = t["key"].as_str().unwrap().to_string();
            (
                key,
                (
                    t["count"].as_u64().unwrap(),
                    t["qty"].as_f64().unwrap(),
                    t["notional"].as_f64().unwrap(),
                ),
            )
        })
        .collect();
    assert_eq!(got.len(), want.len());
    for (k, (n, q, v)) in &want {
        let g = got[k];
        assert_eq!((g.0, g.1), (*n, *q), "{k}");
        assert!((g.2 - v).abs() < 1e-6 * v, "{k}: {} vs {v}", g.2);
    }
    let side = |k: &str| {
        s["trades_by_side"]
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["key"] == k)
            .unwrap()["count"]
            .clone()
    };
    assert_eq!(side("BUY"), common::ORDERS / 2);
    assert_eq!(side("SELL"), common::ORDERS / 2);
    let venues: HashSet<String> = s["trades_by_venue"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["key"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(
        venues,
        common::VENUES.iter().map(|v| v.to_string()).collect()
    );

    let svc = s["services"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["service"] == "risk-engine")
        .unwrap();
    assert_eq!(
        (svc["records"].as_u64(), svc["errors"].as_u64()),
        (Some(4), Some(4))
    );
    let lv = |l: &str| {
        s["levels"]
            .as_array()
            .unwrap()
            .iter()
            .find(|x| x["level"] == l)
            .unwrap()["records"]
            .clone()
    };
    assert_eq!(lv("ERROR"), 4);
    assert_eq!(lv("WARN"), 5);
    assert_eq!(lv("TRACE"), 1);

    // --by service splits each operation's row; filters apply first.
    let out = cli(&[
        "stats",
        "--json",
        "--by",
        "function",
        "--kind",
        "perf",
        arg(dir.path()),
    ]);
    let s: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(s["records"], 2 * common::ORDERS);
    let send = s["operations"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["operation"] == "send_order")
        .unwrap();
    assert!(
        send["group"].as_str().unwrap().ends_with("send_order"),
        "{send}"
    );

    let out = cli(&["stats", arg(dir.path())]);
    let text = stdout(&out);
    for want in [
        "Latency per operation",
        "risk_check",
        "p99.9",
        "Trades by symbol",
        "Records by service",
        "risk-engine",
        "The logger's own warnings",
    ] {
        assert!(text.contains(want), "{want} missing from:\n{text}");
    }
}

/// The PNG's size and number of distinct colors.
fn png_info(path: &Path) -> (u32, u32, usize) {
    let decoder = png::Decoder::new(std::fs::File::open(path).unwrap());
    let mut reader = decoder.read_info().unwrap();
    let mut buf = vec![0; reader.output_buffer_size()];
    let info = reader.next_frame(&mut buf).unwrap();
    let px = info.color_type.samples();
    let colors: HashSet<&[u8]> = buf[..info.buffer_size()].chunks(px).collect();
    (info.width, info.height, colors.len())
}

#[test]
fn plot_writes_charts_as_png_and_svg() {
    let dir = common::write_logs("p");
    let out_dir = tempfile::tempdir().unwrap();
    let png_path = out_dir.path().join("latency.png");
    let out = cli(&[
        "plot",
        arg(dir.path()),
        "--op",
        "risk_check",
        "--width",
        "900",
        "--height",
        "600",
        "-o",
        arg(&png_path),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let (w, h, colors) = png_info(&png_path);
    assert_eq!((w, h), (900, 600));
    assert!(colors > 8, "a blank image: {colors} colors");

    for chart in ["latency", "histogram", "rate", "errors"] {
        let p = out_dir.path().join(format!("{chart}.png"));
        let out = cli(&["plot", arg(dir.path()), "--chart", chart, "-o", arg(&p)]);
        assert!(out.status.success(), "{chart}: {}", stderr(&out));
        let (w, h, colors) = png_info(&p);
        assert_eq!((w, h), (1200, 800));
        assert!(colors > 4, "{chart}: {colors} colors");
    }

    let svg_path = out_dir.path().join("latency.svg");
    let out = cli(&[
        "plot",
        arg(dir.path()),
        "--op",
        "send_order",
        "-o",
        arg(&svg_path),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let svg = std::fs::read_to_string(&svg_path).unwrap();
    assert!(
        svg.starts_with("<svg width=\"1200\" height=\"800\""),
        "{}",
        &svg[..100]
    );
    for want in [
        "send_order latency over time",
        "send_order latency distribution",
        "Records per second",
        "p99",
        "<rect",
        "<polyline",
    ] {
        assert!(svg.contains(want), "{want} missing");
    }

    let out = cli(&[
        "plot",
        arg(dir.path()),
        "--op",
        "nope",
        "-o",
        arg(&svg_path),
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("--op \"nope\": no perf record of this operation (operations found: risk_check, send_order)"), "{}", stderr(&out));
    let out = cli(&["plot", arg(dir.path()), "-o", "chart.gif"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("-o chart.gif: the file name must end in .svg or .png"));
}

/// Sparse errors keep their 1 ms buckets over a span of many pixels' worth
/// of milliseconds (two sessions 2 s apart, on a narrow chart): each bar is
/// still drawn at least a pixel wide, so every error shows.
#[test]
fn every_error_bucket_is_drawn_at_least_a_pixel_wide() {
    let dir = common::write_logs("narrow");
    std::thread::sleep(std::time::Duration::from_secs(2));
    common::write_logs_into(dir.path(), "later");
    let out_dir = tempfile::tempdir().unwrap();
    let svg_path = out_dir.path().join("errors.svg");
    let out = cli(&[
        "plot",
        arg(dir.path()),
        "--chart",
        "errors",
        "--width",
        "240",
        "--height",
        "200",
        "-o",
        arg(&svg_path),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let svg = std::fs::read_to_string(&svg_path).unwrap();
    let bars: Vec<&str> = svg
        .split("<rect ")
        .skip(1)
        .filter(|r| r.contains("fill=\"#FF0000\""))
        .collect();
    assert!(!bars.is_empty(), "no error bar in {svg}");
    for b in &bars {
        let w = b
            .split("width=\"")
            .nth(1)
            .and_then(|r| r.split('"').next())
            .and_then(|w| w.parse::<f64>().ok())
            .unwrap_or_else(|| panic!("a bar without a width: {b}"));
        assert!(w >= 1.0, "a bar {w} pixels wide: {b}");
    }
}

/// The y-axis labels of a chart (SVG texts anchored at their end; the
/// x-axis labels and titles are centred).
fn y_labels(svg: &str) -> Vec<String> {
    svg.split("<text ")
        .skip(1)
        .filter(|t| t.contains("text-anchor=\"end\""))
        .filter_map(|t| {
            let body = &t[t.find('>')? + 1..];
            Some(body[..body.find("</text>")?].trim().to_string())
        })
        .collect()
}

/// The errors chart counts whole records: with a few errors per bucket its
/// axis reads 0, 1, 2 ..., each once (rounded half-steps read "0, 1, 1, 2, 2").
#[test]
fn the_errors_axis_labels_whole_counts_once() {
    let dir = common::write_logs("axis");
    let out_dir = tempfile::tempdir().unwrap();
    let svg_path = out_dir.path().join("errors.svg");
    let out = cli(&[
        "plot",
        arg(dir.path()),
        "--chart",
        "errors",
        "-o",
        arg(&svg_path),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let svg = std::fs::read_to_string(&svg_path).unwrap();
    let labels: Vec<String> = y_labels(&svg)
        .into_iter()
        .filter(|l| !l.is_empty())
        .collect();
    assert!(labels.len() >= 2, "{labels:?}");
    let mut seen = std::collections::HashSet::new();
    for l in &labels {
        assert!(l.parse::<u64>().is_ok(), "{l:?} in {labels:?}");
        assert!(seen.insert(l), "{l:?} twice in {labels:?}");
    }
}

/// The Chromium binary, which scripts/test-all.sh installs (scripts/services/chromium.sh).
fn chromium() -> String {
    for c in ["chromium", "chromium-browser"] {
        if Command::new(c)
            .arg("--version")
            .output()
            .is_ok_and(|o| o.status.success())
        {
            return c.to_string();
        }
    }
    panic!(
        "Chromium is not installed: run the tests with scripts/test-all.sh, which installs it (scripts/services/chromium.sh)"
    );
}

#[test]
fn report_is_one_self_contained_page_that_chromium_renders() {
    let dir = common::write_logs("r");
    let out_dir = tempfile::tempdir().unwrap();
    let html_path = out_dir.path().join("report.html");
    let out = cli(&["report", arg(dir.path()), "-o", arg(&html_path)]);
    assert!(out.status.success(), "{}", stderr(&out));
    let html = std::fs::read_to_string(&html_path).unwrap();
    for want in [
        "<svg",
        "risk_check latency over time",
        "Trades by symbol",
        "risk-engine",
        "Records by level",
    ] {
        assert!(html.contains(want), "{want} missing");
    }
    // Nothing fetched from elsewhere: no script, no link, no external source.
    for banned in [
        "<script",
        "<link",
        "src=\"http",
        "href=\"http",
        "url(",
        "@import",
    ] {
        assert!(!html.contains(banned), "{banned} in the page");
    }

    let browser = chromium();
    let profile = tempfile::tempdir().unwrap();
    let shot = out_dir.path().join("shot.png");
    let url = format!("file://{}", html_path.display());
    let out = Command::new(&browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--no-first-run",
            "--disable-component-update",
            "--disable-sync",
            "--enable-logging=stderr",
            "--v=0",
            "--hide-scrollbars",
            "--window-size=1280,2400",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .arg(format!("--screenshot={}", shot.display()))
        .arg(&url)
        .output()
        .unwrap();
    let log = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "chromium failed: {log}");
    // Console messages of the page are logged as `CONSOLE(...)` lines;
    // errors loading the page as `ERR_...`.
    for line in log.lines() {
        assert!(
            !line.contains("CONSOLE") && !line.contains("net::ERR_"),
            "the page logged: {line}\n{log}"
        );
    }
    let (w, h, colors) = png_info(&shot);
    assert_eq!((w, h), (1280, 2400));
    assert!(colors > 16, "a blank screenshot: {colors} colors");
}
