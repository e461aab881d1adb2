//! The workshop timer through the real server, on SQLite and on Postgres:
//! the facilitator (an editor) runs it, a commenter cannot, its times are
//! the server's, and a late joiner's welcome has it with the server's clock.

#[macro_use]
mod common;

use std::time::Instant;

use cjm_core::protocol::{ClientMsg, ServerMsg};
use cjm_core::workshop::{Timer, VoteResults};
use cjm_core::{Board, CardId, Op, VoteId};
use common::*;

/// Sends `ops` and waits for their answer: the board's timer after the
/// batch and the batch's server time, or the refusal's code.
async fn run(c: &mut Client, ops: Vec<Op>) -> Result<i64, String> {
    let batch = c.submit(ops).await;
    loop {
        match c.recv().await {
            ServerMsg::Applied(a) if a.client_op_id == batch.client_op_id => return Ok(a.at),
            ServerMsg::Rejected {
                client_op_id, code, ..
            } if client_op_id == batch.client_op_id => return Err(code.to_string()),
            _ => continue,
        }
    }
}

async fn timer(server: &TestServer, board: cjm_core::BoardId) -> Option<Timer> {
    server.snapshot(board).await.0.timer
}

async fn test_the_facilitator_runs_a_timer_everyone_sees(backend: &str) {
    let (db, server, board) = setup(backend, "blank").await;
    let mut facilitator = server.client(board.id, "Fay").await;
    facilitator.welcome().await;

    assert_eq!(
        run(&mut facilitator, vec![Op::PauseTimer]).await,
        Err("not_found".into())
    );
    assert_eq!(
        run(&mut facilitator, vec![Op::StartTimer { duration_ms: 10 }]).await,
        Err("invalid".into()),
        "under a second"
    );
    let started = run(
        &mut facilitator,
        vec![Op::StartTimer {
            duration_ms: 300_000,
        }],
    )
    .await
    .unwrap();
    let t = timer(&server, board.id).await.unwrap();
    assert_eq!(
        (t.duration_ms, t.ends_at),
        (300_000, Some(started + 300_000))
    );

    // Paused, it keeps what was left at the server's moment of the pause.
    let paused = run(&mut facilitator, vec![Op::PauseTimer]).await.unwrap();
    let t = timer(&server, board.id).await.unwrap();
    assert_eq!(t.ends_at, None);
    assert_eq!(t.remaining_ms, started + 300_000 - paused);
    // A minute more, then on again from there.
    run(&mut facilitator, vec![Op::ExtendTimer { ms: 60_000 }])
        .await
        .unwrap();
    let resumed = run(&mut facilitator, vec![Op::ResumeTimer]).await.unwrap();
    let t = timer(&server, board.id).await.unwrap();
    assert_eq!(
        t.ends_at,
        Some(resumed + started + 300_000 - paused + 60_000)
    );
    assert_eq!(t.duration_ms, 360_000);

    // A late joiner gets the timer and the server's clock to count with.
    let mut late = Client::connect(server.addr, board.id).await;
    late.hello().await;
    let ServerMsg::Welcome {
        board: Some(b),
        now,
        ..
    } = late.recv().await
    else {
        panic!("expected a welcome with the board");
    };
    assert_eq!(b.timer, Some(t));
    let local = cjm_server::clock::now_ms();
    assert!(
        (local - now).abs() < 5_000,
        "server time {now}, here {local}"
    );
    assert!(t.remaining(now) > 0 && t.remaining(now) <= 360_000);

    // A commenter or viewer cannot touch it.
    let mut viewer = Client::connect_with(
        server.addr,
        board.id,
        Some(&viewer_cookie(server.addr, board.id, "Vic").await),
    )
    .await;
    viewer.hello().await;
    viewer.welcome().await;
    assert_eq!(
        run(&mut viewer, vec![Op::StopTimer]).await,
        Err("forbidden".into())
    );

    run(&mut facilitator, vec![Op::StopTimer]).await.unwrap();
    assert_eq!(timer(&server, board.id).await, None);

    // Quiet brainstorming is a board setting, stored like the title.
    run(&mut facilitator, vec![Op::SetQuiet { on: true }])
        .await
        .unwrap();
    assert!(server.snapshot(board.id).await.0.quiet);
    assert_eq!(
        run(&mut viewer, vec![Op::SetQuiet { on: false }]).await,
        Err("forbidden".into())
    );
    run(&mut facilitator, vec![Op::SetQuiet { on: false }])
        .await
        .unwrap();
    assert!(!server.snapshot(board.id).await.0.quiet);
    teardown(db, server).await;
}

/// Places (or takes back) a dot and waits for the answer: the person's
/// dots and how many are left, or the error's code.
async fn dot(
    c: &mut Client,
    vote: VoteId,
    card: CardId,
    add: bool,
) -> Result<(Vec<CardId>, u32), String> {
    c.send(&ClientMsg::Dot { vote, card, add }).await;
    loop {
        match c.recv().await {
            ServerMsg::Dots { mine, left, .. } => return Ok((mine, left)),
            ServerMsg::Error { code, .. } => return Err(code.to_string()),
            _ => continue,
        }
    }
}

