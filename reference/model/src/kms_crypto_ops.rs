//! Direct KMS cryptographic operations: Encrypt, Decrypt and GenerateDataKey
//! (`spec/kms.md#crypto`). Blobs are real: sealed with the key's material by the crypto core
//! (through `kms_crypto.rs`), with nonces and data keys from the model's seeded ChaCha20.

use ddbsse_wire::attribute::Blob;
use ddbsse_wire::caller::Caller;
use ddbsse_wire::kms::*;
use ddbsse_wire::time::Timestamp;
use ddbsse_wire::{ApiError, ErrorCode, kms_errors};

use super::Model;
use super::key_state::KeyOpClass;
use super::kms::{Forms, missing};
use super::kms_crypto;

/// The only encryption algorithm of symmetric keys.
pub use ddbsse_wire::kms::SYMMETRIC_DEFAULT;

fn invalid_ciphertext() -> ApiError {
    //= spec/kms.md#encryption-context
    //# Decrypt MUST fail with `InvalidCiphertextException` unless its `EncryptionContext` equals, key for key and value for value (case-sensitive), the context given when the ciphertext was produced, and a ciphertext that was altered in any byte MUST fail the same way.
    ApiError::new(ErrorCode::InvalidCiphertext, "")
}

fn kms_validation(msg: String) -> ApiError {
    ApiError::new(ErrorCode::KmsValidation, msg)
}

fn internal() -> ApiError {
    ApiError::new(ErrorCode::KmsInternal, "")
}

impl Model {
    /// Seals `plaintext` under key `i` with a fresh nonce.
    pub(super) fn seal_under(
        &mut self,
        i: usize,
        plaintext: &[u8],
        context: Option<&ContextMap>,
    ) -> Result<Vec<u8>, ApiError> {
        let ctx = kms_crypto::context(context).ok_or_else(|| {
            kms_validation("Encryption context entries must be at most 65535 bytes".to_owned())
        })?;
        let nonce = self.secrets.nonce();
        let key = &self.kms.keys[i];
        let material = key.material.as_ref().ok_or_else(internal)?;
        kms_crypto::seal(&key.arn, material, plaintext, &ctx, nonce).map_err(|_| internal())
    }

    pub(super) fn encrypt(
        &mut self,
        now: Timestamp,
        caller: &Caller,
        input: &EncryptInput,
    ) -> Result<EncryptOutput, ApiError> {
        let plaintext = input
            .plaintext
            .as_ref()
            .ok_or_else(|| missing("plaintext"))?;
        //= spec/kms.md#encrypt-decrypt
        //# Encrypt MUST accept a `Plaintext` of 1 to 4096 bytes and return a `CiphertextBlob` and `KeyId` as the key ARN, and Decrypt of that blob MUST return the same `Plaintext` and `KeyId` without the request naming the key.
        if plaintext.0.is_empty() || plaintext.0.len() > 4096 {
            let bound = if plaintext.0.is_empty() {
                "greater than or equal to 1"
            } else {
                "less than or equal to 4096"
            };
            return Err(kms_validation(format!(
                "1 validation error detected: Value at 'plaintext' failed to satisfy constraint: Member must have length {bound}"
            )));
        }
        let i = self.resolve_key(now, input.key_id.as_deref(), Forms::All, false)?;
        self.deny_managed(i, &caller.access_key_id, "Encrypt")?;
        self.check_key_state(i, KeyOpClass::Cryptographic)?;
        let blob = self.seal_under(i, &plaintext.0, input.encryption_context.as_ref())?;
        Ok(EncryptOutput {
            ciphertext_blob: Blob(blob),
            key_id: self.kms.keys[i].arn.clone(),
            encryption_algorithm: SYMMETRIC_DEFAULT.to_owned(),
        })
    }

