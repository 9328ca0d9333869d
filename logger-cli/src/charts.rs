//! The charts of `plot` and `report`, drawn with plotters: latency
//! percentiles over time, a latency histogram, records per second, errors
//! over time. The same drawing code renders to SVG (a string, inlined by
//! `report`) and to PNG.
//!
//! Text needs a TrueType font, read at run time: `$LOGGER_FONT`, else the
//! first of a few usual system paths (Debian's `fonts-dejavu-core`).

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use plotters::coord::Shift;
use plotters::prelude::*;

use crate::stats::collect::Collector;
use crate::stats::summary::{human_ns, human_num};

/// The fine grid lines.
const LIGHT: RGBColor = RGBColor(238, 238, 238);

/// Where fonts usually are; the first that exists is used.
const FONT_PATHS: [&str; 5] = [
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/TTF/DejaVuSans.ttf",
    "/usr/share/fonts/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf",
    "/usr/share/fonts/liberation-sans/LiberationSans-Regular.ttf",
];

/// Loads and registers the font once.
///
/// # Errors
///
/// No font found or readable, naming where it looked and how to fix it.
pub fn ensure_font() -> Result<(), String> {
    static LOADED: OnceLock<Result<(), String>> = OnceLock::new();
    LOADED
        .get_or_init(|| {
            let candidates: Vec<PathBuf> = match std::env::var_os("LOGGER_FONT") {
                Some(p) => vec![PathBuf::from(p)],
                None => FONT_PATHS.iter().map(PathBuf::from).collect(),
            };
            let path = candidates.iter().find(|p| p.is_file()).ok_or_else(|| {
                format!(
                    "no TrueType font for the chart text (looked at {}); install Debian's \
                     fonts-dejavu-core or set LOGGER_FONT=/path/to/font.ttf",
                    candidates
                        .iter()
                        .map(|p| p.display().to_string())
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            })?;
            let bytes = std::fs::read(path)
                .map_err(|e| format!("{}: cannot read the font: {e}", path.display()))?;
            // Registered fonts live for the whole process (plotters keeps `&'static`).
            let bytes: &'static [u8] = Box::leak(bytes.into_boxed_slice());
            plotters::style::register_font("sans-serif", FontStyle::Normal, bytes)
                .map_err(|_| format!("{}: not a TrueType/OpenType font", path.display()))
        })
        .clone()
}

/// Which charts to draw.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Chart {
    /// p50/p90/p99/max of one operation over time.
    Latency,
    /// Distribution of one operation's latencies.
    Histogram,
    /// Records per second.
    Rate,
    /// Errors per bucket.
    Errors,
}

type DrawResult = Result<(), String>;

fn err<E: std::fmt::Display>(e: E) -> String {
    format!("cannot draw the chart: {e}")
}

/// Draws `charts` (one, or a 2x2 grid of four) into `area`.
pub fn draw<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    c: &Collector,
    op: Option<&str>,
    charts: &[Chart],
) -> DrawResult {
    area.fill(&WHITE).map_err(err)?;
    let cells = if charts.len() == 1 {
        vec![area.clone()]
    } else {
        area.split_evenly((2, 2))
    };
    for (chart, cell) in charts.iter().zip(cells.iter()) {
        match chart {
            Chart::Latency => latency(cell, c, op)?,
            Chart::Histogram => histogram(cell, c, op)?,
            Chart::Rate => counts(cell, c, false)?,
            Chart::Errors => counts(cell, c, true)?,
        }
    }
    area.present().map_err(err)
}

/// Renders to an SVG document.
pub fn svg(
    c: &Collector,
    op: Option<&str>,
    charts: &[Chart],
    size: (u32, u32),
) -> Result<String, String> {
    ensure_font()?;
    let mut s = String::new();
    {
        let root = SVGBackend::with_string(&mut s, size).into_drawing_area();
        draw(&root, c, op, charts)?;
    }
    Ok(s)
}

/// Renders to a PNG file.
pub fn png(
    path: &Path,
    c: &Collector,
    op: Option<&str>,
    charts: &[Chart],
    size: (u32, u32),
) -> DrawResult {
    ensure_font()?;
    let root = BitMapBackend::new(path, size).into_drawing_area();
    draw(&root, c, op, charts)
}

