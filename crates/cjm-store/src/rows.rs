//! Database rows and their conversion to domain entities. Enum-like columns
//! are stored as the same snake_case strings the protocol uses.

use cjm_core::*;
use sqlx::types::Json;
use uuid::Uuid;

use crate::StoreError;

#[derive(sqlx::FromRow)]
pub(crate) struct StageRow {
    pub id: Uuid,
    pub name: String,
    pub description: String,
    pub ord: String,
    pub metrics: Json<Vec<StageMetric>>,
}

#[derive(sqlx::FromRow)]
pub(crate) struct LaneRow {
    pub id: Uuid,
    pub name: String,
    pub kind: String,
    pub ord: String,
}

#[derive(sqlx::FromRow)]
pub(crate) struct PersonaRow {
    pub id: Uuid,
    pub name: String,
    pub ord: String,
    pub color: String,
    pub avatar_url: Option<String>,
    pub age: Option<i32>,
    pub role: String,
    pub quote: String,
    pub goals: String,
    pub needs: String,
    pub pains: String,
    pub fears: String,
    pub expectations: String,
    pub about: String,
}

#[derive(sqlx::FromRow)]
pub(crate) struct CardRow {
    pub id: Uuid,
    pub stage_id: Uuid,
    pub lane_id: Uuid,
    pub ord: String,
    pub text: String,
    pub color: String,
    pub persona_id: Option<Uuid>,
    pub channel: Option<String>,
    pub evidence: Json<Vec<Evidence>>,
    pub opportunity: Option<Json<Opportunity>>,
    pub updated_at: i64,
}

#[derive(sqlx::FromRow)]
pub(crate) struct EmotionRow {
    pub persona_id: Uuid,
    pub stage_id: Uuid,
    pub curve: String,
    pub score: i32,
}

#[derive(sqlx::FromRow)]
pub(crate) struct OpRow {
    pub seq: i64,
    pub actor: String,
    pub client_op_id: Uuid,
    pub ops: Json<Vec<Op>>,
    pub at: i64,
}

fn corrupt(table: &'static str, detail: impl Into<String>) -> StoreError {
    StoreError::Corrupt {
        table,
        detail: detail.into(),
    }
}

fn order(table: &'static str, s: &str) -> Result<OrderKey, StoreError> {
    OrderKey::parse(s).ok_or_else(|| corrupt(table, format!("bad order key {s:?}")))
}

fn color(table: &'static str, s: &str) -> Result<Color, StoreError> {
    Color::parse(s).ok_or_else(|| corrupt(table, format!("bad colour {s:?}")))
}

/// Serialises a unit enum to the string stored in its column.
pub(crate) fn enum_str<T: serde::Serialize>(v: &T) -> String {
    match serde_json::to_value(v) {
        Ok(serde_json::Value::String(s)) => s,
        _ => unreachable!("unit enums serialise to strings"),
    }
}

fn parse_enum<T: serde::de::DeserializeOwned>(
    table: &'static str,
    s: &str,
) -> Result<T, StoreError> {
    serde_json::from_value(serde_json::Value::String(s.to_owned()))
        .map_err(|_| corrupt(table, format!("unknown value {s:?}")))
}

impl StageRow {
    pub fn into_stage(self) -> Result<Stage, StoreError> {
        Ok(Stage {
            id: StageId(self.id),
            order: order("stages", &self.ord)?,
            name: self.name,
            description: self.description,
            metrics: self.metrics.0,
        })
    }
}

impl LaneRow {
    pub fn into_lane(self) -> Result<Lane, StoreError> {
        Ok(Lane {
            id: LaneId(self.id),
            kind: LaneKind::parse(&self.kind)
                .ok_or_else(|| corrupt("lanes", format!("bad kind {:?}", self.kind)))?,
            order: order("lanes", &self.ord)?,
            name: self.name,
        })
    }
}

impl PersonaRow {
    pub fn into_persona(self) -> Result<Persona, StoreError> {
        Ok(Persona {
            id: PersonaId(self.id),
            order: order("personas", &self.ord)?,
            color: color("personas", &self.color)?,
            age: self.age.and_then(|a| u16::try_from(a).ok()),
            name: self.name,
            avatar_url: self.avatar_url,
            role: self.role,
            quote: self.quote,
            goals: self.goals,
            needs: self.needs,
            pains: self.pains,
            fears: self.fears,
            expectations: self.expectations,
            about: self.about,
        })
    }
}

