//! Test support: a fresh, uniquely named Postgres database per test, so
//! tests run in parallel against the real server and never see each other.

use sqlx::{Connection, PgConnection};

use crate::StoreError;

/// Where tests find Postgres: `CJM_TEST_PG` or the local trust-auth server.
pub fn pg_base_url() -> String {
    std::env::var("CJM_TEST_PG").unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432".into())
}

pub struct TestPgDb {
    pub url: String,
    name: String,
}

impl TestPgDb {
    /// Creates `cjm_test_<uuid>`. Fails with the command that starts
    /// Postgres when none is reachable: tests never skip silently.
    pub async fn create() -> Result<Self, StoreError> {
        let base = pg_base_url();
        let mut admin = PgConnection::connect(&format!("{base}/postgres"))
            .await
            .map_err(|e| {
                StoreError::Config(format!(
                    "Postgres is not reachable at {base} ({e}). Start it with: \
                 pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start"
                ))
            })?;
        let name = format!("cjm_test_{}", uuid::Uuid::now_v7().simple());
        sqlx::query(&format!("CREATE DATABASE {name}"))
            .execute(&mut admin)
            .await?;
        Ok(Self {
            url: format!("{base}/{name}"),
            name,
        })
    }

    pub async fn drop_db(self) -> Result<(), StoreError> {
        let mut admin = PgConnection::connect(&format!("{}/postgres", pg_base_url())).await?;
        sqlx::query(&format!(
            "DROP DATABASE IF EXISTS {} WITH (FORCE)",
            self.name
        ))
        .execute(&mut admin)
        .await?;
        Ok(())
    }
}
