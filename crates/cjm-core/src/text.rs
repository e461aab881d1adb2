//! The one check every piece of user text passes, in ops (`Board::apply`)
//! and in the server's REST handlers alike.
//!
//! Text may hold any Unicode character except the control characters
//! (category Cc: C0 U+0000..U+001F, DEL U+007F and C1 U+0080..U+009F), with
//! two exceptions: line feed `\n` and tab `\t`. Carriage return `\r` is
//! refused too: line breaks are `\n` everywhere (browsers' text areas
//! already normalise to it), so a text means the same on every replica and
//! in every export. `clean_text` turns pasted or imported text into
//! acceptable text.

use std::borrow::Cow;

use thiserror::Error;

use crate::limits::MAX_FIELD_BYTES;

/// Why a text was refused; the message names the field.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum TextError {
    #[error("{field} contains a control character (U+{code:04X})")]
    ControlChar { field: &'static str, code: u32 },
    #[error("{field} is too long: {len} characters, the limit is {max}")]
    TooLong {
        field: &'static str,
        len: usize,
        max: usize,
    },
    #[error("{field} is too long: {len} bytes, the limit is {max}")]
    TooManyBytes {
        field: &'static str,
        len: usize,
        max: usize,
    },
}

impl TextError {
    /// The stable machine code, as in `OpErrorKind::code`: `invalid` for a
    /// control character, `too_long` for a length.
    pub fn code(&self) -> &'static str {
        match self {
            TextError::ControlChar { .. } => "invalid",
            TextError::TooLong { .. } | TextError::TooManyBytes { .. } => "too_long",
        }
    }

    /// The field the error is about.
    pub fn field(&self) -> &'static str {
        match self {
            TextError::ControlChar { field, .. }
            | TextError::TooLong { field, .. }
            | TextError::TooManyBytes { field, .. } => field,
        }
    }
}

/// Whether `c` may not appear in user text: a control character other
/// than `\n` and `\t` (the same rule as `char::is_control`, so `\r`, NUL,
/// ESC, DEL and the C1 controls are refused).
pub fn is_forbidden_char(c: char) -> bool {
    c.is_control() && c != '\n' && c != '\t'
}

/// Checks one user text field: no control character other than `\n` and
/// `\t` (so `\r` and U+0000 are refused), at most `max_chars` characters and
/// at most `MAX_FIELD_BYTES` bytes. `field` names the field in the message
/// ("card text contains a control character (U+0000)").
pub fn check_text(field: &'static str, s: &str, max_chars: usize) -> Result<(), TextError> {
    if s.len() > MAX_FIELD_BYTES {
        return Err(TextError::TooManyBytes {
            field,
            len: s.len(),
            max: MAX_FIELD_BYTES,
        });
    }
    if let Some(c) = s.chars().find(|c| is_forbidden_char(*c)) {
        return Err(TextError::ControlChar {
            field,
            code: u32::from(c),
        });
    }
    // Byte length bounds char count from above: skip counting short strings.
    if s.len() > max_chars {
        let len = s.chars().count();
        if len > max_chars {
            return Err(TextError::TooLong {
                field,
                len,
                max: max_chars,
            });
        }
    }
    Ok(())
}

/// `s` made acceptable to `check_text` (apart from its length): `\r\n`,
/// lone `\r` and NEL (U+0085) become `\n`, other forbidden characters are
/// dropped. Borrows when there is nothing to change.
pub fn clean_text(s: &str) -> Cow<'_, str> {
    if !s.chars().any(is_forbidden_char) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\r' {
            if chars.peek() == Some(&'\n') {
                chars.next();
            }
            out.push('\n');
        } else if c == '\u{85}' {
            out.push('\n');
        } else if !is_forbidden_char(c) {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::limits::{MAX_NAME_CHARS, MAX_TEXT_CHARS};

    #[test]
    fn newline_and_tab_are_text_other_controls_are_not() {
        assert_eq!(check_text("card text", "a\nb\tc", 10), Ok(()));
        assert_eq!(check_text("card text", "Марина, 34 🧊", 100), Ok(()));
        for c in (0u8..0x20).chain(0x7f..0xa0) {
            let s = format!("a{}b", c as char);
            if c == b'\n' || c == b'\t' {
                continue;
            }
            let err = check_text("card text", &s, 10).unwrap_err();
            assert_eq!(
                err,
                TextError::ControlChar {
                    field: "card text",
                    code: u32::from(c)
                }
            );
            assert_eq!(err.code(), "invalid");
            assert!(is_forbidden_char(c as char));
        }
        let err = check_text("card text", "x\0y", 10).unwrap_err();
        assert_eq!(
            err.to_string(),
            "card text contains a control character (U+0000)"
        );
        let err = check_text("title", "a\r\nb", 10).unwrap_err();
        assert_eq!(
            err.to_string(),
            "title contains a control character (U+000D)"
        );
        // Invisible but not control characters are text.
        assert_eq!(
            check_text("t", "\u{a0}\u{200b}\u{202e}\u{2028}", 10),
            Ok(())
        );
    }

    #[test]
    fn length_is_counted_in_characters_and_bounded_in_bytes() {
        assert_eq!(
            check_text("name", &"я".repeat(MAX_NAME_CHARS), MAX_NAME_CHARS),
            Ok(())
        );
        let err = check_text("name", &"я".repeat(MAX_NAME_CHARS + 1), MAX_NAME_CHARS).unwrap_err();
        assert_eq!(err.code(), "too_long");
        assert_eq!(
            err.to_string(),
            "name is too long: 201 characters, the limit is 200"
        );
        // A caller's generous character limit still meets the byte cap.
        let big = "x".repeat(MAX_FIELD_BYTES + 1);
        let err = check_text("about", &big, usize::MAX).unwrap_err();
        assert!(matches!(err, TextError::TooManyBytes { len, .. } if len == big.len()));
        assert_eq!(
            check_text("q", &"🧊".repeat(MAX_TEXT_CHARS), MAX_TEXT_CHARS),
            Ok(())
        );
    }

    #[test]
    fn clean_text_normalises_line_breaks_and_drops_controls() {
        assert!(matches!(clean_text("plain\ntext"), Cow::Borrowed(_)));
        assert_eq!(
            clean_text("a\r\nb\rc\0d\u{7f}e\u{1b}[0m\u{85}f\u{9b}"),
            "a\nb\ncde[0m\nf"
        );
        for s in [
            "\r",
            "\r\n\r\n",
            "x\u{0}\u{1}\u{2}y",
            "é\r\tz",
            "\u{80}\u{9f}",
        ] {
            assert_eq!(check_text("t", &clean_text(s), 100), Ok(()), "{s:?}");
        }
    }
}
