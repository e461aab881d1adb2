//! The machine codes of every refusal, one enum per family, shared by the
//! server that sends them and the clients that read them: a code the
//! server can send is a variant here, so the browser's translations are
//! checked by the compiler instead of by matching strings by hand.
//!
//! On the wire each is its snake_case name (`"rate_limited"`). A client
//! built before a code existed reads it as `Unknown` instead of failing the
//! whole message; the server never sends `Unknown`.

use serde::{Deserialize, Serialize};

macro_rules! code_enum {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident = $wire:literal,)* }) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
        #[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
        #[serde(rename_all = "snake_case")]
        pub enum $name {
            $($(#[$vmeta])* $variant,)*
            /// A code this build does not know (sent by a newer server).
            #[serde(other)]
            Unknown,
        }

        impl $name {
            /// Every code the server may send (`Unknown` excluded).
            pub const ALL: &'static [$name] = &[$($name::$variant,)*];

            /// The code as written on the wire.
            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $wire,)*
                    $name::Unknown => "unknown",
                }
            }
        }

        /// Compares with the wire name, as tests and logs read them.
        impl PartialEq<&str> for $name {
            fn eq(&self, other: &&str) -> bool {
                self.as_str() == *other
            }
        }

        impl PartialEq<str> for $name {
            fn eq(&self, other: &str) -> bool {
                self.as_str() == other
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

code_enum! {
    /// Why a `submit` changed nothing (`rejected.code`).
    RejectCode {
        /// An op names something that does not exist (maybe deleted by someone else).
        NotFound = "not_found",
        /// A create reuses an id that exists.
        AlreadyExists = "already_exists",
        /// A text, or an entity's texts together, is over its limit.
        TooLong = "too_long",
        /// The board would hold too many of something, or grow past its size.
        LimitReached = "limit_reached",
        /// A value is not acceptable, or the batch cannot be read.
        Invalid = "invalid",
        /// The connection's role may not do this.
        Forbidden = "forbidden",
        /// A batch with no ops or too many.
        BatchSize = "batch_size",
        /// Too many batches a second: send it again later, same `client_op_id`.
        RateLimited = "rate_limited",
        /// The server could not save: send it again.
        StorageError = "storage_error",
    }
}

code_enum! {
    /// Why a message could not be processed, or why the connection ends
    /// (`error.code`).
    ErrorCode {
        /// The message is not a protocol message.
        Malformed = "malformed",
        /// The message is over 1 MiB.
        TooLarge = "too_large",
        /// A binary frame.
        Unsupported = "unsupported",
        /// A second `hello`.
        AlreadyJoined = "already_joined",
        /// Something other than `hello` came first.
        HelloExpected = "hello_expected",
        /// The `hello`'s protocol version is not this server's.
        ProtocolMismatch = "protocol_mismatch",
        /// No such board, or no access to it.
        NotFound = "not_found",
        /// The board (or a dot) could not be loaded or saved: retry later.
        Unavailable = "unavailable",
        /// The board was deleted while connected.
        BoardDeleted = "board_deleted",
        /// The member was removed or the share link revoked or expired.
        AccessRevoked = "access_revoked",
        /// A presence out of bounds.
        InvalidPresence = "invalid_presence",
        /// Too many messages a second.
        RateLimited = "rate_limited",
        /// The connection's role may not do this (a viewer's `dot`).
        Forbidden = "forbidden",
        /// The `dot`'s vote is not the running one.
        VoteClosed = "vote_closed",
        /// The card is not in the vote, or there is no dot of yours to take back.
        NotInVote = "not_in_vote",
        /// All of this person's dots are placed.
        NoDotsLeft = "no_dots_left",
        /// The vote allows one dot per card.
        OnePerCard = "one_per_card",
    }
}

code_enum! {
    /// A REST refusal's `error.code` (docs/api.md).
    ApiErrorCode {
        NotFound = "not_found",
        BadRequest = "bad_request",
        TooLarge = "too_large",
        NotSignedIn = "not_signed_in",
        InvalidCredentials = "invalid_credentials",
        Forbidden = "forbidden",
        LinkInvalid = "link_invalid",
        WrongLinkPassword = "wrong_link_password",
        RateLimited = "rate_limited",
        TooManyAttempts = "too_many_attempts",
        UnknownHost = "unknown_host",
        CrossSite = "cross_site",
        Busy = "busy",
        Internal = "internal",
        Invalid = "invalid",
        InvalidQuery = "invalid_query",
        InvalidName = "invalid_name",
        InvalidTitle = "invalid_title",
        InvalidText = "invalid_text",
        InvalidNote = "invalid_note",
        InvalidEmail = "invalid_email",
        InvalidPassword = "invalid_password",
        InvalidRole = "invalid_role",
        InvalidExpiry = "invalid_expiry",
        InvalidBoard = "invalid_board",
        NameRequired = "name_required",
        WeakPassword = "weak_password",
        UnknownLocale = "unknown_locale",
        UnknownTemplate = "unknown_template",
        UnsupportedImage = "unsupported_image",
        BadMapping = "bad_mapping",
        QuotaExceeded = "quota_exceeded",
        StorageError = "storage_error",
        EmailTaken = "email_taken",
        AlreadyMember = "already_member",
        LastOwner = "last_owner",
        SoleOwner = "sole_owner",
        BoardChanged = "board_changed",
        AlreadyUndone = "already_undone",
        NoVersionBefore = "no_version_before",
        MalformedExport = "malformed_export",
        UnsupportedVersion = "unsupported_version",
        EmptyFile = "empty_file",
        FileTooLarge = "file_too_large",
        UnreadableFile = "unreadable_file",
        NothingToImport = "nothing_to_import",
        ImportInvalid = "import_invalid",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The `as_str` table and serde's snake_case agree, and each code is
    /// written once per family.
    #[test]
    fn wire_names_match_serde() {
        fn check<T: Serialize + for<'a> Deserialize<'a> + PartialEq + std::fmt::Debug + Copy>(
            all: &[T],
            name: impl Fn(T) -> &'static str,
        ) {
            let mut seen = std::collections::HashSet::new();
            for &c in all {
                let wire = serde_json::to_value(c).unwrap();
                assert_eq!(wire, name(c), "{c:?}");
                assert!(seen.insert(name(c)), "{} twice", name(c));
                assert_eq!(serde_json::from_value::<T>(wire).unwrap(), c);
            }
        }
        check(RejectCode::ALL, RejectCode::as_str);
        check(ErrorCode::ALL, ErrorCode::as_str);
        check(ApiErrorCode::ALL, ApiErrorCode::as_str);
    }

    #[test]
    fn an_unknown_code_reads_as_unknown() {
        let c: RejectCode = serde_json::from_str("\"from_the_future\"").unwrap();
        assert_eq!(c, RejectCode::Unknown);
        let c: ApiErrorCode = serde_json::from_str("\"from_the_future\"").unwrap();
        assert_eq!(c, ApiErrorCode::Unknown);
    }
}
