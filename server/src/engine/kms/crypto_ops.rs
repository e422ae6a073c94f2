//! KMS cryptographic operations: Encrypt, Decrypt, GenerateDataKey,
//! GenerateDataKeyWithoutPlaintext and ReEncrypt for direct callers, and
//! the two that DynamoDB makes for table keys (GenerateDataKey of a table key, Decrypt of a
//! wrapped table key), all through the crypto core's KMS blob (`spec/kms.md#crypto`,
//! `spec/key-hierarchy.md#kms-blob-layout`).

use std::collections::BTreeMap;

use ddbsse_crypto::{EncryptionContext, TableKey, kms_blob};
use ddbsse_wire::attribute::Blob;
use ddbsse_wire::kms::SYMMETRIC_DEFAULT;
use ddbsse_wire::kms::{
    DecryptInput, DecryptOutput, EncryptInput, EncryptOutput, GenerateDataKeyInput,
    GenerateDataKeyOutput, GenerateDataKeyWithoutPlaintextInput,
    GenerateDataKeyWithoutPlaintextOutput, ReEncryptInput, ReEncryptOutput,
};
use ddbsse_wire::time::Timestamp;
use ddbsse_wire::{ApiError, ErrorCode, kms_errors};

use super::grants::DynamoDbAccess;
use super::keys::KeyForms;
use super::{KmsOutcome, constraint, null_member};
use crate::engine::state::State;
use crate::engine::{Call, Engine, random};

//= spec/key-hierarchy.md#decrypt-errors
//# The error MUST NOT carry key material, plaintext, or which of key, context, table, primary key, length or version was wrong.
fn invalid_ciphertext() -> ApiError {
    //= spec/kms.md#encryption-context
    //# The `message` of `InvalidCiphertextException` is empty (decided here: AWS sends none worth
    //# matching).
    ApiError::new(ErrorCode::InvalidCiphertext, "")
}

fn context(map: Option<BTreeMap<String, String>>) -> Result<EncryptionContext, ApiError> {
    EncryptionContext::try_from(map.unwrap_or_default()).map_err(|e| {
        ApiError::new(
            ErrorCode::KmsValidation,
            format!("Invalid encryption context: {e}"),
        )
    })
}

fn check_algorithm(a: Option<&str>) -> Result<(), ApiError> {
    match a {
        None | Some(SYMMETRIC_DEFAULT) => Ok(()),
        Some(other) => Err(constraint(
            other,
            "encryptionAlgorithm",
            "Member must satisfy enum value set: [SYMMETRIC_DEFAULT, RSAES_OAEP_SHA_1, RSAES_OAEP_SHA_256, SM2PKE]",
        )),
    }
}

/// How many blobs one KMS key material may seal (NIST SP 800-38D section 8.3, random nonces).
pub const MAX_BLOBS_PER_KEY: u64 = 1 << 32;

/// Why DynamoDB's Decrypt of a table key failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TableKeyFailure {
    /// The key is disabled.
    Disabled,
    /// The key is pending deletion.
    PendingDeletion,
    /// Deleted key, missing grant, or a blob that did not open.
    Denied,
}

impl Engine {
    /// Seals `plaintext` under the key `key_id` with `ctx` (key ARN in the blob header), and
    /// counts the seal durably against the key material's limit.
    fn seal_blob(
        &self,
        st: &mut State,
        key_id: &str,
        plaintext: &[u8],
        ctx: &EncryptionContext,
    ) -> Result<Vec<u8>, ApiError> {
        let arn = self.key_arn(key_id);
        let k = st
            .keys
            .get_mut(key_id)
            .ok_or_else(|| super::key_not_found(&arn))?;
        //= spec/key-hierarchy.md#kms-blob-seal
        //# A target MUST NOT seal more than 2^32 blobs under one KMS key material (the NIST SP 800-38D section 8.3 limit for random 96-bit nonces).
        if k.rec.blobs_sealed >= MAX_BLOBS_PER_KEY {
            return Err(ApiError::new(
                ErrorCode::KmsInternal,
                format!("{arn} has sealed the maximum number of ciphertexts for its key material"),
            ));
        }
        k.rec.blobs_sealed += 1;
        let op = crate::engine::state::put_key(&k.rec);
        //= spec/key-hierarchy.md#kms-blob-seal
        //# The nonce of every blob MUST be 12 fresh bytes from a cryptographically secure random generator.
        //= spec/key-hierarchy.md#kms-blob-layout
        //# `key_id` names the KMS key whose material sealed the blob; ddbsse targets MUST write the key ARN there, so that Decrypt can find the key and return its ARN without a `KeyId` in the request.
        let nonce = random::bytes::<12>()?;
        let blob = kms_blob::seal(&arn, &k.material, plaintext, ctx, nonce)
            .map_err(|_| ApiError::new(ErrorCode::KmsInternal, "Encryption failed"))?;
        self.commit(vec![op])?;
        Ok(blob)
    }

