//! The benchmark's baseline: a minimal hyper server that answers every request with one fixed
//! document (a real `user_details_get` answer captured by `bench/run.sh`), on the same runtime
//! and HTTP stack as morbox. What morbox does beyond this is what the ratios measure.
//!
//! Usage: `baseline BODY_FILE` — listens on 127.0.0.1, port chosen by the system, and prints
//! `morbox listening on http://ADDR` like morbox does.

use bytes::Bytes;
use http_body_util::Full;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Response, header};
use hyper_util::rt::TokioIo;
use std::io::Write;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let path = std::env::args().nth(1).ok_or("usage: baseline BODY_FILE")?;
    let body = Bytes::from(std::fs::read(path)?);
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?
        .block_on(async move {
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
            println!("morbox listening on http://{}", listener.local_addr()?);
            std::io::stdout().flush()?;
            loop {
                let (stream, _) = listener.accept().await?;
                let _ = stream.set_nodelay(true);
                let body = body.clone();
                tokio::spawn(async move {
                    let svc = service_fn(move |_req| {
                        let mut r = Response::new(Full::new(body.clone()));
                        r.headers_mut().insert(
                            header::CONTENT_TYPE,
                            header::HeaderValue::from_static("text/html; charset=utf-8"),
                        );
                        async move { Ok::<_, std::convert::Infallible>(r) }
                    });
                    let _ = http1::Builder::new()
                        .serve_connection(TokioIo::new(stream), svc)
                        .await;
                });
            }
        })
}