impl CardRow {
    pub fn into_card(self) -> Result<Card, StoreError> {
        Ok(Card {
            id: CardId(self.id),
            stage_id: StageId(self.stage_id),
            lane_id: LaneId(self.lane_id),
            order: order("cards", &self.ord)?,
            color: color("cards", &self.color)?,
            channel: self
                .channel
                .as_deref()
                .map(|c| parse_enum("cards", c))
                .transpose()?,
            text: self.text,
            persona_id: self.persona_id.map(PersonaId),
            evidence: self.evidence.0,
            opportunity: self.opportunity.map(|o| o.0),
            updated_at: self.updated_at,
        })
    }
}

impl EmotionRow {
    pub fn into_point(self) -> Result<EmotionPoint, StoreError> {
        Ok(EmotionPoint {
            persona_id: PersonaId(self.persona_id),
            stage_id: StageId(self.stage_id),
            curve: Curve::parse(&self.curve)
                .ok_or_else(|| corrupt("emotion_points", format!("curve {:?}", self.curve)))?,
            score: i8::try_from(self.score)
                .map_err(|_| corrupt("emotion_points", format!("score {}", self.score)))?,
        })
    }
}

impl OpRow {
    pub fn into_applied(self) -> protocol::Applied {
        protocol::Applied {
            seq: self.seq as u64,
            actor: self.actor,
            client_op_id: ClientOpId(self.client_op_id),
            at: self.at,
            ops: self.ops.0,
        }
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct UserRow {
    pub id: Uuid,
    pub email: String,
    pub name: String,
    pub password_hash: String,
    pub is_admin: bool,
    pub created_at: i64,
}

impl From<UserRow> for crate::User {
    fn from(r: UserRow) -> Self {
        crate::User {
            id: r.id,
            email: r.email,
            name: r.name,
            password_hash: r.password_hash,
            is_admin: r.is_admin,
            created_at: r.created_at,
        }
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct LinkRow {
    pub id: Uuid,
    pub board_id: Uuid,
    pub role: String,
    pub password_hash: Option<String>,
    pub expires_at: Option<i64>,
    pub created_by: Uuid,
    pub created_at: i64,
    pub last_used_at: Option<i64>,
}

impl LinkRow {
    /// `None` for a role this version does not know (a newer server wrote it).
    pub fn into_link(self) -> Option<crate::ShareLink> {
        Some(crate::ShareLink {
            id: self.id,
            board: cjm_core::BoardId(self.board_id),
            role: cjm_core::Role::parse(&self.role)?,
            password_hash: self.password_hash,
            expires_at: self.expires_at,
            created_by: self.created_by,
            created_at: self.created_at,
            last_used_at: self.last_used_at,
        })
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct GuestRow {
    #[sqlx(flatten)]
    pub link: LinkRow,
    pub guest_id: Uuid,
    pub name: String,
}

/// A row of `imports`.
#[derive(sqlx::FromRow)]
pub(crate) struct ImportRow {
    pub id: uuid::Uuid,
    pub board_id: uuid::Uuid,
    pub actor: String,
    pub file_name: String,
    pub created_at: i64,
    pub seq: i64,
    pub row_count: i64,
    pub card_count: i64,
    pub evidence_count: i64,
    pub undo: Json<serde_json::Value>,
    pub undone_at: Option<i64>,
}

impl ImportRow {
    pub(crate) fn into_import(self) -> crate::Import {
        crate::Import {
            id: self.id,
            board: cjm_core::BoardId(self.board_id),
            actor: self.actor,
            file_name: self.file_name,
            created_at: self.created_at,
            seq: self.seq.max(0) as u64,
            rows: self.row_count.max(0) as u64,
            cards: self.card_count.max(0) as u64,
            evidence: self.evidence_count.max(0) as u64,
            undo: self.undo.0,
            undone_at: self.undone_at,
        }
    }
}

/// A row of `versions`, without its board.
#[derive(sqlx::FromRow)]
pub(crate) struct VersionRow {
    pub id: uuid::Uuid,
    pub board_id: uuid::Uuid,
    pub seq: i64,
    pub name: String,
    pub note: String,
    pub auto: bool,
    pub actor: String,
    pub actor_name: String,
    pub created_at: i64,
}

/// A row of `versions` with its board.
#[derive(sqlx::FromRow)]
pub(crate) struct VersionWithBoard {
    #[sqlx(flatten)]
    pub version: VersionRow,
    pub board: Json<Board>,
}

impl VersionRow {
    pub(crate) fn into_version(self) -> crate::Version {
        crate::Version {
            id: self.id,
            board: cjm_core::BoardId(self.board_id),
            seq: self.seq.max(0) as u64,
            name: self.name,
            note: self.note,
            auto: self.auto,
            actor: self.actor,
            actor_name: self.actor_name,
            created_at: self.created_at,
        }
    }
}
