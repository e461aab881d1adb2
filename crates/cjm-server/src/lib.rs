//! The CJM Board server: REST API, websocket rooms and the web front end.
//!
//! `router(state)` builds the whole HTTP surface; `serve` runs it on a
//! listener until a shutdown signal, then lets every room finish the commit
//! it is in. Tests use both directly on a loopback port.

pub mod access;
pub mod activity;
pub mod api;
pub mod assets;
pub mod auth;
pub mod clock;
pub mod coalesce;
pub mod comments;
pub mod duplicate;
pub mod error;
pub mod export;
pub mod import;
pub mod links;
pub mod maintenance;
pub mod members;
pub mod origin;
pub mod pictures;
pub mod quotas;
pub mod rate_limit;
pub mod room;
pub mod rooms;
pub mod saved_templates;
pub mod schema;
pub mod socket_cap;
pub mod state;
pub mod uploads;
pub mod versions;
pub mod ws;
pub mod ws_upgrade;

use std::future::Future;
use std::sync::Arc;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderValue, header};
use axum::routing::{delete, get, patch, post};
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::TraceLayer;

pub use state::AppState;

/// REST request bodies are small JSON documents or one image
/// (`uploads::MAX_UPLOAD_BYTES`), plus a little room for the framing.
const MAX_BODY_BYTES: usize = uploads::MAX_UPLOAD_BYTES + 1024;

pub fn router(state: Arc<AppState>) -> Router {
    let api = Router::new()
        .route("/boards", get(api::list_boards).post(api::create_board))
        .route(
            "/boards/{id}",
            get(api::get_board).delete(api::delete_board),
        )
        .route("/boards/{id}/health", get(api::board_health))
        .route("/boards/{id}/thumbnail.svg", get(pictures::thumbnail))
        .route("/boards/{id}/duplicate", post(duplicate::duplicate))
        .route(
            "/templates/{id}/preview.svg",
            get(pictures::template_preview),
        )
        .route("/boards/{id}/comments", get(comments::list))
        .route("/boards/{id}/comments/seen", post(comments::seen))
        .route("/boards/{id}/people", get(comments::people))
        .route("/inbox", get(comments::inbox))
        .route("/inbox/read", post(comments::inbox_read))
        .route("/boards/{id}/uploads", post(uploads::upload))
        .route(
            "/boards/{id}/import",
            post(import::import).layer(DefaultBodyLimit::max(import::MAX_IMPORT_BYTES + 64 * 1024)),
        )
        .route("/boards/{id}/imports", get(import::list))
        .route("/boards/{id}/export", get(export::export))
        .route(
            "/boards/{id}/versions",
            get(versions::list).post(versions::save),
        )
        .route("/boards/{id}/versions/{version}", get(versions::get))
        .route(
            "/boards/{id}/versions/{version}/restore",
            post(versions::restore),
        )
        .route(
            "/boards/{id}/versions/{version}/export",
            get(export::export_version),
        )
        .route("/boards/{id}/compare", get(versions::compare_versions))
        .route("/boards/{id}/activity", get(activity::feed))
        .route(
            "/boards/import",
            post(export::import_board).layer(DefaultBodyLimit::max(
                cjm_export::json::MAX_IMPORT_BYTES + 64 * 1024,
            )),
        )
        .route("/boards/{id}/imports/{import}/undo", post(import::undo))
        .route("/boards/{id}/template", post(saved_templates::save))
        .route(
            "/boards/{id}/members",
            get(members::list).post(members::add),
        )
        .route(
            "/boards/{id}/members/{user}",
            patch(members::change).delete(members::remove),
        )
        .route(
            "/boards/{id}/invitations/{email}",
            delete(members::cancel_invitation),
        )
        .route("/boards/{id}/links", get(links::list).post(links::create))
        .route("/boards/{id}/links/{link}", delete(links::revoke))
        .route("/links/{token}", get(links::describe))
        .route("/links/{token}/join", post(links::join))
        .route("/uploads/{id}", get(uploads::download))
        .route("/templates/{id}", delete(saved_templates::delete))
        .route("/boards/{id}/ws", get(ws::upgrade))
        .route("/templates", get(api::list_templates))
        .route("/schema/{file}", get(schema::document))
        .route("/auth/signup", post(auth::api::signup))
        .route("/auth/login", post(auth::api::login))
        .route("/auth/logout", post(auth::api::logout))
        .route("/auth/me", get(auth::api::me))
        .route("/auth/password", post(auth::api::change_password))
        .route("/auth/account", delete(auth::account::delete))
        .fallback(api::api_not_found)
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            rate_limit::writes,
        ))
        // API answers hold board data and account details: never cached
        // (a handler may say otherwise, as uploads do).
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CACHE_CONTROL,
            HeaderValue::from_static("no-store"),
        ));
    Router::new()
        .nest("/api", api)
        .route("/healthz", get(api::healthz))
        .route("/", get(assets::index))
        .route("/b/{id}", get(assets::index))
        .route("/b/{id}/versions/{version}", get(assets::index))
        .route("/login", get(assets::index))
        .route("/s/{token}", get(assets::index))
        .route("/assets/{file}", get(assets::asset))
        .route("/sw.js", get(assets::service_worker))
        // Bodies are read only by extractors, which answer an oversized one
        // with 413 (turned into our JSON error by the handlers).
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        // A handler may set a stricter policy (uploaded images do).
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CONTENT_SECURITY_POLICY,
            state.csp.clone(),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::REFERRER_POLICY,
            HeaderValue::from_static("same-origin"),
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            origin::guard,
        ))
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}

