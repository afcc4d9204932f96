//! Pure geometry for the inline SVG charts: numbers in, coordinates out, so the maths is
//! tested natively and the views only draw.

/// The drawing area of a chart, in SVG user units.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Frame {
    /// Total width.
    pub width: f64,
    /// Total height.
    pub height: f64,
    /// Room on the left for the value labels.
    pub left: f64,
    /// Room at the bottom for the category labels.
    pub bottom: f64,
    /// Room at the top and on the right.
    pub margin: f64,
}

impl Frame {
    /// The standard frame of the app's charts.
    pub const STANDARD: Frame = Frame {
        width: 640.0,
        height: 220.0,
        left: 40.0,
        bottom: 28.0,
        margin: 10.0,
    };

    /// The `viewBox` attribute.
    pub fn view_box(&self) -> String {
        format!("0 0 {} {}", coord(self.width), coord(self.height))
    }

    /// The y of the value axis' zero (the plot's bottom edge).
    pub fn baseline(&self) -> f64 {
        self.height - self.bottom
    }

    fn plot_width(&self) -> f64 {
        self.width - self.left - self.margin
    }

    fn plot_height(&self) -> f64 {
        self.height - self.bottom - self.margin
    }

    /// The y of `value` on a scale from 0 to `max` (`max` ≥ 1).
    pub fn y_of(&self, value: i64, max: i64) -> f64 {
        let max = max.max(1) as f64;
        self.baseline() - (value.max(0) as f64 / max) * self.plot_height()
    }
}

/// A value-axis tick: where it is drawn and its label.
#[derive(Debug, Clone, PartialEq)]
pub struct Tick {
    /// Its y.
    pub y: f64,
    /// The value it marks.
    pub value: i64,
}

/// Up to three ticks (0, the middle, the top) for a scale topping at `max`, without
/// repeats and in whole numbers.
pub fn ticks(frame: &Frame, max: i64) -> Vec<Tick> {
    let max = max.max(1);
    let mut values = vec![0, max / 2, max];
    values.dedup();
    values
        .into_iter()
        .map(|value| Tick {
            y: frame.y_of(value, max),
            value,
        })
        .collect()
}

/// A line chart: one point per value, evenly spaced, and the path through them.
#[derive(Debug, Clone, PartialEq)]
pub struct Line {
    /// Each value's point.
    pub points: Vec<(f64, f64)>,
    /// The SVG path `d` through every point (empty without points).
    pub path: String,
    /// The top of the scale (the largest value, at least 1).
    pub max: i64,
}

/// Lays `values` out as a line over `frame`; one value sits in the middle.
pub fn line(frame: &Frame, values: &[i64]) -> Line {
    let max = values.iter().copied().max().unwrap_or(0).max(1);
    let n = values.len();
    let x_of = |i: usize| {
        if n <= 1 {
            frame.left + frame.plot_width() / 2.0
        } else {
            frame.left + frame.plot_width() * i as f64 / (n - 1) as f64
        }
    };
    let points: Vec<(f64, f64)> = values
        .iter()
        .enumerate()
        .map(|(i, v)| (round(x_of(i)), round(frame.y_of(*v, max))))
        .collect();
    let path = points
        .iter()
        .enumerate()
        .map(|(i, (x, y))| {
            let cmd = if i == 0 { "M" } else { "L" };
            format!("{cmd}{} {}", coord(*x), coord(*y))
        })
        .collect::<Vec<_>>()
        .join(" ");
    Line { points, path, max }
}

/// One bar of a bar chart.
#[derive(Debug, Clone, PartialEq)]
pub struct Bar {
    /// Left edge.
    pub x: f64,
    /// Top edge.
    pub y: f64,
    /// Width.
    pub width: f64,
    /// Height (0 for a zero value).
    pub height: f64,
    /// The centre, for its label.
    pub centre: f64,
}

