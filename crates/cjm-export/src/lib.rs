//! What a map becomes when it leaves the board: a spreadsheet of its cards
//! (CSV, XLSX), tasks for a tracker (opportunities as CSV), a full JSON
//! export that imports back into an identical board, and the manager's
//! report in Markdown. Everything is built from the board model alone
//! (`cjm-core`), so the server renders it for whoever may view the board.

pub mod activity;
pub mod draw;
pub mod json;
pub mod pages;
pub mod report;
mod rows;
pub mod sheets;
pub mod thumb;

pub use rows::Lang;

/// One export's bytes, with what a download needs.
pub struct Exported {
    pub bytes: Vec<u8>,
    pub content_type: &'static str,
    pub extension: &'static str,
}

#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error("the spreadsheet could not be written: {0}")]
    Xlsx(String),
    #[error("the CSV could not be written: {0}")]
    Csv(String),
    #[error("the map could not be drawn: {0}")]
    Draw(String),
}

/// A file name for `title`: letters (any script), digits, spaces and dashes
/// kept, the rest dropped, at most 80 characters; `board` when nothing is left.
pub fn file_stem(title: &str) -> String {
    let kept: String = title
        .chars()
        .filter(|c| c.is_alphanumeric() || *c == ' ' || *c == '-' || *c == '_')
        .take(80)
        .collect();
    let kept = kept.split_whitespace().collect::<Vec<_>>().join(" ");
    if kept.is_empty() {
        "board".into()
    } else {
        kept
    }
}
