//! Who may do what on a board. The server decides a connection's role from
//! its session (a membership or a share link), never from what the client
//! says; the browser is told its role only to hide controls it cannot use.

use serde::{Deserialize, Serialize};

/// A role on one board, weakest first (so `>=` compares rights).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Sees the live board, presence included; changes nothing.
    Viewer,
    /// A viewer who may comment. Comments are not a feature yet, so today a
    /// commenter changes nothing either.
    Commenter,
    /// Changes cards, stages, lanes, personas and curves.
    Editor,
    /// An editor who also manages members and share links and may delete
    /// the board.
    Owner,
}

impl Role {
    pub const ALL: [Role; 4] = [Role::Viewer, Role::Commenter, Role::Editor, Role::Owner];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Viewer => "viewer",
            Role::Commenter => "commenter",
            Role::Editor => "editor",
            Role::Owner => "owner",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == s)
    }

    /// May send ops that change the board.
    pub fn can_edit(self) -> bool {
        self >= Role::Editor
    }

    /// May manage members and links and delete the board.
    pub fn can_manage(self) -> bool {
        self == Role::Owner
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_rights_grow() {
        for r in Role::ALL {
            assert_eq!(Role::parse(r.as_str()), Some(r));
            assert_eq!(
                serde_json::to_string(&r).unwrap(),
                format!("\"{}\"", r.as_str())
            );
        }
        assert_eq!(Role::parse("admin"), None);
        assert!(!Role::Viewer.can_edit() && !Role::Commenter.can_edit());
        assert!(Role::Editor.can_edit() && !Role::Editor.can_manage());
        assert!(Role::Owner.can_edit() && Role::Owner.can_manage());
    }
}