    //= spec/kms.md#encrypt-decrypt
    //# Encrypt MUST accept a `Plaintext` of 1 to 4096 bytes and return a `CiphertextBlob` and `KeyId` as the key ARN, and Decrypt of that blob MUST return the same `Plaintext` and `KeyId` without the request naming the key.
    pub(crate) fn encrypt(
        &self,
        st: &mut State,
        call: &Call<'_>,
        i: EncryptInput,
    ) -> Result<KmsOutcome, ApiError> {
        let plaintext = i.plaintext.ok_or_else(|| null_member("plaintext"))?;
        let n = plaintext.0.len();
        if n == 0 || n > 4096 {
            return Err(constraint(
                "***",
                "plaintext",
                if n == 0 {
                    "Member must have length greater than or equal to 1"
                } else {
                    "Member must have length less than or equal to 4096"
                },
            ));
        }
        check_algorithm(i.encryption_algorithm.as_deref())?;
        let ctx = context(i.encryption_context)?;
        let k = self.named_key(st, i.key_id.as_deref(), call.now, KeyForms::Any)?;
        self.deny_managed(call, k, "Encrypt")?;
        self.check_crypto_state(k)?;
        let key_id = k.rec.key_id.clone();
        let blob = self.seal_blob(st, &key_id, &plaintext.0, &ctx)?;
        let arn = self.key_arn(&key_id);
        Ok(KmsOutcome::new(
            EncryptOutput {
                ciphertext_blob: Blob(blob),
                key_id: arn.clone(),
                encryption_algorithm: SYMMETRIC_DEFAULT.to_owned(),
            },
            Some(arn),
        ))
    }

    //= spec/kms.md#encryption-context
    //# Decrypt MUST fail with `InvalidCiphertextException` unless its `EncryptionContext` equals, key for key and value for value (case-sensitive), the context given when the ciphertext was produced, and a ciphertext that was altered in any byte MUST fail the same way.
    pub(crate) fn decrypt(
        &self,
        st: &mut State,
        call: &Call<'_>,
        i: DecryptInput,
    ) -> Result<KmsOutcome, ApiError> {
        let blob = i
            .ciphertext_blob
            .ok_or_else(|| null_member("ciphertextBlob"))?;
        if blob.0.is_empty() || blob.0.len() > 6144 {
            return Err(constraint(
                "***",
                "ciphertextBlob",
                "Member must have length between 1 and 6144",
            ));
        }
        check_algorithm(i.encryption_algorithm.as_deref())?;
        let ctx = context(i.encryption_context)?;
        let named_arn = kms_blob::key_id(&blob.0).map_err(|_| invalid_ciphertext())?;
        let own_prefix = self.key_arn("");
        let blob_key = named_arn
            .strip_prefix(&own_prefix)
            .ok_or_else(invalid_ciphertext)?
            .to_owned();
        if st.live_key(&blob_key, call.now).is_none() {
            return Err(invalid_ciphertext());
        }
        //= spec/kms.md#encrypt-decrypt
        //# A Decrypt whose `KeyId` names a key other than the one that produced the ciphertext MUST fail with `IncorrectKeyException`.
        if let Some(requested) = i.key_id.as_deref() {
            let requested = self
                .lookup_key(st, requested, call.now)
                .map_err(|u| u.to_kms_error())?;
            if requested != blob_key {
                return Err(ApiError::new(
                    ErrorCode::IncorrectKey,
                    kms_errors::KEY_CANNOT_PERFORM_TEXT,
                ));
            }
        }
        let k = st.keys.get(&blob_key).ok_or_else(invalid_ciphertext)?;
        self.deny_managed(call, k, "Decrypt")?;
        self.check_crypto_state(k)?;
        let plain = kms_blob::open(&k.material, &blob.0, &ctx).map_err(|_| invalid_ciphertext())?;
        let arn = self.key_arn(&blob_key);
        //= spec/kms.md#create-key
        //# GenerateDataKey and Decrypt answers MUST carry `KeyMaterialId`, equal to the `CurrentKeyMaterialId` of the key that sealed or opened the ciphertext.
        Ok(KmsOutcome::new(
            DecryptOutput {
                key_id: arn.clone(),
                plaintext: Blob(plain.to_vec()),
                encryption_algorithm: SYMMETRIC_DEFAULT.to_owned(),
                key_material_id: k.key_material_id(),
            },
            Some(arn),
        ))
    }

