//! Values bucketed by time with a bounded number of buckets: when a new
//! bucket would exceed the limit, the bucket width doubles and neighbours
//! merge. Memory stays bounded whatever the time span of the logs.

use std::collections::BTreeMap;

/// Something that can absorb another bucket's content.
pub trait Mergeable: Default {
    /// Adds `other` into `self`.
    fn merge(&mut self, other: Self);
}

impl Mergeable for u64 {
    fn merge(&mut self, other: Self) {
        *self += other;
    }
}

/// Buckets of `T` keyed by `ts_ns / width_ns`.
#[derive(Debug, Clone)]
pub struct Timeline<T> {
    width_ns: i128,
    max_buckets: usize,
    buckets: BTreeMap<i128, T>,
}

impl<T: Mergeable> Timeline<T> {
    /// An empty timeline starting with 1 ms buckets, at most `max_buckets`.
    pub fn new(max_buckets: usize) -> Timeline<T> {
        Timeline {
            width_ns: 1_000_000,
            max_buckets: max_buckets.max(2),
            buckets: BTreeMap::new(),
        }
    }

    /// The bucket holding `ts_ns`, created if needed.
    pub fn at(&mut self, ts_ns: i128) -> &mut T {
        let mut key = ts_ns.div_euclid(self.width_ns);
        while !self.buckets.contains_key(&key) && self.buckets.len() >= self.max_buckets {
            self.widen();
            key = ts_ns.div_euclid(self.width_ns);
        }
        self.buckets.entry(key).or_default()
    }

    fn widen(&mut self) {
        self.width_ns *= 2;
        let old = std::mem::take(&mut self.buckets);
        for (k, v) in old {
            self.buckets.entry(k.div_euclid(2)).or_default().merge(v);
        }
    }

    /// The bucket width in ns.
    pub fn width_ns(&self) -> i128 {
        self.width_ns
    }

    /// (bucket start in ns since the epoch, value), oldest first.
    pub fn iter(&self) -> impl Iterator<Item = (i128, &T)> {
        self.buckets.iter().map(|(k, v)| (k * self.width_ns, v))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn widens_to_stay_under_the_limit_and_keeps_totals() {
        let mut t: Timeline<u64> = Timeline::new(8);
        for i in 0..1000i128 {
            *t.at(i * 1_000_000) += 1;
        }
        assert!(t.iter().count() <= 8);
        assert_eq!(t.iter().map(|(_, v)| *v).sum::<u64>(), 1000);
        assert_eq!(t.width_ns(), 128_000_000);
        let starts: Vec<i128> = t.iter().map(|(s, _)| s).collect();
        assert_eq!(starts[0], 0);
        assert!(starts.windows(2).all(|w| w[1] - w[0] == 128_000_000));
    }
}