/// Seconds since `t0` of a bucket start.
fn secs(t: i128, t0: i128) -> f64 {
    (t - t0) as f64 / 1e9
}

fn empty<DB: DrawingBackend>(area: &DrawingArea<DB, Shift>, title: &str, why: &str) -> DrawResult {
    let (w, h) = area.dim_in_pixel();
    area.draw(&Text::new(
        format!("{title}: {why}"),
        (20, (h / 2) as i32),
        ("sans-serif", (w / 40).clamp(12, 22))
            .into_font()
            .color(&BLACK),
    ))
    .map_err(err)
}

fn latency<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    c: &Collector,
    op: Option<&str>,
) -> DrawResult {
    let title = format!("{} latency over time", op.unwrap_or("operation"));
    let Some(tl) = op.and_then(|o| c.latency.get(o)) else {
        return empty(area, &title, "no perf records of this operation");
    };
    let t0 = tl.iter().next().map_or(0, |(t, _)| t);
    let width_s = tl.width_ns() as f64 / 1e9;
    let qs = [
        (0.5, "p50", BLUE),
        (0.9, "p90", GREEN),
        (0.99, "p99", RGBColor(230, 120, 0)),
        (1.0, "max", RED),
    ];
    let series: Vec<Vec<(f64, f64)>> = qs
        .iter()
        .map(|(q, _, _)| {
            tl.iter()
                .filter(|(_, h)| !h.0.is_empty())
                .map(|(t, h)| {
                    (
                        secs(t, t0) + width_s / 2.0,
                        h.0.value_at_quantile(*q).max(1) as f64 / 1e3,
                    )
                })
                .collect()
        })
        .collect();
    let x_max = tl.iter().last().map_or(1.0, |(t, _)| secs(t, t0) + width_s);
    let y_min = series
        .iter()
        .flatten()
        .map(|p| p.1)
        .fold(f64::MAX, f64::min)
        .max(0.001);
    let y_max = series
        .iter()
        .flatten()
        .map(|p| p.1)
        .fold(0.0, f64::max)
        .max(y_min * 10.0);
    let mut chart = ChartBuilder::on(area)
        .caption(&title, ("sans-serif", 20))
        .margin(12)
        .x_label_area_size(36)
        .y_label_area_size(64)
        .build_cartesian_2d(0.0..x_max, (y_min * 0.8..y_max * 1.25).log_scale())
        .map_err(err)?;
    chart
        .configure_mesh()
        .light_line_style(LIGHT)
        .y_labels(8)
        .x_desc("seconds since the first record")
        .y_desc("latency (log scale)")
        .y_label_formatter(&|v| human_ns((*v * 1e3) as u64))
        .draw()
        .map_err(err)?;
    for ((_, name, color), pts) in qs.iter().zip(series) {
        let color = *color;
        chart
            .draw_series(LineSeries::new(pts, color.stroke_width(2)))
            .map_err(err)?
            .label(*name)
            .legend(move |(x, y)| {
                PathElement::new(vec![(x, y), (x + 18, y)], color.stroke_width(2))
            });
    }
    chart
        .configure_series_labels()
        .background_style(WHITE.mix(0.8))
        .border_style(BLACK)
        .position(SeriesLabelPosition::UpperRight)
        .draw()
        .map_err(err)
}

