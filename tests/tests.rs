//! The integration suite: one binary, one harness (`util`), every test against a real morbox
//! process on 127.0.0.1 and a real SQLite file.

mod util;

mod as_mor;
mod attacks;
mod balances;
mod calls;
mod cli;
mod deletion;
mod devices;
mod dids;
mod docs;
mod durability;
mod exposure;
mod flood;
mod gates;
mod get;
mod hostile;
mod http;
mod kit;
mod limits;
mod lockout;
mod logins;
mod ops;
mod payments;
mod privilege;
mod props;
mod rates;
mod raw_get;
mod registration;
mod statements;
mod update;
mod walls;
mod wiki;
