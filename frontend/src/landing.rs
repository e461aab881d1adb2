//! What a visitor who is not signed in sees at `/`: what CJM Board is, a
//! real map (the fridge example, drawn by the server:
//! `GET /api/templates/fridge_example/preview.svg`), one sentence for each
//! group of people it is for, and the ways in (sign up, sign in).

use leptos::prelude::*;

use crate::home::tr;
use crate::i18n::{T, use_i18n};

#[component]
pub fn Landing() -> impl IntoView {
    let i18n = use_i18n();
    let l = move |en: &'static str, ru: &'static str| tr(i18n.0.get(), en, ru);
    let groups = move || {
        [
            (
                "workshop",
                l("Workshop teams", "Команды на воркшопах"),
                l(
                    "Marketing, sales and support map the journey together in one session: sticky notes, a timer and dot voting, with customer quotes as evidence on every card.",
                    "Маркетинг, продажи и поддержка строят карту вместе за одну сессию: стикеры, таймер и голосование точками, а на каждой карточке — цитаты клиентов как подтверждение.",
                ),
            ),
            (
                "remote",
                l("Remote colleagues", "Коллеги на удалёнке"),
                l(
                    "Edit the same map at the same time from anywhere: everyone's changes appear live, with comments and mentions, and nothing is lost when the connection drops.",
                    "Правьте одну карту одновременно из любой точки: изменения всех видны сразу, есть комментарии и упоминания, и ничего не теряется при обрыве связи.",
                ),
            ),
            (
                "managers",
                l("Managers", "Руководители"),
                l(
                    "Follow through with a read-only link: the pains, the opportunities and who owns them, the map's health and a report, without editing anything.",
                    "Следите за результатом по ссылке только для просмотра: боли, возможности и их владельцы, здоровье карты и отчёт — ничего не меняя.",
                ),
            ),
        ]
    };
    view! {
        <section class="landing" data-testid="signed-out" aria-labelledby="landing-h">
            <div class="landing-pitch">
                <h1 id="landing-h">{move || l("Customer journey maps your whole team builds together", "Карты пути клиента, которые команда строит вместе")}</h1>
                <p class="landing-lead">{move || l(
                    "CJM Board is a live, shared editor for customer journey maps: stages, touchpoints, emotions, pains and opportunities, each backed by what customers actually said.",
                    "CJM Board — общий редактор карт пути клиента в реальном времени: этапы, точки контакта, эмоции, боли и возможности, и за каждой — слова самих клиентов.",
                )}</p>
                <div class="landing-actions">
                    <a class="primary button" href="/login?signup=1" data-testid="landing-sign-up">{move || l("Create an account", "Создать аккаунт")}</a>
                    <a class="secondary button" href="/login" data-testid="home-sign-in">{move || i18n.t(T::SignIn)}</a>
                </div>
                <p class="muted landing-note">{move || i18n.t(T::SignInToSeeBoards)}</p>
            </div>
            <figure class="landing-picture">
                <div class="landing-frame">
                    <img data-testid="landing-picture"
                        src=move || format!("/api/templates/fridge_example/preview.svg?locale={}", i18n.0.get().code())
                        alt=move || l("An example customer journey map: Igor, 45, buys a fridge. Stages from awareness to usage, with actions, thoughts, touchpoints, emotion curves and pains.",
                            "Пример карты пути клиента: Игорь, 45 лет, покупает холодильник. Этапы от осведомлённости до использования, с действиями, мыслями, точками контакта, кривыми эмоций и болями.")/>
                </div>
                <figcaption class="muted">{move || l(
                    "A finished example map that comes with the app: Igor, 45, buys a fridge.",
                    "Готовая карта-пример из приложения: Игорь, 45 лет, покупает холодильник.",
                )}</figcaption>
            </figure>
            <ul class="landing-groups">
                {move || groups().into_iter().map(|(key, who, what)| view! {
                    <li class="landing-group" data-testid="landing-group" data-group=key>
                        <h2>{who}</h2>
                        <p>{what}</p>
                    </li>
                }).collect_view()}
            </ul>
        </section>
    }
}
