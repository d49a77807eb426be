//! Several store operations in one round trip ([`SessionStore::batch`]) and its typed, sealed
//! form on [`Records`] ([`RecordBatch`]).
//!
//! A token request needs a handful of records whose keys are all known up front (the grant, the
//! access token's revocation entry, the session's end marker); one round trip each was most of
//! the broker's time per request (issue 13). A batch sends them together.

use super::{RecordKind, Records, StoreError};
use serde::de::DeserializeOwned;
use serde::Serialize;
use std::time::Duration;

/// One operation of a [`SessionStore::batch`](super::SessionStore::batch). Keys are fully
/// qualified, as for every other store operation.
#[derive(Debug, Clone, Copy)]
pub enum BatchOp<'a> {
    /// Read a value.
    Get(&'a str),
    /// Store a value for a TTL, replacing any previous value.
    Put(&'a str, &'a [u8], Duration),
    /// Delete a value (missing is fine).
    Delete(&'a str),
    /// Read and delete in one step, as [`SessionStore::take`](super::SessionStore::take): of
    /// concurrent takers exactly one gets the value.
    Take(&'a str),
    /// Store only if absent, as
    /// [`SessionStore::insert_if_absent`](super::SessionStore::insert_if_absent): answers
    /// `Some(empty)` when this op stored the value, `None` when the key was there.
    InsertIfAbsent(&'a str, &'a [u8], Duration),
    /// Put a member into a schedule, as [`SessionStore::schedule`](super::SessionStore::schedule):
    /// (schedule key, member, due at unix ms, TTL the schedule lives at least).
    Schedule(&'a str, &'a str, i64, Duration),
}

enum Pending {
    Get(String),
    Put(String, Vec<u8>, Duration),
    Delete(String),
    Take(String),
    InsertIfAbsent(String, Duration),
    Schedule(String, String, i64, Duration),
}

/// A typed batch on [`Records`]: queue reads and writes, [`RecordBatch::run`] them in one round
/// trip, then decode each read by the index its queueing returned.
#[must_use = "a batch does nothing until it is run"]
pub struct RecordBatch<'r> {
    records: &'r Records,
    ops: Vec<Pending>,
}

/// The answers of a [`RecordBatch`].
pub struct BatchResult<'r> {
    records: &'r Records,
    keys: Vec<String>,
    values: Vec<Option<Vec<u8>>>,
}

/// Which read of a batch (returned by [`RecordBatch::get`]).
#[derive(Debug, Clone, Copy)]
pub struct Slot(usize);

impl<'r> RecordBatch<'r> {
    pub(super) fn new(records: &'r Records) -> Self {
        Self { records, ops: Vec::new() }
    }

    /// Queue a read of a record.
    pub fn get(&mut self, kind: RecordKind, id: &str) -> Slot {
        self.ops.push(Pending::Get(self.records.store_key(kind, id)));
        Slot(self.ops.len() - 1)
    }

    /// Queue a write of a record (sealed now) for `ttl`.
    pub fn put<T: Serialize>(&mut self, kind: RecordKind, id: &str, value: &T, ttl: Duration) -> Result<(), StoreError> {
        let key = self.records.store_key(kind, id);
        let raw = self.records.encode(kind, &key, value)?;
        self.ops.push(Pending::Put(key, raw, ttl));
        Ok(())
    }

    /// Queue putting `member` into the schedule of `kind`, due at `due` (unix ms); as
    /// [`Records::schedule`].
    pub fn schedule(&mut self, kind: RecordKind, member: &str, due: i64, ttl: Duration) {
        self.ops.push(Pending::Schedule(
            self.records.store_key(kind, "schedule"),
            member.to_owned(),
            due,
            ttl,
        ));
    }

    /// Queue a delete of a record.
    pub fn delete(&mut self, kind: RecordKind, id: &str) {
        self.ops.push(Pending::Delete(self.records.store_key(kind, id)));
    }

    /// Queue a single-use read of a record ([`Records::take`]); decode it by the slot.
    pub fn take(&mut self, kind: RecordKind, id: &str) -> Slot {
        self.ops.push(Pending::Take(self.records.store_key(kind, id)));
        Slot(self.ops.len() - 1)
    }

    /// Queue a replay-cache entry ([`Records::first_sighting`]); [`BatchResult::stored`] tells
    /// whether this was the first sighting.
    pub fn first_sighting(&mut self, kind: RecordKind, id: &str, ttl: Duration) -> Slot {
        self.ops.push(Pending::InsertIfAbsent(self.records.sighting_key(kind, id), ttl));
        Slot(self.ops.len() - 1)
    }

    /// Queue the removal of a replay-cache entry written by [`Self::first_sighting`] (or
    /// [`Records::first_sighting`]), once what it guarded is over.
    pub fn forget_sighting(&mut self, kind: RecordKind, id: &str) {
        self.ops.push(Pending::Delete(self.records.sighting_key(kind, id)));
    }

    /// Run everything queued in one round trip.
    pub async fn run(self) -> Result<BatchResult<'r>, StoreError> {
        let ops: Vec<BatchOp<'_>> = self
            .ops
            .iter()
            .map(|p| match p {
                Pending::Get(k) => BatchOp::Get(k),
                Pending::Put(k, v, ttl) => BatchOp::Put(k, v, *ttl),
                Pending::Delete(k) => BatchOp::Delete(k),
                Pending::Take(k) => BatchOp::Take(k),
                // A replay-cache entry stores only that it was seen (as `first_sighting`).
                Pending::InsertIfAbsent(k, ttl) => BatchOp::InsertIfAbsent(k, b"1", *ttl),
                Pending::Schedule(k, m, due, ttl) => BatchOp::Schedule(k, m, *due, *ttl),
            })
            .collect();
        let values = if ops.is_empty() {
            Vec::new()
        } else {
            self.records.backend().batch(&ops).await?
        };
        let keys = self
            .ops
            .into_iter()
            .map(|p| match p {
                Pending::Get(k)
                | Pending::Put(k, _, _)
                | Pending::Delete(k)
                | Pending::Take(k)
                | Pending::InsertIfAbsent(k, _)
                | Pending::Schedule(k, _, _, _) => k,
            })
            .collect();
        Ok(BatchResult {
            records: self.records,
            keys,
            values,
        })
    }
}

impl BatchResult<'_> {
    /// Whether a queued [`RecordBatch::first_sighting`] stored its entry (the first sighting).
    pub fn stored(&self, slot: Slot) -> bool {
        self.values.get(slot.0).is_some_and(Option::is_some)
    }

    /// Open and decode the answer of a queued read.
    pub fn decode<T: DeserializeOwned>(&mut self, slot: Slot) -> Result<Option<T>, StoreError> {
        let (Some(key), Some(value)) = (self.keys.get(slot.0), self.values.get_mut(slot.0)) else {
            return Ok(None);
        };
        self.records.decode(key, value.take())
    }
}
