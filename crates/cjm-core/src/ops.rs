//! Ops: the only way a board changes. A client groups ops into a `Batch`
//! that applies all-or-nothing and is identified by its `client_op_id`.
//!
//! Updates carry only the fields they change (`*Patch`), which is what makes
//! conflicts per-field last-writer-wins: two people editing the text and the
//! colour of one card at once both win.

use serde::{Deserialize, Deserializer, Serialize};

use crate::comments::{NewComment, ReactionTarget};
use crate::ids::{CardId, ClientOpId, CommentId, LaneId, PersonaId, StageId, VoteId};
use crate::model::{
    Card, Channel, Color, Curve, Evidence, Lane, LaneKind, Opportunity, Persona, Stage, StageMetric,
};
use crate::order::OrderKey;
use crate::workshop::VoteResults;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Batch {
    pub client_op_id: ClientOpId,
    pub ops: Vec<Op>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum Op {
    SetBoardTitle {
        title: String,
    },
    /// Turns quiet brainstorming on or off (see `Board::quiet`).
    SetQuiet {
        on: bool,
    },

    CreateStage(Stage),
    UpdateStage {
        id: StageId,
        #[serde(flatten)]
        patch: StagePatch,
    },
    MoveStage {
        id: StageId,
        order: OrderKey,
    },
    /// Also deletes the stage's cards and emotion points.
    DeleteStage {
        id: StageId,
    },

    CreateLane(Lane),
    UpdateLane {
        id: LaneId,
        #[serde(flatten)]
        patch: LanePatch,
    },
    MoveLane {
        id: LaneId,
        order: OrderKey,
    },
    /// Also deletes the lane's cards.
    DeleteLane {
        id: LaneId,
    },

    CreateCard(Card),
    UpdateCard {
        id: CardId,
        #[serde(flatten)]
        patch: CardPatch,
    },
    /// To another cell and/or another position in a cell.
    MoveCard {
        id: CardId,
        stage_id: StageId,
        lane_id: LaneId,
        order: OrderKey,
    },
    DeleteCard {
        id: CardId,
    },

    CreatePersona(Persona),
    UpdatePersona {
        id: PersonaId,
        #[serde(flatten)]
        patch: PersonaPatch,
    },
    MovePersona {
        id: PersonaId,
        order: OrderKey,
    },
    /// Also untags its cards and deletes its emotion points.
    DeletePersona {
        id: PersonaId,
    },

    /// `score: null` clears the point.
    SetEmotion {
        persona_id: PersonaId,
        stage_id: StageId,
        #[serde(default)]
        curve: Curve,
        score: Option<i8>,
    },

    /// A new thread (no `parent`) or a reply. The author is the batch's
    /// actor; the server fills in `author_name`.
    AddComment(NewComment),
    /// Only by its author. `mentions` absent: unchanged.
    EditComment {
        id: CommentId,
        text: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        mentions: Option<Vec<uuid::Uuid>>,
    },
    /// Only by its author; a thread's first comment takes its replies along.
    DeleteComment {
        id: CommentId,
    },
    /// Marks a thread dealt with (or open again).
    ResolveComment {
        id: CommentId,
        resolved: bool,
    },
    /// Adds (`add: true`) or takes back the actor's `emoji` on a card or a
    /// comment (one of `REACTIONS`).
    React {
        target: ReactionTarget,
        emoji: String,
        add: bool,
    },

    /// Sets the workshop timer running for `duration_ms` (1 s to 24 h),
    /// replacing any timer.
    StartTimer {
        duration_ms: i64,
    },
    /// Stops the countdown where it is.
    PauseTimer,
    /// Runs a paused timer on from where it stopped.
    ResumeTimer,
    /// Adds `ms` (1 s to 1 h) to the timer, running or not (a timer that
    /// already reached zero runs again for `ms`).
    ExtendTimer {
        ms: i64,
    },
    /// Removes the timer.
    StopTimer,

    /// Starts a dot vote (replacing any vote, its dots included). Dots are
    /// placed with the `dot` message, not with ops.
    StartVote {
        id: VoteId,
        #[serde(default)]
        lanes: Vec<LaneId>,
        #[serde(default)]
        stages: Vec<StageId>,
        dots_per_person: u8,
        #[serde(default)]
        several_per_card: bool,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        ends_at: Option<i64>,
        #[serde(default)]
        anonymous: bool,
    },
    /// Ends the voting and shows everyone the results. The server fills in
    /// `results` from the dots it holds (what a client sends is replaced).
    RevealVote {
        id: VoteId,
        #[serde(default)]
        results: VoteResults,
    },
    /// Closes the vote; `keep`: its revealed dots stay on the cards as a
    /// badge (replacing badges kept before).
    EndVote {
        id: VoteId,
        #[serde(default)]
        keep: bool,
    },
    /// Takes the kept vote badges off the cards.
    ClearVoteBadges,
}

impl Op {
    /// Comments and reactions: what a commenter may send (and a batch of
    /// only these is not an edit of the map: nothing to undo).
    pub fn is_conversation(&self) -> bool {
        matches!(
            self,
            Op::AddComment(_)
                | Op::EditComment { .. }
                | Op::DeleteComment { .. }
                | Op::ResolveComment { .. }
                | Op::React { .. }
        )
    }
}

/// Reads a present-but-null field as `Some(None)`, an absent one as `None`.
fn nullable<'de, T: Deserialize<'de>, D: Deserializer<'de>>(
    d: D,
) -> Result<Option<Option<T>>, D::Error> {
    Option::<T>::deserialize(d).map(Some)
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct StagePatch {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Replaces the whole list.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metrics: Option<Vec<StageMetric>>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct LanePatch {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<LaneKind>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct CardPatch {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub color: Option<Color>,
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "Option::is_none"
    )]
    pub persona_id: Option<Option<PersonaId>>,
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "Option::is_none"
    )]
    pub channel: Option<Option<Channel>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub evidence: Option<Vec<Evidence>>,
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "Option::is_none"
    )]
    pub opportunity: Option<Option<Opportunity>>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct PersonaPatch {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub color: Option<Color>,
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "Option::is_none"
    )]
    pub avatar_url: Option<Option<String>>,
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "Option::is_none"
    )]
    pub age: Option<Option<u16>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quote: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub goals: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub needs: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pains: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fears: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expectations: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub about: Option<String>,
}

impl Batch {
    pub fn new(ops: Vec<Op>) -> Self {
        Self {
            client_op_id: ClientOpId::new(),
            ops,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patch_distinguishes_absent_from_null() {
        let op: Op = serde_json::from_str(
            r#"{"op":"update_card","id":"0192f0c8-0000-7000-8000-000000000001","persona_id":null}"#,
        )
        .unwrap();
        let Op::UpdateCard { patch, .. } = op else {
            panic!("wrong op")
        };
        assert_eq!(patch.persona_id, Some(None));
        assert_eq!(patch.text, None);
        assert_eq!(patch.channel, None);
    }

    #[test]
    fn ops_round_trip_through_json() {
        let op = Op::MoveCard {
            id: CardId::new(),
            stage_id: StageId::new(),
            lane_id: LaneId::new(),
            order: OrderKey::first(),
        };
        let json = serde_json::to_string(&op).unwrap();
        assert!(json.contains(r#""op":"move_card""#), "{json}");
        assert_eq!(serde_json::from_str::<Op>(&json).unwrap(), op);
    }
}