    pub(super) fn decrypt(
        &mut self,
        now: Timestamp,
        caller: &Caller,
        input: &DecryptInput,
    ) -> Result<DecryptOutput, ApiError> {
        let blob = input
            .ciphertext_blob
            .as_ref()
            .ok_or_else(|| missing("ciphertextBlob"))?;
        if blob.0.is_empty() || blob.0.len() > 6144 {
            return Err(kms_validation(
                "1 validation error detected: Value at 'ciphertextBlob' failed to satisfy constraint: Member must have length between 1 and 6144".to_owned(),
            ));
        }
        let named = match input.key_id.as_deref() {
            Some(k) => Some(self.resolve_key(now, Some(k), Forms::All, false)?),
            None => None,
        };
        let blob_arn = kms_crypto::blob_key_arn(&blob.0).map_err(|_| invalid_ciphertext())?;
        let i = self.kms.by_arn(blob_arn).ok_or_else(|| {
            ApiError::new(
                ErrorCode::NotFound,
                format!("Key '{blob_arn}' does not exist"),
            )
        })?;
        //= spec/kms.md#encrypt-decrypt
        //# A Decrypt whose `KeyId` names a key other than the one that produced the ciphertext MUST fail with `IncorrectKeyException`.
        if named.is_some_and(|n| n != i) {
            return Err(ApiError::new(
                ErrorCode::IncorrectKey,
                kms_errors::KEY_CANNOT_PERFORM_TEXT,
            ));
        }
        self.deny_managed(i, &caller.access_key_id, "Decrypt")?;
        self.check_key_state(i, KeyOpClass::Cryptographic)?;
        let ctx = kms_crypto::context(input.encryption_context.as_ref())
            .ok_or_else(invalid_ciphertext)?;
        let key = &self.kms.keys[i];
        let material = key.material.as_ref().ok_or_else(internal)?;
        let plaintext =
            kms_crypto::open(material, &blob.0, &ctx).map_err(|_| invalid_ciphertext())?;
        //= spec/kms.md#create-key
        //# GenerateDataKey and Decrypt answers MUST carry `KeyMaterialId`, equal to the `CurrentKeyMaterialId` of the key that sealed or opened the ciphertext.
        Ok(DecryptOutput {
            key_id: key.arn.clone(),
            plaintext: Blob(plaintext.to_vec()),
            encryption_algorithm: SYMMETRIC_DEFAULT.to_owned(),
            key_material_id: key.material_id.clone(),
        })
    }

    pub(super) fn generate_data_key(
        &mut self,
        now: Timestamp,
        caller: &Caller,
        input: &GenerateDataKeyInput,
    ) -> Result<GenerateDataKeyOutput, ApiError> {
        //= spec/kms.md#generate-data-key
        //# GenerateDataKey MUST take exactly one of `NumberOfBytes` (1 to 1024) and `KeySpec` (`AES_256` for 32 bytes, `AES_128` for 16 bytes), and MUST fail with `ValidationException` when both or neither are given or `NumberOfBytes` is outside 1 to 1024.
        let len = match (input.number_of_bytes, input.key_spec.as_deref()) {
            (Some(_), Some(_)) | (None, None) => {
                return Err(kms_validation(
                    kms_errors::BYTES_OR_KEY_SPEC_TEXT.to_owned(),
                ));
            }
            (Some(n), None) if n < 1 => {
                return Err(kms_validation(format!(
                    "1 validation error detected: Value '{n}' at 'numberOfBytes' failed to satisfy constraint: Member must have value greater than or equal to 1"
                )));
            }
            (Some(n), None) if n > 1024 => {
                return Err(kms_validation(format!(
                    "1 validation error detected: Value '{n}' at 'numberOfBytes' failed to satisfy constraint: Member must have value less than or equal to 1024"
                )));
            }
            (Some(n), None) => usize::try_from(n).unwrap_or(32),
            (None, Some("AES_256")) => 32,
            (None, Some("AES_128")) => 16,
            (None, Some(other)) => {
                return Err(kms_validation(format!(
                    "1 validation error detected: Value '{other}' at 'keySpec' failed to satisfy constraint: Member must satisfy enum value set: [AES_256, AES_128]"
                )));
            }
        };
        let i = self.resolve_key(now, input.key_id.as_deref(), Forms::All, false)?;
        self.deny_managed(i, &caller.access_key_id, "GenerateDataKey")?;
        self.check_key_state(i, KeyOpClass::Cryptographic)?;
        //= spec/kms.md#generate-data-key
        //# GenerateDataKey MUST return fresh random `Plaintext` of the requested length, a `CiphertextBlob` that Decrypt turns back into that plaintext under the same encryption context, and `KeyId` as the key ARN.
        let mut plaintext = zeroize::Zeroizing::new(vec![0u8; len]);
        self.secrets.fill(&mut plaintext);
        let blob = self.seal_under(i, &plaintext, input.encryption_context.as_ref())?;
        Ok(GenerateDataKeyOutput {
            ciphertext_blob: Blob(blob),
            plaintext: Blob(plaintext.to_vec()),
            key_id: self.kms.keys[i].arn.clone(),
            key_material_id: self.kms.keys[i].material_id.clone(),
        })
    }
}

