//! SVG charts (plotters, SVG backend, no system fonts: text is emitted as SVG `<text>` and laid
//! out by plotters' built-in size estimate, so it renders on a fresh machine without fontconfig).

use std::path::Path;

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use thiserror::Error;

use crate::summary::{TargetSummary, WorkloadSummary};

/// Chart size in pixels.
const SIZE_PX: (u32, u32) = (960, 540);
/// Fraction of a workload's slot covered by its bars.
const GROUP_WIDTH: f64 = 0.8;
/// Headroom above the tallest whisker.
const Y_HEADROOM: f64 = 1.15;

/// Drawing a chart failed.
#[derive(Debug, Error)]
#[error("drawing chart {path}: {reason}")]
pub struct ChartError {
    path: String,
    reason: String,
}

/// One bar: median and whisker range.
struct Bar {
    median: f64,
    min: f64,
    max: f64,
}

/// Throughput per target per workload: bars at the median, whiskers min–max across rounds.
pub fn throughput_chart(summaries: &[WorkloadSummary], path: &Path) -> Result<(), ChartError> {
    grouped_bars(
        summaries,
        path,
        "Throughput (ops/s; bar = median, whisker = min–max over rounds)",
        "ops/s",
        |t| {
            Some(Bar {
                median: t.median_ops_per_s,
                min: t.min_ops_per_s,
                max: t.max_ops_per_s,
            })
        },
    )
}

/// p99 latency per target per workload: bars at the median, whiskers min–max across rounds.
pub fn p99_chart(summaries: &[WorkloadSummary], path: &Path) -> Result<(), ChartError> {
    grouped_bars(
        summaries,
        path,
        "p99 latency (µs; bar = median, whisker = min–max over rounds)",
        "p99 µs",
        |t| {
            Some(Bar {
                median: t.median_p99_us?,
                min: t.min_p99_us?,
                max: t.max_p99_us?,
            })
        },
    )
}

fn grouped_bars(
    summaries: &[WorkloadSummary],
    path: &Path,
    caption: &str,
    y_desc: &str,
    value: impl Fn(&TargetSummary) -> Option<Bar>,
) -> Result<(), ChartError> {
    let err = |e: &dyn std::fmt::Display| ChartError {
        path: path.display().to_string(),
        reason: e.to_string(),
    };
    let mut targets: Vec<&str> = Vec::new();
    for t in summaries.iter().flat_map(|w| &w.targets) {
        if !targets.contains(&t.target.as_str()) {
            targets.push(&t.target);
        }
    }
    let values: Vec<f64> = summaries
        .iter()
        .flat_map(|w| &w.targets)
        .filter_map(&value)
        .flat_map(|b| [b.min, b.median, b.max])
        .collect();
    let scale = YScale::for_values(&values);
    let (y_lo, y_hi) = scale.range(&values);
    let slots = summaries.len().max(1) as f64;

    let root = SVGBackend::new(path, SIZE_PX).into_drawing_area();
    root.fill(&WHITE).map_err(|e| err(&e))?;
    let mut chart = ChartBuilder::on(&root)
        .caption(caption, ("sans-serif", 20))
        .margin(15)
        .x_label_area_size(40)
        .y_label_area_size(80)
        .build_cartesian_2d(0.0..slots, y_lo..y_hi)
        .map_err(|e| err(&e))?;
    chart
        .configure_mesh()
        .disable_x_mesh()
        .disable_x_axis()
        .y_desc(match scale {
            YScale::Linear => y_desc.to_string(),
            YScale::Log => format!("{y_desc} (log scale)"),
        })
        .y_label_formatter(&|v| scale.label(*v))
        .draw()
        .map_err(|e| err(&e))?;

    let bar_width = GROUP_WIDTH / targets.len().max(1) as f64;
    for (j, target) in targets.iter().enumerate() {
        let color = Palette99::pick(j).to_rgba();
        let mut bars = Vec::new();
        let mut whiskers = Vec::new();
        for (i, w) in summaries.iter().enumerate() {
            let Some(raw) = w
                .targets
                .iter()
                .find(|t| t.target == *target)
                .and_then(&value)
            else {
                continue;
            };
            let b = Bar {
                median: scale.map(raw.median),
                min: scale.map(raw.min),
                max: scale.map(raw.max),
            };
            let left = i as f64 + (1.0 - GROUP_WIDTH) / 2.0 + j as f64 * bar_width;
            let (l, r) = (left + bar_width * 0.1, left + bar_width * 0.9);
            let mid = (l + r) / 2.0;
            let cap = bar_width * 0.2;
            bars.push(Rectangle::new([(l, y_lo), (r, b.median)], color.filled()));
            whiskers.push(PathElement::new(vec![(mid, b.min), (mid, b.max)], BLACK));
            whiskers.push(PathElement::new(
                vec![(mid - cap, b.min), (mid + cap, b.min)],
                BLACK,
            ));
            whiskers.push(PathElement::new(
                vec![(mid - cap, b.max), (mid + cap, b.max)],
                BLACK,
            ));
        }
        chart
            .draw_series(bars)
            .map_err(|e| err(&e))?
            .label(*target)
            .legend(move |(x, y)| Rectangle::new([(x, y - 5), (x + 10, y + 5)], color.filled()));
        chart.draw_series(whiskers).map_err(|e| err(&e))?;
    }
    // Upper left: the first group's bars are the guests' (low); the right end holds
    // the tallest bars (linux-host), which an upper-right legend would cover.
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::UpperLeft)
        .background_style(WHITE.mix(0.8))
        .border_style(BLACK)
        .draw()
        .map_err(|e| err(&e))?;

    // Workload names under their groups, in pixel coordinates below the plotting area.
    let label_style = ("sans-serif", 15)
        .into_font()
        .color(&BLACK)
        .pos(Pos::new(HPos::Center, VPos::Top));
    for (i, w) in summaries.iter().enumerate() {
        let (x, y) = chart.backend_coord(&(i as f64 + 0.5, y_lo));
        root.draw(&Text::new(
            w.workload.clone(),
            (x, y + 8),
            label_style.clone(),
        ))
        .map_err(|e| err(&e))?;
    }
    root.present().map_err(|e| err(&e))
}

