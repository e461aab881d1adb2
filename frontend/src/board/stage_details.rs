//! A stage's details: name, description and metrics (value against target,
//! shown red or green in the column header).

use cjm_core::{Num, Op, StageId, StageMetric, StagePatch};
use leptos::prelude::*;

use super::use_ui;
use crate::browser;
use crate::i18n::{T, use_i18n};

/// Reads "4,1", "4.1" or " 45 " as a number.
pub fn parse_number(s: &str) -> Option<f64> {
    let s = s
        .trim()
        .replace(',', ".")
        .replace([' ', '\u{a0}', '\u{2009}'], "");
    s.parse::<f64>().ok().filter(|n| n.is_finite())
}

#[component]
pub fn StageDetails(id: StageId) -> impl IntoView {
    let ui = use_ui();
    let i18n = use_i18n();
    let stage = Memo::new(move |_| {
        ui.conn
            .board
            .with(|b| b.as_ref().and_then(|b| b.stages.get(&id).cloned()))
    });
    let update = move |patch: StagePatch| ui.submit(vec![Op::UpdateStage { id, patch }]);
    let metrics_len = move || stage.with(|s| s.as_ref().map(|s| s.metrics.len()).unwrap_or(0));
    let add_metric = move |_| {
        let mut list =
            stage.with_untracked(|s| s.as_ref().map(|s| s.metrics.clone()).unwrap_or_default());
        list.push(StageMetric {
            name: i18n.t(T::MetricName).into(),
            value: Num(0.0),
            unit: String::new(),
            target: None,
            higher_is_better: true,
        });
        update(StagePatch {
            metrics: Some(list),
            ..Default::default()
        });
    };
    view! {
        <div class="details" data-testid="stage-details">
            <label class="field">
                <span>{move || i18n.t(T::Name)}</span>
                <input maxlength="200" data-testid="stage-name"
                    prop:value=move || stage.with(|s| s.as_ref().map(|s| s.name.clone()).unwrap_or_default())
                    on:change=move |ev| {
                        let v = event_target_value(&ev).trim().to_string();
                        if !v.is_empty() { update(StagePatch { name: Some(v), ..Default::default() }); }
                    }/>
            </label>
            <label class="field">
                <span>{move || i18n.t(T::Description)}</span>
                <textarea rows="3" maxlength="5000" data-testid="stage-description"
                    prop:value=move || stage.with(|s| s.as_ref().map(|s| s.description.clone()).unwrap_or_default())
                    on:change=move |ev| { update(StagePatch { description: Some(event_target_value(&ev)), ..Default::default() }); }></textarea>
            </label>
            <section class="details-section">
                <h3>{move || i18n.t(T::Metrics)}</h3>
                <For each=move || 0..metrics_len() key=|i| *i let:i>
                    <MetricRow stage=stage id=id index=i/>
                </For>
                <Show when=move || ui.can_edit.get()>
                    <button class="ghost-button" data-testid="add-metric" on:click=add_metric>"+ " {move || i18n.t(T::AddMetric)}</button>
                </Show>
            </section>
        </div>
    }
}

#[component]
fn MetricRow(stage: Memo<Option<cjm_core::Stage>>, id: StageId, index: usize) -> impl IntoView {
    let ui = use_ui();
    let i18n = use_i18n();
    let metric =
        Memo::new(move |_| stage.with(|s| s.as_ref().and_then(|s| s.metrics.get(index).cloned())));
    let error = RwSignal::new(false);
    let edit = move |f: &dyn Fn(&mut StageMetric)| {
        let mut list =
            stage.with_untracked(|s| s.as_ref().map(|s| s.metrics.clone()).unwrap_or_default());
        if let Some(m) = list.get_mut(index) {
            f(m);
            ui.submit(vec![Op::UpdateStage {
                id,
                patch: StagePatch {
                    metrics: Some(list),
                    ..Default::default()
                },
            }]);
        }
    };
    let number_field = move |label: T,
                             testid: &'static str,
                             get: fn(&StageMetric) -> Option<f64>,
                             set: fn(&mut StageMetric, Option<f64>),
                             optional: bool| {
        view! {
            <input class="num" inputmode="decimal" aria-label=move || i18n.t(label) placeholder=move || i18n.t(label) data-testid=testid
                // In the UI language ("4,1" in Russian), never grouped: it is read back.
                prop:value=move || {
                    let lang = i18n.0.get().code();
                    metric.with(|m| m.as_ref().and_then(get).map(|n| browser::format_number(n, lang, 2, false)).unwrap_or_default())
                }
                on:change=move |ev| {
                    let raw = event_target_value(&ev);
                    match parse_number(&raw) {
                        Some(n) => { error.set(false); edit(&|m| set(m, Some(n))); }
                        None if optional && raw.trim().is_empty() => { error.set(false); edit(&|m| set(m, None)); }
                        None => error.set(true),
                    }
                }/>
        }
    };
    view! {
        <div class="metric-row" data-testid="metric-row">
            <div class="field-row">
                <input class="metric-name" maxlength="200" aria-label=move || i18n.t(T::MetricName) data-testid="metric-name"
                    prop:value=move || metric.with(|m| m.as_ref().map(|m| m.name.clone()).unwrap_or_default())
                    on:change=move |ev| {
                        let v = event_target_value(&ev).trim().to_string();
                        if !v.is_empty() { edit(&|m| m.name = v.clone()); }
                    }/>
                <Show when=move || ui.can_edit.get()>
                    <button class="icon" data-testid="metric-remove" aria-label=move || i18n.t(T::Remove) title=move || i18n.t(T::Remove)
                        on:click=move |_| {
                            let mut list = stage.with_untracked(|s| s.as_ref().map(|s| s.metrics.clone()).unwrap_or_default());
                            if index < list.len() {
                                list.remove(index);
                                ui.submit(vec![Op::UpdateStage { id, patch: StagePatch { metrics: Some(list), ..Default::default() } }]);
                            }
                        }>"×"</button>
                </Show>
            </div>
            <div class="field-row">
                {number_field(T::Value, "metric-value", |m| Some(m.value.0), |m, n| m.value = Num(n.unwrap_or(0.0)), false)}
                <input class="unit" maxlength="20" aria-label=move || i18n.t(T::Unit) placeholder=move || i18n.t(T::Unit) data-testid="metric-unit"
                    prop:value=move || metric.with(|m| m.as_ref().map(|m| m.unit.clone()).unwrap_or_default())
                    on:change=move |ev| { let v = event_target_value(&ev).trim().to_string(); edit(&|m| m.unit = v.clone()); }/>
                {number_field(T::Target, "metric-target", |m| m.target.map(|t| t.0), |m, n| m.target = n.map(Num), true)}
            </div>
            <select data-testid="metric-direction" on:change=move |ev| {
                let higher = event_target_value(&ev) == "higher";
                edit(&|m| m.higher_is_better = higher);
            }>
                <option value="higher" selected=move || metric.with(|m| m.as_ref().is_some_and(|m| m.higher_is_better))>{move || i18n.t(T::HigherIsBetter)}</option>
                <option value="lower" selected=move || metric.with(|m| m.as_ref().is_some_and(|m| !m.higher_is_better))>{move || i18n.t(T::LowerIsBetter)}</option>
            </select>
            <Show when=move || error.get()>
                <p class="error small" role="alert">{move || i18n.t(T::NumberExpected)}</p>
            </Show>
        </div>
    }
}
