//! `logger plot`: charts as SVG or PNG.

use crate::charts::{self, Chart};
use crate::commands::stats::collect;
use crate::error::CliError;
use crate::flags::{ChartKind, PlotArgs};

/// The image format of an output path, from its extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImageFormat {
    /// `.svg`.
    Svg,
    /// `.png`.
    Png,
}

/// `.svg` or `.png` (any case).
///
/// # Errors
///
/// Any other extension, naming the option and the path.
pub fn image_format(path: &std::path::Path) -> Result<ImageFormat, CliError> {
    match path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .as_deref()
    {
        Some("svg") => Ok(ImageFormat::Svg),
        Some("png") => Ok(ImageFormat::Png),
        _ => Err(CliError::Usage(format!(
            "-o {}: the file name must end in .svg or .png",
            path.display()
        ))),
    }
}

/// Runs `plot`.
///
/// # Errors
///
/// Bad arguments (an unknown operation, a bad size or extension),
/// unreadable input, no font, an unwritable output file.
pub fn run(args: &PlotArgs) -> Result<(), CliError> {
    let format = image_format(&args.out)?;
    if !(100..=10_000).contains(&args.width) || !(100..=10_000).contains(&args.height) {
        return Err(CliError::Usage(format!(
            "--width {} --height {}: each must be between 100 and 10000 pixels",
            args.width, args.height
        )));
    }
    charts::ensure_font().map_err(CliError::Input)?;
    let (c, outcome) = collect(&args.paths, &args.filter, &args.scan, None, true)?;
    let needs_op = matches!(
        args.chart,
        ChartKind::Latency | ChartKind::Histogram | ChartKind::All
    );
    let op = match &args.op {
        Some(op) => {
            if !c.ops.iter().any(|((o, _), _)| o == op) {
                let mut known: Vec<&str> = c.ops.iter().map(|((o, _), _)| o.as_str()).collect();
                known.dedup();
                return Err(CliError::Usage(format!(
                    "--op {op:?}: no perf record of this operation (operations found: {})",
                    if known.is_empty() {
                        "none".to_string()
                    } else {
                        known.join(", ")
                    }
                )));
            }
            Some(op.clone())
        }
        None => c.busiest_op(),
    };
    if needs_op && op.is_none() && args.chart != ChartKind::All {
        return Err(CliError::Input(
            "no perf records to chart latency from (try --chart rate or errors)".into(),
        ));
    }
    if c.records == 0 {
        return Err(CliError::Input(
            "no records to chart (after the filter)".into(),
        ));
    }
    let list: Vec<Chart> = match args.chart {
        ChartKind::Latency => vec![Chart::Latency],
        ChartKind::Histogram => vec![Chart::Histogram],
        ChartKind::Rate => vec![Chart::Rate],
        ChartKind::Errors => vec![Chart::Errors],
        ChartKind::All => vec![Chart::Latency, Chart::Histogram, Chart::Rate, Chart::Errors],
    };
    let size = (args.width, args.height);
    let written = match format {
        ImageFormat::Svg => charts::svg(&c, op.as_deref(), &list, size).and_then(|s| {
            std::fs::write(&args.out, s).map_err(|e| format!("{}: {e}", args.out.display()))
        }),
        ImageFormat::Png => charts::png(&args.out, &c, op.as_deref(), &list, size),
    };
    written.map_err(|e| CliError::Input(format!("{}: {e}", args.out.display())))?;
    outcome.finish(args.scan.strict)
}
