//! STS `GetCallerIdentity` (awsQuery protocol), so that `ddbsse check` can ask a target who it
//! is calling as, as it asks AWS: `POST /` without `X-Amz-Target`, a form body
//! `Action=GetCallerIdentity&Version=2011-06-15`, answered with the XML of the request's principal
//! `arn:aws:iam::<account>:user/<access key id>` (the endpoint knows no users: the access key id
//! names the principal, `spec/conformance.md#principals`).

use http::StatusCode;

use super::response::{Reply, fresh_request_id};

/// The namespace of STS 2011-06-15 answers.
const NAMESPACE: &str = "https://sts.amazonaws.com/doc/2011-06-15/";

/// STS's SigV4 signing name.
pub const SIGNING_NAME: &str = "sts";

/// Whether a body is an awsQuery form naming `Action=GetCallerIdentity`.
pub fn is_get_caller_identity(body: &[u8]) -> bool {
    std::str::from_utf8(body).is_ok_and(|form| {
        form.split('&')
            .any(|pair| pair.trim() == "Action=GetCallerIdentity")
    })
}

/// The answer for `access_key` (`None`: the request was unsigned) in `account`.
pub fn get_caller_identity(account: &str, access_key: Option<&str>) -> Reply {
    let request_id = fresh_request_id();
    let Some(key) = access_key else {
        let body = format!(
            "<ErrorResponse xmlns=\"{NAMESPACE}\"><Error><Type>Sender</Type>\
             <Code>MissingAuthenticationToken</Code>\
             <Message>Request is missing Authentication Token</Message></Error>\
             <RequestId>{request_id}</RequestId></ErrorResponse>"
        );
        return xml(StatusCode::FORBIDDEN, request_id, body);
    };
    // The access key id is alphanumeric (auth::access_key_id), so it needs no XML escaping.
    let arn = ddbsse_wire::arn::iam_user(account, key);
    let body = format!(
        "<GetCallerIdentityResponse xmlns=\"{NAMESPACE}\"><GetCallerIdentityResult>\
         <Arn>{arn}</Arn><UserId>{key}</UserId>\
         <Account>{account}</Account></GetCallerIdentityResult>\
         <ResponseMetadata><RequestId>{request_id}</RequestId></ResponseMetadata>\
         </GetCallerIdentityResponse>"
    );
    xml(StatusCode::OK, request_id, body)
}

/// The answer to a GetCallerIdentity request whose signature failed verification: STS's XML
/// error, HTTP 403, with STS's names for the codes (`InvalidClientTokenId`,
/// `SignatureDoesNotMatch`, `IncompleteSignature`, `MissingAuthenticationToken`).
pub fn refusal(error: &ddbsse_wire::ApiError) -> Reply {
    use ddbsse_wire::ErrorCode;
    let code = match error.code {
        ErrorCode::UnrecognizedClient => "InvalidClientTokenId",
        ErrorCode::InvalidSignature => "SignatureDoesNotMatch",
        ErrorCode::IncompleteSignature => "IncompleteSignature",
        _ => "MissingAuthenticationToken",
    };
    let request_id = fresh_request_id();
    let message = escape(&error.message);
    let body = format!(
        "<ErrorResponse xmlns=\"{NAMESPACE}\"><Error><Type>Sender</Type>\
         <Code>{code}</Code><Message>{message}</Message></Error>\
         <RequestId>{request_id}</RequestId></ErrorResponse>"
    );
    xml(StatusCode::FORBIDDEN, request_id, body)
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('\'', "&apos;")
}

fn xml(status: StatusCode, request_id: String, body: String) -> Reply {
    Reply {
        status: status.as_u16(),
        content_type: "text/xml",
        request_id,
        crc32: None,
        allow: None,
        body: body.into_bytes(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_form_action_is_recognised() {
        assert!(is_get_caller_identity(
            b"Action=GetCallerIdentity&Version=2011-06-15"
        ));
        assert!(is_get_caller_identity(
            b"Version=2011-06-15&Action=GetCallerIdentity"
        ));
        assert!(!is_get_caller_identity(b"{\"TableName\":\"t\"}"));
        assert!(!is_get_caller_identity(b"Action=AssumeRole"));
    }

    #[test]
    fn the_answer_names_the_principal_as_an_iam_user() {
        let reply = get_caller_identity("123456789012", Some("AKIDEXAMPLE"));
        assert_eq!(reply.status, 200);
        let body = String::from_utf8(reply.body).expect("utf-8");
        assert!(
            body.contains("<Arn>arn:aws:iam::123456789012:user/AKIDEXAMPLE</Arn>"),
            "{body}"
        );
        assert!(body.contains("<Account>123456789012</Account>"), "{body}");
        assert!(body.contains("<UserId>AKIDEXAMPLE</UserId>"), "{body}");
        let unsigned = get_caller_identity("123456789012", None);
        assert_eq!(unsigned.status, 403);
    }
}
