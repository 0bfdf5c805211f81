//! The district's time zone. "Today", deadlines, report months and the times people read are the
//! district's local time, never the server's UTC date: at 07:40 in Beijing (早读) the UTC date is
//! still yesterday.

use chrono::{DateTime, FixedOffset, NaiveDate, Utc};

/// The zones of the tz database in use in China, with their offsets. None of them has kept
/// daylight saving time since 1991, so a fixed offset is exact for every date eduq records.
/// Source: IANA tz database (`asia` file), zones Asia/Shanghai, Asia/Urumqi, Asia/Hong_Kong,
/// Asia/Macau, Asia/Taipei.
pub const ZONES: [(&str, i32); 5] = [
    ("Asia/Shanghai", 8 * 3600),
    ("Asia/Urumqi", 6 * 3600),
    ("Asia/Hong_Kong", 8 * 3600),
    ("Asia/Macau", 8 * 3600),
    ("Asia/Taipei", 8 * 3600),
];

/// The zone a district runs on when none is configured.
pub const DEFAULT_ZONE: &str = "Asia/Shanghai";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DistrictZone {
    name: String,
    offset: FixedOffset,
}

impl Default for DistrictZone {
    fn default() -> Self {
        DistrictZone { name: DEFAULT_ZONE.into(), offset: FixedOffset::east_opt(8 * 3600).expect("+08:00 is valid") }
    }
}

impl DistrictZone {
    /// A zone by tz name (see [`ZONES`]) or as a fixed offset ("+08:00", "UTC+8").
    pub fn parse(raw: &str) -> Result<DistrictZone, String> {
        let raw = raw.trim();
        if let Some((name, secs)) = ZONES.iter().find(|(n, _)| n.eq_ignore_ascii_case(raw)) {
            return Ok(DistrictZone { name: (*name).into(), offset: fixed(*secs)? });
        }
        let body = raw.strip_prefix("UTC").or_else(|| raw.strip_prefix("GMT")).unwrap_or(raw);
        let (sign, rest) = match body.as_bytes().first() {
            Some(b'+') => (1, &body[1..]),
            Some(b'-') => (-1, &body[1..]),
            _ => return Err(format!("未知的时区“{raw}”：请写 Asia/Shanghai 这样的名称或 +08:00 这样的偏移")),
        };
        let (h, m) = rest.split_once(':').unwrap_or((rest, "0"));
        let (Ok(h), Ok(m)) = (h.parse::<i32>(), m.parse::<i32>()) else {
            return Err(format!("时区偏移“{raw}”无效"));
        };
        if !(0..=14).contains(&h) || !(0..60).contains(&m) {
            return Err(format!("时区偏移“{raw}”超出范围"));
        }
        Ok(DistrictZone { name: raw.into(), offset: fixed(sign * (h * 3600 + m * 60))? })
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    /// The district's calendar day at an instant.
    pub fn today(&self, now: DateTime<Utc>) -> NaiveDate {
        self.local(now).date_naive()
    }

    /// An instant as the district's local time (for people to read).
    pub fn local(&self, t: DateTime<Utc>) -> DateTime<FixedOffset> {
        t.with_timezone(&self.offset)
    }
}

fn fixed(secs: i32) -> Result<FixedOffset, String> {
    FixedOffset::east_opt(secs).ok_or_else(|| format!("时区偏移{secs}秒无效"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(h: u32, m: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 12, 1, h, m, 0).single().expect("time")
    }

    #[test]
    fn the_day_turns_at_local_midnight() {
        let z = DistrictZone::default();
        let d = |d| NaiveDate::from_ymd_opt(2026, 12, d).expect("date");
        // 23:30 UTC is 07:30 the next morning in Beijing; 15:59 UTC is 23:59 the same day.
        assert_eq!(z.today(at(23, 30)), d(2));
        assert_eq!(z.today(at(15, 59)), d(1));
        assert_eq!(z.today(at(16, 0)), d(2));
        let urumqi = DistrictZone::parse("Asia/Urumqi").expect("zone");
        assert_eq!(urumqi.today(at(17, 59)), d(1));
        assert_eq!(urumqi.today(at(18, 0)), d(2));
        assert_eq!(z.local(at(23, 30)).format("%H:%M").to_string(), "07:30");
    }

    #[test]
    fn zones_by_name_or_offset() {
        assert_eq!(DistrictZone::parse("asia/shanghai").expect("name"), DistrictZone::default());
        assert_eq!(
            DistrictZone::parse("+08:00").expect("offset").today(at(16, 0)),
            DistrictZone::default().today(at(16, 0))
        );
        assert!(DistrictZone::parse("UTC+8").is_ok());
        assert!(DistrictZone::parse("-05:30").is_ok());
        assert!(DistrictZone::parse("Europe/Paris").is_err());
        assert!(DistrictZone::parse("+15:00").is_err());
        assert!(DistrictZone::parse("+08:60").is_err());
    }
}
