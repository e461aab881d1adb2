//! `cjm-loadgen`: E editors and V viewers (real websocket clients) on K
//! boards of a real `cjm` server that this program starts, each editor
//! sending R batches a second. It reports edit→acknowledge and edit→peer
//! latency percentiles, committed batches per second, and the server's and
//! its own CPU and memory separately, so that the server is what is measured.
//!
//! Clients are deliberately light: nobody rebuilds the board. A batch's
//! `client_op_id` carries the sender and its send time, so any receiver can
//! compute latency from the `applied` text alone.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use clap::Parser;
use futures_util::{SinkExt, StreamExt};
use hdrhistogram::Histogram;
use tokio::sync::Mutex;
use tokio_tungstenite::tungstenite::Message;

#[derive(Parser, Clone)]
#[command(about = "Load generator for CJM Board")]
struct Args {
    /// The `cjm` binary to start (a release build is what should be measured).
    #[arg(long)]
    server_bin: String,
    #[arg(long, env = "DATABASE_URL")]
    database_url: String,
    #[arg(long, default_value_t = 10)]
    editors: usize,
    #[arg(long, default_value_t = 0)]
    viewers: usize,
    #[arg(long, default_value_t = 1)]
    boards: usize,
    /// Batches per second per editor.
    #[arg(long, default_value_t = 1.0)]
    rate: f64,
    #[arg(long, default_value_t = 15)]
    seconds: u64,
    /// Only open this many idle connections and report memory per connection.
    #[arg(long)]
    idle: Option<usize>,
}

/// Nanoseconds since the run started: the clock in every client_op_id.
fn since(start: Instant) -> u64 {
    start.elapsed().as_nanos() as u64
}

/// A client_op_id that says who sent it and when (not a real UUIDv7: the
/// server only needs it to be unique).
fn op_id(sender: u64, seq: u64, at: u64) -> uuid::Uuid {
    uuid::Uuid::from_u64_pair((sender << 32) | (seq & 0xffff_ffff), at)
}

/// Reads sender and send time back from an `applied` message's text.
fn parse_applied(text: &str) -> Option<(u64, u64)> {
    if !text.starts_with("{\"type\":\"applied\"") {
        return None;
    }
    let i = text.find("\"client_op_id\":\"")? + 16;
    let id = uuid::Uuid::parse_str(text.get(i..i + 36)?).ok()?;
    let (hi, at) = id.as_u64_pair();
    Some((hi >> 32, at))
}

/// CPU seconds (user + system) and resident memory of a process.
fn proc_usage(pid: &str) -> Option<(f64, u64)> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let fields: Vec<&str> = stat.rsplit(')').next()?.split_whitespace().collect();
    let ticks: f64 = fields.get(11)?.parse::<f64>().ok()? + fields.get(12)?.parse::<f64>().ok()?;
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let rss_kb: u64 = status
        .lines()
        .find(|l| l.starts_with("VmRSS:"))?
        .split_whitespace()
        .nth(1)?
        .parse()
        .ok()?;
    Some((ticks / 100.0, rss_kb * 1024))
}

struct Server {
    child: tokio::process::Child,
    addr: String,
    pid: String,
}

