//! Reading an uploaded spreadsheet into a `Table`: CSV (comma, semicolon or
//! tab; UTF-8, or Windows-1251 as Russian Excel saves it) or XLSX (its
//! first sheet). Untrusted input: every size is bounded before memory is
//! spent on it, so a crafted file is an error, never an exhausted server.

use std::io::{Cursor, Read};

use calamine::{DataRef, Reader, Xlsx};
use cjm_core::import::{MAX_IMPORT_ROWS, Table};

/// Columns in one file.
pub const MAX_COLUMNS: usize = 100;
/// What an XLSX may inflate to, all its parts together: a zip bomb stops
/// here instead of in memory.
pub const MAX_XLSX_INFLATED_BYTES: u64 = 64 << 20;

#[derive(Debug, thiserror::Error)]
pub enum TableError {
    #[error("the file is empty")]
    Empty,
    #[error("the file has more than {MAX_IMPORT_ROWS} rows")]
    TooManyRows,
    #[error("the file has more than {MAX_COLUMNS} columns")]
    TooManyColumns,
    #[error("the spreadsheet unpacks to more than {} MB", MAX_XLSX_INFLATED_BYTES >> 20)]
    TooLarge,
    #[error("this is not a CSV or XLSX file: {0}")]
    Unreadable(String),
}

/// The file's kind, as the report names it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Csv,
    Xlsx,
}

impl Format {
    pub fn as_str(self) -> &'static str {
        match self {
            Format::Csv => "csv",
            Format::Xlsx => "xlsx",
        }
    }
}

/// A table read from a file, with how it was read.
pub struct Sheet {
    pub table: Table,
    pub format: Format,
    /// The text encoding of a CSV.
    pub encoding: Option<&'static str>,
}

/// Reads `bytes`: an XLSX if it is a zip, else CSV. Blocking (and
/// CPU-bound): run it off the async threads.
pub fn read(bytes: &[u8]) -> Result<Sheet, TableError> {
    if bytes.is_empty() {
        return Err(TableError::Empty);
    }
    if bytes.starts_with(b"PK\x03\x04") {
        Ok(Sheet {
            table: read_xlsx(bytes)?,
            format: Format::Xlsx,
            encoding: None,
        })
    } else {
        let (table, encoding) = read_csv(bytes)?;
        Ok(Sheet {
            table,
            format: Format::Csv,
            encoding: Some(encoding),
        })
    }
}

fn read_csv(bytes: &[u8]) -> Result<(Table, &'static str), TableError> {
    let bytes = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes);
    let (text, encoding) = match std::str::from_utf8(bytes) {
        Ok(s) => (std::borrow::Cow::Borrowed(s), "utf-8"),
        Err(_) => {
            let (s, _, _) = encoding_rs::WINDOWS_1251.decode(bytes);
            (s, "windows-1251")
        }
    };
    if text.contains('\0') {
        return Err(TableError::Unreadable("it holds binary data".into()));
    }
    let delimiter = sniff_delimiter(&text);
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut rows: Vec<Vec<String>> = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| TableError::Unreadable(e.to_string()))?;
        if record.len() > MAX_COLUMNS {
            return Err(TableError::TooManyColumns);
        }
        if rows.len() > MAX_IMPORT_ROWS {
            return Err(TableError::TooManyRows);
        }
        rows.push(record.iter().map(str::to_string).collect());
    }
    Ok((into_table(rows)?, encoding))
}

/// The delimiter of the header line: the most frequent of `,` `;` and tab
/// outside quotes (Excel in Russian locales saves CSV with `;`).
fn sniff_delimiter(text: &str) -> u8 {
    let mut counts = [(b',', 0usize), (b';', 0), (b'\t', 0)];
    let mut quoted = false;
    for c in text.bytes() {
        match c {
            b'"' => quoted = !quoted,
            b'\n' if !quoted => break,
            _ if !quoted => {
                if let Some(e) = counts.iter_mut().find(|(d, _)| *d == c) {
                    e.1 += 1;
                }
            }
            _ => {}
        }
    }
    counts
        .iter()
        .max_by_key(|(_, n)| *n)
        .filter(|(_, n)| *n > 0)
        .map(|(d, _)| *d)
        .unwrap_or(b',')
}

