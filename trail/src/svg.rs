//! Draws calls over time, stacked by event name, as an SVG file (`trail stats --svg`).
//!
//! Does: one bar per interval of [`Stats::by_interval`], split into one coloured segment per event
//! name (same colour for a name everywhere, legend included), so a 5-minute Decrypt rhythm shows as
//! regular peaks when the interval is shorter than 5 minutes. Intervals without calls are drawn
//! empty.
//! Does not: draw anything but SVG (plotters' SVG backend only, no fonts needed).

use std::path::{Path, PathBuf};

use plotters::prelude::*;

use crate::stats::Stats;
use ddbsse_wire::time::Timestamp;

/// The chart could not be drawn or written.
#[derive(Debug, thiserror::Error)]
#[error("{}: cannot draw the chart: {message}", path.display())]
pub struct SvgError {
    /// The file.
    pub path: PathBuf,
    /// What plotters said (its errors are neither `Send` nor `Sync`).
    pub message: String,
}

/// Writes the chart to `path`.
pub fn write_svg(stats: &Stats, path: &Path, title: &str) -> Result<(), SvgError> {
    draw(stats, path, title).map_err(|e| SvgError {
        path: path.to_path_buf(),
        message: e.to_string(),
    })
}

fn draw(
    stats: &Stats,
    path: &Path,
    title: &str,
) -> Result<(), Box<dyn std::error::Error + 'static>> {
    let interval = stats.interval_millis.max(1);
    let first = stats.by_interval.keys().next().copied().unwrap_or(0);
    let last = stats.by_interval.keys().next_back().copied().unwrap_or(0);
    let slots = ((last - first) / interval + 1) as f64;
    let names: Vec<&String> = stats.by_event_name.keys().collect();
    let max = stats
        .by_interval
        .values()
        .map(|c| c.values().sum::<u64>())
        .max()
        .unwrap_or(0)
        .max(1) as f64;

    let root = SVGBackend::new(path, (1400, 600)).into_drawing_area();
    root.fill(&WHITE)?;
    let mut chart = ChartBuilder::on(&root)
        .caption(title, ("sans-serif", 20))
        .margin(15)
        .x_label_area_size(50)
        .y_label_area_size(70)
        .build_cartesian_2d(0f64..slots, 0f64..max * 1.05)?;
    let label = move |x: &f64| Timestamp(first + (*x as u64) * interval).event_time();
    chart
        .configure_mesh()
        .disable_x_mesh()
        .x_labels(8)
        .x_label_formatter(&label)
        .x_desc("interval start (UTC)")
        .y_desc(format!("calls per {} s", interval / 1000))
        .draw()?;

    for (ni, name) in names.iter().enumerate() {
        let colour = Palette99::pick(ni).mix(0.9);
        let bars: Vec<Rectangle<(f64, f64)>> = stats
            .by_interval
            .iter()
            .filter_map(|(start, counts)| {
                let n = *counts.get(*name)?;
                let below: u64 = names[..ni]
                    .iter()
                    .map(|m| counts.get(*m).copied().unwrap_or(0))
                    .sum();
                let x = ((start - first) / interval) as f64;
                Some(Rectangle::new(
                    [(x, below as f64), (x + 1.0, (below + n) as f64)],
                    colour.filled(),
                ))
            })
            .collect();
        chart
            .draw_series(bars)?
            .label(name.as_str())
            .legend(move |(x, y)| Rectangle::new([(x, y - 5), (x + 12, y + 5)], colour.filled()));
    }
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::UpperRight)
        .background_style(WHITE.mix(0.85))
        .border_style(BLACK)
        .draw()?;
    root.present()?;
    Ok(())
}
