//! Accounts end to end on the real server: sign-up rules, sessions in an
//! HttpOnly cookie, sign-out and password change ending sessions, sign-in
//! limits, and the `cjm user` command line; on SQLite and on Postgres.

#[macro_use]
mod common;

use common::{Db, TestServer};
use reqwest::StatusCode;
use serde_json::{Value, json};

const PASSWORD: &str = "journey maps at dawn";

struct Api<'a> {
    server: &'a TestServer,
    http: reqwest::Client,
}

/// A response, with its session cookie (if one was set) and JSON body.
struct Res {
    status: StatusCode,
    set_cookie: Option<String>,
    headers: reqwest::header::HeaderMap,
    body: Value,
}

impl Res {
    /// The token of a `cjm_session=` cookie (empty when it is being removed).
    fn token(&self) -> Option<String> {
        let c = self.set_cookie.as_ref()?;
        let v = c.strip_prefix("cjm_session=")?.split(';').next()?;
        Some(v.to_string())
    }
}

impl<'a> Api<'a> {
    fn new(server: &'a TestServer) -> Self {
        Self {
            server,
            http: reqwest::Client::new(),
        }
    }

    async fn call(
        &self,
        method: &str,
        path: &str,
        body: Option<Value>,
        token: Option<&str>,
    ) -> Res {
        let mut req = self
            .http
            .request(method.parse().unwrap(), self.server.url(path));
        if let Some(t) = token {
            req = req.header("cookie", format!("other=1; cjm_session={t}"));
        }
        if let Some(b) = body {
            req = req.json(&b);
        }
        let res = req.send().await.unwrap();
        let status = res.status();
        let headers = res.headers().clone();
        let set_cookie = headers
            .get("set-cookie")
            .map(|v| v.to_str().unwrap().to_string());
        let text = res.text().await.unwrap();
        let body = if text.is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&text).unwrap()
        };
        Res {
            status,
            set_cookie,
            headers,
            body,
        }
    }

    async fn signup(&self, email: &str, password: &str) -> Res {
        self.call(
            "POST",
            "/api/auth/signup",
            Some(json!({"email": email, "password": password, "name": ""})),
            None,
        )
        .await
    }

    async fn login(&self, email: &str, password: &str) -> Res {
        self.call(
            "POST",
            "/api/auth/login",
            Some(json!({"email": email, "password": password})),
            None,
        )
        .await
    }

    async fn me(&self, token: &str) -> Res {
        self.call("GET", "/api/auth/me", None, Some(token)).await
    }
}

