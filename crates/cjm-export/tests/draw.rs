//! The map drawn: the fridge example renders to the same SVG every time,
//! with every stage and card text in it (escaped), to a PNG of the
//! drawing's size (twice as large at 2×), and to a PDF whose text a PDF
//! reader extracts in Cyrillic (`pdftotext`, from poppler-utils).

use std::process::Command;

use cjm_core::template::{Locale, Template};
use cjm_core::*;
use cjm_export::Lang;
use cjm_export::draw::{self, Scope};

fn fridge(locale: Locale) -> Board {
    Template::FridgeExample.build(BoardId::new(), "Холодильник «Север»", locale)
}

/// Width and height from a PNG's header.
fn png_size(png: &[u8]) -> (u32, u32) {
    assert!(png.starts_with(b"\x89PNG\r\n\x1a\n"));
    let be = |i: usize| u32::from_be_bytes([png[i], png[i + 1], png[i + 2], png[i + 3]]);
    (be(16), be(20))
}

/// Width and height the SVG declares.
fn svg_size(svg: &str) -> (f32, f32) {
    let attr = |name: &str| -> f32 {
        let at = svg.find(&format!("{name}=\"")).unwrap() + name.len() + 2;
        svg[at..svg[at..].find('"').unwrap() + at].parse().unwrap()
    };
    (attr("width"), attr("height"))
}

#[test]
fn test_the_svg_is_deterministic_and_holds_the_map_as_text() {
    let mut board = fridge(Locale::Ru);
    let card = board.cards.values_mut().next().unwrap();
    card.text = "<script>alert(1)</script> & co".into();
    let a = draw::svg(&board, Lang::Ru, &Scope::default());
    let b = draw::svg(&board, Lang::Ru, &Scope::default());
    assert_eq!(a, b, "the same board draws the same bytes");
    for s in board.stages_in_order() {
        assert!(a.contains(&s.name), "stage {} drawn", s.name);
    }
    assert!(a.contains("&lt;script&gt;alert(1)&lt;/script&gt; &amp; co"));
    assert!(!a.contains("<script>"));
    assert!(a.contains("Холодильник «Север»"));
    // A selection draws only its cards.
    let one = *board.cards.keys().next().unwrap();
    let selection = draw::svg(
        &board,
        Lang::Ru,
        &Scope {
            cards: Some(vec![one]),
            ..Scope::default()
        },
    );
    let notes = |svg: &str| svg.matches(r#"rx="4""#).count();
    assert_eq!(notes(&a), board.cards.len());
    assert_eq!(notes(&selection), 1);
}

#[test]
fn test_png_has_the_drawings_size_at_1x_and_2x() {
    let board = fridge(Locale::En);
    let (w, h) = svg_size(&draw::svg(&board, Lang::En, &Scope::default()));
    let one = draw::png(&board, Lang::En, &Scope::default(), 1.0).unwrap();
    assert_eq!(png_size(&one.bytes), (w.round() as u32, h.round() as u32));
    let two = draw::png(&board, Lang::En, &Scope::default(), 2.0).unwrap();
    assert_eq!(
        png_size(&two.bytes),
        ((w * 2.0).round() as u32, (h * 2.0).round() as u32)
    );
}

#[test]
fn test_the_pdf_carries_cyrillic_text_a_reader_extracts() {
    let board = fridge(Locale::Ru);
    let pdf = draw::pdf(&board, Lang::Ru, &Scope::default()).unwrap();
    assert!(pdf.bytes.starts_with(b"%PDF-"));
    let path = std::env::temp_dir().join(format!("cjm-draw-{}.pdf", std::process::id()));
    std::fs::write(&path, &pdf.bytes).unwrap();
    let out = Command::new("pdftotext")
        .arg(&path)
        .arg("-")
        .output()
        .expect("pdftotext (Debian poppler-utils) reads the PDF: apt-get install -y poppler-utils");
    let _ = std::fs::remove_file(&path);
    let text = String::from_utf8_lossy(&out.stdout);
    for s in board.stages_in_order() {
        let first_word = s.name.split_whitespace().next().unwrap();
        assert!(
            text.contains(first_word),
            "{first_word} in the PDF's text:\n{text}"
        );
    }
}

/// Pages of a PDF as `pdfinfo` counts them, and their text.
fn pdf_pages_and_text(pdf: &[u8]) -> (usize, String) {
    let path = std::env::temp_dir().join(format!(
        "cjm-pages-{}-{}.pdf",
        std::process::id(),
        pdf.len()
    ));
    std::fs::write(&path, pdf).unwrap();
    let info = Command::new("pdfinfo")
        .arg(&path)
        .output()
        .expect("pdfinfo (poppler-utils)");
    let pages = String::from_utf8_lossy(&info.stdout)
        .lines()
        .find_map(|l| {
            l.strip_prefix("Pages:")
                .map(|n| n.trim().parse::<usize>().unwrap())
        })
        .expect("a page count");
    let text = Command::new("pdftotext")
        .arg("-layout")
        .arg(&path)
        .arg("-")
        .output()
        .unwrap();
    let _ = std::fs::remove_file(&path);
    (pages, String::from_utf8_lossy(&text.stdout).into_owned())
}

#[test]
fn test_a4_pages_split_at_stages_with_the_lanes_on_every_page() {
    use cjm_export::pages::{self, Paper};
    let board = fridge(Locale::Ru);
    let a4 = pages::pdf(&board, Lang::Ru, Paper::A4).unwrap();
    let (count, text) = pdf_pages_and_text(&a4.bytes);
    // 6 stages at 4 a page: 2 map pages, then personas and opportunities.
    assert_eq!(count, 4, "{text}");
    let map_pages: Vec<&str> = text.split('\u{c}').take(2).collect();
    let first_lane = board.lanes_in_order()[0].name.clone();
    for page in &map_pages {
        assert!(page.contains(&first_lane), "the lane names on every page");
    }
    let stages = board.stages_in_order();
    assert!(map_pages[0].contains(stages[0].name.split_whitespace().next().unwrap()));
    assert!(map_pages[1].contains(stages[5].name.split_whitespace().next().unwrap()));
    assert!(text.contains("Персоны") && text.contains("Возможности"));
    let a3 = pages::pdf(&board, Lang::Ru, Paper::A3).unwrap();
    assert_eq!(
        pdf_pages_and_text(&a3.bytes).0,
        3,
        "6 stages fit one A3 page"
    );
}
