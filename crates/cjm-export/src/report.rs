//! The manager's report: what a review meeting needs from the map on one
//! page (personas, the emotion curves as a picture, stages with their
//! metrics against targets, where the emotion dips, the top pains with
//! their votes, the opportunities with owner, status and priority, the
//! map's health, and what changed since a chosen version). Built once as
//! blocks, written as Markdown or as a self-contained HTML page.

use std::fmt::Write;

use cjm_core::health::{self, DipReason};
use cjm_core::history::Comparison;
use cjm_core::{Board, LaneKind};

use crate::Lang;
use crate::rows::cards_in_order;
use crate::sheets::number;

/// Pains listed in the report (most votes first).
const TOP_PAINS: usize = 10;
/// Cards named in "what changed" (the counts are always whole).
const CHANGED_CARDS: usize = 10;

/// What changed since an earlier version, for the report.
pub struct Since<'a> {
    /// When that version was made (unix ms), and its name.
    pub at: i64,
    pub name: &'a str,
    pub then: &'a Board,
    pub comparison: &'a Comparison,
}

/// A piece of the report. Text is plain: each writer escapes it.
enum Block {
    Title(String),
    Subtitle(String),
    Heading(String),
    Para(String),
    List(Vec<String>),
    Table(Vec<String>, Vec<Vec<String>>),
    /// An SVG drawing (HTML only; Markdown gets `alt` instead).
    Picture {
        svg: String,
        alt: String,
    },
}

pub fn markdown(board: &Board, lang: Lang, now: i64, since: Option<&Since<'_>>) -> String {
    let mut md = String::new();
    for b in blocks(board, lang, now, since) {
        match b {
            Block::Title(t) => {
                let _ = writeln!(md, "# {}\n", md_escape(&t));
            }
            Block::Subtitle(t) => {
                let _ = writeln!(md, "_{}_\n", md_escape(&t));
            }
            Block::Heading(t) => {
                let _ = writeln!(md, "## {}\n", md_escape(&t));
            }
            Block::Para(t) => {
                let _ = writeln!(md, "{}\n", md_escape(&t));
            }
            Block::List(items) => {
                for i in items {
                    let _ = writeln!(md, "- {}", md_escape(&i));
                }
                md.push('\n');
            }
            Block::Table(head, rows) => {
                let cells = |r: &[String]| {
                    r.iter()
                        .map(|c| md_escape(c))
                        .collect::<Vec<_>>()
                        .join(" | ")
                };
                let _ = writeln!(md, "| {} |", cells(&head));
                let _ = writeln!(md, "|{}|", vec!["---"; head.len()].join("|"));
                for r in rows {
                    let _ = writeln!(md, "| {} |", cells(&r));
                }
                md.push('\n');
            }
            Block::Picture { alt, .. } => {
                let _ = writeln!(md, "_{}_\n", md_escape(&alt));
            }
        }
    }
    md
}

/// A page that stands alone: its own styles, the curves inline as SVG,
/// no script and nothing fetched.
pub fn html(board: &Board, lang: Lang, now: i64, since: Option<&Since<'_>>) -> String {
    let mut out = String::new();
    let _ = write!(
        out,
        "<!doctype html><html lang=\"{}\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>{}</title><style>{STYLE}</style></head><body><main>",
        lang.pick("en", "ru"),
        html_escape(&board.title)
    );
    for b in blocks(board, lang, now, since) {
        match b {
            Block::Title(t) => {
                let _ = write!(out, "<h1>{}</h1>", html_escape(&t));
            }
            Block::Subtitle(t) => {
                let _ = write!(out, "<p class=\"sub\">{}</p>", html_escape(&t));
            }
            Block::Heading(t) => {
                let _ = write!(out, "<h2>{}</h2>", html_escape(&t));
            }
            Block::Para(t) => {
                let _ = write!(out, "<p>{}</p>", html_escape(&t));
            }
            Block::List(items) => {
                out.push_str("<ul>");
                for i in items {
                    let _ = write!(out, "<li>{}</li>", html_escape(&i));
                }
                out.push_str("</ul>");
            }
            Block::Table(head, rows) => {
                out.push_str("<table><thead><tr>");
                for h in head {
                    let _ = write!(out, "<th>{}</th>", html_escape(&h));
                }
                out.push_str("</tr></thead><tbody>");
                for r in rows {
                    out.push_str("<tr>");
                    for c in r {
                        let _ = write!(out, "<td>{}</td>", html_escape(&c));
                    }
                    out.push_str("</tr>");
                }
                out.push_str("</tbody></table>");
            }
            Block::Picture { svg, alt } => {
                let _ = write!(
                    out,
                    "<figure role=\"img\" aria-label=\"{}\">{svg}</figure>",
                    html_escape(&alt)
                );
            }
        }
    }
    out.push_str("</main></body></html>");
    out
}