/// The cards of the board's first lane, in the first two stages.
fn cards_in_first_lane(board: &Board) -> (cjm_core::LaneId, Vec<CardId>) {
    let lane = board.lanes_in_order()[0].id;
    let cards = board
        .cards
        .values()
        .filter(|c| c.lane_id == lane)
        .map(|c| c.id)
        .collect();
    (lane, cards)
}

async fn test_a_dot_vote_stays_hidden_until_revealed(backend: &str) {
    let (db, server, board) = setup(backend, "fridge_example").await;
    let (lane, pains) = cards_in_first_lane(&board);
    assert!(pains.len() >= 3, "the example has cards in its first lane");
    let outside = board.cards.values().find(|c| c.lane_id != lane).unwrap().id;
    let mut fay = server.client(board.id, "Fay").await;
    fay.welcome().await;
    let mut eve = server.client(board.id, "Eve").await;
    eve.welcome().await;
    let mut vic = Client::connect_with(
        server.addr,
        board.id,
        Some(&viewer_cookie(server.addr, board.id, "Vic").await),
    )
    .await;
    vic.hello().await;
    vic.welcome().await;

    let vote = VoteId::new();
    let start = Op::StartVote {
        id: vote,
        lanes: vec![lane],
        stages: vec![],
        dots_per_person: 3,
        several_per_card: false,
        ends_at: None,
        anonymous: false,
    };
    run(&mut fay, vec![start]).await.unwrap();

    // Eve places her three dots; the rules hold.
    assert_eq!(dot(&mut eve, vote, pains[0], true).await.unwrap().1, 2);
    assert_eq!(
        dot(&mut eve, vote, pains[0], true).await,
        Err("one_per_card".into())
    );
    assert_eq!(
        dot(&mut eve, vote, outside, true).await,
        Err("not_in_vote".into())
    );
    dot(&mut eve, vote, pains[1], true).await.unwrap();
    let (mine, left) = dot(&mut eve, vote, pains[2], true).await.unwrap();
    assert_eq!((mine.len(), left), (3, 0));
    assert_eq!(
        dot(&mut eve, vote, pains[1], true).await,
        Err("no_dots_left".into())
    );
    // Taking one back frees it.
    assert_eq!(dot(&mut eve, vote, pains[2], false).await.unwrap().1, 1);
    assert_eq!(
        dot(&mut vic, vote, pains[0], true).await,
        Err("forbidden".into())
    );
    assert_eq!(dot(&mut fay, vote, pains[0], true).await.unwrap().1, 2);

    // Nobody else learns where Eve's dots are: the facilitator hears the
    // progress (people and dots), and nothing names a card.
    let mut progress = None;
    for msg in fay.settle().await {
        let text = serde_json::to_string(&msg).unwrap();
        assert!(
            !text.contains(&pains[1].to_string()),
            "a dot leaked: {text}"
        );
        if let ServerMsg::VoteProgress { voters, dots, .. } = msg {
            progress = Some((voters, dots));
        }
    }
    assert_eq!(progress, Some((2, 3)));
    let (stored, _) = server.snapshot(board.id).await;
    assert!(stored.vote.as_ref().unwrap().results.is_none());
    let stored_json = serde_json::to_string(&stored).unwrap();
    assert!(!stored_json.contains("\"names\""), "no dots in the board");

    // The reveal: the server counts, whatever the client claims.
    let fake = VoteResults {
        dots: [(outside, 99)].into(),
        voters: 99,
        ..VoteResults::default()
    };
    let started = Instant::now();
    run(
        &mut fay,
        vec![Op::RevealVote {
            id: vote,
            results: fake,
        }],
    )
    .await
    .unwrap();
    let revealed = |b: &Board| b.vote.as_ref().and_then(|v| v.results.clone());
    let results = revealed(&server.snapshot(board.id).await.0).unwrap();
    assert_eq!(results.voters, 2);
    assert_eq!(results.dots.get(&pains[0]), Some(&2));
    assert_eq!(results.dots.get(&pains[1]), Some(&1));
    assert_eq!(results.dots.get(&outside), None);
    assert_eq!(
        results.names[&pains[0]],
        vec!["Eve".to_string(), "Fay".to_string()]
    );
    assert_eq!(results.ranked()[0], (pains[0], 2));
    // Everyone sees it.
    loop {
        match vic.recv().await {
            ServerMsg::Applied(a) if matches!(a.ops[0], Op::RevealVote { .. }) => {
                let Op::RevealVote { results: seen, .. } = &a.ops[0] else {
                    unreachable!()
                };
                assert_eq!(seen, &results);
                break;
            }
            _ => continue,
        }
    }
    println!("reveal reached a viewer in {:?}", started.elapsed());
    assert_eq!(
        dot(&mut eve, vote, pains[1], true).await,
        Err("vote_closed".into())
    );

    // Kept on the cards as badges after the vote ends.
    run(
        &mut fay,
        vec![Op::EndVote {
            id: vote,
            keep: true,
        }],
    )
    .await
    .unwrap();
    let (stored, _) = server.snapshot(board.id).await;
    assert!(stored.vote.is_none());
    assert_eq!(stored.card_votes.get(&pains[0]), Some(&2));
    run(&mut fay, vec![Op::ClearVoteBadges]).await.unwrap();
    assert!(server.snapshot(board.id).await.0.card_votes.is_empty());
    teardown(db, server).await;
}

