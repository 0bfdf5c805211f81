//! Bounds on the text people type or import. A probe stored a 姓名 of 1,000,000 characters
//! (#24.7): every field is bounded where it enters, imports by cell and web forms by field.

/// A person's name (学生、教师、用户的姓名).
pub const NAME_CHARS: usize = 50;
/// One cell of an imported file.
pub const CELL_CHARS: usize = 200;
/// One field of a web form: the longest is a case note or a 整改 description.
pub const FIELD_CHARS: usize = 2_000;
/// A whole web form (file uploads are bounded apart).
pub const FORM_BYTES: usize = 64 * 1024;

/// A form field that is too long, with the message the person sees.
pub fn check_field(name: &str, value: &str, max: usize) -> Result<(), String> {
    let n = value.chars().count();
    if n > max { Err(format!("“{name}”过长（{n}个字符），不能超过{max}个字符")) } else { Ok(()) }
}

/// Whether a value is fit for a one-line label (a domain, a category): no control characters,
/// which the store uses to separate packed values.
pub fn is_label(value: &str) -> bool {
    !value.chars().any(char::is_control)
}

/// `str::trim` with a shortcut for the usual cell, which starts and ends with a visible ASCII
/// character: batch engines trim millions of cells, and most need nothing done.
#[inline]
pub fn trim(s: &str) -> &str {
    match (s.as_bytes().first(), s.as_bytes().last()) {
        (None, _) => s,
        (Some(a), Some(b)) if a.is_ascii_graphic() && b.is_ascii_graphic() => s,
        _ => s.trim(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trim_is_str_trim() {
        for s in ["", " ", "a", " a ", "\u{3000}甲\u{3000}", "甲", "a\t", "\n", "4'01\"", "\u{a0}5", "5\u{2003}"] {
            assert_eq!(trim(s), s.trim(), "{s:?}");
        }
    }

    #[test]
    fn fields_are_bounded_by_characters_not_bytes() {
        let fifty = "张".repeat(NAME_CHARS);
        assert_eq!(check_field("姓名", &fifty, NAME_CHARS), Ok(()));
        let err = check_field("姓名", &format!("{fifty}张"), NAME_CHARS).unwrap_err();
        assert!(err.contains("51个字符") && err.contains("不能超过50个字符"), "{err}");
    }
}