/// Spread (max / min) beyond which the y axis switches to a log scale, so a host target does
/// not flatten emulated guests into invisible bars.
const LOG_SCALE_SPREAD: f64 = 30.0;

/// The y axis: linear from 0, or log10 (values are mapped before drawing).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum YScale {
    Linear,
    Log,
}

impl YScale {
    fn for_values(values: &[f64]) -> Self {
        let positive = values.iter().copied().filter(|v| *v > 0.0);
        let min = positive.clone().fold(f64::INFINITY, f64::min);
        let max = positive.fold(0.0, f64::max);
        if min.is_finite() && max / min > LOG_SCALE_SPREAD {
            YScale::Log
        } else {
            YScale::Linear
        }
    }

    /// The drawn y range (in mapped units).
    fn range(self, values: &[f64]) -> (f64, f64) {
        let max = values.iter().copied().fold(0.0, f64::max);
        match self {
            YScale::Linear => (0.0, if max > 0.0 { max * Y_HEADROOM } else { 1.0 }),
            YScale::Log => {
                let min = values
                    .iter()
                    .copied()
                    .filter(|v| *v > 0.0)
                    .fold(f64::INFINITY, f64::min);
                (min.log10().floor(), (max * Y_HEADROOM).log10())
            }
        }
    }

    /// Maps a value to drawing units.
    fn map(self, v: f64) -> f64 {
        match self {
            YScale::Linear => v,
            YScale::Log => v.max(f64::MIN_POSITIVE).log10(),
        }
    }

    /// The tick label of a drawing-unit position.
    fn label(self, y: f64) -> String {
        let v = match self {
            YScale::Linear => y,
            YScale::Log => 10f64.powf(y),
        };
        match v {
            v if v >= 1e6 => format!("{:.1}M", v / 1e6),
            v if v >= 1e3 => format!("{:.0}k", v / 1e3),
            v => format!("{v:.0}"),
        }
    }
}

/// Colours of the stacked CPU chart's two parts.
const USER_COLOR: RGBColor = RGBColor(0x4c, 0x72, 0xb0);
const SYSTEM_COLOR: RGBColor = RGBColor(0xdd, 0x84, 0x52);

/// The KML chart: one stacked bar per target, user below system (CPU seconds).
pub fn cpu_split_chart(rows: &[crate::kml::KmlRow], path: &Path) -> Result<(), ChartError> {
    let err = |e: &dyn std::fmt::Display| ChartError {
        path: path.display().to_string(),
        reason: e.to_string(),
    };
    let top = rows
        .iter()
        .map(|r| r.total_s())
        .fold(0.0_f64, f64::max)
        .max(f64::MIN_POSITIVE)
        * Y_HEADROOM;
    let slots = rows.len().max(1) as f64;
    let root = SVGBackend::new(path, SIZE_PX).into_drawing_area();
    root.fill(&WHITE).map_err(|e| err(&e))?;
    let mut chart = ChartBuilder::on(&root)
        .caption(
            "Wisconsin: server CPU seconds, user vs system (median over rounds)",
            ("sans-serif", 20),
        )
        .margin(15)
        .x_label_area_size(40)
        .y_label_area_size(80)
        .build_cartesian_2d(0.0..slots, 0.0..top)
        .map_err(|e| err(&e))?;
    chart
        .configure_mesh()
        .disable_x_mesh()
        .disable_x_axis()
        .y_desc("CPU seconds")
        .draw()
        .map_err(|e| err(&e))?;
    let bar = |i: usize, lo: f64, hi: f64, color: RGBColor| {
        let left = i as f64 + (1.0 - GROUP_WIDTH) / 2.0;
        Rectangle::new([(left, lo), (left + GROUP_WIDTH, hi)], color.filled())
    };
    chart
        .draw_series(
            rows.iter()
                .enumerate()
                .map(|(i, r)| bar(i, 0.0, r.user_s, USER_COLOR)),
        )
        .map_err(|e| err(&e))?
        .label("user (server code)")
        .legend(|(x, y)| Rectangle::new([(x, y - 5), (x + 10, y + 5)], USER_COLOR.filled()));
    chart
        .draw_series(
            rows.iter()
                .enumerate()
                .map(|(i, r)| bar(i, r.user_s, r.total_s(), SYSTEM_COLOR)),
        )
        .map_err(|e| err(&e))?
        .label("system (kernel)")
        .legend(|(x, y)| Rectangle::new([(x, y - 5), (x + 10, y + 5)], SYSTEM_COLOR.filled()));
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::UpperRight)
        .background_style(WHITE.mix(0.8))
        .border_style(BLACK)
        .draw()
        .map_err(|e| err(&e))?;
    let label_style = ("sans-serif", 15)
        .into_font()
        .color(&BLACK)
        .pos(Pos::new(HPos::Center, VPos::Top));
    for (i, r) in rows.iter().enumerate() {
        let (x, y) = chart.backend_coord(&(i as f64 + 0.5, 0.0));
        root.draw(&Text::new(r.label.clone(), (x, y + 8), label_style.clone()))
            .map_err(|e| err(&e))?;
    }
    root.present().map_err(|e| err(&e))
}
