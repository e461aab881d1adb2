//! Quotes imported as evidence through the real server, on SQLite and on
//! Postgres: a CSV and an XLSX with Cyrillic text, the dry run's preview and
//! row errors, nothing imported half, one batch that every client applies
//! (past the limit a client may send), undo, who may import, hostile files,
//! and the 10,000-row figure.

#[macro_use]
mod common;

use std::time::Instant;

use cjm_core::protocol::ServerMsg;
use cjm_core::sync::SyncState;
use cjm_core::{Board, BoardId, CardId, EvidenceSource, Op};
use common::*;
use serde_json::{Value, json};

/// A Russian seven-layer board of the test owner.
async fn ru_board(server: &TestServer) -> Board {
    let res = signed_in_http(&owner_cookie(server.addr).await)
        .post(server.url("/api/boards"))
        .json(&json!({ "title": "Карта", "template": "seven_layers", "locale": "ru" }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    let body: Value = res.json().await.unwrap();
    serde_json::from_value(body["board"].clone()).unwrap()
}

/// Posts `file` (and a mapping, if any) to the import endpoint as `cookie`.
async fn upload(
    server: &TestServer,
    board: BoardId,
    cookie: &str,
    query: &str,
    file_name: &str,
    file: Vec<u8>,
    mapping: Option<Value>,
) -> (u16, Value) {
    let mut form = reqwest::multipart::Form::new().part(
        "file",
        reqwest::multipart::Part::bytes(file).file_name(file_name.to_string()),
    );
    if let Some(m) = mapping {
        form = form.text("mapping", m.to_string());
    }
    let res = signed_in_http(cookie)
        .post(server.url(&format!("/api/boards/{board}/import{query}")))
        .multipart(form)
        .send()
        .await
        .unwrap();
    let status = res.status().as_u16();
    (status, res.json().await.unwrap_or(Value::Null))
}

async fn post(server: &TestServer, path: &str, cookie: &str) -> (u16, Value) {
    let res = signed_in_http(cookie)
        .post(server.url(path))
        .send()
        .await
        .unwrap();
    let status = res.status().as_u16();
    (status, res.json().await.unwrap_or(Value::Null))
}

/// The next `applied` a client receives (others' presence skipped).
async fn next_applied(c: &mut Client) -> cjm_core::protocol::Applied {
    loop {
        if let ServerMsg::Applied(a) = c.recv().await {
            return a;
        }
    }
}

const CSV_RU: &str = "Цитата;Этап;Дорожка;Источник;Дата;Персона\n\
\"Ждал оператора 40 минут; так и не дождался\";Покупка;Боли;Звонок;03.11.2026;Клиент\n\
Не понял, какой тариф выбрать;Нигде;;опрос;;\n\
Нашёл вас через знакомых;Осведомлённость;;интервью;2026-10-01;\n";

fn xlsx_ru() -> Vec<u8> {
    use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    for (c, h) in ["Текст", "Этап", "Дорожка", "Источник", "Дата", "Ссылка"]
        .iter()
        .enumerate()
    {
        sheet.write_string(0, c as u16, *h).unwrap();
    }
    let date = Format::new().set_num_format("dd.mm.yyyy");
    let rows = [
        (
            "Оплата картой не прошла",
            "Покупка",
            "Боли",
            "отзыв",
            "https://example.com/r/1",
        ),
        (
            "Хочу видеть статус заказа",
            "Лояльность",
            "Мысли",
            "обращение",
            "",
        ),
    ];
    for (i, (text, stage, lane, source, link)) in rows.iter().enumerate() {
        let r = i as u32 + 1;
        sheet.write_string(r, 0, *text).unwrap();
        sheet.write_string(r, 1, *stage).unwrap();
        sheet.write_string(r, 2, *lane).unwrap();
        sheet.write_string(r, 3, *source).unwrap();
        let d = ExcelDateTime::from_ymd(2026, 11, 20 + i as u8).unwrap();
        sheet.write_datetime_with_format(r, 4, &d, &date).unwrap();
        if !link.is_empty() {
            sheet.write_string(r, 5, *link).unwrap();
        }
    }
    book.save_to_buffer().unwrap()
}

async fn test_import_csv_and_xlsx_preview_errors_undo(backend: &str) {
    let db = Db::new(backend).await;
    let server = TestServer::start(&db).await;
    let board = ru_board(&server).await;
    let owner = owner_cookie(server.addr).await;
    let mut watcher = server.client(board.id, "Watcher").await;
    watcher.welcome().await;
    let cards_before = board.cards.len();

    // The preview: headers in Russian map by themselves; row 3 names a
    // stage the board does not have; nothing changes.
    let csv = CSV_RU.as_bytes().to_vec();
    let (status, dry) = upload(
        &server,
        board.id,
        &owner,
        "?dry_run=true",
        "звонки.csv",
        csv.clone(),
        None,
    )
    .await;
    assert_eq!(status, 200, "{dry}");
    assert_eq!(dry["dry_run"], true);
    assert_eq!(dry["format"], "csv");
    assert_eq!(dry["mapping"]["quote"], "Цитата");
    assert_eq!(dry["mapping"]["stage"], "Этап");
    assert_eq!(
        (
            dry["rows"].as_u64(),
            dry["valid"].as_u64(),
            dry["invalid"].as_u64()
        ),
        (Some(3), Some(2), Some(1))
    );
    assert_eq!(dry["errors"][0]["row"], 3);
    assert_eq!(dry["errors"][0]["code"], "unknown_stage");
    assert_eq!(dry["errors"][0]["value"], "Нигде");
    assert_eq!(
        dry["preview"][0]["quote"],
        "Ждал оператора 40 минут; так и не дождался"
    );
    assert_eq!(dry["preview"][1]["ok"], false);
    assert_eq!(
        snapshot_at(server.addr, board.id).await.0.cards.len(),
        cards_before
    );

    // With a row error, nothing is imported unless the bad rows are skipped.
    let (status, refused) = upload(
        &server,
        board.id,
        &owner,
        "",
        "звонки.csv",
        csv.clone(),
        None,
    )
    .await;
    assert_eq!(status, 422, "{refused}");
    assert_eq!(refused["error"]["code"], "import_invalid");
    assert_eq!(
        snapshot_at(server.addr, board.id).await.0.cards.len(),
        cards_before
    );

    let (status, done) = upload(
        &server,
        board.id,
        &owner,
        "?skip_invalid=true",
        "звонки.csv",
        csv,
        None,
    )
    .await;
    assert_eq!(status, 201, "{done}");
    assert_eq!(done["cards_created"], 2);
    let import_id = done["import_id"].as_str().unwrap().to_string();
    // Everyone on the board gets it as one batch.
    let applied = next_applied(&mut watcher).await;
    assert_eq!(applied.seq, done["seq"].as_u64().unwrap());
    assert_eq!(applied.ops.len(), 2);
    let (after, _) = snapshot_at(server.addr, board.id).await;
    assert_eq!(after.cards.len(), cards_before + 2);
    let call = after
        .cards
        .values()
        .find(|c| c.text.starts_with("Ждал оператора"))
        .expect("the quote is a card");
    assert_eq!(after.stages[&call.stage_id].name, "Покупка");
    assert_eq!(after.lanes[&call.lane_id].name, "Боли");
    assert_eq!(call.evidence[0].source, EvidenceSource::CallTranscript);
    assert_eq!(call.evidence[0].date.as_deref(), Some("2026-11-03"));
    assert!(call.persona_id.is_some(), "persona matched by name");

    // The imports list, and undo: the cards go, in one batch, once.
    let (status, list) = get_json(
        &server,
        &format!("/api/boards/{}/imports", board.id),
        &owner,
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(list["imports"][0]["id"], import_id.as_str());
    assert_eq!(list["imports"][0]["file_name"], "звонки.csv");
    let undo = format!("/api/boards/{}/imports/{import_id}/undo", board.id);
    let (status, undone) = post(&server, &undo, &owner).await;
    assert_eq!(status, 200, "{undone}");
    assert_eq!(undone["cards_deleted"], 2);
    let applied = next_applied(&mut watcher).await;
    assert!(
        applied
            .ops
            .iter()
            .all(|op| matches!(op, Op::DeleteCard { .. }))
    );
    assert_eq!(
        snapshot_at(server.addr, board.id).await.0.cards.len(),
        cards_before
    );
    let (status, again) = post(&server, &undo, &owner).await;
    assert_eq!(
        (status, again["error"]["code"].as_str()),
        (409, Some("already_undone"))
    );

    // XLSX: Cyrillic, a date cell, a link; a mapping parameter overrides
    // the headers (the text column holds the quote).
    let (status, done) = upload(
        &server,
        board.id,
        &owner,
        "",
        "отзывы.xlsx",
        xlsx_ru(),
        Some(json!({ "quote": "Текст", "text": null })),
    )
    .await;
    assert_eq!(status, 201, "{done}");
    assert_eq!(done["format"], "xlsx");
    assert_eq!(done["mapping"]["quote"], "Текст");
    assert_eq!(done["cards_created"], 2);
    let (after, _) = snapshot_at(server.addr, board.id).await;
    let pay = after
        .cards
        .values()
        .find(|c| c.text == "Оплата картой не прошла")
        .expect("imported from the xlsx");
    assert_eq!(pay.evidence[0].date.as_deref(), Some("2026-11-20"));
    assert_eq!(pay.evidence[0].source, EvidenceSource::Review);
    assert_eq!(
        pay.evidence[0].link.as_deref(),
        Some("https://example.com/r/1")
    );

    // Quotes attached to an existing card by its id, then undone: the
    // card stays, the quotes go.
    let card: CardId = pay.id;
    let csv = format!(
        "card;quote;source\n{};Second quote;survey\n{};Third quote;\n",
        card.0, card.0
    );
    let (status, done) = upload(
        &server,
        board.id,
        &owner,
        "",
        "more.csv",
        csv.into_bytes(),
        None,
    )
    .await;
    assert_eq!(status, 201, "{done}");
    assert_eq!(done["evidence_attached"], 2);
    let (after, _) = snapshot_at(server.addr, board.id).await;
    assert_eq!(after.cards[&card].evidence.len(), 3);
    let undo = format!(
        "/api/boards/{}/imports/{}/undo",
        board.id,
        done["import_id"].as_str().unwrap()
    );
    let (status, undone) = post(&server, &undo, &owner).await;
    assert_eq!((status, undone["cards_updated"].as_u64()), (200, Some(1)));
    let (after, _) = snapshot_at(server.addr, board.id).await;
    assert_eq!(after.cards[&card].evidence.len(), 1);

    drop(watcher);
    teardown(db, server).await;
}

async fn get_json(server: &TestServer, path: &str, cookie: &str) -> (u16, Value) {
    let res = signed_in_http(cookie)
        .get(server.url(path))
        .send()
        .await
        .unwrap();
    let status = res.status().as_u16();
    (status, res.json().await.unwrap_or(Value::Null))
}

/// Who may import, and files and forms that must be refused cleanly.
async fn test_import_refusals(backend: &str) {
    let db = Db::new(backend).await;
    let server = TestServer::start(&db).await;
    let (board, _) = server.create_board("classic").await;
    let owner = owner_cookie(server.addr).await;
    let csv = b"quote,stage\nhello,Purchase\n".to_vec();

    let viewer = viewer_cookie(server.addr, board.id, "Viewer").await;
    let (status, _) = upload(&server, board.id, &viewer, "", "a.csv", csv.clone(), None).await;
    assert_eq!(status, 403);
    let (status, _) = upload(
        &server,
        board.id,
        "cjm_session=nobody",
        "",
        "a.csv",
        csv.clone(),
        None,
    )
    .await;
    assert!(status == 401 || status == 404, "{status}");
    let guest = guest_cookie(server.addr, board.id, "Editor guest").await;
    let (status, body) = upload(
        &server,
        board.id,
        &guest,
        "?dry_run=true",
        "a.csv",
        csv.clone(),
        None,
    )
    .await;
    assert_eq!(status, 200, "an editor link may import: {body}");

    let (status, body) = upload(&server, board.id, &owner, "", "a.csv", Vec::new(), None).await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (422, Some("empty_file"))
    );
    let (status, body) = upload(
        &server,
        board.id,
        &owner,
        "",
        "a.xlsx",
        b"PK\x03\x04not a zip".to_vec(),
        None,
    )
    .await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (422, Some("unreadable_file"))
    );
    let (status, body) = upload(
        &server,
        board.id,
        &owner,
        "",
        "a.csv",
        b"colour,size\nred,xl\n".to_vec(),
        None,
    )
    .await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (422, Some("bad_mapping"))
    );
    let (status, body) = upload(
        &server,
        board.id,
        &owner,
        "",
        "a.csv",
        csv.clone(),
        Some(json!({ "stage": "Nope" })),
    )
    .await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (422, Some("bad_mapping"))
    );
    let (status, body) = upload(
        &server,
        board.id,
        &owner,
        "",
        "a.csv",
        b"quote\n\x01\n".to_vec(),
        None,
    )
    .await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (422, Some("nothing_to_import")),
        "{body}"
    );

    // A zip bomb: a small XLSX whose sheet inflates past the bound.
    let bomb = {
        use std::io::Write;
        let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        let opts = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated);
        zip.start_file("xl/worksheets/sheet1.xml", opts).unwrap();
        let zeros = vec![b' '; 1 << 20];
        for _ in 0..80 {
            zip.write_all(&zeros).unwrap();
        }
        zip.finish().unwrap().into_inner()
    };
    assert!(bomb.len() < 1 << 20, "{} bytes", bomb.len());
    let (status, body) = upload(&server, board.id, &owner, "", "bomb.xlsx", bomb, None).await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (422, Some("file_too_large")),
        "{body}"
    );

    // Too many bytes: refused before it is read whole.
    let big = vec![b'a'; (10 << 20) + 100 * 1024];
    let (status, _) = upload(&server, board.id, &owner, "", "big.csv", big, None).await;
    assert_eq!(status, 413);

    // No file field.
    let res = signed_in_http(&owner)
        .post(server.url(&format!("/api/boards/{}/import", board.id)))
        .multipart(reqwest::multipart::Form::new().text("other", "x"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 400);

    // Undo of an unknown import.
    let (status, _) = post(
        &server,
        &format!(
            "/api/boards/{}/imports/{}/undo",
            board.id,
            uuid::Uuid::now_v7()
        ),
        &owner,
    )
    .await;
    assert_eq!(status, 404);

    // A client still may not send more than 1,000 ops in one batch.
    let mut c = server.client(board.id, "Big sender").await;
    c.welcome().await;
    let stage = board.stages_in_order()[0].id;
    let lane = board.lanes_in_order()[0].id;
    let ops: Vec<Op> = cjm_core::OrderKey::spread_after(None, 1001)
        .into_iter()
        .map(|k| {
            Op::CreateCard(cjm_core::Card::new(
                stage,
                lane,
                k,
                "x",
                cjm_core::Color::Yellow,
            ))
        })
        .collect();
    let batch = c.submit(ops).await;
    loop {
        match c.recv().await {
            ServerMsg::Rejected {
                client_op_id, code, ..
            } if client_op_id == batch.client_op_id => {
                assert_eq!(code, "batch_size");
                break;
            }
            ServerMsg::Applied(a) if a.client_op_id == batch.client_op_id => {
                panic!("a batch of 1001 ops was accepted")
            }
            _ => {}
        }
    }
    drop(c);
    teardown(db, server).await;
}

