//! Formats of national identifiers: 居民身份证号码 (GB 11643-1999) and 全国学籍号.
//!
//! GB 11643-1999: 17 digits (6 address, 8 birth date YYYYMMDD, 3 sequence, odd = male) and a check
//! character by ISO 7064 MOD 11-2. 全国学籍号 (全国中小学生学籍信息管理系统): "G" + the pupil's
//! 身份证号; "L" + a temporary number of the same 18-character shape for pupils without one;
//! "J" for pupils registered without a mainland ID. [M] The L/J shapes are from memory of the
//! system's manual and are checked for shape only.

use chrono::NaiveDate;

use crate::CoreError;

const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const CHECK: [char; 11] = ['1', '0', 'X', '9', '8', '7', '6', '5', '4', '3', '2'];

/// The check character of the first 17 digits (ISO 7064 MOD 11-2).
pub fn id_check_char(first17: &str) -> Option<char> {
    if first17.len() != 17 || !first17.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let sum: u32 = first17.bytes().zip(WEIGHTS).map(|(b, w)| u32::from(b - b'0') * w).sum();
    Some(CHECK[(sum % 11) as usize])
}

/// A validated 18-character 身份证号 with its birth date.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdCard {
    pub number: String,
    pub birth_date: NaiveDate,
    /// true when the sequence digit is odd (male) per GB 11643-1999.
    pub male: bool,
}

pub fn parse_id_card(raw: &str) -> Result<IdCard, CoreError> {
    let s = raw.trim().to_ascii_uppercase();
    let bad = |why: &str| CoreError::Invalid(format!("身份证号“{raw}”{why}"));
    if s.len() != 18 || !s.is_ascii() {
        return Err(bad("应为18位"));
    }
    let (first17, last) = s.split_at(17);
    let expected = id_check_char(first17).ok_or_else(|| bad("前17位应为数字"))?;
    if !last.starts_with(expected) {
        return Err(bad("校验位不正确"));
    }
    let birth = NaiveDate::parse_from_str(&s[6..14], "%Y%m%d").map_err(|_| bad("中的出生日期无效"))?;
    let male = (s.as_bytes()[16] - b'0') % 2 == 1;
    Ok(IdCard { number: s, birth_date: birth, male })
}

/// Shows the first 6 and last 4 characters only (the habit of Chinese government systems).
pub fn mask_id_card(number: &str) -> String {
    let chars: Vec<char> = number.chars().collect();
    if chars.len() < 10 {
        return "*".repeat(chars.len());
    }
    let head: String = chars[..6].iter().collect();
    let tail: String = chars[chars.len() - 4..].iter().collect();
    format!("{head}{}{tail}", "*".repeat(chars.len() - 10))
}

/// A 学籍号 shown to a role that may not read it in full: its letter, then the embedded ID number
/// masked as [`mask_id_card`] does (G110105********002X).
pub fn mask_student_number(number: &str) -> String {
    match number.char_indices().nth(1) {
        Some((i, _)) if number.is_char_boundary(i) => format!("{}{}", &number[..i], mask_id_card(&number[i..])),
        _ => mask_id_card(number),
    }
}

/// Validates a 全国学籍号; G numbers must carry a valid 身份证号.
pub fn validate_student_number(raw: &str) -> Result<String, CoreError> {
    let s = raw.trim().to_ascii_uppercase();
    let bad = || CoreError::Invalid(format!("全国学籍号“{raw}”格式不正确（应为G、L或J加18位身份证号格式，共19位）"));
    if s.len() != 19 || !s.is_ascii() {
        return Err(bad());
    }
    let (prefix, rest) = s.split_at(1);
    let shape_ok = rest[..17].bytes().all(|b| b.is_ascii_digit()) && matches!(rest.as_bytes()[17], b'0'..=b'9' | b'X');
    if !shape_ok {
        return Err(bad());
    }
    match prefix {
        "G" => {
            parse_id_card(rest).map_err(|e| CoreError::Invalid(format!("全国学籍号“{raw}”中的身份证号无效：{e}")))?;
            Ok(s)
        }
        "L" | "J" => Ok(s),
        _ => Err(bad()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // The published example number of GB 11643-1999 (11010519491231002X).
    #[test]
    fn standard_example_checks() {
        assert_eq!(id_check_char("11010519491231002"), Some('X'));
        let id = parse_id_card("11010519491231002x").expect("valid");
        assert_eq!(id.birth_date, NaiveDate::from_ymd_opt(1949, 12, 31).expect("date"));
        assert!(!id.male);
    }

    #[test]
    fn rejects_bad_check_and_date() {
        assert!(parse_id_card("110105194912310021").is_err());
        // 2013-02-30 does not exist; check char computed so only the date is wrong.
        let first = "11010520130230001";
        let full = format!("{first}{}", id_check_char(first).expect("digits"));
        let err = parse_id_card(&full).expect_err("bad date");
        assert!(err.to_string().contains("出生日期"));
    }

    #[test]
    fn student_numbers() {
        assert!(validate_student_number("G11010519491231002X").is_ok());
        assert!(validate_student_number("L11010519491231002X").is_ok());
        assert!(validate_student_number("G110105194912310021").is_err());
        assert!(validate_student_number("X11010519491231002X").is_err());
        assert!(validate_student_number("G1101051949123100").is_err());
    }

    #[test]
    fn masking() {
        assert_eq!(mask_id_card("11010519491231002X"), "110105********002X");
        assert_eq!(mask_student_number("G11010519491231002X"), "G110105********002X");
        assert_eq!(mask_student_number("G1"), "G*");
    }
}