/// Lays `values` out as bars, each in an equal slot with a gap on both sides.
pub fn bars(frame: &Frame, values: &[i64]) -> (Vec<Bar>, i64) {
    let max = values.iter().copied().max().unwrap_or(0).max(1);
    if values.is_empty() {
        return (Vec::new(), max);
    }
    let slot = frame.plot_width() / values.len() as f64;
    let width = (slot * 0.6).min(80.0);
    let bars = values
        .iter()
        .enumerate()
        .map(|(i, v)| {
            let centre = frame.left + slot * (i as f64 + 0.5);
            let y = frame.y_of(*v, max);
            Bar {
                x: round(centre - width / 2.0),
                y: round(y),
                width: round(width),
                height: round(frame.baseline() - y),
                centre: round(centre),
            }
        })
        .collect();
    (bars, max)
}

/// Indices of at most `count` evenly spread labels among `n` categories (first and last
/// included), so long ranges do not crowd the axis.
pub fn label_indices(n: usize, count: usize) -> Vec<usize> {
    if n == 0 || count == 0 {
        return Vec::new();
    }
    if n <= count {
        return (0..n).collect();
    }
    let mut out: Vec<usize> = (0..count)
        .map(|k| k * (n - 1) / (count - 1).max(1))
        .collect();
    out.dedup();
    out
}

/// Two decimals are plenty for SVG and keep the markup short.
fn round(v: f64) -> f64 {
    (v * 100.0).round() / 100.0
}

/// An SVG coordinate as markup: at most two decimals, no trailing zeros (`192`,
/// `101.5`). Attributes take this string rather than the `f64`, whose standard
/// formatting would add its float printer to the wasm.
pub fn coord(v: f64) -> String {
    crate::format::short(v, 2)
}

#[cfg(test)]
mod tests {
    use super::*;

    const F: Frame = Frame::STANDARD;

    #[test]
    fn a_line_spans_the_plot_and_peaks_at_the_top() {
        let l = line(&F, &[0, 5, 10]);
        assert_eq!(l.max, 10);
        assert_eq!(l.points.len(), 3);
        assert_eq!(l.points[0], (40.0, 192.0));
        assert_eq!(l.points[1], (335.0, 101.0));
        assert_eq!(l.points[2], (630.0, 10.0));
        assert_eq!(l.path, "M40 192 L335 101 L630 10");
        assert_eq!(F.view_box(), "0 0 640 220");
        assert_eq!(coord(F.left - 6.0), "34");
        assert_eq!(coord(101.01 + 4.0), "105.01");
    }

    #[test]
    fn all_zero_and_single_values_stay_inside() {
        let l = line(&F, &[0, 0]);
        assert_eq!(l.max, 1);
        assert!(l.points.iter().all(|(_, y)| *y == F.baseline()));
        let one = line(&F, &[3]);
        assert_eq!(one.points, vec![(335.0, 10.0)]);
        assert_eq!(line(&F, &[]).path, "");
    }

    #[test]
    fn bars_share_the_width_and_scale_to_the_largest() {
        let (b, max) = bars(&F, &[2, 4]);
        assert_eq!(max, 4);
        assert_eq!(b.len(), 2);
        assert_eq!(b[1].y, 10.0);
        assert_eq!(b[1].height, 182.0);
        assert_eq!(b[0].height, 91.0);
        assert!(b[0].x + b[0].width < b[1].x);
        assert!(bars(&F, &[]).0.is_empty());
    }

    #[test]
    fn ticks_and_labels_do_not_repeat() {
        let t: Vec<i64> = ticks(&F, 1).into_iter().map(|t| t.value).collect();
        assert_eq!(t, [0, 1]);
        let t: Vec<i64> = ticks(&F, 10).into_iter().map(|t| t.value).collect();
        assert_eq!(t, [0, 5, 10]);
        assert_eq!(label_indices(30, 5), [0, 7, 14, 21, 29]);
        assert_eq!(label_indices(3, 5), [0, 1, 2]);
        assert!(label_indices(0, 5).is_empty());
    }
}