/// The figure: 10,000 rows in one import, under 5 s, received by
/// a client as one batch its sync state applies.
async fn test_ten_thousand_rows(backend: &str) {
    let db = Db::new(backend).await;
    let server = TestServer::start(&db).await;
    let (board, _) = server.create_board("classic").await;
    let owner = owner_cookie(server.addr).await;
    let mut watcher = server.client(board.id, "Watcher").await;
    let (welcome_board, seq, _) = watcher.welcome().await;
    let mut sync = SyncState::new(welcome_board.expect("a snapshot"), seq);

    let stages = [
        "Awareness",
        "Consideration",
        "Decision",
        "Purchase",
        "Usage",
        "Loyalty",
    ];
    let lanes = ["Actions", "Thoughts", "Pains"];
    let mut csv = String::from("quote,stage,lane,source,date\n");
    for i in 0..10_000 {
        csv.push_str(&format!(
            "\"Customer quote number {i}, about waiting and paying\",{},{},interview,2026-11-{:02}\n",
            stages[i % stages.len()],
            lanes[i % lanes.len()],
            1 + i % 28
        ));
    }
    let bytes = csv.into_bytes();
    let kb = bytes.len() / 1024;
    let t = Instant::now();
    let (status, dry) = upload(
        &server,
        board.id,
        &owner,
        "?dry_run=true",
        "big.csv",
        bytes.clone(),
        None,
    )
    .await;
    let dry_ms = t.elapsed().as_millis();
    assert_eq!(
        (status, dry["valid"].as_u64()),
        (200, Some(10_000)),
        "{}",
        dry["errors"]
    );
    let t = Instant::now();
    let cpu = process_cpu();
    let (status, done) = upload(&server, board.id, &owner, "", "big.csv", bytes, None).await;
    let import_ms = t.elapsed().as_millis();
    let import_cpu = (process_cpu() - cpu).as_millis();
    assert_eq!(status, 201, "{}", done["error"]);
    assert_eq!(done["cards_created"], 10_000);
    let applied = next_applied(&mut watcher).await;
    let received_ms = t.elapsed().as_millis();
    assert_eq!(applied.ops.len(), 10_000);
    sync.on_applied(&applied)
        .expect("a client applies a confirmed batch of any length");
    assert_eq!(sync.view().cards.len(), board.cards.len() + 10_000);
    println!(
        "import figure ({backend}): 10,000 rows ({kb} KB): dry run {dry_ms} ms, import {import_ms} ms (CPU {import_cpu} ms, {} µs a row), received by a client {received_ms} ms",
        import_cpu * 1000 / 10_000
    );
    assert!(import_ms < 5_000, "10,000 rows took {import_ms} ms");
    drop(watcher);
    teardown(db, server).await;
}

on_both_stores!(
    test_import_csv_and_xlsx_preview_errors_undo,
    test_import_refusals,
    test_ten_thousand_rows,
);
