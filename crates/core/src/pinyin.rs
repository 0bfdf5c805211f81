//! Toneless pinyin of names, to find 同音 names (张伟 / 章玮) that a class should not hold twice.
//!
//! Data: `crates/core/data/pinyin.tsv`, the first reading of each CJK Unified Ideograph
//! U+4E00–U+9FFF without tone (ü as v), built by `scripts/data/pinyin_table.py` from the readings
//! published with pypinyin 0.53.0 (MIT), which come from Unicode's Unihan database. Polyphonic
//! characters take their first reading; surname readings (单 shàn) are not special-cased.

use std::collections::HashMap;
use std::sync::OnceLock;

const TABLE: &str = include_str!("../data/pinyin.tsv");

fn table() -> &'static HashMap<char, &'static str> {
    static T: OnceLock<HashMap<char, &'static str>> = OnceLock::new();
    T.get_or_init(|| {
        TABLE
            .lines()
            .filter(|l| !l.starts_with('#'))
            .filter_map(|l| {
                let (c, p) = l.split_once('\t')?;
                Some((c.chars().next()?, p))
            })
            .collect()
    })
}

/// "zhang wei" for 张伟; characters without a reading (letters, ·) are kept as they are.
pub fn key(name: &str) -> String {
    let t = table();
    name.trim()
        .chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| t.get(&c).map_or_else(|| c.to_string(), |p| (*p).to_string()))
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_sound_names_share_a_key() {
        assert_eq!(key("张伟"), "zhang wei");
        assert_eq!(key("章玮"), key("张伟"));
        assert_eq!(key(" 张 薇 "), "zhang wei");
        assert_ne!(key("张伟"), key("张维娜"));
        assert_eq!(key("吕女"), "lv nv");
        assert_eq!(key("阿依古丽·买买提"), "a yi gu li · mai mai ti");
        // Every line of the table is a character and a toneless reading.
        assert_eq!(table().len(), 20_901);
        assert!(table().values().all(|p| p.bytes().all(|b| b.is_ascii_lowercase())));
    }
}