const STYLE: &str = "body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,'DejaVu Sans',sans-serif;color:#1f2328;margin:0;background:#f6f8fa}\
main{max-width:980px;margin:0 auto;padding:24px;background:#fff}h1{margin:0 0 4px;font-size:28px}.sub{color:#57606a;margin:0 0 16px}\
h2{font-size:19px;margin:28px 0 8px;border-bottom:1px solid #d0d7de;padding-bottom:4px}table{border-collapse:collapse;width:100%;font-size:14px}\
th,td{border:1px solid #d0d7de;padding:6px 8px;text-align:left;vertical-align:top}th{background:#f6f8fa}ul{padding-left:20px}li{margin:3px 0}\
figure{margin:8px 0;overflow-x:auto}figure svg{max-width:100%;height:auto}@media print{body{background:#fff}main{padding:0}}";

fn blocks(board: &Board, lang: Lang, now: i64, since: Option<&Since<'_>>) -> Vec<Block> {
    let t = |en: &'static str, ru: &'static str| lang.pick(en, ru);
    let mut out = vec![
        Block::Title(board.title.clone()),
        Block::Subtitle(format!("{} {}", t("Report of", "Отчёт на"), date(now))),
    ];

    let personas = board.personas_in_order();
    if !personas.is_empty() {
        out.push(Block::Heading(t("Personas", "Персоны").into()));
        out.push(Block::List(
            personas
                .into_iter()
                .map(|p| {
                    let mut line = p.name.clone();
                    if !p.role.is_empty() {
                        let _ = write!(line, ", {}", p.role);
                    }
                    if let Some(age) = p.age {
                        let _ = write!(line, ", {age}");
                    }
                    if !p.quote.is_empty() {
                        let _ = write!(line, ": “{}”", one_line(&p.quote));
                    }
                    line
                })
                .collect(),
        ));
        if !board.emotions.is_empty() {
            out.push(Block::Heading(t("Emotion curves", "Кривые эмоций").into()));
            out.push(Block::Picture {
                svg: crate::draw::curves_svg(board),
                alt: t(
                    "The emotion curve of each persona, stage by stage (solid: as is, dashed: to be).",
                    "Кривая эмоций каждой персоны по этапам (сплошная — как есть, пунктир — как должно быть).",
                )
                .into(),
            });
        }
    }

    out.push(Block::Heading(t("Stages", "Этапы").into()));
    let rows = board
        .stages_in_order()
        .into_iter()
        .map(|s| {
            let cards = board.cards.values().filter(|c| c.stage_id == s.id).count();
            let metrics: Vec<String> = s
                .metrics
                .iter()
                .map(|m| {
                    let value = format!("{}{}", number(m.value.0), m.unit);
                    match m.target {
                        Some(target) => {
                            let met = if m.higher_is_better {
                                m.value.0 >= target.0
                            } else {
                                m.value.0 <= target.0
                            };
                            format!(
                                "{}: {value} / {}{} {}",
                                m.name,
                                number(target.0),
                                m.unit,
                                if met { "✓" } else { "✗" }
                            )
                        }
                        None => format!("{}: {value}", m.name),
                    }
                })
                .collect();
            vec![s.name.clone(), cards.to_string(), metrics.join("; ")]
        })
        .collect();
    out.push(Block::Table(
        vec![
            t("Stage", "Этап").into(),
            t("Cards", "Карточек").into(),
            t("Metrics against targets", "Метрики и цели").into(),
        ],
        rows,
    ));

    out.push(Block::Heading(
        t("Where the experience dips", "Где впечатление проседает").into(),
    ));
    let dips = health::dips(board);
    if dips.is_empty() {
        out.push(Block::Para(
            t(
                "No dips on the as-is curves.",
                "На кривых «как есть» провалов нет.",
            )
            .into(),
        ));
    } else {
        out.push(Block::List(
            dips.iter()
                .map(|d| {
                    let persona = board
                        .personas
                        .get(&d.persona_id)
                        .map(|p| p.name.as_str())
                        .unwrap_or("");
                    let stage = board
                        .stages
                        .get(&d.stage_id)
                        .map(|s| s.name.as_str())
                        .unwrap_or("");
                    let why = match d.reason {
                        DipReason::Negative => t("negative", "отрицательная оценка"),
                        DipReason::LocalMinimum => {
                            t("lower than both neighbours", "ниже соседних этапов")
                        }
                    };
                    format!("{persona} · {stage}: {:+} ({why})", d.score)
                })
                .collect(),
        ));
    }

    let mut pains: Vec<_> = cards_in_order(board)
        .into_iter()
        .filter(|c| {
            board
                .lanes
                .get(&c.lane_id)
                .is_some_and(|l| l.kind == LaneKind::Pains)
        })
        .collect();
    pains.sort_by_key(|c| std::cmp::Reverse(board.card_votes.get(&c.id).copied().unwrap_or(0)));
    if !pains.is_empty() {
        out.push(Block::Heading(t("Top pains", "Главные боли").into()));
        out.push(Block::List(
            pains
                .iter()
                .take(TOP_PAINS)
                .map(|c| {
                    let stage = board
                        .stages
                        .get(&c.stage_id)
                        .map(|s| s.name.as_str())
                        .unwrap_or("");
                    let votes = board.card_votes.get(&c.id).copied().unwrap_or(0);
                    let mut line = format!("{} ({stage})", one_line(&c.text));
                    if votes > 0 {
                        let _ = write!(line, " · {votes} {}", t("votes", "голосов"));
                    }
                    if c.evidence.is_empty() {
                        let _ = write!(line, " · {}", t("hypothesis", "гипотеза"));
                    } else {
                        let _ = write!(
                            line,
                            " · {} {}",
                            c.evidence.len(),
                            t("evidence", "подтвержд.")
                        );
                    }
                    line
                })
                .collect(),
        ));
    }

    let mut opportunities: Vec<_> = cards_in_order(board)
        .into_iter()
        .filter_map(|c| c.opportunity.as_ref().map(|o| (c, o)))
        .collect();
    opportunities.sort_by_key(|(_, o)| std::cmp::Reverse(o.priority()));
    if !opportunities.is_empty() {
        out.push(Block::Heading(t("Opportunities", "Возможности").into()));
        out.push(Block::Table(
            vec![
                t("Opportunity", "Возможность").into(),
                t("Owner", "Ответственный").into(),
                t("Status", "Статус").into(),
                t("Priority", "Приоритет").into(),
                t("Pains addressed", "Решает болей").into(),
            ],
            opportunities
                .into_iter()
                .map(|(c, o)| {
                    vec![
                        one_line(&c.text),
                        if o.owner.is_empty() {
                            "—".into()
                        } else {
                            o.owner.clone()
                        },
                        status(o.status, lang).into(),
                        o.priority().to_string(),
                        o.addresses.len().to_string(),
                    ]
                })
                .collect(),
        ));
    }

    let h = health::health(board, now, health::DEFAULT_STALE_DAYS);
    out.push(Block::Heading(t("Map health", "Здоровье карты").into()));
    let coverage = h
        .map
        .evidence_coverage
        .map(|c| format!("{}%", number(c)))
        .unwrap_or_else(|| "—".into());
    out.push(Block::List(vec![
        format!(
            "{}: {coverage}",
            t("Findings backed by evidence", "Выводов с подтверждениями")
        ),
        format!(
            "{}: {}",
            t("Pains without an opportunity", "Болей без возможности"),
            h.map.pains_without_opportunity.len()
        ),
        format!(
            "{}: {}",
            t(
                "Opportunities without an owner",
                "Возможностей без ответственного"
            ),
            h.map.opportunities_without_owner.len()
        ),
        format!(
            "{} ({} {}): {}",
            t("Cells not updated", "Ячеек без обновлений"),
            h.stale_days,
            t("days", "дней"),
            h.map.stale_cells.len()
        ),
    ]));

    if let Some(s) = since {
        out.push(Block::Heading(format!(
            "{} {} (“{}”)",
            t("What changed since", "Что изменилось с"),
            date(s.at),
            s.name
        )));
        let c = s.comparison;
        if c.is_empty() {
            out.push(Block::Para(
                t(
                    "Nothing on the map changed.",
                    "На карте ничего не изменилось.",
                )
                .into(),
            ));
        } else {
            let counts = [
                (c.cards_added.len(), t("cards added", "карточек добавлено")),
                (
                    c.cards_removed.len(),
                    t("cards removed", "карточек удалено"),
                ),
                (c.cards_moved.len(), t("cards moved", "карточек перемещено")),
                (c.cards_edited.len(), t("cards edited", "карточек изменено")),
                (
                    c.stages_added.len() + c.stages_removed.len() + c.stages_changed.len(),
                    t("stage changes", "изменений этапов"),
                ),
                (
                    c.emotions.len(),
                    t("emotion scores changed", "оценок эмоций изменено"),
                ),
                (c.metrics.len(), t("metrics changed", "метрик изменено")),
            ];
            out.push(Block::Para(
                counts
                    .iter()
                    .filter(|(n, _)| *n > 0)
                    .map(|(n, what)| format!("{n} {what}"))
                    .collect::<Vec<_>>()
                    .join(", "),
            ));
            let named = |ids: &[cjm_core::CardId], from: &Board, label: &str| -> Vec<String> {
                ids.iter()
                    .take(CHANGED_CARDS)
                    .filter_map(|id| from.cards.get(id))
                    .map(|c| format!("{label}: {}", one_line(&c.text)))
                    .collect()
            };
            let mut items = named(&c.cards_added, board, t("added", "добавлена"));
            items.extend(named(&c.cards_edited, board, t("edited", "изменена")));
            items.extend(named(&c.cards_removed, s.then, t("removed", "удалена")));
            if !items.is_empty() {
                out.push(Block::List(items));
            }
        }
    }
    out
}

fn status(s: cjm_core::OpportunityStatus, lang: Lang) -> &'static str {
    use cjm_core::OpportunityStatus::*;
    match s {
        Idea => lang.pick("idea", "идея"),
        Planned => lang.pick("planned", "запланировано"),
        InProgress => lang.pick("in progress", "в работе"),
        Done => lang.pick("done", "сделано"),
    }
}

fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Card text is text: Markdown and HTML characters are escaped so that a
/// viewer renders them as typed.
fn md_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if matches!(
            c,
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '|' | '#' | '!'
        ) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

fn html_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// `YYYY-MM-DD` of unix milliseconds (UTC), by the days-from-civil
/// algorithm run backwards (H. Hinnant's `civil_from_days`).
pub fn date(ms: i64) -> String {
    let z = ms.div_euclid(86_400_000) + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!("{y:04}-{m:02}-{d:02}")
}