    //= spec/kms.md#generate-data-key
    //# GenerateDataKey MUST take exactly one of `NumberOfBytes` (1 to 1024) and `KeySpec` (`AES_256` for 32 bytes, `AES_128` for 16 bytes), and MUST fail with `ValidationException` when both or neither are given or `NumberOfBytes` is outside 1 to 1024.
    pub(crate) fn generate_data_key(
        &self,
        st: &mut State,
        call: &Call<'_>,
        i: GenerateDataKeyInput,
    ) -> Result<KmsOutcome, ApiError> {
        let len = match (i.number_of_bytes, i.key_spec.as_deref()) {
            (Some(_), Some(_)) | (None, None) => {
                return Err(ApiError::new(
                    ErrorCode::KmsValidation,
                    kms_errors::BYTES_OR_KEY_SPEC_TEXT,
                ));
            }
            (Some(n), None) if n < 1 => {
                return Err(constraint(
                    &n.to_string(),
                    "numberOfBytes",
                    "Member must have value greater than or equal to 1",
                ));
            }
            (Some(n), None) if n > 1024 => {
                return Err(constraint(
                    &n.to_string(),
                    "numberOfBytes",
                    "Member must have value less than or equal to 1024",
                ));
            }
            (Some(n), None) => n as usize,
            (None, Some("AES_256")) => 32,
            (None, Some("AES_128")) => 16,
            (None, Some(other)) => {
                return Err(constraint(
                    other,
                    "keySpec",
                    "Member must satisfy enum value set: [AES_256, AES_128]",
                ));
            }
        };
        let ctx = context(i.encryption_context)?;
        let k = self.named_key(st, i.key_id.as_deref(), call.now, KeyForms::Any)?;
        self.deny_managed(call, k, "GenerateDataKey")?;
        self.check_crypto_state(k)?;
        let key_id = k.rec.key_id.clone();
        let key_material_id = k.key_material_id();
        //= spec/kms.md#generate-data-key
        //# GenerateDataKey MUST return fresh random `Plaintext` of the requested length, a `CiphertextBlob` that Decrypt turns back into that plaintext under the same encryption context, and `KeyId` as the key ARN.
        let plain = random::secret_vec(len)?;
        let blob = self.seal_blob(st, &key_id, &plain, &ctx)?;
        let arn = self.key_arn(&key_id);
        Ok(KmsOutcome::new(
            GenerateDataKeyOutput {
                ciphertext_blob: Blob(blob),
                plaintext: Blob(plain.to_vec()),
                key_id: arn.clone(),
                key_material_id,
            },
            Some(arn),
        ))
    }

