//! The HTTP client of `morbox health`: one GET to an IP address over hyper's HTTP/1.1 client
//! (so chunked and kept-alive answers are read correctly), no name lookups (the static binary
//! never resolves host names). Errors name the URL.

use bytes::Bytes;
use http_body_util::{BodyExt, Empty};
use hyper::Request;
use hyper_util::rt::TokioIo;
use std::error::Error;
use std::net::SocketAddr;
use std::time::Duration;

/// How long the whole exchange may take.
const TIMEOUT: Duration = Duration::from_secs(10);

/// GETs `path` from `base` (`http://IP:PORT`, `localhost` allowed); returns status and body.
pub fn get(base: &str, path: &str) -> Result<(u16, String), Box<dyn Error>> {
    let hostport = base
        .strip_prefix("http://")
        .ok_or_else(|| format!("{base}: the URL must start with http://"))?
        .trim_end_matches('/');
    let hostport = match hostport.strip_prefix("localhost:") {
        Some(port) => format!("127.0.0.1:{port}"),
        None => hostport.to_string(),
    };
    let addr: SocketAddr = hostport.parse().map_err(|_| {
        format!(
            "{base}: {hostport} is not IP:PORT, e.g. http://127.0.0.1:8080 (names are not resolved)"
        )
    })?;
    let url = format!("http://{hostport}{path}");
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    runtime
        .block_on(async {
            tokio::time::timeout(TIMEOUT, exchange(addr, &hostport, path))
                .await
                .map_err(|_| "no answer in time".to_string())?
        })
        .map_err(|e| format!("{url}: {e}").into())
}

async fn exchange(addr: SocketAddr, host: &str, path: &str) -> Result<(u16, String), String> {
    let stream = tokio::net::TcpStream::connect(addr)
        .await
        .map_err(|e| e.to_string())?;
    let (mut sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
        .await
        .map_err(|e| e.to_string())?;
    tokio::spawn(conn);
    let req = Request::get(path)
        .header(hyper::header::HOST, host)
        .body(Empty::<Bytes>::new())
        .map_err(|e| e.to_string())?;
    let resp = sender.send_request(req).await.map_err(|e| e.to_string())?;
    let status = resp.status().as_u16();
    let body = resp
        .into_body()
        .collect()
        .await
        .map_err(|e| e.to_string())?
        .to_bytes();
    Ok((status, String::from_utf8_lossy(&body).into_owned()))
}