async fn test_sign_up_rules_and_the_first_admin(backend: &str) {
    let db = Db::new(backend).await;
    let server = TestServer::start(&db).await;
    let api = Api::new(&server);

    let anna = api.signup("  Anna@Example.com ", PASSWORD).await;
    assert_eq!(anna.status, 201, "{}", anna.body);
    assert_eq!(anna.body["user"]["email"], "anna@example.com");
    assert_eq!(anna.body["user"]["name"], "anna");
    assert_eq!(
        anna.body["user"]["is_admin"], true,
        "the first account is the admin"
    );
    assert!(anna.body["user"].get("password_hash").is_none());
    let cookie = anna.set_cookie.clone().unwrap();
    for part in ["HttpOnly", "SameSite=Lax", "Path=/", "Max-Age="] {
        assert!(cookie.contains(part), "{cookie}");
    }
    assert!(
        !cookie.contains("Secure"),
        "plain http, not configured: {cookie}"
    );
    let me = api.me(&anna.token().unwrap()).await;
    assert_eq!(me.body["user"]["email"], "anna@example.com");

    let boris = api.signup("boris@example.com", PASSWORD).await;
    assert_eq!(boris.body["user"]["is_admin"], false);

    for (email, password, status, code) in [
        ("anna@example.com", PASSWORD, 409, "email_taken"),
        ("ANNA@example.com", PASSWORD, 409, "email_taken"),
        ("not-an-email", PASSWORD, 422, "invalid_email"),
        ("vera@example.com", "short", 422, "weak_password"),
        ("vera@example.com", "password123", 422, "weak_password"),
        ("vera@example.com", "qwertyuiop", 422, "weak_password"),
    ] {
        let res = api.signup(email, password).await;
        assert_eq!(res.status, status, "{email} / {password}: {}", res.body);
        assert_eq!(res.body["error"]["code"], code);
        assert!(res.set_cookie.is_none());
    }
    // A proxy's word that the request came over https is not believed
    // unless the server is told to trust its proxy.
    let res = api
        .http
        .post(server.url("/api/auth/login"))
        .header("x-forwarded-proto", "https")
        .json(&json!({"email": "boris@example.com", "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    let cookie = res.headers()["set-cookie"].to_str().unwrap().to_string();
    assert!(cookie.starts_with("cjm_session=") && !cookie.contains("Secure"));
    let proxied = TestServer::start_with(
        &db,
        cjm_server::state::Options {
            trust_proxy: true,
            ..Default::default()
        },
    )
    .await;
    let res = api
        .http
        .post(proxied.url("/api/auth/login"))
        .header("x-forwarded-proto", "https")
        .json(&json!({"email": "boris@example.com", "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    // Over https the cookie is Secure and `__Host-` prefixed, and the
    // browser is told to stay on https.
    let cookie = res.headers()["set-cookie"].to_str().unwrap().to_string();
    assert!(
        cookie.starts_with("__Host-cjm_session=") && cookie.contains("; Secure"),
        "{cookie}"
    );
    assert_eq!(
        res.headers()["strict-transport-security"],
        "max-age=31536000"
    );
    let session = cookie.split(';').next().unwrap().to_string();
    let me = api
        .http
        .get(proxied.url("/api/auth/me"))
        .header("x-forwarded-proto", "https")
        .header("cookie", &session)
        .send()
        .await
        .unwrap();
    assert_eq!(me.status(), 200, "the prefixed cookie is read back");
    proxied.stop().await;

    let anon = api.call("GET", "/api/auth/me", None, None).await;
    assert_eq!(anon.status, 401);
    assert_eq!(anon.body["error"]["code"], "not_signed_in");
    let forged = api.me("0".repeat(64).as_str()).await;
    assert_eq!(forged.status, 401);
    server.stop().await;
    db.cleanup().await;
}

async fn test_sessions_end_on_sign_out_and_password_change(backend: &str) {
    let db = Db::new(backend).await;
    let server = TestServer::start(&db).await;
    let api = Api::new(&server);
    api.signup("anna@example.com", PASSWORD).await;

    for (email, password) in [
        ("anna@example.com", "wrong password!"),
        ("nobody@example.com", PASSWORD),
    ] {
        let res = api.login(email, password).await;
        assert_eq!(res.status, 401);
        assert_eq!(res.body["error"]["code"], "invalid_credentials");
        assert_eq!(
            res.body["error"]["message"], "wrong email or password",
            "no hint which one"
        );
    }
    let laptop = api
        .login("anna@example.com", PASSWORD)
        .await
        .token()
        .unwrap();
    let phone = api
        .login("ANNA@example.com", PASSWORD)
        .await
        .token()
        .unwrap();
    assert_ne!(laptop, phone);
    assert_eq!(api.me(&laptop).await.status, 200);

    // Sign-out ends this session only, and tells the browser to drop it.
    let out = api
        .call("POST", "/api/auth/logout", None, Some(&laptop))
        .await;
    assert_eq!(out.status, 204);
    assert!(out.set_cookie.unwrap().contains("Max-Age=0"));
    assert_eq!(api.me(&laptop).await.status, 401);
    assert_eq!(api.me(&phone).await.status, 200);

    // A password change ends every session; the changing browser gets a new one.
    let wrong = api
        .call(
            "POST",
            "/api/auth/password",
            Some(json!({"current": "nope nope nope", "new": "a brand new phrase"})),
            Some(&phone),
        )
        .await;
    assert_eq!(wrong.status, 401);
    let weak = api
        .call(
            "POST",
            "/api/auth/password",
            Some(json!({"current": PASSWORD, "new": "1234567890"})),
            Some(&phone),
        )
        .await;
    assert_eq!(weak.body["error"]["code"], "weak_password");
    let tablet = api
        .login("anna@example.com", PASSWORD)
        .await
        .token()
        .unwrap();
    let changed = api
        .call(
            "POST",
            "/api/auth/password",
            Some(json!({"current": PASSWORD, "new": "a brand new phrase"})),
            Some(&phone),
        )
        .await;
    assert_eq!(changed.status, 200, "{}", changed.body);
    let fresh = changed.token().unwrap();
    assert_eq!(api.me(&tablet).await.status, 401, "other sessions end");
    assert_eq!(api.me(&phone).await.status, 401, "the old one too");
    assert_eq!(api.me(&fresh).await.status, 200);
    assert_eq!(api.login("anna@example.com", PASSWORD).await.status, 401);
    assert_eq!(
        api.login("anna@example.com", "a brand new phrase")
            .await
            .status,
        200
    );
    server.stop().await;
    db.cleanup().await;
}

async fn test_failed_sign_ins_are_limited(backend: &str) {
    let db = Db::new(backend).await;
    let server = TestServer::start(&db).await;
    let api = Api::new(&server);
    api.signup("anna@example.com", PASSWORD).await;
    for _ in 0..10 {
        assert_eq!(
            api.login("anna@example.com", "not the password")
                .await
                .status,
            401
        );
    }
    // Now even the right password waits: the account is being guessed.
    let res = api.login("anna@example.com", PASSWORD).await;
    assert_eq!(res.status, 429);
    assert_eq!(res.body["error"]["code"], "too_many_attempts");
    assert!(
        res.body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("try again in")
    );
    let retry: u64 = res.headers["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=900).contains(&retry));
    // Another account is not affected.
    api.signup("boris@example.com", PASSWORD).await;
    assert_eq!(api.login("boris@example.com", PASSWORD).await.status, 200);
    server.stop().await;
    db.cleanup().await;
}

/// `cjm user create` and `cjm user reset-password` against the database a
/// running server uses.
async fn test_the_command_line_manages_accounts(backend: &str) {
    let db = Db::new(backend).await;
    let cli = |args: &[&str], password: &str| {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_cjm"))
            .arg("user")
            .args(args)
            .args(["--database-url", &db.url()])
            .env("CJM_PASSWORD", password)
            .env("RUST_LOG", "warn")
            .output()
            .unwrap();
        (
            out.status.success(),
            String::from_utf8_lossy(&out.stdout).to_string()
                + &String::from_utf8_lossy(&out.stderr),
        )
    };
    let (ok, out) = cli(
        &["create", "--email", "Admin@Example.com", "--name", "Admin"],
        PASSWORD,
    );
    assert!(ok, "{out}");
    assert!(
        out.contains("admin@example.com") && out.contains("admin"),
        "{out}"
    );
    let (ok, out) = cli(&["create", "--email", "weak@example.com"], "12345");
    assert!(!ok && out.contains("at least"), "{out}");
    let (ok, _) = cli(&["create", "--email", "admin@example.com"], PASSWORD);
    assert!(!ok, "a second account with the same email");

    let server = TestServer::start(&db).await;
    let api = Api::new(&server);
    let session = api.login("admin@example.com", PASSWORD).await;
    assert_eq!(session.status, 200);
    assert_eq!(session.body["user"]["is_admin"], true);
    let token = session.token().unwrap();

    let (ok, out) = cli(
        &["reset-password", "--email", "admin@example.com"],
        "another long phrase",
    );
    assert!(ok, "{out}");
    assert_eq!(api.me(&token).await.status, 401, "the reset ends sessions");
    assert_eq!(
        api.login("admin@example.com", "another long phrase")
            .await
            .status,
        200
    );
    let (ok, out) = cli(
        &["reset-password", "--email", "ghost@example.com"],
        PASSWORD,
    );
    assert!(!ok && out.contains("no account"), "{out}");
    server.stop().await;
    db.cleanup().await;
}

on_both_stores!(current_thread:
    test_sign_up_rules_and_the_first_admin,
    test_sessions_end_on_sign_out_and_password_change,
    test_failed_sign_ins_are_limited,
    test_the_command_line_manages_accounts,
);