fn histogram<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    c: &Collector,
    op: Option<&str>,
) -> DrawResult {
    let title = format!("{} latency distribution", op.unwrap_or("operation"));
    let hist = op.map(|o| {
        let mut all = crate::stats::collect::Hist::default();
        for ((name, _), s) in &c.ops {
            if name == o {
                let _ = all.0.add(&s.hist.0);
            }
        }
        all
    });
    let Some(h) = hist.filter(|h| !h.0.is_empty()) else {
        return empty(area, &title, "no perf records of this operation");
    };
    // 40 bins, equal widths on a log scale, from min to max.
    let lo = (h.0.min().max(1) as f64).ln();
    let hi = (h.0.max().max(2) as f64).ln().max(lo + 1e-9);
    const BINS: usize = 40;
    let mut bins = [0u64; BINS];
    for v in h.0.iter_recorded() {
        let x = (v.value_iterated_to().max(1) as f64).ln();
        let i = (((x - lo) / (hi - lo)) * BINS as f64) as usize;
        bins[i.min(BINS - 1)] += v.count_at_value();
    }
    let edge = |i: usize| (lo + (hi - lo) * i as f64 / BINS as f64).exp() / 1e3;
    let y_max = bins.iter().copied().max().unwrap_or(1).max(1) as f64;
    let mut chart = ChartBuilder::on(area)
        .caption(&title, ("sans-serif", 20))
        .margin(12)
        .x_label_area_size(36)
        .y_label_area_size(64)
        .build_cartesian_2d(
            (edge(0) * 0.9..edge(BINS) * 1.1).log_scale(),
            0.0..y_max * 1.1,
        )
        .map_err(err)?;
    chart
        .configure_mesh()
        .light_line_style(LIGHT)
        .x_labels(8)
        .x_desc("latency (log scale)")
        .y_desc("records")
        .y_label_formatter(&|v| count_label(*v, true))
        .x_label_formatter(&|v| human_ns((*v * 1e3) as u64))
        .draw()
        .map_err(err)?;
    chart
        .draw_series(
            bins.iter()
                .enumerate()
                .filter(|(_, n)| **n > 0)
                .map(|(i, n)| {
                    Rectangle::new(
                        [(edge(i), 0.0), (edge(i + 1), *n as f64)],
                        BLUE.mix(0.6).filled(),
                    )
                }),
        )
        .map_err(err)?;
    Ok(())
}

/// A y-axis label of the counts charts. Rounded, a small axis's ticks
/// (0, 0.5, 1, 1.5 ...) read "0, 1, 1, 2": errors are whole counts, so a
/// tick between two is left blank; a rate below 10/s keeps its decimals.
fn count_label(v: f64, whole_counts: bool) -> String {
    if whole_counts {
        if v.fract() == 0.0 {
            human_num(v)
        } else {
            String::new()
        }
    } else if v.abs() < 10.0 {
        human_num(v)
    } else {
        human_num(v.round())
    }
}

fn counts<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    c: &Collector,
    errors: bool,
) -> DrawResult {
    let (tl, title, y_desc) = if errors {
        (
            &c.errors,
            "Errors over time (ERROR records, failed operations)",
            "per bucket",
        )
    } else {
        (&c.rate, "Records per second", "records/s")
    };
    let Some((t0, _)) = c.rate.iter().next() else {
        return empty(area, title, "no records");
    };
    let width_s = tl.width_ns() as f64 / 1e9;
    let rate_width_s = c.rate.width_ns() as f64 / 1e9;
    let x_max = c
        .rate
        .iter()
        .last()
        .map_or(1.0, |(t, _)| secs(t, t0) + rate_width_s);
    let pts: Vec<(f64, f64)> = tl
        .iter()
        .map(|(t, n)| {
            (
                secs(t, t0),
                if errors {
                    *n as f64
                } else {
                    *n as f64 / width_s
                },
            )
        })
        .collect();
    let y_max = pts.iter().map(|p| p.1).fold(0.0, f64::max).max(1.0);
    let mut chart = ChartBuilder::on(area)
        .caption(title, ("sans-serif", 20))
        .margin(12)
        .x_label_area_size(36)
        .y_label_area_size(64)
        .build_cartesian_2d(0.0..x_max.max(width_s), 0.0..y_max * 1.15)
        .map_err(err)?;
    chart
        .configure_mesh()
        .light_line_style(LIGHT)
        .x_desc("seconds since the first record")
        .y_desc(y_desc)
        .y_label_formatter(&|v| count_label(*v, errors))
        .draw()
        .map_err(err)?;
    let color = if errors { RED } else { BLUE };
    // A bucket narrower than a pixel (1 ms buckets of sparse errors over
    // seconds or hours) would be drawn 0 pixels wide, and its count not
    // at all: each bar is at least 1.5 pixels wide.
    let x_span = x_max.max(width_s);
    let px = f64::from(chart.plotting_area().dim_in_pixel().0.max(1));
    let bar_s = width_s.max(1.5 * x_span / px);
    chart
        .draw_series(
            pts.iter()
                .map(|&(x, y)| Rectangle::new([(x, 0.0), (x + bar_s, y)], color.mix(0.5).filled())),
        )
        .map_err(err)?;
    Ok(())
}