/// Serves until `shutdown` resolves, then closes websockets and waits for
/// the rooms to finish their in-flight commits.
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: Arc<AppState>,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let app = router(state.clone());
    match state.store.has_users().await {
        Ok(false) => {
            let token = auth::random_hex::<16>();
            tracing::warn!(
                "no account yet: the first one becomes the admin. Create it from this machine, \
                 or from anywhere at /login?setup={token} (valid until it is used or the server restarts)"
            );
            *state.setup_token.lock().unwrap_or_else(|e| e.into_inner()) = Some(token);
        }
        Ok(true) => {}
        Err(e) => tracing::error!(error = %e, "cannot tell whether any account exists"),
    }
    // Several instances on one Postgres: follow the others' commits.
    let follower = match state.store.listen().await {
        Ok(Some(mut commits)) => {
            let state = state.clone();
            Some(tokio::spawn(async move {
                while let Some(notice) = commits.recv().await {
                    match notice {
                        cjm_store::Notice::Commit(board, seq) => {
                            state.rooms.remote_commit(board, seq)
                        }
                        cjm_store::Notice::Access {
                            board,
                            grant,
                            removed,
                        } => state.rooms.revoke(board, grant, removed).await,
                        cjm_store::Notice::SessionsEnded { user, session } => {
                            state.rooms.end_sessions(user, session).await
                        }
                    }
                }
            }))
        }
        Ok(None) => None,
        Err(e) => {
            tracing::error!(error = %e, "cannot listen for other instances' commits");
            None
        }
    };
    let housekeeping = tokio::spawn(maintenance::run_forever(
        state.store.clone(),
        maintenance::Policy::default(),
    ));
    let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
    let watcher = {
        let state = state.clone();
        tokio::spawn(async move {
            shutdown.await;
            // Websockets never end by themselves: close them first so that
            // the HTTP server can drain.
            state.shutdown().await;
            let _ = stop_tx.send(());
        })
    };
    // The client's address feeds the sign-in limits.
    let app = app.into_make_service_with_connect_info::<std::net::SocketAddr>();
    // Large websocket messages go out as many small frames (see `ws.rs`):
    // without TCP_NODELAY, Nagle's algorithm would hold each message's last
    // frame back until the client acknowledges the previous ones.
    let listener = axum::serve::ListenerExt::tap_io(listener, |tcp| {
        if let Err(e) = tcp.set_nodelay(true) {
            tracing::debug!(error = %e, "cannot set TCP_NODELAY");
        }
    });
    let result = axum::serve(listener, app)
        .with_graceful_shutdown(async move {
            let _ = stop_rx.await;
        })
        .await;
    watcher.abort();
    housekeeping.abort();
    if let Some(f) = follower {
        f.abort();
    }
    result
}