async fn test_a_late_joiner_gets_its_dots_and_anonymous_votes_name_nobody(backend: &str) {
    let (db, server, board) = setup(backend, "fridge_example").await;
    let (_, pains) = cards_in_first_lane(&board);
    let mut owner = Client::connect(server.addr, board.id).await;
    owner.hello().await;
    owner.welcome().await;
    let vote = VoteId::new();
    let start = Op::StartVote {
        id: vote,
        lanes: vec![],
        stages: vec![],
        dots_per_person: 2,
        several_per_card: true,
        ends_at: None,
        anonymous: true,
    };
    run(&mut owner, vec![start]).await.unwrap();
    dot(&mut owner, vote, pains[0], true).await.unwrap();
    let (mine, left) = dot(&mut owner, vote, pains[0], true).await.unwrap();
    assert_eq!(
        (mine, left),
        (vec![pains[0], pains[0]], 0),
        "two on one card"
    );

    let mut again = Client::connect(server.addr, board.id).await;
    again.hello().await;
    let ServerMsg::Welcome {
        dots,
        board: Some(b),
        ..
    } = again.recv().await
    else {
        panic!("expected a welcome");
    };
    assert_eq!(dots, vec![pains[0], pains[0]]);
    assert!(b.vote.unwrap().results.is_none());
    // Right after the welcome: how far the vote has got (not 0 of 0).
    match again.recv().await {
        ServerMsg::VoteProgress {
            vote: v,
            voters,
            dots,
        } => assert_eq!((v, voters, dots), (vote, 1, 2)),
        other => panic!("expected the vote's progress, got {other:?}"),
    }

    run(
        &mut owner,
        vec![Op::RevealVote {
            id: vote,
            results: VoteResults::default(),
        }],
    )
    .await
    .unwrap();
    let results = server
        .snapshot(board.id)
        .await
        .0
        .vote
        .unwrap()
        .results
        .unwrap();
    assert_eq!(results.dots[&pains[0]], 2);
    assert!(results.names.is_empty(), "an anonymous vote names nobody");
    teardown(db, server).await;
}

/// Twenty people vote (three dots each, 60 dots) and the facilitator
/// reveals: every one of them gets the same results. Prints how long the
/// dots and the reveal took (the figure in the issue notes).
async fn test_twenty_people_vote_and_all_see_the_reveal(backend: &str) {
    let (db, server, board) = setup(backend, "fridge_example").await;
    let (lane, pains) = cards_in_first_lane(&board);
    let mut people = Vec::new();
    for i in 0..20 {
        let mut c = server.client(board.id, &format!("P{i}")).await;
        c.welcome().await;
        people.push(c);
    }
    let vote = VoteId::new();
    let start = Op::StartVote {
        id: vote,
        lanes: vec![lane],
        stages: vec![],
        dots_per_person: 3,
        several_per_card: false,
        ends_at: None,
        anonymous: true,
    };
    run(&mut people[0], vec![start]).await.unwrap();
    let dots_started = Instant::now();
    let dots_cpu = process_cpu();
    for (i, p) in people.iter_mut().enumerate() {
        for k in 0..3 {
            dot(p, vote, pains[(i + k) % pains.len()], true)
                .await
                .unwrap();
        }
    }
    let dots_took = dots_started.elapsed();
    let dots_cpu = process_cpu() - dots_cpu;
    let reveal = Op::RevealVote {
        id: vote,
        results: VoteResults::default(),
    };
    let started = Instant::now();
    let reveal_cpu = process_cpu();
    people[0].submit(vec![reveal]).await;
    let mut seen = Vec::new();
    for p in &mut people {
        loop {
            if let ServerMsg::Applied(a) = p.recv().await
                && let Op::RevealVote { results, .. } = &a.ops[0]
            {
                seen.push(results.clone());
                break;
            }
        }
    }
    let everyone = started.elapsed();
    let reveal_cpu = process_cpu() - reveal_cpu;
    assert!(
        seen.windows(2).all(|w| w[0] == w[1]),
        "everyone sees the same results"
    );
    assert_eq!(seen[0].voters, 20);
    assert_eq!(seen[0].dots.values().sum::<u32>(), 60);
    println!(
        "{backend}: 60 dots by 20 people in {dots_took:?} ({:?} a dot, one at a time; CPU {:?} a dot); reveal to all 20 in {everyone:?} (CPU {reveal_cpu:?})",
        dots_took / 60,
        dots_cpu / 60
    );
    teardown(db, server).await;
}

on_both_stores!(
    test_the_facilitator_runs_a_timer_everyone_sees,
    test_a_dot_vote_stays_hidden_until_revealed,
    test_a_late_joiner_gets_its_dots_and_anonymous_votes_name_nobody,
    test_twenty_people_vote_and_all_see_the_reveal
);
