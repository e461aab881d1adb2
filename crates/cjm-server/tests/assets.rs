//! The front end's files from a directory (`--static-dir`), each with its
//! precompressed `.br` and `.gz` copies: the copy the request's
//! `Accept-Encoding` prefers, with the file's type, `Content-Encoding`,
//! `Content-Length` and `Vary`, or the file itself. (The embedded files of
//! a release build go through the same code.)

mod common;

use std::sync::Arc;

use cjm_server::AppState;
use cjm_server::assets::Assets;
use common::Db;
use tokio::sync::oneshot;

struct Served {
    addr: std::net::SocketAddr,
    stop: oneshot::Sender<()>,
    task: tokio::task::JoinHandle<std::io::Result<()>>,
    _files: tempfile::TempDir,
}

const WASM: &[u8] = b"\0asm the module itself";
const WASM_BR: &[u8] = b"brotli bytes";
const WASM_GZ: &[u8] = b"\x1f\x8b gzip bytes, longer";
const INDEX: &[u8] = b"<!doctype html><title>CJM Board</title>";
const INDEX_BR: &[u8] = b"index as brotli";

/// A front end with a wasm file that has both copies, a stylesheet with
/// only a gzip one, and an index.html with a brotli one.
async fn serve(db: &Db) -> Served {
    let files = tempfile::tempdir().unwrap();
    let dir = files.path();
    std::fs::create_dir_all(dir.join("assets")).unwrap();
    for (name, bytes) in [
        ("index.html", INDEX),
        ("index.html.br", INDEX_BR),
        ("sw.js", b"self.x = 1;".as_slice()),
        ("assets/app-1.wasm", WASM),
        ("assets/app-1.wasm.br", WASM_BR),
        ("assets/app-1.wasm.gz", WASM_GZ),
        ("assets/style-1.css", b"body { margin: 0 }"),
        ("assets/style-1.css.gz", b"css as gzip"),
    ] {
        std::fs::write(dir.join(name), bytes).unwrap();
    }
    let store = cjm_store::connect(&db.url()).await.unwrap();
    let state: Arc<AppState> = AppState::new(store, Assets::Dir(dir.to_path_buf()));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop, rx) = oneshot::channel::<()>();
    let task = tokio::spawn(cjm_server::serve(listener, state, async move {
        let _ = rx.await;
    }));
    Served {
        addr,
        stop,
        task,
        _files: files,
    }
}

struct Answer {
    status: u16,
    body: Vec<u8>,
    encoding: Option<String>,
    content_type: String,
    length: Option<String>,
    vary: Option<String>,
    cache: Option<String>,
}

async fn get(addr: std::net::SocketAddr, path: &str, accept: Option<&str>) -> Answer {
    // reqwest is built without decompression: it neither asks for a
    // coding nor decodes one, so what arrives is what the server sent.
    let mut req = reqwest::Client::new().get(format!("http://{addr}{path}"));
    if let Some(a) = accept {
        req = req.header("accept-encoding", a);
    }
    let res = req.send().await.unwrap();
    let h = |name: &str| {
        res.headers()
            .get(name)
            .map(|v| v.to_str().unwrap().to_string())
    };
    let (encoding, content_type, length, vary, cache) = (
        h("content-encoding"),
        h("content-type").unwrap_or_default(),
        h("content-length"),
        h("vary"),
        h("cache-control"),
    );
    Answer {
        status: res.status().as_u16(),
        encoding,
        content_type,
        length,
        vary,
        cache,
        body: res.bytes().await.unwrap().to_vec(),
    }
}

#[tokio::test]
async fn precompressed_copies_follow_accept_encoding() {
    let db = Db::new("sqlite").await;
    let s = serve(&db).await;
    let wasm = "/assets/app-1.wasm";
    for (accept, body, encoding) in [
        (Some("br"), WASM_BR, Some("br")),
        (Some("gzip, deflate, br, zstd"), WASM_BR, Some("br")),
        (Some("gzip"), WASM_GZ, Some("gzip")),
        (Some("gzip, br;q=0"), WASM_GZ, Some("gzip")),
        (None, WASM, None),
        (Some("identity"), WASM, None),
        (Some("zstd"), WASM, None),
    ] {
        let a = get(s.addr, wasm, accept).await;
        assert_eq!(a.status, 200, "{accept:?}");
        assert_eq!(a.body, body, "{accept:?}");
        assert_eq!(a.encoding.as_deref(), encoding, "{accept:?}");
        assert_eq!(a.content_type, "application/wasm", "{accept:?}");
        assert_eq!(a.length, Some(body.len().to_string()), "{accept:?}");
        assert_eq!(a.vary.as_deref(), Some("accept-encoding"), "{accept:?}");
        assert_eq!(
            a.cache.as_deref(),
            Some("public, max-age=31536000, immutable"),
            "{accept:?}"
        );
    }

    // A file with only a gzip copy: brotli is not invented.
    let css = get(s.addr, "/assets/style-1.css", Some("br, gzip")).await;
    assert_eq!(
        (css.body.as_slice(), css.encoding.as_deref()),
        (b"css as gzip".as_slice(), Some("gzip"))
    );
    assert_eq!(css.content_type, "text/css");
    let css = get(s.addr, "/assets/style-1.css", Some("br")).await;
    assert_eq!(
        (css.body.as_slice(), css.encoding.as_deref()),
        (b"body { margin: 0 }".as_slice(), None)
    );

    // The page: compressed when it can be, never cached, on every app route.
    for path in ["/", "/b/0190f3c2-4d5e-7000-8000-000000000001", "/login"] {
        let a = get(s.addr, path, Some("gzip, br")).await;
        assert_eq!((a.status, a.body.as_slice()), (200, INDEX_BR), "{path}");
        assert_eq!(a.encoding.as_deref(), Some("br"));
        assert_eq!(a.content_type, "text/html; charset=utf-8");
        assert_eq!(a.cache.as_deref(), Some("no-cache"));
        assert_eq!(a.vary.as_deref(), Some("accept-encoding"));
        let a = get(s.addr, path, None).await;
        assert_eq!((a.body.as_slice(), a.encoding), (INDEX, None), "{path}");
        assert_eq!(a.length, Some(INDEX.len().to_string()));
    }
    // The service worker without copies: itself, whatever is accepted.
    let sw = get(s.addr, "/sw.js", Some("br, gzip")).await;
    assert_eq!(
        (sw.body.as_slice(), sw.encoding),
        (b"self.x = 1;".as_slice(), None)
    );
    assert_eq!(sw.content_type, "text/javascript");
    assert_eq!(sw.cache.as_deref(), Some("no-cache"));

    // Missing files stay missing, in any coding.
    for accept in [Some("br"), Some("gzip"), None] {
        assert_eq!(get(s.addr, "/assets/nope.wasm", accept).await.status, 404);
    }

    let _ = s.stop.send(());
    s.task.await.unwrap().unwrap();
    db.cleanup().await;
}