impl Model {
    //= spec/kms.md#generate-data-key-without-plaintext
    //# GenerateDataKeyWithoutPlaintext MUST check its members and the key as GenerateDataKey does and return the same `CiphertextBlob`, `KeyId` and `KeyMaterialId`, without `Plaintext`.
    pub(super) fn generate_data_key_without_plaintext(
        &mut self,
        now: Timestamp,
        caller: &Caller,
        input: &GenerateDataKeyWithoutPlaintextInput,
    ) -> Result<GenerateDataKeyWithoutPlaintextOutput, ApiError> {
        let len = ddbsse_wire::kms_settings::data_key_length(
            input.number_of_bytes,
            input.key_spec.as_deref(),
        )?;
        let i = self.resolve_key(now, input.key_id.as_deref(), Forms::All, false)?;
        self.deny_managed(i, &caller.access_key_id, "GenerateDataKeyWithoutPlaintext")?;
        self.check_key_state(i, KeyOpClass::Cryptographic)?;
        ddbsse_wire::kms_settings::dry_run(input.dry_run)?;
        let mut plaintext = zeroize::Zeroizing::new(vec![0u8; len]);
        self.secrets.fill(&mut plaintext);
        let blob = self.seal_under(i, &plaintext, input.encryption_context.as_ref())?;
        Ok(GenerateDataKeyWithoutPlaintextOutput {
            ciphertext_blob: Blob(blob),
            key_id: self.kms.keys[i].arn.clone(),
            key_material_id: self.kms.keys[i].material_id.clone(),
        })
    }

    //= spec/kms.md#reencrypt
    //# ReEncrypt MUST open the blob as Decrypt would under `SourceEncryptionContext` (the key the blob names; `SourceKeyId`, when given, MUST name that key, else `IncorrectKeyException`) and seal its plaintext under `DestinationKeyId` and `DestinationEncryptionContext`, returning `CiphertextBlob`, `SourceKeyId` and `KeyId` (key ARNs), both algorithms and both keys' `KeyMaterialId`s; each key is checked as for a cryptographic operation.
    pub(super) fn reencrypt(
        &mut self,
        now: Timestamp,
        caller: &Caller,
        input: &ReEncryptInput,
    ) -> Result<ReEncryptOutput, ApiError> {
        let (dest, blob) = ddbsse_wire::kms_settings::reencrypt_members(input)?;
        let named = match input.source_key_id.as_deref() {
            Some(k) => Some(self.resolve_key(now, Some(k), Forms::All, false)?),
            None => None,
        };
        let blob_arn = kms_crypto::blob_key_arn(blob).map_err(|_| invalid_ciphertext())?;
        let src = self
            .kms
            .by_arn(blob_arn)
            .ok_or_else(|| kms_errors::key_not_found(blob_arn))?;
        if named.is_some_and(|n| n != src) {
            return Err(ApiError::new(
                ErrorCode::IncorrectKey,
                kms_errors::KEY_CANNOT_PERFORM_TEXT,
            ));
        }
        self.deny_managed(src, &caller.access_key_id, "ReEncryptFrom")?;
        self.check_key_state(src, KeyOpClass::Cryptographic)?;
        let dst = self.resolve_key(now, Some(dest), Forms::All, false)?;
        self.deny_managed(dst, &caller.access_key_id, "ReEncryptTo")?;
        self.check_key_state(dst, KeyOpClass::Cryptographic)?;
        let ctx = kms_crypto::context(input.source_encryption_context.as_ref())
            .ok_or_else(invalid_ciphertext)?;
        let material = self.kms.keys[src].material.as_ref().ok_or_else(internal)?;
        let plaintext = kms_crypto::open(material, blob, &ctx).map_err(|_| invalid_ciphertext())?;
        ddbsse_wire::kms_settings::dry_run(input.dry_run)?;
        let sealed = self.seal_under(
            dst,
            &plaintext,
            input.destination_encryption_context.as_ref(),
        )?;
        Ok(ReEncryptOutput {
            ciphertext_blob: Blob(sealed),
            source_key_id: self.kms.keys[src].arn.clone(),
            key_id: self.kms.keys[dst].arn.clone(),
            source_encryption_algorithm: SYMMETRIC_DEFAULT.to_owned(),
            destination_encryption_algorithm: SYMMETRIC_DEFAULT.to_owned(),
            source_key_material_id: self.kms.keys[src].material_id.clone(),
            destination_key_material_id: self.kms.keys[dst].material_id.clone(),
        })
    }
}
