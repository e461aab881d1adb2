//! The manager's report in Markdown: what a review meeting needs from the
//! map on one page (personas, stages with their metrics against targets,
//! where the emotion dips, the top pains with their votes, the
//! opportunities with owner, status and priority, and the map's health).

use std::fmt::Write;

use cjm_core::health::{self, DipReason};
use cjm_core::{Board, LaneKind};

use crate::Lang;
use crate::rows::cards_in_order;
use crate::sheets::number;

/// Pains listed in the report (most votes first).
const TOP_PAINS: usize = 10;

pub fn markdown(board: &Board, lang: Lang, now: i64) -> String {
    let t = |en: &'static str, ru: &'static str| lang.pick(en, ru);
    let mut md = String::new();
    let _ = writeln!(md, "# {}\n", escape(&board.title));
    let _ = writeln!(md, "_{} {}_\n", t("Report of", "Отчёт на"), date(now));

    let personas = board.personas_in_order();
    if !personas.is_empty() {
        let _ = writeln!(md, "## {}\n", t("Personas", "Персоны"));
        for p in personas {
            let mut line = format!("- **{}**", escape(&p.name));
            if !p.role.is_empty() {
                let _ = write!(line, ", {}", escape(&p.role));
            }
            if let Some(age) = p.age {
                let _ = write!(line, ", {age}");
            }
            if !p.quote.is_empty() {
                let _ = write!(line, ": “{}”", escape(&one_line(&p.quote)));
            }
            let _ = writeln!(md, "{line}");
        }
        md.push('\n');
    }

    let _ = writeln!(md, "## {}\n", t("Stages", "Этапы"));
    let _ = writeln!(
        md,
        "| {} | {} | {} |\n|---|---|---|",
        t("Stage", "Этап"),
        t("Cards", "Карточек"),
        t("Metrics against targets", "Метрики и цели")
    );
    for s in board.stages_in_order() {
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
                            escape(&m.name),
                            number(target.0),
                            m.unit,
                            if met { "✓" } else { "✗" }
                        )
                    }
                    None => format!("{}: {value}", escape(&m.name)),
                }
            })
            .collect();
        let _ = writeln!(
            md,
            "| {} | {cards} | {} |",
            escape(&s.name),
            metrics.join("; ")
        );
    }
    md.push('\n');

    let dips = health::dips(board);
    let _ = writeln!(
        md,
        "## {}\n",
        t("Where the experience dips", "Где впечатление проседает")
    );
    if dips.is_empty() {
        let _ = writeln!(
            md,
            "{}\n",
            t(
                "No dips on the as-is curves.",
                "На кривых «как есть» провалов нет."
            )
        );
    }
    for d in &dips {
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
            DipReason::LocalMinimum => t("lower than both neighbours", "ниже соседних этапов"),
        };
        let _ = writeln!(
            md,
            "- {} · {}: {:+} ({why})",
            escape(persona),
            escape(stage),
            d.score
        );
    }
    if !dips.is_empty() {
        md.push('\n');
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
        let _ = writeln!(md, "## {}\n", t("Top pains", "Главные боли"));
        for c in pains.iter().take(TOP_PAINS) {
            let stage = board
                .stages
                .get(&c.stage_id)
                .map(|s| s.name.as_str())
                .unwrap_or("");
            let votes = board.card_votes.get(&c.id).copied().unwrap_or(0);
            let mut line = format!("- {} ({})", escape(&one_line(&c.text)), escape(stage));
            if votes > 0 {
                let _ = write!(line, " · {votes} {}", t("votes", "голосов"));
            }
            if c.evidence.is_empty() {
                let _ = write!(line, " · _{}_", t("hypothesis", "гипотеза"));
            } else {
                let _ = write!(
                    line,
                    " · {} {}",
                    c.evidence.len(),
                    t("evidence", "подтвержд.")
                );
            }
            let _ = writeln!(md, "{line}");
        }
        md.push('\n');
    }

    let mut opportunities: Vec<_> = cards_in_order(board)
        .into_iter()
        .filter_map(|c| c.opportunity.as_ref().map(|o| (c, o)))
        .collect();
    opportunities.sort_by_key(|(_, o)| std::cmp::Reverse(o.priority()));
    if !opportunities.is_empty() {
        let _ = writeln!(md, "## {}\n", t("Opportunities", "Возможности"));
        let _ = writeln!(
            md,
            "| {} | {} | {} | {} | {} |\n|---|---|---|---|---|",
            t("Opportunity", "Возможность"),
            t("Owner", "Ответственный"),
            t("Status", "Статус"),
            t("Priority", "Приоритет"),
            t("Pains addressed", "Решает болей")
        );
        for (c, o) in opportunities {
            let owner = if o.owner.is_empty() {
                "—".to_string()
            } else {
                escape(&o.owner)
            };
            let _ = writeln!(
                md,
                "| {} | {owner} | {} | {} | {} |",
                escape(&one_line(&c.text)),
                status(o.status, lang),
                o.priority(),
                o.addresses.len()
            );
        }
        md.push('\n');
    }

    let h = health::health(board, now, health::DEFAULT_STALE_DAYS);
    let _ = writeln!(md, "## {}\n", t("Map health", "Здоровье карты"));
    let coverage = h
        .map
        .evidence_coverage
        .map(|c| format!("{}%", number(c)))
        .unwrap_or_else(|| "—".into());
    let _ = writeln!(
        md,
        "- {}: {coverage}",
        t("Findings backed by evidence", "Выводов с подтверждениями")
    );
    let _ = writeln!(
        md,
        "- {}: {}",
        t("Pains without an opportunity", "Болей без возможности"),
        h.map.pains_without_opportunity.len()
    );
    let _ = writeln!(
        md,
        "- {}: {}",
        t(
            "Opportunities without an owner",
            "Возможностей без ответственного"
        ),
        h.map.opportunities_without_owner.len()
    );
    let _ = writeln!(
        md,
        "- {} ({} {}): {}",
        t("Cells not updated", "Ячеек без обновлений"),
        h.stale_days,
        t("days", "дней"),
        h.map.stale_cells.len()
    );
    md
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
fn escape(s: &str) -> String {
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