fn read_xlsx(bytes: &[u8]) -> Result<Table, TableError> {
    check_inflated_size(bytes)?;
    let unreadable = |e: calamine::XlsxError| TableError::Unreadable(e.to_string());
    let mut book = Xlsx::new(Cursor::new(bytes)).map_err(unreadable)?;
    let sheet = book
        .sheet_names()
        .first()
        .cloned()
        .ok_or_else(|| TableError::Unreadable("the workbook has no sheet".into()))?;
    let mut cells = book.worksheet_cells_reader(&sheet).map_err(unreadable)?;
    // Cells come row by row; a sheet's positions are trusted no further
    // than the bounds (a cell at row 1,000,000 does not make a million
    // empty rows).
    let mut rows: Vec<Vec<String>> = Vec::new();
    let mut first_row: Option<u32> = None;
    while let Some(cell) = cells.next_cell().map_err(unreadable)? {
        let (r, c) = cell.get_position();
        let value = text_of(cell.get_value());
        if value.is_empty() {
            continue;
        }
        let top = *first_row.get_or_insert(r);
        let r = (r.saturating_sub(top)) as usize;
        let c = c as usize;
        if c >= MAX_COLUMNS {
            return Err(TableError::TooManyColumns);
        }
        if r > MAX_IMPORT_ROWS {
            return Err(TableError::TooManyRows);
        }
        if rows.len() <= r {
            rows.resize_with(r + 1, Vec::new);
        }
        let row = &mut rows[r];
        if row.len() <= c {
            row.resize(c + 1, String::new());
        }
        row[c] = value;
    }
    into_table(rows)
}

/// Inflates every part of the zip once, counting, and stops past the
/// bound: the sizes a zip declares may lie, the bytes inflated do not.
fn check_inflated_size(bytes: &[u8]) -> Result<(), TableError> {
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes))
        .map_err(|e| TableError::Unreadable(e.to_string()))?;
    let mut total: u64 = 0;
    let mut sink = [0u8; 64 * 1024];
    for i in 0..zip.len() {
        let mut part = zip
            .by_index(i)
            .map_err(|e| TableError::Unreadable(e.to_string()))?;
        loop {
            let n = part
                .read(&mut sink)
                .map_err(|e| TableError::Unreadable(e.to_string()))?;
            if n == 0 {
                break;
            }
            total += n as u64;
            if total > MAX_XLSX_INFLATED_BYTES {
                return Err(TableError::TooLarge);
            }
        }
    }
    Ok(())
}

/// A cell as text: numbers without a needless `.0`, dates as YYYY-MM-DD.
fn text_of(value: &DataRef<'_>) -> String {
    match value {
        DataRef::String(s) | DataRef::DateTimeIso(s) | DataRef::DurationIso(s) => s.clone(),
        DataRef::SharedString(s) => s.to_string(),
        DataRef::Int(i) => i.to_string(),
        DataRef::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
        DataRef::Float(f) => f.to_string(),
        DataRef::Bool(b) => b.to_string(),
        DataRef::DateTime(d) if d.is_datetime() => {
            let (y, m, day, ..) = d.to_ymd_hms_milli();
            format!("{y:04}-{m:02}-{day:02}")
        }
        DataRef::DateTime(d) => d.as_f64().to_string(),
        DataRef::Error(e) => format!("#{e:?}"),
        DataRef::Empty => String::new(),
    }
}

/// The first non-empty row names the columns; rows after it that are
/// empty are dropped.
fn into_table(rows: Vec<Vec<String>>) -> Result<Table, TableError> {
    let mut rows = rows
        .into_iter()
        .skip_while(|r| r.iter().all(|c| c.trim().is_empty()));
    let headers: Vec<String> = rows
        .next()
        .ok_or(TableError::Empty)?
        .into_iter()
        .map(|h| h.trim().to_string())
        .collect();
    let rows: Vec<Vec<String>> = rows
        .filter(|r| r.iter().any(|c| !c.trim().is_empty()))
        .collect();
    if rows.len() > MAX_IMPORT_ROWS {
        return Err(TableError::TooManyRows);
    }
    Ok(Table { headers, rows })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn semicolons_and_windows_1251() {
        let (bytes, _, _) =
            encoding_rs::WINDOWS_1251.encode("Цитата;Этап\n\"Долго; ждал\";Покупка\n\n");
        let read = read(&bytes).unwrap();
        assert_eq!(read.encoding, Some("windows-1251"));
        assert_eq!(read.table.headers, ["Цитата", "Этап"]);
        assert_eq!(read.table.rows, [["Долго; ждал", "Покупка"]]);
    }

    #[test]
    fn a_bom_and_commas() {
        let read = read("\u{feff}quote,stage\n\"a, b\",Purchase\n".as_bytes()).unwrap();
        assert_eq!(read.encoding, Some("utf-8"));
        assert_eq!(read.table.headers, ["quote", "stage"]);
        assert_eq!(read.table.rows[0][0], "a, b");
    }

    #[test]
    fn refusals() {
        assert!(matches!(read(b""), Err(TableError::Empty)));
        assert!(matches!(read(b"\n\n"), Err(TableError::Empty)));
        let wide = vec!["x"; MAX_COLUMNS + 1].join(",");
        assert!(matches!(
            read(wide.as_bytes()),
            Err(TableError::TooManyColumns)
        ));
        let long = format!("quote\n{}", "a\n".repeat(MAX_IMPORT_ROWS + 1));
        assert!(matches!(
            read(long.as_bytes()),
            Err(TableError::TooManyRows)
        ));
        assert!(matches!(
            read(b"PK\x03\x04garbage"),
            Err(TableError::Unreadable(_))
        ));
    }
}