    //= spec/kms.md#generate-data-key-without-plaintext
    //# GenerateDataKeyWithoutPlaintext MUST check its members and the key as GenerateDataKey does and return the same `CiphertextBlob`, `KeyId` and `KeyMaterialId`, without `Plaintext`.
    pub(crate) fn generate_data_key_without_plaintext(
        &self,
        st: &mut State,
        call: &Call<'_>,
        i: GenerateDataKeyWithoutPlaintextInput,
    ) -> Result<KmsOutcome, ApiError> {
        let len =
            ddbsse_wire::kms_settings::data_key_length(i.number_of_bytes, i.key_spec.as_deref())?;
        let ctx = context(i.encryption_context)?;
        let k = self.named_key(st, i.key_id.as_deref(), call.now, KeyForms::Any)?;
        self.deny_managed(call, k, "GenerateDataKeyWithoutPlaintext")?;
        self.check_crypto_state(k)?;
        ddbsse_wire::kms_settings::dry_run(i.dry_run)?;
        let key_id = k.rec.key_id.clone();
        let key_material_id = k.key_material_id();
        let plain = random::secret_vec(len)?;
        let blob = self.seal_blob(st, &key_id, &plain, &ctx)?;
        let arn = self.key_arn(&key_id);
        Ok(KmsOutcome::new(
            GenerateDataKeyWithoutPlaintextOutput {
                ciphertext_blob: Blob(blob),
                key_id: arn.clone(),
                key_material_id,
            },
            Some(arn),
        ))
    }

    //= spec/kms.md#reencrypt
    //# ReEncrypt MUST open the blob as Decrypt would under `SourceEncryptionContext` (the key the blob names; `SourceKeyId`, when given, MUST name that key, else `IncorrectKeyException`) and seal its plaintext under `DestinationKeyId` and `DestinationEncryptionContext`, returning `CiphertextBlob`, `SourceKeyId` and `KeyId` (key ARNs), both algorithms and both keys' `KeyMaterialId`s; each key is checked as for a cryptographic operation.
    pub(crate) fn reencrypt(
        &self,
        st: &mut State,
        call: &Call<'_>,
        i: ReEncryptInput,
    ) -> Result<KmsOutcome, ApiError> {
        let (dest, blob) = ddbsse_wire::kms_settings::reencrypt_members(&i)?;
        let named = match i.source_key_id.as_deref() {
            Some(k) => Some(
                self.lookup_key(st, k, call.now)
                    .map_err(|u| u.to_kms_error())?,
            ),
            None => None,
        };
        let blob_arn = kms_blob::key_id(blob).map_err(|_| invalid_ciphertext())?;
        let src = blob_arn
            .strip_prefix(&self.key_arn(""))
            .filter(|id| st.live_key(id, call.now).is_some())
            .ok_or_else(|| super::key_not_found(blob_arn))?
            .to_owned();
        if named.is_some_and(|n| n != src) {
            return Err(ApiError::new(
                ErrorCode::IncorrectKey,
                kms_errors::KEY_CANNOT_PERFORM_TEXT,
            ));
        }
        let k = st.keys.get(&src).ok_or_else(invalid_ciphertext)?;
        self.deny_managed(call, k, "ReEncryptFrom")?;
        self.check_crypto_state(k)?;
        let dst = self
            .lookup_key(st, dest, call.now)
            .map_err(|u| u.to_kms_error())?;
        let d = st
            .keys
            .get(&dst)
            .ok_or_else(|| super::key_not_found(&self.key_arn(&dst)))?;
        self.deny_managed(call, d, "ReEncryptTo")?;
        self.check_crypto_state(d)?;
        let source_ctx =
            context(i.source_encryption_context.clone()).map_err(|_| invalid_ciphertext())?;
        let plain =
            kms_blob::open(&k.material, blob, &source_ctx).map_err(|_| invalid_ciphertext())?;
        ddbsse_wire::kms_settings::dry_run(i.dry_run)?;
        let dest_ctx = context(i.destination_encryption_context.clone())?;
        let source_key_material_id = k.key_material_id();
        let destination_key_material_id = d.key_material_id();
        let sealed = self.seal_blob(st, &dst, &plain, &dest_ctx)?;
        Ok(KmsOutcome::new(
            ReEncryptOutput {
                ciphertext_blob: Blob(sealed),
                source_key_id: self.key_arn(&src),
                key_id: self.key_arn(&dst),
                source_encryption_algorithm: SYMMETRIC_DEFAULT.to_owned(),
                destination_encryption_algorithm: SYMMETRIC_DEFAULT.to_owned(),
                source_key_material_id,
                destination_key_material_id,
            },
            Some(self.key_arn(&src)),
        ))
    }

