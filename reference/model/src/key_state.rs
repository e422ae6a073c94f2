//! The KMS key-state machine as data (`spec/kms.md#key-states`): which request or event moves a
//! key from which state to which ([`KEY_STATE_TRANSITIONS`]), and which operations succeed in
//! which state ([`KEY_STATE_EFFECTS`]).
//!
//! The model's KMS code never decides a state change or a state error by itself: it looks the
//! pair up here. Both tables are pinned as snapshots by the test suite and compared with the
//! tables of the spec text. This module holds no key material and does no IO.

use serde::Serialize;

/// The state of a KMS key, plus the two pseudo-states before creation and after deletion.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub enum KeyState {
    /// Not created yet (the spec's "(none)").
    Absent,
    /// `Enabled`.
    Enabled,
    /// `Disabled`.
    Disabled,
    /// `PendingDeletion`.
    PendingDeletion,
    /// Gone: the clock reached `DeletionDate` (the spec's "deleted").
    Deleted,
}

impl KeyState {
    /// The `KeyState` value of `KeyMetadata` (pseudo-states have none).
    pub fn wire_name(self) -> &'static str {
        match self {
            KeyState::Absent => "(none)",
            KeyState::Enabled => "Enabled",
            KeyState::Disabled => "Disabled",
            KeyState::PendingDeletion => "PendingDeletion",
            KeyState::Deleted => "deleted",
        }
    }
}

/// What moves a key between states.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum KeyEvent {
    /// CreateKey, or the first use of `alias/aws/dynamodb`.
    Create,
    /// DisableKey.
    DisableKey,
    /// EnableKey.
    EnableKey,
    /// ScheduleKeyDeletion.
    ScheduleKeyDeletion,
    /// CancelKeyDeletion.
    CancelKeyDeletion,
    /// The clock reaches `DeletionDate`.
    DeletionDateReached,
}

//= spec/kms.md#key-state-transitions
//# The reference model pins this table as a snapshot; a target MUST agree with every row.
/// `(from, event, to)`: every transition a key can make. A pair that is not listed is not a
/// transition; the request fails with the error [`KEY_STATE_EFFECTS`] gives for it.
pub const KEY_STATE_TRANSITIONS: &[(KeyState, KeyEvent, KeyState)] = &[
    (KeyState::Absent, KeyEvent::Create, KeyState::Enabled),
    (KeyState::Enabled, KeyEvent::DisableKey, KeyState::Disabled),
    (KeyState::Disabled, KeyEvent::EnableKey, KeyState::Enabled),
    (KeyState::Enabled, KeyEvent::EnableKey, KeyState::Enabled),
    (KeyState::Disabled, KeyEvent::DisableKey, KeyState::Disabled),
    (
        KeyState::Enabled,
        KeyEvent::ScheduleKeyDeletion,
        KeyState::PendingDeletion,
    ),
    (
        KeyState::Disabled,
        KeyEvent::ScheduleKeyDeletion,
        KeyState::PendingDeletion,
    ),
    (
        KeyState::PendingDeletion,
        KeyEvent::CancelKeyDeletion,
        KeyState::Disabled,
    ),
    (
        KeyState::PendingDeletion,
        KeyEvent::DeletionDateReached,
        KeyState::Deleted,
    ),
];

/// The state `event` moves a key in state `from` to, if the pair is a transition.
pub fn next_key_state(from: KeyState, event: KeyEvent) -> Option<KeyState> {
    KEY_STATE_TRANSITIONS
        .iter()
        .find(|(f, e, _)| *f == from && *e == event)
        .map(|(_, _, to)| *to)
}

/// Groups of KMS operations that behave alike in every key state.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum KeyOpClass {
    /// Encrypt, Decrypt, GenerateDataKey, GenerateDataKeyWithoutPlaintext, ReEncrypt (both keys),
    /// CreateGrant.
    Cryptographic,
    /// DescribeKey, ListGrants, RetireGrant, RevokeGrant, GetKeyPolicy, PutKeyPolicy,
    /// GetKeyRotationStatus, ListResourceTags, DeleteAlias.
    Metadata,
    /// EnableKey, DisableKey, ScheduleKeyDeletion, CreateAlias, UpdateAlias (the new target),
    /// TagResource, UntagResource, UpdateKeyDescription.
    Management,
    /// CancelKeyDeletion.
    Cancel,
    /// EnableKeyRotation, DisableKeyRotation.
    Rotation,
}

/// What an operation does in a key state.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum KeyStateEffect {
    /// The operation proceeds.
    Ok,
    /// `DisabledException`: `<key arn> is disabled.`
    DisabledError,
    /// `KMSInvalidStateException`: `<key arn> is pending deletion.`
    PendingError,
    /// `KMSInvalidStateException`: `<key arn> is not pending deletion.`
    NotPendingError,
}

//= spec/kms.md#key-state-effects
//# Each operation MUST succeed or fail in each key state as the table above says.
/// `(class, effect in Enabled, effect in Disabled, effect in PendingDeletion)`.
pub const KEY_STATE_EFFECTS: &[(KeyOpClass, [KeyStateEffect; 3])] = &[
    (
        KeyOpClass::Cryptographic,
        [
            KeyStateEffect::Ok,
            KeyStateEffect::DisabledError,
            KeyStateEffect::PendingError,
        ],
    ),
    (
        KeyOpClass::Metadata,
        [KeyStateEffect::Ok, KeyStateEffect::Ok, KeyStateEffect::Ok],
    ),
    (
        KeyOpClass::Management,
        [
            KeyStateEffect::Ok,
            KeyStateEffect::Ok,
            KeyStateEffect::PendingError,
        ],
    ),
    (
        KeyOpClass::Cancel,
        [
            KeyStateEffect::NotPendingError,
            KeyStateEffect::NotPendingError,
            KeyStateEffect::Ok,
        ],
    ),
    (
        KeyOpClass::Rotation,
        [
            KeyStateEffect::Ok,
            KeyStateEffect::DisabledError,
            KeyStateEffect::PendingError,
        ],
    ),
];

/// The effect of an operation of `class` on a key in `state` (existing states only; a deleted
/// or absent key is unknown and never gets here).
pub fn key_state_effect(class: KeyOpClass, state: KeyState) -> KeyStateEffect {
    let column = match state {
        KeyState::Enabled => 0,
        KeyState::Disabled => 1,
        KeyState::PendingDeletion => 2,
        KeyState::Absent | KeyState::Deleted => return KeyStateEffect::Ok,
    };
    KEY_STATE_EFFECTS
        .iter()
        .find(|(c, _)| *c == class)
        .map_or(KeyStateEffect::Ok, |(_, effects)| effects[column])
}
