//! The cases: each is named after the spec requirement it checks, cites that requirement with
//! duvet, and says which target capabilities it needs. [`all`] lists them in suite order.
//!
//! One file per area: [`managed_key_first_use`] (runs first), [`sse`] (choosing the key), [`validation`], [`table_arn`], [`list_tables`]
//! (ListTables pages), [`update`] (switching and quota), [`status`] (table status lifecycle and the data plane while a key is unusable),
//! [`grants`], [`kms`], [`kms_lists`] (Limit and filters of the List operations), [`kms_settings`],
//! [`cache`], [`cache_bound`] (the cache at its bound), [`trail`], [`delivery`] (trail files),
//! [`errors`], [`at_rest`], [`distinct_keys`] (Number and Binary keys),
//! [`control`] (indexes, TTL, tags, backups, limits), [`update_settings`] (UpdateTable besides
//! the key), [`ttl`] (expiry and the sweep),
//! [`items`] (UpdateItem, conditions, filters), [`transact_token`] (idempotent transactions),
//! [`indexes`] (reads of secondary indexes) and [`lockstep`].

pub mod at_rest;
pub mod cache;
pub mod cache_bound;
pub mod control;
pub mod delivery;
pub mod distinct_keys;
pub mod errors;
pub mod grants;
pub mod indexes;
pub mod items;
pub mod kms;
pub mod kms_lists;
pub mod kms_settings;
pub mod list_tables;
pub mod lockstep;
pub mod managed_key_first_use;
pub mod sse;
pub mod status;
pub mod table_arn;
pub mod trail;
pub mod transact_token;
pub mod ttl;
pub mod update;
pub mod update_settings;
pub mod util;
pub mod validation;

use crate::ctx::{CaseResult, Ctx};

/// Something a case needs from the target beyond the AWS APIs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Need {
    /// Time must move (manual clock, or real waiting of at most a few minutes).
    Clock,
    /// Time must move by hours or days: only a manual clock will do.
    ManualClock,
    /// A second principal (`--second-access-key`).
    SecondPrincipal,
    /// White-box access to storage (in-process targets).
    AtRest,
    /// An HTTP layer (unsigned requests).
    Http,
    /// Signature verification, announced as the `signatures` capability.
    Signatures,
}

/// One case.
#[derive(Clone, Copy)]
pub struct Case {
    /// Hierarchical id, `<spec file stem>/<section anchor>[/<variant>]`.
    pub id: &'static str,
    /// What it checks, in one line.
    pub title: &'static str,
    /// Capabilities it needs.
    pub needs: &'static [Need],
    /// The check.
    pub run: fn(&mut Ctx<'_>) -> CaseResult,
}

impl Case {
    //= spec/conformance.md#case-ids
    //# Every case id MUST be `<spec file stem>/<section anchor>` (such as `cache/boundary` or `tables/update-quota`), optionally followed by `/<variant>` (such as `cache/boundary/299s`), where the section exists in `spec/<stem>.md`.
    /// The spec section the case checks, `spec/<stem>.md#<anchor>`, read from the id.
    pub fn requirement(&self) -> String {
        let mut parts = self.id.splitn(3, '/');
        let stem = parts.next().unwrap_or_default();
        let anchor = parts.next().unwrap_or_default();
        format!("spec/{stem}.md#{anchor}")
    }
}

impl std::fmt::Debug for Case {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Case").field("id", &self.id).finish()
    }
}

/// Every case, in suite order.
pub fn all() -> Vec<Case> {
    let mut v = Vec::new();
    // First: the AWS managed key is made once per target, by the first case that needs it.
    v.extend_from_slice(managed_key_first_use::CASES);
    v.extend_from_slice(sse::CASES);
    v.extend_from_slice(validation::CASES);
    v.extend_from_slice(table_arn::CASES);
    v.extend_from_slice(list_tables::CASES);
    v.extend_from_slice(update::CASES);
    v.extend_from_slice(status::CASES);
    v.extend_from_slice(grants::CASES);
    v.extend_from_slice(kms::CASES);
    v.extend_from_slice(kms_lists::CASES);
    v.extend_from_slice(kms_settings::CASES);
    v.extend_from_slice(cache::CASES);
    v.extend_from_slice(cache_bound::CASES);
    v.extend_from_slice(trail::CASES);
    v.extend_from_slice(delivery::CASES);
    v.extend_from_slice(errors::CASES);
    v.extend_from_slice(at_rest::CASES);
    v.extend_from_slice(distinct_keys::CASES);
    v.extend_from_slice(control::CASES);
    v.extend_from_slice(update_settings::CASES);
    v.extend_from_slice(ttl::CASES);
    v.extend_from_slice(items::CASES);
    v.extend_from_slice(transact_token::CASES);
    v.extend_from_slice(indexes::CASES);
    v.extend_from_slice(lockstep::CASES);
    // Last: they judge every exchange of the cases before them.
    v.extend_from_slice(errors::PROTOCOL_CASES);
    // After those: a target may stop on their inputs.
    v.extend_from_slice(errors::LAST_CASES);
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    //= spec/conformance.md#case-ids
    //= type=test
    //# Every case id MUST be `<spec file stem>/<section anchor>` (such as `cache/boundary` or `tables/update-quota`), optionally followed by `/<variant>` (such as `cache/boundary/299s`), where the section exists in `spec/<stem>.md`.
    #[test]
    fn every_case_id_names_an_existing_spec_section_once() {
        let spec = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../spec");
        let mut seen = std::collections::HashSet::new();
        for case in all() {
            assert!(seen.insert(case.id), "duplicate case id {}", case.id);
            let req = case.requirement();
            let (file, anchor) = req.split_once('#').expect("requirement has an anchor");
            let text = std::fs::read_to_string(spec.join(file.trim_start_matches("spec/")))
                .unwrap_or_else(|e| panic!("{}: {file}: {e}", case.id));
            assert!(
                text.contains(&format!("{{#{anchor}}}")),
                "{}: no section {{#{anchor}}} in {file}",
                case.id
            );
            assert!(case.id.split('/').count() <= 3, "{}", case.id);
        }
    }
}