    //= spec/key-hierarchy.md#table-key
    //# The table key MUST be the 32-byte `Plaintext` of a GenerateDataKey request with `KeySpec` `AES_256` under the table's KMS key.
    /// DynamoDB's GenerateDataKey of a table key: the plaintext key and its wrapped form.
    pub(crate) fn generate_table_key(
        &self,
        st: &mut State,
        key_id: &str,
        ctx: &EncryptionContext,
    ) -> Result<(TableKey, Vec<u8>), ApiError> {
        let material = random::key_material()?;
        let blob = self.seal_blob(st, key_id, material.expose_secret(), ctx)?;
        Ok((TableKey::from_material(material), blob))
    }

    /// DynamoDB's Decrypt of a wrapped table key (key state and grant checked).
    pub(crate) fn decrypt_table_key(
        &self,
        st: &State,
        key_id: &str,
        blob: &[u8],
        ctx: &EncryptionContext,
        now: Timestamp,
    ) -> Result<TableKey, TableKeyFailure> {
        match self.dynamodb_access(st, key_id, ctx, now) {
            DynamoDbAccess::Usable => {}
            DynamoDbAccess::Disabled => return Err(TableKeyFailure::Disabled),
            DynamoDbAccess::PendingDeletion => return Err(TableKeyFailure::PendingDeletion),
            DynamoDbAccess::Denied => return Err(TableKeyFailure::Denied),
        }
        let k = st.keys.get(key_id).ok_or(TableKeyFailure::Denied)?;
        TableKey::unwrap(&k.material, blob, ctx).map_err(|_| TableKeyFailure::Denied)
    }

    /// Unwraps a table key without any check or trail record: DynamoDB's own re-encryption on
    /// a key switch, which needs the old key while the switch runs.
    pub(crate) fn unwrap_table_key_internal(
        &self,
        st: &State,
        key_id: &str,
        blob: &[u8],
        ctx: &EncryptionContext,
    ) -> Result<TableKey, ApiError> {
        let k = st
            .keys
            .get(key_id)
            .ok_or_else(|| crate::engine::table_crypto::internal("table key unavailable"))?;
        TableKey::unwrap(&k.material, blob, ctx)
            .map_err(|_| crate::engine::table_crypto::integrity())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::EngineConfig;
    use ddbsse_wire::caller::Caller;

    #[test]
    //= spec/key-hierarchy.md#kms-blob-seal
    //= type=test
    //# A target MUST NOT seal more than 2^32 blobs under one KMS key material (the NIST SP 800-38D section 8.3 limit for random 96-bit nonces).
    fn key_material_refuses_after_2_pow_32_blobs() {
        let e = Engine::open(EngineConfig::default()).unwrap();
        let c = Caller::new("AKIDTEST", 1);
        let now = Timestamp(1_000);
        let r = e.handle(now, &c, "TrentService.CreateKey", b"{}");
        let v: serde_json::Value = serde_json::from_slice(&r.body).unwrap();
        let id = v["KeyMetadata"]["KeyId"].as_str().unwrap().to_owned();
        e.write_state().keys.get_mut(&id).unwrap().rec.blobs_sealed = MAX_BLOBS_PER_KEY - 1;
        let body = serde_json::json!({"KeyId": id, "Plaintext": "aGk="}).to_string();
        assert_eq!(
            e.handle(now, &c, "TrentService.Encrypt", body.as_bytes())
                .status,
            200
        );
        let r = e.handle(now, &c, "TrentService.Encrypt", body.as_bytes());
        assert_eq!(r.status, 500);
        let v: serde_json::Value = serde_json::from_slice(&r.body).unwrap();
        assert_eq!(v["__type"], "KMSInternalException");
    }
}
