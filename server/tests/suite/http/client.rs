//! A minimal HTTP/1.1 client over one TCP connection, so that tests choose connections exactly
//! (a pooled client would hide which connection a request used) and can send malformed requests.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// A SigV4-shaped `Authorization` header for `access_key` (signature not checked by the server).
pub fn authorization(access_key: &str) -> String {
    format!(
        "AWS4-HMAC-SHA256 Credential={access_key}/20190311/us-east-1/dynamodb/aws4_request, \
         SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature={}",
        "0".repeat(64)
    )
}

/// A response as read off the wire.
#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    /// Header names lowercased.
    pub headers: BTreeMap<String, String>,
    pub body: Vec<u8>,
}

impl Reply {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .get(&name.to_ascii_lowercase())
            .map(String::as_str)
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|e| {
            panic!(
                "body is not JSON ({e}): {}",
                String::from_utf8_lossy(&self.body)
            )
        })
    }

    /// The bare error code of an AWS error body (the part after `#` of `__type`).
    pub fn error_code(&self) -> String {
        let body = self.json();
        let t = body["__type"].as_str().unwrap_or_default();
        t.rsplit('#').next().unwrap_or(t).to_owned()
    }
}

/// One keep-alive connection.
pub struct Connection {
    stream: TcpStream,
    buffer: Vec<u8>,
}

impl Connection {
    pub async fn open(addr: SocketAddr) -> Self {
        let stream = TcpStream::connect(addr).await.expect("connect");
        stream.set_nodelay(true).expect("nodelay");
        Self {
            stream,
            buffer: Vec::new(),
        }
    }

    /// Sends raw bytes.
    pub async fn send_raw(&mut self, bytes: &[u8]) {
        self.stream.write_all(bytes).await.expect("write");
    }

    /// Reads exactly `n` raw bytes (such as an interim `100 Continue`).
    pub async fn read_raw(&mut self, n: usize) -> Vec<u8> {
        while self.buffer.len() < n {
            assert!(self.fill().await, "EOF before {n} bytes");
        }
        self.buffer.drain(..n).collect()
    }

    /// Sends `method path` with the given headers and body (adds Host and Content-Length).
    pub async fn send(&mut self, method: &str, path: &str, headers: &[(&str, &str)], body: &[u8]) {
        let mut head = format!(
            "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: {}\r\n",
            body.len()
        );
        for (name, value) in headers {
            head.push_str(&format!("{name}: {value}\r\n"));
        }
        head.push_str("\r\n");
        let mut bytes = head.into_bytes();
        bytes.extend_from_slice(body);
        self.send_raw(&bytes).await;
    }

    /// Sends a request and reads its response.
    pub async fn request(
        &mut self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: &[u8],
    ) -> Reply {
        self.send(method, path, headers, body).await;
        self.read_reply().await.expect("a response")
    }

    /// An AWS call: POST / with the target, the JSON body and `access_key`'s credential.
    pub async fn call(&mut self, access_key: &str, target: &str, body: &str) -> Reply {
        let auth = authorization(access_key);
        let content_type = if target.starts_with("DynamoDB_") {
            "application/x-amz-json-1.0"
        } else {
            "application/x-amz-json-1.1"
        };
        self.request(
            "POST",
            "/",
            &[
                ("X-Amz-Target", target),
                ("Authorization", &auth),
                ("Content-Type", content_type),
                ("X-Amz-Date", "20190311T000000Z"),
                ("User-Agent", "ddbsse-http-test"),
            ],
            body.as_bytes(),
        )
        .await
    }

    /// Reads one response (Content-Length framed, as the server sends); `None` at EOF before a
    /// status line.
    pub async fn read_reply(&mut self) -> Option<Reply> {
        let head_end = loop {
            if let Some(i) = find(&self.buffer, b"\r\n\r\n") {
                break i;
            }
            if !self.fill().await {
                return None;
            }
        };
        let head = String::from_utf8(self.buffer[..head_end].to_vec()).expect("ASCII head");
        let mut lines = head.split("\r\n");
        let status_line = lines.next().expect("status line");
        let status: u16 = status_line
            .split(' ')
            .nth(1)
            .and_then(|s| s.parse().ok())
            .expect("status code");
        let headers: BTreeMap<String, String> = lines
            .filter_map(|l| l.split_once(':'))
            .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_owned()))
            .collect();
        let length: usize = headers
            .get("content-length")
            .and_then(|v| v.parse().ok())
            .expect("the server frames bodies with Content-Length");
        let total = head_end + 4 + length;
        while self.buffer.len() < total {
            assert!(self.fill().await, "EOF inside a response body");
        }
        let body = self.buffer[head_end + 4..total].to_vec();
        self.buffer.drain(..total);
        Some(Reply {
            status,
            headers,
            body,
        })
    }

    /// Whether the server closed the connection (EOF within `wait`).
    pub async fn closed_by_server(&mut self, wait: Duration) -> bool {
        let mut byte = [0u8; 1];
        matches!(
            tokio::time::timeout(wait, self.stream.read(&mut byte)).await,
            Ok(Ok(0)) | Ok(Err(_))
        )
    }

    async fn fill(&mut self) -> bool {
        let mut chunk = [0u8; 8192];
        match tokio::time::timeout(Duration::from_secs(30), self.stream.read(&mut chunk)).await {
            Ok(Ok(0)) | Ok(Err(_)) => false,
            Ok(Ok(n)) => {
                self.buffer.extend_from_slice(&chunk[..n]);
                true
            }
            Err(_) => panic!("no response within 30 s"),
        }
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}
