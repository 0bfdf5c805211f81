//! School network access: the bandwidth from which a school counts as having 百兆 broadband.

use super::Provenance;

pub const PROVENANCE: Provenance = Provenance {
    source: "教育部《教育信息化2.0行动计划》(教技〔2018〕6号)",
    clause: "宽带网络校校通：中小学普遍接入百兆以上宽带（出口带宽100Mbps及以上）",
    confidence: "[M] 100Mbps 按“百兆”通行理解，待对照原文",
};

/// The least outbound bandwidth (Mbps) of 百兆 access.
pub const BROADBAND_MBPS: f64 = 100.0;

/// Whether a school's reported bandwidth is 百兆 access.
pub fn is_broadband(mbps: f64) -> bool {
    mbps >= BROADBAND_MBPS
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hundred_megabits_is_the_line() {
        assert!(is_broadband(100.0));
        assert!(is_broadband(1000.0));
        assert!(!is_broadband(99.9));
        assert!(!is_broadband(0.0));
    }
}
