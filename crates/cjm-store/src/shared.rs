//! The `Store` implementation shared by both backends. Every statement here
//! runs unchanged on SQLite and Postgres; `impl_store!` instantiates the
//! code for one backend's pool and transaction types.

macro_rules! impl_store {
    ($store:ty, $db:ty, $backend:literal, notify: $notify:literal $(, { $($extra:tt)* })?) => {
        impl $store {
            /// Writes the current value of one touched entity.
            async fn write_change(
                tx: &mut sqlx::Transaction<'_, $db>,
                board: &cjm_core::Board,
                change: &cjm_core::Change,
                now: i64,
            ) -> Result<(), $crate::StoreError> {
                use cjm_core::Change;
                let b = board.id.0;
                match change {
                    Change::Board => {
                        sqlx::query("UPDATE boards SET title = $2, quiet = $3 WHERE id = $1")
                            .bind(b)
                            .bind(&board.title)
                            .bind(board.quiet)
                            .execute(&mut **tx)
                            .await?;
                    }
                    Change::Stage(id) => match board.stages.get(id) {
                        Some(s) => {
                            sqlx::query(
                                "INSERT INTO stages (board_id, id, name, description, ord, metrics)
                                 VALUES ($1, $2, $3, $4, $5, $6)
                                 ON CONFLICT (board_id, id) DO UPDATE SET name = excluded.name,
                                   description = excluded.description, ord = excluded.ord,
                                   metrics = excluded.metrics, deleted_at = NULL",
                            )
                            .bind(b)
                            .bind(s.id.0)
                            .bind(&s.name)
                            .bind(&s.description)
                            .bind(s.order.as_str())
                            .bind(sqlx::types::Json(&s.metrics))
                            .execute(&mut **tx)
                            .await?;
                        }
                        None => Self::soft_delete(tx, "stages", b, id.0, now).await?,
                    },
                    Change::Lane(id) => match board.lanes.get(id) {
                        Some(l) => {
                            sqlx::query(
                                "INSERT INTO lanes (board_id, id, name, kind, ord)
                                 VALUES ($1, $2, $3, $4, $5)
                                 ON CONFLICT (board_id, id) DO UPDATE SET name = excluded.name,
                                   kind = excluded.kind, ord = excluded.ord, deleted_at = NULL",
                            )
                            .bind(b)
                            .bind(l.id.0)
                            .bind(&l.name)
                            .bind(l.kind.as_str())
                            .bind(l.order.as_str())
                            .execute(&mut **tx)
                            .await?;
                        }
                        None => Self::soft_delete(tx, "lanes", b, id.0, now).await?,
                    },
                    Change::Card(id) => match board.cards.get(id) {
                        Some(c) => Self::upsert_cards(tx, b, &[c]).await?,
                        None => Self::soft_delete(tx, "cards", b, id.0, now).await?,
                    },
                    Change::Persona(id) => match board.personas.get(id) {
                        Some(p) => {
                            sqlx::query(
                                "INSERT INTO personas (board_id, id, name, ord, color, avatar_url, age,
                                   role, quote, goals, needs, pains, fears, expectations, about)
                                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)
                                 ON CONFLICT (board_id, id) DO UPDATE SET name = excluded.name,
                                   ord = excluded.ord, color = excluded.color,
                                   avatar_url = excluded.avatar_url, age = excluded.age,
                                   role = excluded.role, quote = excluded.quote, goals = excluded.goals,
                                   needs = excluded.needs, pains = excluded.pains, fears = excluded.fears,
                                   expectations = excluded.expectations, about = excluded.about,
                                   deleted_at = NULL",
                            )
                            .bind(b)
                            .bind(p.id.0)
                            .bind(&p.name)
                            .bind(p.order.as_str())
                            .bind(p.color.as_str())
                            .bind(&p.avatar_url)
                            .bind(p.age.map(i32::from))
                            .bind(&p.role)
                            .bind(&p.quote)
                            .bind(&p.goals)
                            .bind(&p.needs)
                            .bind(&p.pains)
                            .bind(&p.fears)
                            .bind(&p.expectations)
                            .bind(&p.about)
                            .execute(&mut **tx)
                            .await?;
                        }
                        None => Self::soft_delete(tx, "personas", b, id.0, now).await?,
                    },
                    Change::Emotion(p, s, c) => match board.emotion(*p, *s, *c) {
                        Some(score) => {
                            sqlx::query(
                                "INSERT INTO emotion_points (board_id, persona_id, stage_id, curve, score)
                                 VALUES ($1, $2, $3, $4, $5)
                                 ON CONFLICT (board_id, persona_id, stage_id, curve)
                                 DO UPDATE SET score = excluded.score",
                            )
                            .bind(b)
                            .bind(p.0)
                            .bind(s.0)
                            .bind(c.as_str())
                            .bind(i32::from(score))
                            .execute(&mut **tx)
                            .await?;
                        }
                        None => {
                            sqlx::query(
                                "DELETE FROM emotion_points
                                 WHERE board_id = $1 AND persona_id = $2 AND stage_id = $3
                                   AND curve = $4",
                            )
                            .bind(b)
                            .bind(p.0)
                            .bind(s.0)
                            .bind(c.as_str())
                            .execute(&mut **tx)
                            .await?;
                        }
                    },
                    Change::Comment(id) => Self::write_comment(tx, b, *id, board.comments.get(id)).await?,
                    Change::Vote => {
                        sqlx::query("UPDATE boards SET vote = $2 WHERE id = $1")
                            .bind(b)
                            .bind(board.vote.as_ref().map(sqlx::types::Json))
                            .execute(&mut **tx)
                            .await?;
                    }
                    Change::CardVotes => {
                        let kept = (!board.card_votes.is_empty()).then_some(&board.card_votes);
                        sqlx::query("UPDATE boards SET card_votes = $2 WHERE id = $1")
                            .bind(b)
                            .bind(kept.map(sqlx::types::Json))
                            .execute(&mut **tx)
                            .await?;
                    }
                    Change::Timer => {
                        sqlx::query("UPDATE boards SET timer = $2 WHERE id = $1")
                            .bind(b)
                            .bind(board.timer.map(sqlx::types::Json))
                            .execute(&mut **tx)
                            .await?;
                    }
                    Change::CardReactions(id) => match board.card_reactions.get(id) {
                        Some(r) => {
                            sqlx::query(
                                "INSERT INTO card_reactions (board_id, card_id, body) VALUES ($1, $2, $3)
                                 ON CONFLICT (board_id, card_id) DO UPDATE SET body = excluded.body",
                            )
                            .bind(b)
                            .bind(id.0)
                            .bind(sqlx::types::Json(r))
                            .execute(&mut **tx)
                            .await?;
                        }
                        None => {
                            sqlx::query("DELETE FROM card_reactions WHERE board_id = $1 AND card_id = $2")
                                .bind(b)
                                .bind(id.0)
                                .execute(&mut **tx)
                                .await?;
                        }
                    },
                }
                Ok(())
            }

            /// Writes a comment (or removes it: deleted text leaves the
            /// database) and the rows that put it in its mentioned people's
            /// inboxes.
            async fn write_comment(
                tx: &mut sqlx::Transaction<'_, $db>,
                board: uuid::Uuid,
                id: cjm_core::CommentId,
                comment: Option<&cjm_core::Comment>,
            ) -> Result<(), $crate::StoreError> {
                sqlx::query("DELETE FROM comment_mentions WHERE board_id = $1 AND comment_id = $2")
                    .bind(board)
                    .bind(id.0)
                    .execute(&mut **tx)
                    .await?;
                let Some(c) = comment else {
                    sqlx::query("DELETE FROM comments WHERE board_id = $1 AND id = $2")
                        .bind(board)
                        .bind(id.0)
                        .execute(&mut **tx)
                        .await?;
                    return Ok(());
                };
                sqlx::query(
                    "INSERT INTO comments (board_id, id, author, created_at, body) VALUES ($1, $2, $3, $4, $5)
                     ON CONFLICT (board_id, id) DO UPDATE SET body = excluded.body",
                )
                .bind(board)
                .bind(id.0)
                .bind(c.author)
                .bind(c.created_at)
                .bind(sqlx::types::Json(c))
                .execute(&mut **tx)
                .await?;
                let mut people: Vec<uuid::Uuid> = c.mentions.clone();
                people.sort();
                people.dedup();
                for person in people.into_iter().filter(|p| *p != c.author) {
                    sqlx::query(
                        "INSERT INTO comment_mentions (board_id, comment_id, person, created_at)
                         VALUES ($1, $2, $3, $4)",
                    )
                    .bind(board)
                    .bind(id.0)
                    .bind(person)
                    .bind(c.edited_at.unwrap_or(c.created_at))
                    .execute(&mut **tx)
                    .await?;
                }
                Ok(())
            }

            /// Writes cards (and revives soft-deleted ones), 200 rows a statement.
            async fn upsert_cards(
                tx: &mut sqlx::Transaction<'_, $db>,
                board: uuid::Uuid,
                cards: &[&cjm_core::Card],
            ) -> Result<(), $crate::StoreError> {
                use sqlx::types::Json;
                use $crate::rows::enum_str;
                for chunk in cards.chunks(200) {
                    let mut q = sqlx::QueryBuilder::<$db>::new(
                        "INSERT INTO cards (board_id, id, stage_id, lane_id, ord, text, color,
                           persona_id, channel, evidence, opportunity, updated_at) ",
                    );
                    q.push_values(chunk, |mut row, c| {
                        row.push_bind(board)
                            .push_bind(c.id.0)
                            .push_bind(c.stage_id.0)
                            .push_bind(c.lane_id.0)
                            .push_bind(c.order.as_str().to_owned())
                            .push_bind(c.text.clone())
                            .push_bind(c.color.as_str())
                            .push_bind(c.persona_id.map(|p| p.0))
                            .push_bind(c.channel.as_ref().map(enum_str))
                            .push_bind(Json(c.evidence.clone()))
                            .push_bind(c.opportunity.clone().map(Json))
                            .push_bind(c.updated_at);
                    });
                    q.push(
                        " ON CONFLICT (board_id, id) DO UPDATE SET stage_id = excluded.stage_id,
                           lane_id = excluded.lane_id, ord = excluded.ord, text = excluded.text,
                           color = excluded.color, persona_id = excluded.persona_id,
                           channel = excluded.channel, evidence = excluded.evidence,
                           opportunity = excluded.opportunity, updated_at = excluded.updated_at,
                           deleted_at = NULL",
                    );
                    q.build().execute(&mut **tx).await?;
                }
                Ok(())
            }

            /// Seqs stored under any of `ids`, in one query per 500 ids.
            async fn seqs_of(
                conn: &mut <$db as sqlx::Database>::Connection,
                board: uuid::Uuid,
                ids: &[cjm_core::ClientOpId],
            ) -> Result<std::collections::HashMap<cjm_core::ClientOpId, u64>, $crate::StoreError> {
                let mut found = std::collections::HashMap::new();
                for chunk in ids.chunks(500) {
                    let mut q = sqlx::QueryBuilder::<$db>::new(
                        "SELECT client_op_id, seq FROM op_log WHERE board_id = ",
                    );
                    q.push_bind(board).push(" AND client_op_id IN (");
                    let mut list = q.separated(", ");
                    for id in chunk {
                        list.push_bind(id.0);
                    }
                    list.push_unseparated(")");
                    let rows: Vec<(uuid::Uuid, i64)> = q.build_query_as().fetch_all(&mut *conn).await?;
                    found.extend(rows.into_iter().map(|(id, seq)| (cjm_core::ClientOpId(id), seq as u64)));
                }
                Ok(found)
            }

            async fn soft_delete(
                tx: &mut sqlx::Transaction<'_, $db>,
                table: &'static str,
                board: uuid::Uuid,
                id: uuid::Uuid,
                now: i64,
            ) -> Result<(), $crate::StoreError> {
                // `table` is one of our own literals, never user input.
                let sql = format!(
                    "UPDATE {table} SET deleted_at = $3 WHERE board_id = $1 AND id = $2 AND deleted_at IS NULL"
                );
                sqlx::query(&sql).bind(board).bind(id).bind(now).execute(&mut **tx).await?;
                Ok(())
            }

            /// Locks the board's row (so that membership changes of one
            /// board are serialised: two owners demoting each other at once
            /// cannot both succeed) and reads `user`'s role on it.
            async fn lock_membership(
                tx: &mut sqlx::Transaction<'_, $db>,
                board: cjm_core::BoardId,
                user: uuid::Uuid,
            ) -> Result<Option<cjm_core::Role>, $crate::StoreError> {
                sqlx::query("UPDATE boards SET seq = seq WHERE id = $1")
                    .bind(board.0)
                    .execute(&mut **tx)
                    .await?;
                let row: Option<(String,)> = sqlx::query_as(
                    "SELECT role FROM board_members WHERE board_id = $1 AND user_id = $2",
                )
                .bind(board.0)
                .bind(user)
                .fetch_optional(&mut **tx)
                .await?;
                Ok(row.and_then(|(r,)| cjm_core::Role::parse(&r)))
            }

            /// `LastOwner` unless the board has another owner besides the
            /// one about to go (call with the board locked).
            async fn keep_an_owner(
                tx: &mut sqlx::Transaction<'_, $db>,
                board: cjm_core::BoardId,
            ) -> Result<(), $crate::StoreError> {
                let (owners,): (i64,) = sqlx::query_as(
                    "SELECT COUNT(*) FROM board_members WHERE board_id = $1 AND role = 'owner'",
                )
                .bind(board.0)
                .fetch_one(&mut **tx)
                .await?;
                if owners <= 1 {
                    return Err($crate::StoreError::LastOwner);
                }
                Ok(())
            }
        }

        #[async_trait::async_trait]
        impl $crate::Store for $store {
            #[tracing::instrument(skip_all, fields(board = %board.id))]
            async fn create_board(
                &self,
                board: &cjm_core::Board,
                owner: Option<uuid::Uuid>,
                now: i64,
            ) -> Result<(), $crate::StoreError> {
                use cjm_core::Change;
                let mut tx = self.writer().begin().await?;
                sqlx::query(
                    "INSERT INTO boards (id, title, seq, created_at, updated_at, quiet) VALUES ($1, $2, 0, $3, $3, $4)",
                )
                .bind(board.id.0)
                .bind(&board.title)
                .bind(now)
                .bind(board.quiet)
                .execute(&mut *tx)
                .await?;
                if let Some(owner) = owner {
                    sqlx::query(
                        "INSERT INTO board_members (board_id, user_id, role, added_at) VALUES ($1, $2, 'owner', $3)",
                    )
                    .bind(board.id.0)
                    .bind(owner)
                    .bind(now)
                    .execute(&mut *tx)
                    .await?;
                }
                let changes = board
                    .stages
                    .keys()
                    .map(|id| Change::Stage(*id))
                    .chain(board.lanes.keys().map(|id| Change::Lane(*id)))
                    .chain(board.personas.keys().map(|id| Change::Persona(*id)))
                    .chain(board.cards.keys().map(|id| Change::Card(*id)))
                    .chain(board.emotions.iter().map(|e| Change::Emotion(e.persona_id, e.stage_id, e.curve)))
                    .chain(board.comments.keys().map(|id| Change::Comment(*id)))
                    .chain(board.card_reactions.keys().map(|id| Change::CardReactions(*id)))
                    .chain(board.timer.map(|_| Change::Timer))
                    .chain(board.vote.as_ref().map(|_| Change::Vote))
                    .chain((!board.card_votes.is_empty()).then_some(Change::CardVotes));
                for change in changes {
                    Self::write_change(&mut tx, board, &change, now).await?;
                }
                tx.commit().await?;
                Ok(())
            }

            #[tracing::instrument(skip_all)]
            async fn list_boards(&self, user: uuid::Uuid) -> Result<Vec<$crate::BoardSummary>, $crate::StoreError> {
                let rows: Vec<(uuid::Uuid, String, i64, i64, i64, i64, String)> = sqlx::query_as(
                    "SELECT b.id, b.title, b.created_at, b.updated_at,
                       (SELECT COUNT(*) FROM stages s WHERE s.board_id = b.id AND s.deleted_at IS NULL),
                       (SELECT COUNT(*) FROM cards c WHERE c.board_id = b.id AND c.deleted_at IS NULL),
                       m.role
                     FROM boards b JOIN board_members m ON m.board_id = b.id AND m.user_id = $1
                     WHERE b.deleted_at IS NULL
                     ORDER BY b.updated_at DESC LIMIT 1000",
                )
                .bind(user)
                .fetch_all(self.reader())
                .await?;
                // A membership with a role this code cannot read is
                // reported, not left out of the list without a word.
                rows.into_iter()
                    .map(|(id, title, created_at, updated_at, stages, cards, role)| {
                        let role = cjm_core::Role::parse(&role).ok_or_else(|| {
                            $crate::StoreError::Corrupt {
                                table: "board_members",
                                detail: format!("role {role:?} on board {id}"),
                            }
                        })?;
                        Ok($crate::BoardSummary {
                            id: cjm_core::BoardId(id),
                            title,
                            created_at,
                            updated_at,
                            stages,
                            cards,
                            role,
                        })
                    })
                    .collect()
            }

            #[tracing::instrument(skip_all, fields(board = %id))]
            async fn load_board(
                &self,
                id: cjm_core::BoardId,
            ) -> Result<Option<(cjm_core::Board, u64)>, $crate::StoreError> {
                use $crate::rows::*;
                // One read transaction: a consistent view of all tables.
                let mut tx = self.reader().begin().await?;
                type Head = (
                    String,
                    i64,
                    Option<sqlx::types::Json<cjm_core::workshop::Timer>>,
                    Option<sqlx::types::Json<cjm_core::workshop::Vote>>,
                    Option<sqlx::types::Json<std::collections::BTreeMap<cjm_core::CardId, u32>>>,
                    bool,
                );
                let head: Option<Head> = sqlx::query_as(
                    "SELECT title, seq, timer, vote, card_votes, quiet FROM boards WHERE id = $1 AND deleted_at IS NULL",
                )
                .bind(id.0)
                .fetch_optional(&mut *tx)
                .await?;
                let Some((title, seq, timer, vote, card_votes, quiet)) = head else { return Ok(None) };
                let mut board = cjm_core::Board::new(id, title);
                board.timer = timer.map(|t| t.0);
                board.vote = vote.map(|v| Box::new(v.0));
                board.card_votes = card_votes.map(|v| v.0).unwrap_or_default();
                board.quiet = quiet;
                let stages: Vec<StageRow> = sqlx::query_as(
                    "SELECT id, name, description, ord, metrics FROM stages WHERE board_id = $1 AND deleted_at IS NULL",
                )
                .bind(id.0)
                .fetch_all(&mut *tx)
                .await?;
                for r in stages {
                    let s = r.into_stage()?;
                    board.stages.insert(s.id, s);
                }
                let lanes: Vec<LaneRow> = sqlx::query_as(
                    "SELECT id, name, kind, ord FROM lanes WHERE board_id = $1 AND deleted_at IS NULL",
                )
                .bind(id.0)
                .fetch_all(&mut *tx)
                .await?;
                for r in lanes {
                    let l = r.into_lane()?;
                    board.lanes.insert(l.id, l);
                }
                let personas: Vec<PersonaRow> = sqlx::query_as(
                    "SELECT id, name, ord, color, avatar_url, age, role, quote, goals, needs, pains,
                       fears, expectations, about
                     FROM personas WHERE board_id = $1 AND deleted_at IS NULL",
                )
                .bind(id.0)
                .fetch_all(&mut *tx)
                .await?;
                for r in personas {
                    let p = r.into_persona()?;
                    board.personas.insert(p.id, p);
                }
                let cards: Vec<CardRow> = sqlx::query_as(
                    "SELECT id, stage_id, lane_id, ord, text, color, persona_id, channel, evidence,
                       opportunity, updated_at
                     FROM cards WHERE board_id = $1 AND deleted_at IS NULL",
                )
                .bind(id.0)
                .fetch_all(&mut *tx)
                .await?;
                for r in cards {
                    let c = r.into_card()?;
                    board.cards.insert(c.id, c);
                }
                let points: Vec<EmotionRow> = sqlx::query_as(
                    "SELECT persona_id, stage_id, curve, score FROM emotion_points WHERE board_id = $1",
                )
                .bind(id.0)
                .fetch_all(&mut *tx)
                .await?;
                for r in points {
                    board.emotions.push(r.into_point()?);
                }
                board.emotions.sort_by_key(|e| (e.persona_id, e.stage_id, e.curve));
                let comments: Vec<(sqlx::types::Json<cjm_core::Comment>,)> =
                    sqlx::query_as("SELECT body FROM comments WHERE board_id = $1")
                        .bind(id.0)
                        .fetch_all(&mut *tx)
                        .await?;
                for (c,) in comments {
                    board.comments.insert(c.0.id, c.0);
                }
                let reactions: Vec<(uuid::Uuid, sqlx::types::Json<cjm_core::Reactions>)> =
                    sqlx::query_as("SELECT card_id, body FROM card_reactions WHERE board_id = $1")
                        .bind(id.0)
                        .fetch_all(&mut *tx)
                        .await?;
                for (card, r) in reactions {
                    board.card_reactions.insert(cjm_core::CardId(card), r.0);
                }
                tx.commit().await?;
                Ok(Some((board, seq as u64)))
            }

            #[tracing::instrument(skip_all, fields(board = %id))]
            async fn delete_board(&self, id: cjm_core::BoardId, now: i64) -> Result<bool, $crate::StoreError> {
                let done = sqlx::query(
                    "UPDATE boards SET deleted_at = $2 WHERE id = $1 AND deleted_at IS NULL",
                )
                .bind(id.0)
                .bind(now)
                .execute(self.writer())
                .await?;
                Ok(done.rows_affected() == 1)
            }

            #[tracing::instrument(skip_all, fields(board = %board))]
            async fn find_batches(
                &self,
                board: cjm_core::BoardId,
                ids: &[cjm_core::ClientOpId],
            ) -> Result<std::collections::HashMap<cjm_core::ClientOpId, u64>, $crate::StoreError> {
                if ids.is_empty() {
                    return Ok(std::collections::HashMap::new());
                }
                let mut conn = self.reader().acquire().await?;
                Self::seqs_of(&mut conn, board.0, ids).await
            }

            #[tracing::instrument(skip_all, fields(board = %board.id, batches = batches.len()))]
            async fn commit(
                &self,
                board: &cjm_core::Board,
                expected_seq: u64,
                batches: &[$crate::NewBatch],
                changes: &std::collections::BTreeSet<cjm_core::Change>,
            ) -> Result<Vec<u64>, $crate::StoreError> {
                if batches.is_empty() {
                    return Ok(Vec::new());
                }
                let now = batches.iter().map(|b| b.at).max().unwrap_or(0);
                let last = expected_seq + batches.len() as u64;
                let mut tx = self.writer().begin().await?;
                // Moving the seq on only from the one the caller's board is
                // at both checks for writers elsewhere (optimistic
                // concurrency across instances) and locks the board row
                // until commit, so the whole group is all-or-nothing. On
                // Postgres the same statement queues the notification that
                // other instances get when (and only if) this commits.
                let advance = if $notify {
                    "UPDATE boards SET seq = $3, updated_at = $4
                     WHERE id = $1 AND seq = $2 AND deleted_at IS NULL
                     RETURNING seq, pg_notify('cjm_boards', CAST(id AS TEXT) || ' ' || CAST(seq AS TEXT))"
                } else {
                    "UPDATE boards SET seq = $3, updated_at = $4
                     WHERE id = $1 AND seq = $2 AND deleted_at IS NULL
                     RETURNING seq"
                };
                let moved: Option<i64> = sqlx::query_scalar(advance)
                    .bind(board.id.0)
                    .bind(expected_seq as i64)
                    .bind(last as i64)
                    .bind(now)
                    .fetch_optional(&mut *tx)
                    .await?;
                if moved.is_none() {
                    let current: Option<i64> = sqlx::query_scalar(
                        "SELECT seq FROM boards WHERE id = $1 AND deleted_at IS NULL",
                    )
                    .bind(board.id.0)
                    .fetch_optional(&mut *tx)
                    .await?;
                    return Err(match current {
                        Some(current) => $crate::StoreError::Stale { current: current as u64 },
                        None => $crate::StoreError::NoSuchBoard(board.id.to_string()),
                    });
                }
                // A client_op_id already in the log (a resent batch) is
                // skipped by the insert; then nothing of the group is kept
                // and the caller learns the seqs it was stored under.
                let mut inserted = 0;
                let numbered: Vec<(u64, &$crate::NewBatch)> =
                    (expected_seq + 1..).zip(batches.iter()).collect();
                for chunk in numbered.chunks(200) {
                    let mut q = sqlx::QueryBuilder::<$db>::new(
                        "INSERT INTO op_log (board_id, seq, actor, client_op_id, ops, at) ",
                    );
                    q.push_values(chunk, |mut row, (seq, b)| {
                        row.push_bind(board.id.0)
                            .push_bind(*seq as i64)
                            .push_bind(&b.actor)
                            .push_bind(b.client_op_id.0)
                            .push_bind(sqlx::types::Json(&b.ops))
                            .push_bind(b.at);
                    });
                    q.push(" ON CONFLICT DO NOTHING");
                    inserted += q.build().execute(&mut *tx).await?.rows_affected();
                }
                if inserted != batches.len() as u64 {
                    tx.rollback().await?;
                    let ids: Vec<cjm_core::ClientOpId> =
                        batches.iter().map(|b| b.client_op_id).collect();
                    let stored = <Self as $crate::Store>::find_batches(self, board.id, &ids).await?;
                    return Err($crate::StoreError::AlreadyStored(stored));
                }
                // Cards are most of the traffic: written together.
                let mut cards = Vec::new();
                for change in changes {
                    match change {
                        cjm_core::Change::Card(id) if board.cards.contains_key(id) => cards.push(&board.cards[id]),
                        _ => Self::write_change(&mut tx, board, change, now).await?,
                    }
                }
                Self::upsert_cards(&mut tx, board.id.0, &cards).await?;
                tx.commit().await?;
                Ok((expected_seq + 1..=last).collect())
            }

            #[tracing::instrument(skip_all, fields(board = %board, after_seq))]
            async fn ops_since(
                &self,
                board: cjm_core::BoardId,
                after_seq: u64,
                limit: u64,
            ) -> Result<Vec<cjm_core::protocol::Applied>, $crate::StoreError> {
                let rows: Vec<$crate::rows::OpRow> = sqlx::query_as(
                    "SELECT seq, actor, client_op_id, ops, at FROM op_log
                     WHERE board_id = $1 AND seq > $2
                       AND seq > (SELECT compacted_seq FROM boards WHERE id = $1)
                     ORDER BY seq LIMIT $3",
                )
                .bind(board.0)
                .bind(after_seq as i64)
                .bind(limit as i64)
                .fetch_all(self.reader())
                .await?;
                Ok(rows.into_iter().map(|r| r.into_applied()).collect())
            }

            async fn batches_before(
                &self,
                board: cjm_core::BoardId,
                before: Option<u64>,
                limit: u64,
            ) -> Result<Vec<cjm_core::protocol::Applied>, $crate::StoreError> {
                // The primary key (board_id, seq) serves this backwards.
                let rows: Vec<$crate::rows::OpRow> = sqlx::query_as(
                    "SELECT seq, actor, client_op_id, ops, at FROM op_log
                     WHERE board_id = $1 AND seq < $2
                       AND seq > (SELECT compacted_seq FROM boards WHERE id = $1)
                     ORDER BY seq DESC LIMIT $3",
                )
                .bind(board.0)
                .bind(before.map_or(i64::MAX, |b| b as i64))
                .bind(limit as i64)
                .fetch_all(self.reader())
                .await?;
                Ok(rows.into_iter().map(|r| r.into_applied()).collect())
            }

            async fn put_upload(&self, upload: &$crate::Upload, uploaded_by: &str, now: i64) -> Result<(), $crate::StoreError> {
                sqlx::query(
                    "INSERT INTO uploads (id, board_id, content_type, bytes, created_at, uploaded_by)
                     VALUES ($1, $2, $3, $4, $5, $6)",
                )
                .bind(upload.id)
                .bind(upload.board_id.0)
                .bind(&upload.content_type)
                .bind(&upload.bytes)
                .bind(now)
                .bind(uploaded_by)
                .execute(self.writer())
                .await?;
                Ok(())
            }

            async fn upload_usage(
                &self,
                uploaded_by: &str,
                board: cjm_core::BoardId,
            ) -> Result<(u64, u64), $crate::StoreError> {
                let (mine, board_bytes): (i64, i64) = sqlx::query_as(
                    "SELECT
                       COALESCE((SELECT SUM(LENGTH(bytes)) FROM uploads WHERE uploaded_by = $1), 0),
                       COALESCE((SELECT SUM(LENGTH(bytes)) FROM uploads WHERE board_id = $2), 0)",
                )
                .bind(uploaded_by)
                .bind(board.0)
                .fetch_one(self.reader())
                .await?;
                Ok((mine.max(0) as u64, board_bytes.max(0) as u64))
            }

            async fn owned_boards(&self, user: uuid::Uuid) -> Result<u64, $crate::StoreError> {
                let (n,): (i64,) = sqlx::query_as(
                    "SELECT COUNT(*) FROM board_members m JOIN boards b ON b.id = m.board_id
                     WHERE m.user_id = $1 AND m.role = 'owner' AND b.deleted_at IS NULL",
                )
                .bind(user)
                .fetch_one(self.reader())
                .await?;
                Ok(n.max(0) as u64)
            }

            async fn boards_to_compact(&self, keep_last: u64, slack: u64) -> Result<Vec<cjm_core::BoardId>, $crate::StoreError> {
                let rows: Vec<(uuid::Uuid,)> = sqlx::query_as(
                    "SELECT id FROM boards WHERE seq - compacted_seq > $1",
                )
                .bind((keep_last + slack) as i64)
                .fetch_all(self.reader())
                .await?;
                Ok(rows.into_iter().map(|(id,)| cjm_core::BoardId(id)).collect())
            }

            async fn compact(
                &self,
                board: cjm_core::BoardId,
                keep_last: u64,
                deleted_before: i64,
            ) -> Result<$crate::Compacted, $crate::StoreError> {
                let mut tx = self.writer().begin().await?;
                let row: Option<(i64, i64)> = sqlx::query_as(
                    "SELECT seq, compacted_seq FROM boards WHERE id = $1",
                )
                .bind(board.0)
                .fetch_optional(&mut *tx)
                .await?;
                let Some((seq, compacted)) = row else {
                    return Ok($crate::Compacted::default());
                };
                let through = (seq - keep_last as i64).max(compacted);
                let stripped = sqlx::query(
                    "UPDATE op_log SET ops = '[]' WHERE board_id = $1 AND seq > $2 AND seq <= $3",
                )
                .bind(board.0)
                .bind(compacted)
                .bind(through)
                .execute(&mut *tx)
                .await?
                .rows_affected();
                sqlx::query("UPDATE boards SET compacted_seq = $2 WHERE id = $1")
                    .bind(board.0)
                    .bind(through)
                    .execute(&mut *tx)
                    .await?;
                let mut purged = 0;
                // Table names are our own literals, never user input.
                for table in ["cards", "stages", "lanes", "personas"] {
                    let sql = format!(
                        "DELETE FROM {table} WHERE board_id = $1 AND deleted_at IS NOT NULL AND deleted_at < $2"
                    );
                    purged += sqlx::query(&sql)
                        .bind(board.0)
                        .bind(deleted_before)
                        .execute(&mut *tx)
                        .await?
                        .rows_affected();
                }
                tx.commit().await?;
                Ok($crate::Compacted { stripped, purged })
            }

            async fn remove_orphan_uploads(&self, created_before: i64) -> Result<u64, $crate::StoreError> {
                let candidates: Vec<(uuid::Uuid,)> = sqlx::query_as(
                    "SELECT id FROM uploads WHERE created_at < $1",
                )
                .bind(created_before)
                .fetch_all(self.reader())
                .await?;
                if candidates.is_empty() {
                    return Ok(0);
                }
                // What still points at an upload: live personas' photos and
                // saved templates (their JSON holds the same URLs).
                let mut used: std::collections::HashSet<String> = std::collections::HashSet::new();
                let photos: Vec<(String,)> = sqlx::query_as(
                    "SELECT avatar_url FROM personas p JOIN boards b ON b.id = p.board_id
                     WHERE p.deleted_at IS NULL AND b.deleted_at IS NULL AND p.avatar_url LIKE '/api/uploads/%'",
                )
                .fetch_all(self.reader())
                .await?;
                used.extend(photos.into_iter().map(|(u,)| u));
                let templates: Vec<(String,)> = sqlx::query_as(
                    "SELECT board FROM templates WHERE deleted_at IS NULL",
                )
                .fetch_all(self.reader())
                .await?;
                let mut removed = 0;
                for (id,) in candidates {
                    let url = format!("/api/uploads/{id}");
                    if used.contains(&url) || templates.iter().any(|(t,)| t.contains(&url)) {
                        continue;
                    }
                    removed += sqlx::query("DELETE FROM uploads WHERE id = $1")
                        .bind(id)
                        .execute(self.writer())
                        .await?
                        .rows_affected();
                }
                Ok(removed)
            }

            async fn get_upload(&self, id: uuid::Uuid) -> Result<Option<$crate::Upload>, $crate::StoreError> {
                let row: Option<(uuid::Uuid, String, Vec<u8>)> = sqlx::query_as(
                    "SELECT u.board_id, u.content_type, u.bytes FROM uploads u
                     JOIN boards b ON b.id = u.board_id
                     WHERE u.id = $1 AND b.deleted_at IS NULL",
                )
                .bind(id)
                .fetch_optional(self.reader())
                .await?;
                Ok(row.map(|(board, content_type, bytes)| $crate::Upload {
                    id,
                    board_id: cjm_core::BoardId(board),
                    content_type,
                    bytes,
                }))
            }

            async fn create_template(&self, t: &$crate::SavedTemplate) -> Result<(), $crate::StoreError> {
                sqlx::query("INSERT INTO templates (id, name, board, created_at, owner_id) VALUES ($1, $2, $3, $4, $5)")
                    .bind(t.id)
                    .bind(&t.name)
                    .bind(sqlx::types::Json(&t.board))
                    .bind(t.created_at)
                    .bind(t.owner)
                    .execute(self.writer())
                    .await?;
                Ok(())
            }

            async fn list_templates(&self, user: uuid::Uuid) -> Result<Vec<$crate::SavedTemplateInfo>, $crate::StoreError> {
                let rows: Vec<(uuid::Uuid, String, i64)> = sqlx::query_as(
                    "SELECT id, name, created_at FROM templates
                     WHERE deleted_at IS NULL AND (owner_id IS NULL OR owner_id = $1)
                     ORDER BY created_at DESC LIMIT 500",
                )
                .bind(user)
                .fetch_all(self.reader())
                .await?;
                Ok(rows
                    .into_iter()
                    .map(|(id, name, created_at)| $crate::SavedTemplateInfo { id, name, created_at })
                    .collect())
            }

            async fn load_template(&self, id: uuid::Uuid) -> Result<Option<$crate::SavedTemplate>, $crate::StoreError> {
                let row: Option<(String, sqlx::types::Json<cjm_core::Board>, i64, Option<uuid::Uuid>)> = sqlx::query_as(
                    "SELECT name, board, created_at, owner_id FROM templates WHERE id = $1 AND deleted_at IS NULL",
                )
                .bind(id)
                .fetch_optional(self.reader())
                .await?;
                Ok(row.map(|(name, board, created_at, owner)| $crate::SavedTemplate {
                    id,
                    name,
                    board: board.0,
                    created_at,
                    owner,
                }))
            }

            async fn delete_template(&self, id: uuid::Uuid, user: uuid::Uuid, is_admin: bool, now: i64) -> Result<bool, $crate::StoreError> {
                let done = sqlx::query(
                    "UPDATE templates SET deleted_at = $2
                     WHERE id = $1 AND deleted_at IS NULL AND (owner_id = $3 OR (owner_id IS NULL AND $4))",
                )
                    .bind(id)
                    .bind(now)
                    .bind(user)
                    .bind(is_admin)
                    .execute(self.writer())
                    .await?;
                Ok(done.rows_affected() > 0)
            }

            async fn create_user(
                &self,
                id: uuid::Uuid,
                email: &str,
                name: &str,
                password_hash: &str,
                now: i64,
            ) -> Result<$crate::User, $crate::StoreError> {
                let row: Result<(bool,), sqlx::Error> = sqlx::query_as(
                    "INSERT INTO users (id, email, name, password_hash, is_admin, created_at, updated_at)
                     VALUES ($1, $2, $3, $4, NOT EXISTS (SELECT 1 FROM users WHERE deleted_at IS NULL), $5, $5)
                     RETURNING is_admin",
                )
                .bind(id)
                .bind(email)
                .bind(name)
                .bind(password_hash)
                .bind(now)
                .fetch_one(self.writer())
                .await;
                if let Ok((true,)) = row {
                    // Boards made before accounts existed belong to the admin.
                    sqlx::query(
                        "INSERT INTO board_members (board_id, user_id, role, added_at)
                         SELECT b.id, $1, 'owner', $2 FROM boards b
                         WHERE NOT EXISTS (SELECT 1 FROM board_members m WHERE m.board_id = b.id)",
                    )
                    .bind(id)
                    .bind(now)
                    .execute(self.writer())
                    .await?;
                }
                match row {
                    Ok((is_admin,)) => Ok($crate::User {
                        id,
                        email: email.to_string(),
                        name: name.to_string(),
                        password_hash: password_hash.to_string(),
                        is_admin,
                        created_at: now,
                    }),
                    Err(sqlx::Error::Database(e)) if e.is_unique_violation() => {
                        Err($crate::StoreError::Taken("email"))
                    }
                    Err(e) => Err(e.into()),
                }
            }

            async fn has_users(&self) -> Result<bool, $crate::StoreError> {
                let (any,): (bool,) = sqlx::query_as("SELECT EXISTS (SELECT 1 FROM users WHERE deleted_at IS NULL)")
                    .fetch_one(self.reader())
                    .await?;
                Ok(any)
            }

            async fn user_by_email(&self, email: &str) -> Result<Option<$crate::User>, $crate::StoreError> {
                let row: Option<$crate::rows::UserRow> = sqlx::query_as(
                    "SELECT id, email, name, password_hash, is_admin, created_at FROM users WHERE email = $1",
                )
                .bind(email)
                .fetch_optional(self.reader())
                .await?;
                Ok(row.map(Into::into))
            }

            async fn set_password(
                &self,
                user: uuid::Uuid,
                password_hash: &str,
                now: i64,
            ) -> Result<bool, $crate::StoreError> {
                let mut tx = self.writer().begin().await?;
                let done = sqlx::query("UPDATE users SET password_hash = $2, updated_at = $3 WHERE id = $1")
                    .bind(user)
                    .bind(password_hash)
                    .bind(now)
                    .execute(&mut *tx)
                    .await?;
                sqlx::query("DELETE FROM sessions WHERE user_id = $1")
                    .bind(user)
                    .execute(&mut *tx)
                    .await?;
                tx.commit().await?;
                Ok(done.rows_affected() > 0)
            }

            async fn create_session(
                &self,
                token_hash: &[u8],
                user: uuid::Uuid,
                now: i64,
                expires_at: i64,
            ) -> Result<(), $crate::StoreError> {
                // Expired sessions of anyone go at the same time: the table
                // stays the size of the live ones.
                sqlx::query("DELETE FROM sessions WHERE expires_at <= $1")
                    .bind(now)
                    .execute(self.writer())
                    .await?;
                sqlx::query(
                    "INSERT INTO sessions (token_hash, user_id, created_at, expires_at) VALUES ($1, $2, $3, $4)",
                )
                .bind(token_hash)
                .bind(user)
                .bind(now)
                .bind(expires_at)
                .execute(self.writer())
                .await?;
                Ok(())
            }

            async fn session_user(
                &self,
                token_hash: &[u8],
                now: i64,
            ) -> Result<Option<$crate::User>, $crate::StoreError> {
                let row: Option<$crate::rows::UserRow> = sqlx::query_as(
                    "SELECT u.id, u.email, u.name, u.password_hash, u.is_admin, u.created_at
                     FROM sessions s JOIN users u ON u.id = s.user_id
                     WHERE s.token_hash = $1 AND s.expires_at > $2",
                )
                .bind(token_hash)
                .bind(now)
                .fetch_optional(self.reader())
                .await?;
                Ok(row.map(Into::into))
            }

            #[tracing::instrument(skip_all, fields(%person))]
            async fn inbox(&self, person: uuid::Uuid, limit: u32) -> Result<$crate::Inbox, $crate::StoreError> {
                let mut tx = self.reader().begin().await?;
                let read_at: Option<(i64,)> =
                    sqlx::query_as("SELECT inbox_read_at FROM users WHERE id = $1")
                        .bind(person)
                        .fetch_optional(&mut *tx)
                        .await?;
                let read_at = read_at.map_or(0, |(t,)| t);
                let rows: Vec<(uuid::Uuid, String, sqlx::types::Json<cjm_core::Comment>, i64)> = sqlx::query_as(
                    "SELECT b.id, b.title, c.body, m.created_at
                     FROM comment_mentions m
                     JOIN comments c ON c.board_id = m.board_id AND c.id = m.comment_id
                     JOIN boards b ON b.id = m.board_id AND b.deleted_at IS NULL
                     JOIN board_members bm ON bm.board_id = m.board_id AND bm.user_id = m.person
                     WHERE m.person = $1
                     ORDER BY m.created_at DESC LIMIT $2",
                )
                .bind(person)
                .bind(i64::from(limit))
                .fetch_all(&mut *tx)
                .await?;
                let (unread,): (i64,) = sqlx::query_as(
                    "SELECT COUNT(*) FROM comment_mentions m
                     JOIN boards b ON b.id = m.board_id AND b.deleted_at IS NULL
                     JOIN board_members bm ON bm.board_id = m.board_id AND bm.user_id = m.person
                     WHERE m.person = $1 AND m.created_at > $2",
                )
                .bind(person)
                .bind(read_at)
                .fetch_one(&mut *tx)
                .await?;
                tx.commit().await?;
                Ok($crate::Inbox {
                    items: rows
                        .into_iter()
                        .map(|(board, title, c, at)| $crate::InboxItem {
                            board_id: cjm_core::BoardId(board),
                            board_title: title,
                            comment: c.0,
                            unread: at > read_at,
                        })
                        .collect(),
                    unread: unread as u64,
                    read_at,
                })
            }

            async fn board_people(
                &self,
                board: cjm_core::BoardId,
            ) -> Result<Vec<$crate::Person>, $crate::StoreError> {
                let members: Vec<(uuid::Uuid, String)> = sqlx::query_as(
                    "SELECT u.id, u.name FROM board_members m JOIN users u ON u.id = m.user_id
                     WHERE m.board_id = $1 AND u.deleted_at IS NULL ORDER BY u.name",
                )
                .bind(board.0)
                .fetch_all(self.reader())
                .await?;
                let guests: Vec<(uuid::Uuid, String)> = sqlx::query_as(
                    "SELECT DISTINCT g.guest_id, g.name FROM link_guests g
                     JOIN share_links l ON l.id = g.link_id
                     WHERE l.board_id = $1 AND l.revoked_at IS NULL ORDER BY g.name LIMIT 500",
                )
                .bind(board.0)
                .fetch_all(self.reader())
                .await?;
                let mut people: Vec<$crate::Person> = members
                    .into_iter()
                    .map(|(id, name)| $crate::Person { id, name, guest: false })
                    .collect();
                for (id, name) in guests {
                    if !people.iter().any(|p| p.id == id) {
                        people.push($crate::Person { id, name, guest: true });
                    }
                }
                Ok(people)
            }

            async fn vote_dots(
                &self,
                board: cjm_core::BoardId,
                vote: cjm_core::VoteId,
                person: uuid::Uuid,
            ) -> Result<Vec<cjm_core::CardId>, $crate::StoreError> {
                let rows: Vec<(uuid::Uuid, i64)> = sqlx::query_as(
                    "SELECT card_id, n FROM vote_dots
                     WHERE board_id = $1 AND vote_id = $2 AND person = $3 ORDER BY card_id",
                )
                .bind(board.0)
                .bind(vote.0)
                .bind(person)
                .fetch_all(self.reader())
                .await?;
                Ok(rows
                    .into_iter()
                    .flat_map(|(card, n)| std::iter::repeat_n(cjm_core::CardId(card), n.max(0) as usize))
                    .collect())
            }

            async fn put_dot(&self, dot: &$crate::Dot<'_>) -> Result<(), $crate::StoreError> {
                let mut tx = self.writer().begin().await?;
                sqlx::query("DELETE FROM vote_dots WHERE board_id = $1 AND vote_id <> $2")
                    .bind(dot.board.0)
                    .bind(dot.vote.0)
                    .execute(&mut *tx)
                    .await?;
                if dot.add {
                    sqlx::query(
                        "INSERT INTO vote_dots (board_id, vote_id, person, card_id, n, name)
                         VALUES ($1, $2, $3, $4, 1, $5)
                         ON CONFLICT (board_id, vote_id, person, card_id)
                         DO UPDATE SET n = vote_dots.n + 1, name = excluded.name",
                    )
                    .bind(dot.board.0)
                    .bind(dot.vote.0)
                    .bind(dot.person)
                    .bind(dot.card.0)
                    .bind(dot.name)
                    .execute(&mut *tx)
                    .await?;
                } else {
                    for sql in [
                        "UPDATE vote_dots SET n = n - 1
                         WHERE board_id = $1 AND vote_id = $2 AND person = $3 AND card_id = $4",
                        "DELETE FROM vote_dots
                         WHERE board_id = $1 AND vote_id = $2 AND person = $3 AND card_id = $4 AND n <= 0",
                    ] {
                        sqlx::query(sql)
                            .bind(dot.board.0)
                            .bind(dot.vote.0)
                            .bind(dot.person)
                            .bind(dot.card.0)
                            .execute(&mut *tx)
                            .await?;
                    }
                }
                tx.commit().await?;
                Ok(())
            }

            async fn vote_progress(
                &self,
                board: cjm_core::BoardId,
                vote: cjm_core::VoteId,
            ) -> Result<(u32, u32), $crate::StoreError> {
                let (voters, dots): (i64, i64) = sqlx::query_as(
                    "SELECT COUNT(DISTINCT person), CAST(COALESCE(SUM(n), 0) AS BIGINT) FROM vote_dots
                     WHERE board_id = $1 AND vote_id = $2 AND n > 0",
                )
                .bind(board.0)
                .bind(vote.0)
                .fetch_one(self.reader())
                .await?;
                Ok((voters.clamp(0, i64::from(u32::MAX)) as u32, dots.clamp(0, i64::from(u32::MAX)) as u32))
            }

            async fn vote_tally(
                &self,
                board: cjm_core::BoardId,
                vote: cjm_core::VoteId,
            ) -> Result<cjm_core::workshop::VoteResults, $crate::StoreError> {
                let rows: Vec<(uuid::Uuid, uuid::Uuid, i64, String)> = sqlx::query_as(
                    "SELECT person, card_id, n, name FROM vote_dots
                     WHERE board_id = $1 AND vote_id = $2 AND n > 0 ORDER BY name, person",
                )
                .bind(board.0)
                .bind(vote.0)
                .fetch_all(self.reader())
                .await?;
                let mut results = cjm_core::workshop::VoteResults::default();
                let mut voters = std::collections::BTreeSet::new();
                for (person, card, n, name) in rows {
                    let card = cjm_core::CardId(card);
                    voters.insert(person);
                    *results.dots.entry(card).or_default() += n as u32;
                    results
                        .names
                        .entry(card)
                        .or_default()
                        .extend(std::iter::repeat_n(name, n as usize));
                }
                results.voters = voters.len() as u32;
                Ok(results)
            }

            async fn boards_for_daily_version(
                &self,
                since: i64,
            ) -> Result<Vec<cjm_core::BoardId>, $crate::StoreError> {
                let rows: Vec<(uuid::Uuid,)> = sqlx::query_as(
                    "SELECT b.id FROM boards b
                     WHERE b.deleted_at IS NULL AND b.seq > 0 AND b.updated_at >= $1
                       AND NOT EXISTS (SELECT 1 FROM versions v WHERE v.board_id = b.id AND v.created_at >= $1)",
                )
                .bind(since)
                .fetch_all(self.reader())
                .await?;
                Ok(rows.into_iter().map(|(id,)| cjm_core::BoardId(id)).collect())
            }

            async fn remove_auto_versions(&self, before: i64) -> Result<u64, $crate::StoreError> {
                let done = sqlx::query("DELETE FROM versions WHERE auto AND created_at < $1")
                    .bind(before)
                    .execute(self.writer())
                    .await?;
                Ok(done.rows_affected())
            }

            async fn put_version(
                &self,
                version: &$crate::Version,
                snapshot: &cjm_core::Board,
            ) -> Result<(), $crate::StoreError> {
                sqlx::query(
                    "INSERT INTO versions (id, board_id, seq, name, note, auto, actor, actor_name,
                       created_at, board)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
                )
                .bind(version.id)
                .bind(version.board.0)
                .bind(version.seq as i64)
                .bind(&version.name)
                .bind(&version.note)
                .bind(version.auto)
                .bind(&version.actor)
                .bind(&version.actor_name)
                .bind(version.created_at)
                .bind(sqlx::types::Json(snapshot))
                .execute(self.writer())
                .await?;
                Ok(())
            }

            async fn versions(
                &self,
                board: cjm_core::BoardId,
                limit: u32,
            ) -> Result<Vec<$crate::Version>, $crate::StoreError> {
                let rows: Vec<$crate::rows::VersionRow> = sqlx::query_as(
                    "SELECT id, board_id, seq, name, note, auto, actor, actor_name, created_at
                     FROM versions WHERE board_id = $1 ORDER BY created_at DESC, id DESC LIMIT $2",
                )
                .bind(board.0)
                .bind(i64::from(limit))
                .fetch_all(self.reader())
                .await?;
                Ok(rows.into_iter().map($crate::rows::VersionRow::into_version).collect())
            }

            async fn version(
                &self,
                board: cjm_core::BoardId,
                id: uuid::Uuid,
            ) -> Result<Option<($crate::Version, cjm_core::Board)>, $crate::StoreError> {
                let row: Option<$crate::rows::VersionWithBoard> = sqlx::query_as(
                    "SELECT id, board_id, seq, name, note, auto, actor, actor_name, created_at, board
                     FROM versions WHERE board_id = $1 AND id = $2",
                )
                .bind(board.0)
                .bind(id)
                .fetch_optional(self.reader())
                .await?;
                Ok(row.map(|r| (r.version.into_version(), r.board.0)))
            }

            async fn put_import(&self, import: &$crate::Import) -> Result<(), $crate::StoreError> {
                sqlx::query(
                    "INSERT INTO imports (id, board_id, actor, file_name, created_at, seq,
                       row_count, card_count, evidence_count, undo)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
                )
                .bind(import.id)
                .bind(import.board.0)
                .bind(&import.actor)
                .bind(&import.file_name)
                .bind(import.created_at)
                .bind(import.seq as i64)
                .bind(import.rows as i64)
                .bind(import.cards as i64)
                .bind(import.evidence as i64)
                .bind(sqlx::types::Json(&import.undo))
                .execute(self.writer())
                .await?;
                Ok(())
            }

            async fn imports(
                &self,
                board: cjm_core::BoardId,
                limit: u32,
            ) -> Result<Vec<$crate::Import>, $crate::StoreError> {
                let rows: Vec<$crate::rows::ImportRow> = sqlx::query_as(
                    "SELECT id, board_id, actor, file_name, created_at, seq, row_count, card_count,
                       evidence_count, undo, undone_at
                     FROM imports WHERE board_id = $1 ORDER BY created_at DESC, id DESC LIMIT $2",
                )
                .bind(board.0)
                .bind(i64::from(limit))
                .fetch_all(self.reader())
                .await?;
                Ok(rows.into_iter().map($crate::rows::ImportRow::into_import).collect())
            }

            async fn import(
                &self,
                board: cjm_core::BoardId,
                id: uuid::Uuid,
            ) -> Result<Option<$crate::Import>, $crate::StoreError> {
                let row: Option<$crate::rows::ImportRow> = sqlx::query_as(
                    "SELECT id, board_id, actor, file_name, created_at, seq, row_count, card_count,
                       evidence_count, undo, undone_at
                     FROM imports WHERE board_id = $1 AND id = $2",
                )
                .bind(board.0)
                .bind(id)
                .fetch_optional(self.reader())
                .await?;
                Ok(row.map($crate::rows::ImportRow::into_import))
            }

            async fn set_import_undone(
                &self,
                board: cjm_core::BoardId,
                id: uuid::Uuid,
                at: Option<i64>,
            ) -> Result<bool, $crate::StoreError> {
                let done = match at {
                    Some(at) => {
                        sqlx::query(
                            "UPDATE imports SET undone_at = $3
                             WHERE board_id = $1 AND id = $2 AND undone_at IS NULL",
                        )
                        .bind(board.0)
                        .bind(id)
                        .bind(at)
                        .execute(self.writer())
                        .await?
                    }
                    None => {
                        sqlx::query("UPDATE imports SET undone_at = NULL WHERE board_id = $1 AND id = $2")
                            .bind(board.0)
                            .bind(id)
                            .execute(self.writer())
                            .await?
                    }
                };
                Ok(done.rows_affected() == 1)
            }

            async fn mark_inbox_read(&self, user: uuid::Uuid, at: i64) -> Result<(), $crate::StoreError> {
                sqlx::query("UPDATE users SET inbox_read_at = $2 WHERE id = $1 AND inbox_read_at < $2")
                    .bind(user)
                    .bind(at)
                    .execute(self.writer())
                    .await?;
                Ok(())
            }

            async fn comments_seen(
                &self,
                board: cjm_core::BoardId,
                person: uuid::Uuid,
            ) -> Result<i64, $crate::StoreError> {
                let row: Option<(i64,)> = sqlx::query_as(
                    "SELECT seen_at FROM comment_reads WHERE board_id = $1 AND person = $2",
                )
                .bind(board.0)
                .bind(person)
                .fetch_optional(self.reader())
                .await?;
                Ok(row.map_or(0, |(t,)| t))
            }

            async fn set_comments_seen(
                &self,
                board: cjm_core::BoardId,
                person: uuid::Uuid,
                at: i64,
            ) -> Result<(), $crate::StoreError> {
                sqlx::query(
                    "INSERT INTO comment_reads (board_id, person, seen_at) VALUES ($1, $2, $3)
                     ON CONFLICT (board_id, person) DO UPDATE SET seen_at = excluded.seen_at
                     WHERE comment_reads.seen_at < excluded.seen_at",
                )
                .bind(board.0)
                .bind(person)
                .bind(at)
                .execute(self.writer())
                .await?;
                Ok(())
            }

            async fn delete_session(&self, token_hash: &[u8]) -> Result<(), $crate::StoreError> {
                sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
                    .bind(token_hash)
                    .execute(self.writer())
                    .await?;
                Ok(())
            }

            #[tracing::instrument(skip_all, fields(%user))]
            async fn delete_account(
                &self,
                user: uuid::Uuid,
                sole_owned: Option<$crate::SoleOwned>,
                now: i64,
            ) -> Result<$crate::AccountDeletion, $crate::StoreError> {
                use $crate::AccountDeletion;
                let mut tx = self.writer().begin().await?;
                // Locks the account's row: two deletions of one account
                // are serialised, the second finds nothing.
                let live = sqlx::query(
                    "UPDATE users SET updated_at = updated_at WHERE id = $1 AND deleted_at IS NULL",
                )
                .bind(user)
                .execute(&mut *tx)
                .await?;
                if live.rows_affected() == 0 {
                    return Ok(AccountDeletion::NoSuchAccount);
                }
                // Locks its boards' rows, in one order (no deadlock between
                // two deletions), as every membership change does: nobody
                // demotes the other owner meanwhile.
                let boards: Vec<(uuid::Uuid,)> = sqlx::query_as(
                    "SELECT board_id FROM board_members WHERE user_id = $1 ORDER BY board_id",
                )
                .bind(user)
                .fetch_all(&mut *tx)
                .await?;
                for (board,) in &boards {
                    sqlx::query("UPDATE boards SET seq = seq WHERE id = $1")
                        .bind(board)
                        .execute(&mut *tx)
                        .await?;
                }
                let sole: Vec<(uuid::Uuid, String, i64)> = sqlx::query_as(
                    "SELECT b.id, b.title,
                       (SELECT COUNT(*) FROM board_members o WHERE o.board_id = b.id AND o.user_id <> $1)
                     FROM boards b JOIN board_members m ON m.board_id = b.id AND m.user_id = $1
                     WHERE b.deleted_at IS NULL AND m.role = 'owner'
                       AND NOT EXISTS (SELECT 1 FROM board_members o
                                       WHERE o.board_id = b.id AND o.user_id <> $1 AND o.role = 'owner')
                     ORDER BY b.updated_at DESC, b.id",
                )
                .bind(user)
                .fetch_all(&mut *tx)
                .await?;
                let Some(choice) = sole_owned.or(sole.is_empty().then_some($crate::SoleOwned::Delete)) else {
                    tx.rollback().await?;
                    return Ok(AccountDeletion::SoleOwner(
                        sole.into_iter()
                            .map(|(id, title, other_members)| $crate::SoleOwnedBoard {
                                id: cjm_core::BoardId(id),
                                title,
                                other_members,
                            })
                            .collect(),
                    ));
                };
                let mut deleted_boards = Vec::new();
                let mut transferred = Vec::new();
                for (board, _, others) in sole {
                    if choice == $crate::SoleOwned::Transfer && others > 0 {
                        let (heir,): (uuid::Uuid,) = sqlx::query_as(
                            "SELECT user_id FROM board_members WHERE board_id = $1 AND user_id <> $2
                             ORDER BY CASE role WHEN 'editor' THEN 0 WHEN 'commenter' THEN 1 ELSE 2 END,
                               added_at, user_id
                             LIMIT 1",
                        )
                        .bind(board)
                        .bind(user)
                        .fetch_one(&mut *tx)
                        .await?;
                        sqlx::query("UPDATE board_members SET role = 'owner' WHERE board_id = $1 AND user_id = $2")
                            .bind(board)
                            .bind(heir)
                            .execute(&mut *tx)
                            .await?;
                        transferred.push((cjm_core::BoardId(board), heir));
                    } else {
                        sqlx::query("UPDATE boards SET deleted_at = $2 WHERE id = $1 AND deleted_at IS NULL")
                            .bind(board)
                            .bind(now)
                            .execute(&mut *tx)
                            .await?;
                        deleted_boards.push(cjm_core::BoardId(board));
                    }
                }
                for table in ["board_members", "sessions"] {
                    // `table` is one of our own literals.
                    sqlx::query(&format!("DELETE FROM {table} WHERE user_id = $1"))
                        .bind(user)
                        .execute(&mut *tx)
                        .await?;
                }
                sqlx::query("DELETE FROM templates WHERE owner_id = $1")
                    .bind(user)
                    .execute(&mut *tx)
                    .await?;
                // What the account had read and where it was mentioned.
                for table in ["comment_reads", "comment_mentions"] {
                    // `table` is one of our own literals.
                    sqlx::query(&format!("DELETE FROM {table} WHERE person = $1"))
                        .bind(user)
                        .execute(&mut *tx)
                        .await?;
                }
                // A tombstone: the id stays for the share links it made
                // (`created_by`); an email without `@` can never be signed
                // up or signed in with.
                sqlx::query(
                    "UPDATE users SET email = $2, name = '', password_hash = '', is_admin = $3,
                       updated_at = $4, deleted_at = $4
                     WHERE id = $1",
                )
                .bind(user)
                .bind(format!("deleted:{user}"))
                .bind(false)
                .bind(now)
                .execute(&mut *tx)
                .await?;
                tx.commit().await?;
                Ok(AccountDeletion::Deleted { deleted_boards, transferred })
            }

            async fn member_role(
                &self,
                board: cjm_core::BoardId,
                user: uuid::Uuid,
            ) -> Result<Option<cjm_core::Role>, $crate::StoreError> {
                let row: Option<(String,)> = sqlx::query_as(
                    "SELECT m.role FROM board_members m JOIN boards b ON b.id = m.board_id
                     WHERE m.board_id = $1 AND m.user_id = $2 AND b.deleted_at IS NULL",
                )
                .bind(board.0)
                .bind(user)
                .fetch_optional(self.reader())
                .await?;
                Ok(row.and_then(|(r,)| cjm_core::Role::parse(&r)))
            }

            async fn members(&self, board: cjm_core::BoardId) -> Result<Vec<$crate::Member>, $crate::StoreError> {
                let rows: Vec<(uuid::Uuid, String, String, String, i64)> = sqlx::query_as(
                    "SELECT u.id, u.email, u.name, m.role, m.added_at
                     FROM board_members m JOIN users u ON u.id = m.user_id
                     WHERE m.board_id = $1
                     ORDER BY CASE m.role WHEN 'owner' THEN 0 ELSE 1 END, u.name, u.email",
                )
                .bind(board.0)
                .fetch_all(self.reader())
                .await?;
                Ok(rows
                    .into_iter()
                    .filter_map(|(user_id, email, name, role, added_at)| {
                        Some($crate::Member { user_id, email, name, role: cjm_core::Role::parse(&role)?, added_at })
                    })
                    .collect())
            }

            async fn put_member(
                &self,
                board: cjm_core::BoardId,
                user: uuid::Uuid,
                role: cjm_core::Role,
                now: i64,
            ) -> Result<bool, $crate::StoreError> {
                let mut tx = self.writer().begin().await?;
                let old = Self::lock_membership(&mut tx, board, user).await?;
                if old == Some(cjm_core::Role::Owner) && role != cjm_core::Role::Owner {
                    Self::keep_an_owner(&mut tx, board).await?;
                }
                sqlx::query(
                    "INSERT INTO board_members (board_id, user_id, role, added_at) VALUES ($1, $2, $3, $4)
                     ON CONFLICT (board_id, user_id) DO UPDATE SET role = excluded.role",
                )
                .bind(board.0)
                .bind(user)
                .bind(role.as_str())
                .bind(now)
                .execute(&mut *tx)
                .await?;
                tx.commit().await?;
                Ok(old.is_none())
            }

            async fn add_member(
                &self,
                board: cjm_core::BoardId,
                user: uuid::Uuid,
                role: cjm_core::Role,
                now: i64,
            ) -> Result<bool, $crate::StoreError> {
                let done = sqlx::query(
                    "INSERT INTO board_members (board_id, user_id, role, added_at) VALUES ($1, $2, $3, $4)
                     ON CONFLICT (board_id, user_id) DO NOTHING",
                )
                .bind(board.0)
                .bind(user)
                .bind(role.as_str())
                .bind(now)
                .execute(self.writer())
                .await?;
                Ok(done.rows_affected() > 0)
            }

            async fn remove_member(&self, board: cjm_core::BoardId, user: uuid::Uuid) -> Result<bool, $crate::StoreError> {
                let mut tx = self.writer().begin().await?;
                let old = Self::lock_membership(&mut tx, board, user).await?;
                if old.is_none() {
                    return Ok(false);
                }
                if old == Some(cjm_core::Role::Owner) {
                    Self::keep_an_owner(&mut tx, board).await?;
                }
                sqlx::query("DELETE FROM board_members WHERE board_id = $1 AND user_id = $2")
                    .bind(board.0)
                    .bind(user)
                    .execute(&mut *tx)
                    .await?;
                tx.commit().await?;
                Ok(true)
            }

            async fn invite(
                &self,
                board: cjm_core::BoardId,
                email: &str,
                role: cjm_core::Role,
                by: uuid::Uuid,
                now: i64,
            ) -> Result<(), $crate::StoreError> {
                sqlx::query(
                    "INSERT INTO invitations (board_id, email, role, invited_by, created_at) VALUES ($1, $2, $3, $4, $5)
                     ON CONFLICT (board_id, email) DO UPDATE SET role = excluded.role",
                )
                .bind(board.0)
                .bind(email)
                .bind(role.as_str())
                .bind(by)
                .bind(now)
                .execute(self.writer())
                .await?;
                Ok(())
            }

            async fn invitations(&self, board: cjm_core::BoardId) -> Result<Vec<$crate::Invitation>, $crate::StoreError> {
                let rows: Vec<(String, String, i64)> = sqlx::query_as(
                    "SELECT email, role, created_at FROM invitations WHERE board_id = $1 ORDER BY created_at, email",
                )
                .bind(board.0)
                .fetch_all(self.reader())
                .await?;
                rows.into_iter()
                    .map(|(email, role, invited_at)| {
                        let role = cjm_core::Role::parse(&role)
                            .ok_or_else(|| $crate::StoreError::Corrupt { table: "invitations", detail: format!("role {role:?}") })?;
                        Ok($crate::Invitation { email, role, invited_at })
                    })
                    .collect()
            }

            async fn cancel_invitation(&self, board: cjm_core::BoardId, email: &str) -> Result<bool, $crate::StoreError> {
                let done = sqlx::query("DELETE FROM invitations WHERE board_id = $1 AND email = $2")
                    .bind(board.0)
                    .bind(email)
                    .execute(self.writer())
                    .await?;
                Ok(done.rows_affected() > 0)
            }

            async fn accept_invitations(
                &self,
                user: uuid::Uuid,
                email: &str,
                now: i64,
            ) -> Result<Vec<cjm_core::BoardId>, $crate::StoreError> {
                let mut tx = self.writer().begin().await?;
                let boards: Vec<(uuid::Uuid,)> = sqlx::query_as(
                    "INSERT INTO board_members (board_id, user_id, role, added_at)
                     SELECT i.board_id, $1, i.role, $2 FROM invitations i JOIN boards b ON b.id = i.board_id
                     WHERE i.email = $3 AND b.deleted_at IS NULL
                     ON CONFLICT (board_id, user_id) DO NOTHING
                     RETURNING board_id",
                )
                .bind(user)
                .bind(now)
                .bind(email)
                .fetch_all(&mut *tx)
                .await?;
                sqlx::query("DELETE FROM invitations WHERE email = $1")
                    .bind(email)
                    .execute(&mut *tx)
                    .await?;
                tx.commit().await?;
                Ok(boards.into_iter().map(|(b,)| cjm_core::BoardId(b)).collect())
            }

            async fn create_link(&self, link: &$crate::ShareLink, token_hash: &[u8]) -> Result<(), $crate::StoreError> {
                sqlx::query(
                    "INSERT INTO share_links (id, board_id, token_hash, role, password_hash, expires_at, created_by, created_at)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                )
                .bind(link.id)
                .bind(link.board.0)
                .bind(token_hash)
                .bind(link.role.as_str())
                .bind(link.password_hash.as_deref())
                .bind(link.expires_at)
                .bind(link.created_by)
                .bind(link.created_at)
                .execute(self.writer())
                .await?;
                Ok(())
            }

            async fn links(&self, board: cjm_core::BoardId) -> Result<Vec<$crate::ShareLink>, $crate::StoreError> {
                let rows: Vec<$crate::rows::LinkRow> = sqlx::query_as(
                    "SELECT id, board_id, role, password_hash, expires_at, created_by, created_at, last_used_at
                     FROM share_links WHERE board_id = $1 AND revoked_at IS NULL
                     ORDER BY created_at DESC, id DESC LIMIT 500",
                )
                .bind(board.0)
                .fetch_all(self.reader())
                .await?;
                Ok(rows.into_iter().filter_map($crate::rows::LinkRow::into_link).collect())
            }

            async fn link_by_token(&self, token_hash: &[u8]) -> Result<Option<$crate::ShareLink>, $crate::StoreError> {
                let row: Option<$crate::rows::LinkRow> = sqlx::query_as(
                    "SELECT l.id, l.board_id, l.role, l.password_hash, l.expires_at, l.created_by, l.created_at, l.last_used_at
                     FROM share_links l JOIN boards b ON b.id = l.board_id
                     WHERE l.token_hash = $1 AND l.revoked_at IS NULL AND b.deleted_at IS NULL",
                )
                .bind(token_hash)
                .fetch_optional(self.reader())
                .await?;
                Ok(row.and_then($crate::rows::LinkRow::into_link))
            }

            async fn revoke_link(&self, board: cjm_core::BoardId, link: uuid::Uuid, now: i64) -> Result<bool, $crate::StoreError> {
                let mut tx = self.writer().begin().await?;
                let done = sqlx::query(
                    "UPDATE share_links SET revoked_at = $3 WHERE id = $1 AND board_id = $2 AND revoked_at IS NULL",
                )
                .bind(link)
                .bind(board.0)
                .bind(now)
                .execute(&mut *tx)
                .await?;
                // Only a link of this board loses its guests.
                if done.rows_affected() == 0 {
                    return Ok(false);
                }
                sqlx::query("DELETE FROM link_guests WHERE link_id = $1")
                    .bind(link)
                    .execute(&mut *tx)
                    .await?;
                tx.commit().await?;
                Ok(true)
            }

            async fn touch_link(&self, link: uuid::Uuid, now: i64) -> Result<(), $crate::StoreError> {
                sqlx::query("UPDATE share_links SET last_used_at = $2 WHERE id = $1 AND (last_used_at IS NULL OR last_used_at < $2)")
                    .bind(link)
                    .bind(now)
                    .execute(self.writer())
                    .await?;
                Ok(())
            }

            async fn add_guest(
                &self,
                token_hash: &[u8],
                link: uuid::Uuid,
                name: &str,
                now: i64,
            ) -> Result<uuid::Uuid, $crate::StoreError> {
                let mut tx = self.writer().begin().await?;
                let known: Option<(uuid::Uuid,)> = sqlx::query_as(
                    "UPDATE link_guests SET name = $3 WHERE token_hash = $1 AND link_id = $2 RETURNING guest_id",
                )
                .bind(token_hash)
                .bind(link)
                .bind(name)
                .fetch_optional(&mut *tx)
                .await?;
                let guest_id = match known {
                    Some((id,)) => id,
                    None => {
                        let id = uuid::Uuid::now_v7();
                        sqlx::query(
                            "INSERT INTO link_guests (token_hash, link_id, guest_id, name, created_at)
                             VALUES ($1, $2, $3, $4, $5)",
                        )
                        .bind(token_hash)
                        .bind(link)
                        .bind(id)
                        .bind(name)
                        .bind(now)
                        .execute(&mut *tx)
                        .await?;
                        id
                    }
                };
                sqlx::query("UPDATE share_links SET last_used_at = $2 WHERE id = $1 AND (last_used_at IS NULL OR last_used_at < $2)")
                    .bind(link)
                    .bind(now)
                    .execute(&mut *tx)
                    .await?;
                tx.commit().await?;
                Ok(guest_id)
            }

            async fn rekey_guest(&self, old: &[u8], new: &[u8]) -> Result<(), $crate::StoreError> {
                sqlx::query("UPDATE link_guests SET token_hash = $2 WHERE token_hash = $1")
                    .bind(old)
                    .bind(new)
                    .execute(self.writer())
                    .await?;
                Ok(())
            }

            async fn guest_links(
                &self,
                token_hash: &[u8],
                board: cjm_core::BoardId,
            ) -> Result<Vec<$crate::Guest>, $crate::StoreError> {
                let rows: Vec<$crate::rows::GuestRow> = sqlx::query_as(
                    "SELECT l.id, l.board_id, l.role, l.password_hash, l.expires_at, l.created_by, l.created_at, l.last_used_at,
                            g.guest_id, g.name
                     FROM link_guests g
                     JOIN share_links l ON l.id = g.link_id
                     JOIN boards b ON b.id = l.board_id
                     WHERE g.token_hash = $1 AND l.board_id = $2 AND l.revoked_at IS NULL AND b.deleted_at IS NULL",
                )
                .bind(token_hash)
                .bind(board.0)
                .fetch_all(self.reader())
                .await?;
                Ok(rows
                    .into_iter()
                    .filter_map(|g| {
                        Some($crate::Guest { link: g.link.into_link()?, guest_id: g.guest_id, name: g.name })
                    })
                    .collect())
            }

            fn backend(&self) -> &'static str {
                $backend
            }

            $($($extra)*)?
        }
    };
}

pub(crate) use impl_store;
