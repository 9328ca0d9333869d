//! The HTML page of `report`: one self-contained file (inline CSS, charts
//! as inline SVG, no script, no external fetch) with the charts and the
//! tables of `stats`.

use crate::charts::{self, Chart};
use crate::stats::collect::Collector;
use crate::stats::summary::{Summary, human_num};

/// Operations that get their own latency charts (the busiest first).
const MAX_OPS_CHARTED: usize = 4;

/// Escapes text for HTML element content and attribute values.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for ch in s.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// The whole page. `sources` names what was read (shown in the header).
///
/// # Errors
///
/// A chart that cannot be drawn (no font).
pub fn page(c: &Collector, sources: &str) -> Result<String, String> {
    let summary = Summary::of(c);
    let mut html = String::with_capacity(1 << 20);
    html.push_str(concat!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n",
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n",
        "<title>logger report</title>\n<style>\n",
        "body{font-family:sans-serif;margin:24px;color:#222;background:#fafafa}\n",
        "h1{font-size:22px}h2{font-size:18px;margin-top:28px}\n",
        "table{border-collapse:collapse;margin:8px 0;background:#fff}\n",
        "th,td{border:1px solid #ccc;padding:3px 8px;font-size:13px}\n",
        "td.n{text-align:right;font-variant-numeric:tabular-nums}th{background:#eee}\n",
        ".charts{display:flex;flex-wrap:wrap;gap:12px}.charts svg{background:#fff;border:1px solid #ddd}\n",
        ".meta{color:#555}\n</style>\n</head>\n<body>\n<h1>logger report</h1>\n"
    ));
    html.push_str(&format!(
        "<p class=\"meta\">{} &middot; {} records &middot; {} bytes &middot; {} &ndash; {}</p>\n",
        escape(sources),
        human_num(summary.records as f64),
        human_num(summary.bytes as f64),
        escape(summary.first_ts.as_deref().unwrap_or("-")),
        escape(summary.last_ts.as_deref().unwrap_or("-")),
    ));
    html.push_str("<h2>Activity</h2>\n<div class=\"charts\">\n");
    for chart in [Chart::Rate, Chart::Errors] {
        html.push_str(&charts::svg(c, None, &[chart], (640, 320))?);
        html.push('\n');
    }
    html.push_str("</div>\n");
    let mut ops: Vec<(u64, String)> = Vec::new();
    for o in &summary.operations {
        match ops.iter_mut().find(|(_, name)| *name == o.operation) {
            Some(e) => e.0 += o.count,
            None => ops.push((o.count, o.operation.clone())),
        }
    }
    ops.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
    for (_, op) in ops.iter().take(MAX_OPS_CHARTED) {
        html.push_str(&format!(
            "<h2>Operation {}</h2>\n<div class=\"charts\">\n",
            escape(op)
        ));
        for chart in [Chart::Latency, Chart::Histogram] {
            html.push_str(&charts::svg(c, Some(op), &[chart], (640, 320))?);
            html.push('\n');
        }
        html.push_str("</div>\n");
    }
    for (title, table) in summary.tables() {
        html.push_str(&format!("<h2>{}</h2>\n<table>\n", escape(&title)));
        for (i, row) in table.iter().enumerate() {
            html.push_str("<tr>");
            for (j, cell) in row.iter().enumerate() {
                if i == 0 {
                    html.push_str(&format!("<th>{}</th>", escape(cell)));
                } else if j == 0 {
                    html.push_str(&format!("<td>{}</td>", escape(cell)));
                } else {
                    html.push_str(&format!("<td class=\"n\">{}</td>", escape(cell)));
                }
            }
            html.push_str("</tr>\n");
        }
        html.push_str("</table>\n");
    }
    html.push_str("</body>\n</html>\n");
    Ok(html)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup() {
        assert_eq!(
            escape("<a href=\"x\">'&'</a>"),
            "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;"
        );
    }
}