async fn start_server(args: &Args) -> Result<Server> {
    use tokio::io::AsyncBufReadExt;
    let mut child = tokio::process::Command::new(&args.server_bin)
        .args([
            "serve",
            "--addr",
            "127.0.0.1:0",
            "--database-url",
            &args.database_url,
            // All load clients share one account: no per-person cap.
            "--max-sockets-per-person",
            "0",
        ])
        .env("RUST_LOG", "warn")
        .stdout(std::process::Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .with_context(|| format!("cannot start {}", args.server_bin))?;
    let pid = child.id().context("server pid")?.to_string();
    let mut lines = tokio::io::BufReader::new(child.stdout.take().unwrap()).lines();
    let line = tokio::time::timeout(Duration::from_secs(30), lines.next_line())
        .await??
        .context("no banner")?;
    let addr = line
        .split("http://")
        .nth(1)
        .and_then(|u| u.split('/').next())
        .context("no address")?
        .to_string();
    Ok(Server { child, addr, pid })
}

/// The session cookie of the account all load clients use (boards are
/// private to their members; the server checks every connection).
static SESSION: std::sync::OnceLock<String> = std::sync::OnceLock::new();

async fn sign_up(addr: &str) -> Result<()> {
    let res = reqwest::Client::new()
        .post(format!("http://{addr}/api/auth/signup"))
        .json(&serde_json::json!({
            "email": "load@loadgen.example",
            "name": "Load",
            "password": "loadgen passphrase 2026",
        }))
        .send()
        .await?;
    anyhow::ensure!(
        res.status().is_success(),
        "sign-up failed: {}",
        res.status()
    );
    let cookie = res
        .headers()
        .get(reqwest::header::SET_COOKIE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .context("no session cookie")?
        .to_string();
    let _ = SESSION.set(cookie);
    Ok(())
}

fn session() -> &'static str {
    SESSION.get().map(String::as_str).unwrap_or_default()
}

async fn create_board(addr: &str, i: usize) -> Result<(String, serde_json::Value)> {
    let res: serde_json::Value = reqwest::Client::new()
        .post(format!("http://{addr}/api/boards"))
        .header(reqwest::header::COOKIE, session())
        .json(&serde_json::json!({"title": format!("load {i}"), "template": "classic"}))
        .send()
        .await?
        .json()
        .await?;
    Ok((
        res["id"].as_str().context("board id")?.to_string(),
        res["board"].clone(),
    ))
}

type Ws =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

async fn join(addr: &str, board: &str, name: &str) -> Result<Ws> {
    use tokio_tungstenite::tungstenite::client::IntoClientRequest;
    let mut req = format!("ws://{addr}/api/boards/{board}/ws").into_client_request()?;
    req.headers_mut().insert("cookie", session().parse()?);
    // A small read buffer: tungstenite zero-fills the whole buffer before
    // every read, and the default (128 KiB) would make that the load
    // generator's main cost. No Nagle: a browser does not delay its sends.
    let config = tokio_tungstenite::tungstenite::protocol::WebSocketConfig::default()
        .read_buffer_size(16 * 1024);
    let (mut ws, _) = tokio_tungstenite::connect_async_with_config(req, Some(config), true).await?;
    let hello = format!(r#"{{"type":"hello","protocol":1,"client_id":"{name}"}}"#);
    ws.send(Message::Text(hello.into())).await?;
    // Wait for the welcome (it may be large: a whole board).
    loop {
        match ws.next().await {
            Some(Ok(Message::Text(t))) if t.starts_with("{\"type\":\"welcome\"") => return Ok(ws),
            Some(Ok(_)) => continue,
            _ => bail!("no welcome"),
        }
    }
}

/// What went wrong during a run (a run with refusals or resyncs measured
/// something other than what it says).
#[derive(Default)]
struct Trouble {
    rate_limited: AtomicU64,
    rejected: AtomicU64,
    resyncs: AtomicU64,
    disconnected: AtomicU64,
}

impl Trouble {
    fn note(&self, text: &str) {
        let counter = if text.starts_with("{\"type\":\"rejected\"") {
            if text.contains("\"rate_limited\"") {
                &self.rate_limited
            } else {
                &self.rejected
            }
        } else if text.starts_with("{\"type\":\"resync\"") {
            &self.resyncs
        } else {
            return;
        };
        counter.fetch_add(1, Ordering::Relaxed);
    }
}

#[derive(Default)]
struct Stats {
    ack: Option<Histogram<u64>>,
    peer: Option<Histogram<u64>>,
}

fn hist() -> Histogram<u64> {
    Histogram::new_with_bounds(1, 60_000_000, 3).expect("histogram bounds")
}

fn merge(into: &mut Option<Histogram<u64>>, h: &Histogram<u64>) {
    into.get_or_insert_with(hist).add(h).expect("same bounds");
}

fn fmt_ms(h: &Option<Histogram<u64>>) -> String {
    match h {
        Some(h) if !h.is_empty() => format!(
            "p50 {:.1} ms, p95 {:.1} ms, p99 {:.1} ms, max {:.1} ms (n={})",
            h.value_at_quantile(0.50) as f64 / 1000.0,
            h.value_at_quantile(0.95) as f64 / 1000.0,
            h.value_at_quantile(0.99) as f64 / 1000.0,
            h.max() as f64 / 1000.0,
            h.len()
        ),
        _ => "no samples".into(),
    }
}

#[tokio::main]
async fn main() -> Result<()> {
    let args = Args::parse();
    check_fd_limit(args.idle.unwrap_or(args.editors + args.viewers))?;
    let mut server = start_server(&args).await?;
    sign_up(&server.addr).await?;
    let (_, rss_base) = proc_usage(&server.pid).context("reading /proc")?;
    if let Some(n) = args.idle {
        return idle(&mut server, n, rss_base).await;
    }

    let mut boards = Vec::new();
    for i in 0..args.boards.max(1) {
        boards.push(create_board(&server.addr, i).await?);
    }
    let start = Instant::now();
    let stop = Arc::new(AtomicBool::new(false));
    let acks = Arc::new(AtomicU64::new(0));
    let stats = Arc::new(Mutex::new(Stats::default()));
    let trouble = Arc::new(Trouble::default());
    let mut tasks = Vec::new();

    for v in 0..args.viewers {
        let (board, _) = boards[v % boards.len()].clone();
        let ws = join(&server.addr, &board, &format!("viewer-{v}")).await?;
        let (stop, stats, trouble) = (stop.clone(), stats.clone(), trouble.clone());
        tasks.push(tokio::spawn(async move {
            let (_, mut rx) = ws.split();
            let mut peer = hist();
            while !stop.load(Ordering::Relaxed) {
                match tokio::time::timeout(Duration::from_millis(200), rx.next()).await {
                    Ok(Some(Ok(Message::Text(t)))) => {
                        if let Some((_, at)) = parse_applied(&t) {
                            let _ = peer.record((since(start).saturating_sub(at) / 1000).max(1));
                        } else {
                            trouble.note(&t);
                        }
                    }
                    Ok(Some(Ok(_))) | Err(_) => {}
                    _ => {
                        trouble.disconnected.fetch_add(1, Ordering::Relaxed);
                        break;
                    }
                }
            }
            merge(&mut stats.lock().await.peer, &peer);
        }));
    }

    for e in 0..args.editors {
        let (board, snapshot) = boards[e % boards.len()].clone();
        let ws = join(&server.addr, &board, &format!("editor-{e}")).await?;
        let stage = snapshot["stages"]
            .as_object()
            .and_then(|m| m.keys().next().cloned())
            .context("stage")?;
        let lane = snapshot["lanes"]
            .as_object()
            .and_then(|m| m.keys().next().cloned())
            .context("lane")?;
        let (stop, stats, acks) = (stop.clone(), stats.clone(), acks.clone());
        let interval = Duration::from_secs_f64(1.0 / args.rate);
        let sender = e as u64 + 1;
        let (mut tx, mut rx) = ws.split();
        let writer_stop = stop.clone();
        // Writing and reading are separate tasks: a client that stopped
        // reading while it waits to write would be dropped as a slow reader.
        tasks.push(tokio::spawn(async move {
            let card = uuid::Uuid::now_v7();
            let create = format!(
                r#"{{"type":"submit","client_op_id":"{}","ops":[{{"op":"create_card","id":"{card}","stage_id":"{stage}","lane_id":"{lane}","order":"80","text":"load","color":"yellow"}}]}}"#,
                op_id(sender, 0, since(start))
            );
            if tx.send(Message::Text(create.into())).await.is_err() {
                return;
            }
            let mut next = tokio::time::Instant::now() + interval.mul_f64(rand01(sender));
            let mut n = 1u64;
            while !writer_stop.load(Ordering::Relaxed) {
                tokio::time::sleep_until(next).await;
                next += interval;
                let id = op_id(sender, n, since(start));
                let msg = format!(
                    r#"{{"type":"submit","client_op_id":"{id}","ops":[{{"op":"update_card","id":"{card}","text":"edit {n}"}}]}}"#
                );
                n += 1;
                if tx.send(Message::Text(msg.into())).await.is_err() {
                    break;
                }
            }
        }));
        let trouble = trouble.clone();
        tasks.push(tokio::spawn(async move {
            let (mut ack, mut peer) = (hist(), hist());
            while !stop.load(Ordering::Relaxed) {
                let msg = match tokio::time::timeout(Duration::from_millis(200), rx.next()).await {
                    Ok(msg) => msg,
                    Err(_) => continue,
                };
                match msg {
                    Some(Ok(Message::Text(t))) => {
                        if let Some((from, at)) = parse_applied(&t) {
                            let us = (since(start).saturating_sub(at) / 1000).max(1);
                            if from == sender {
                                let _ = ack.record(us);
                                acks.fetch_add(1, Ordering::Relaxed);
                            } else {
                                let _ = peer.record(us);
                            }
                        } else {
                            trouble.note(&t);
                        }
                    }
                    Some(Ok(_)) => {}
                    _ => {
                        trouble.disconnected.fetch_add(1, Ordering::Relaxed);
                        break;
                    }
                }
            }
            let mut s = stats.lock().await;
            merge(&mut s.ack, &ack);
            merge(&mut s.peer, &peer);
        }));
    }

    let connected = args.editors + args.viewers;
    println!(
        "{connected} clients connected to {} board(s); running {} s",
        boards.len(),
        args.seconds
    );
    // Measure only the steady state.
    let (cpu0, _) = proc_usage(&server.pid).context("server usage")?;
    let (own0, _) = proc_usage("self").context("own usage")?;
    let acks0 = acks.load(Ordering::Relaxed);
    let t0 = Instant::now();
    tokio::time::sleep(Duration::from_secs(args.seconds)).await;
    let elapsed = t0.elapsed().as_secs_f64();
    let committed = acks.load(Ordering::Relaxed) - acks0;
    let (cpu1, rss) = proc_usage(&server.pid).context("server usage")?;
    let (own1, own_rss) = proc_usage("self").context("own usage")?;
    stop.store(true, Ordering::Relaxed);
    for t in tasks {
        let _ = t.await;
    }
    let s = stats.lock().await;
    println!(
        "editors {} viewers {} boards {} rate {}/s per editor, {:.0} s",
        args.editors,
        args.viewers,
        boards.len(),
        args.rate,
        elapsed
    );
    println!(
        "committed: {:.0} batches/s (offered {:.0}/s)",
        committed as f64 / elapsed,
        args.editors as f64 * args.rate
    );
    println!(
        "refused: {} rate_limited, {} other rejections; {} resyncs; {} connections lost",
        trouble.rate_limited.load(Ordering::Relaxed),
        trouble.rejected.load(Ordering::Relaxed),
        trouble.resyncs.load(Ordering::Relaxed),
        trouble.disconnected.load(Ordering::Relaxed),
    );
    println!("edit→ack:  {}", fmt_ms(&s.ack));
    println!("edit→peer: {}", fmt_ms(&s.peer));
    println!(
        "server: CPU {:.0}% of one core, RSS {:.1} MB ({:.1} KB per connection over idle start)",
        (cpu1 - cpu0) / elapsed * 100.0,
        rss as f64 / 1e6,
        rss.saturating_sub(rss_base) as f64 / 1024.0 / connected.max(1) as f64
    );
    println!(
        "loadgen: CPU {:.0}% of one core, RSS {:.1} MB",
        (own1 - own0) / elapsed * 100.0,
        own_rss as f64 / 1e6
    );
    let _ = server.child.kill().await;
    Ok(())
}

/// Spreads the editors' first sends over one interval.
fn rand01(seed: u64) -> f64 {
    let x = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15);
    (x >> 11) as f64 / (1u64 << 53) as f64
}

async fn idle(server: &mut Server, n: usize, rss_base: u64) -> Result<()> {
    let (board, _) = create_board(&server.addr, 0).await?;
    let mut conns = Vec::with_capacity(n);
    let t = Instant::now();
    for i in 0..n {
        conns.push(
            join(&server.addr, &board, &format!("idle-{i}"))
                .await
                .with_context(|| format!("connection {i}"))?,
        );
    }
    tokio::time::sleep(Duration::from_secs(2)).await;
    let (_, rss) = proc_usage(&server.pid).context("server usage")?;
    println!(
        "{n} idle connections on one board (opened in {:.1} s): server RSS {:.1} MB, {:.2} KB per connection over the {:.1} MB idle server",
        t.elapsed().as_secs_f64(),
        rss as f64 / 1e6,
        rss.saturating_sub(rss_base) as f64 / 1024.0 / n as f64,
        rss_base as f64 / 1e6
    );
    drop(conns);
    let _ = server.child.kill().await;
    Ok(())
}

/// Many connections need many file descriptors, here and in the server
/// (which inherits the limit); say so up front instead of failing midway.
fn check_fd_limit(wanted: usize) -> Result<()> {
    let limits = std::fs::read_to_string("/proc/self/limits").unwrap_or_default();
    let soft: Option<usize> = limits
        .lines()
        .find(|l| l.starts_with("Max open files"))
        .and_then(|l| l.split_whitespace().nth(3))
        .and_then(|v| v.parse().ok());
    if let Some(soft) = soft
        && wanted + 100 > soft
    {
        bail!(
            "{wanted} connections need more than the {soft} open files this process may have (ulimit -n)"
        );
    }
    Ok(())
}
