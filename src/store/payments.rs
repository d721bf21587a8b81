//! Payments: the paying user's tax multiplier, and recording a payment together with its
//! balance change, the warning-e-mail resets and the audit row (inside the writer's savepoint
//! for the request: all or nothing).

use crate::numbers::real_text;
use rusqlite::{Connection, OptionalExtension, params};

/// What a payment needs of the paying user.
#[derive(Debug, Clone, PartialEq)]
pub struct Payer {
    /// `users.id`.
    pub id: i64,
    /// `users.owner_id`.
    pub owner_id: i64,
    /// `users.first_name`.
    pub first_name: String,
    /// `users.last_name`.
    pub last_name: String,
    /// The gross ÷ net multiplier of the user's `taxes` row (1 without one).
    pub tax_multiplier: f64,
}

/// The paying user's row.
pub const PAYER_SELECT: &str = "SELECT id, owner_id, COALESCE(CAST(first_name AS TEXT), ''),
        COALESCE(CAST(last_name AS TEXT), ''), tax_id
 FROM users WHERE id = ?1";

/// The paying user's tax row.
pub const TAX_SELECT: &str = "SELECT CAST(compound_tax AS INTEGER), CAST(tax1_value AS REAL),
        CAST(tax2_enabled AS INTEGER), CAST(tax2_value AS REAL),
        CAST(tax3_enabled AS INTEGER), CAST(tax3_value AS REAL),
        CAST(tax4_enabled AS INTEGER), CAST(tax4_value AS REAL)
 FROM taxes WHERE id = ?1";

/// The paying user, if it exists.
pub fn payer(conn: &Connection, id: i64) -> rusqlite::Result<Option<Payer>> {
    let user = conn
        .prepare_cached(PAYER_SELECT)?
        .query_row([id], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, i64>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, Option<i64>>(4)?,
            ))
        })
        .optional()?;
    let Some((id, owner_id, first_name, last_name, tax_id)) = user else {
        return Ok(None);
    };
    // Two statements: written when a join was re-prepared on every run (the planner's
    // stability guarantee, on since, lifts that: see store::open_connection).
    let multiplier = conn
        .prepare_cached(TAX_SELECT)?
        .query_row([tax_id.unwrap_or(-1)], |r| {
            let v = |i: usize| -> rusqlite::Result<f64> {
                Ok(r.get::<_, Option<f64>>(i)?.unwrap_or(0.0))
            };
            let on = |i: usize| -> rusqlite::Result<bool> {
                Ok(r.get::<_, Option<i64>>(i)?.unwrap_or(0) == 1)
            };
            // Tax 1 always counts; taxes 2–4 when enabled (the vendor's rule).
            let mut rates = vec![v(1)?];
            for (en, val) in [(2, 3), (4, 5), (6, 7)] {
                if on(en)? {
                    rates.push(v(val)?);
                }
            }
            Ok(if on(0)? {
                rates.iter().map(|p| 1.0 + p / 100.0).product()
            } else {
                1.0 + rates.iter().sum::<f64>() / 100.0
            })
        })
        .optional()?
        .unwrap_or(1.0);
    Ok(Some(Payer {
        id,
        owner_id,
        first_name,
        last_name,
        tax_multiplier: multiplier,
    }))
}

/// One payment to record.
#[derive(Debug, Clone)]
pub struct NewPayment<'a> {
    /// Who pays.
    pub payer: &'a Payer,
    /// `from_api : <paymenttype>`.
    pub paymenttype: String,
    /// Net, tax and gross, in `currency`.
    pub net: f64,
    /// The tax part.
    pub tax: f64,
    /// Net plus tax.
    pub gross: f64,
    /// The currency's code.
    pub currency: &'a str,
    /// What one unit of the default currency is worth in `currency`.
    pub rate: f64,
    /// Completed at once (else waiting for confirmation).
    pub completed: bool,
    /// External transaction id.
    pub transaction_id: &'a str,
    /// The payer's e-mail.
    pub payer_email: &'a str,
    /// A note for the user.
    pub comments_for_user: &'a str,
}

/// Records `p`: the payment row; when completed, the balance credit (net, converted to the
/// default currency) and the warning e-mails armed again where the balance now exceeds their
/// level; the audit row. Returns the payment's id.
pub fn record(
    conn: &Connection,
    now: &str,
    caller: i64,
    p: &NewPayment<'_>,
) -> rusqlite::Result<i64> {
    let (pending, shipped) = if p.completed {
        ("completed", Some(now))
    } else {
        ("Waiting for confirmation", None)
    };
    conn.prepare_cached(
        "INSERT INTO payments (user_id, owner_id, paymenttype, amount, tax, gross, fee, currency,
                               completed, pending_reason, transaction_id, payer_email, first_name,
                               last_name, date_added, shipped_at, description, comments_for_user)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, 0, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, '', ?16)",
    )?
    .execute(params![
        p.payer.id,
        p.payer.owner_id,
        p.paymenttype,
        p.net,
        p.tax,
        p.gross,
        p.currency,
        p.completed,
        pending,
        p.transaction_id,
        p.payer_email,
        p.payer.first_name,
        p.payer.last_name,
        now,
        shipped,
        p.comments_for_user,
    ])?;
    let id = conn.last_insert_rowid();
    if p.completed {
        conn.prepare_cached(
            "UPDATE users SET balance = balance + ?2,
                 warning_email_sent = CASE WHEN balance + ?2 > warning_email_balance
                     THEN 0 ELSE warning_email_sent END,
                 warning_email_sent_admin = CASE WHEN balance + ?2 > warning_email_balance_admin
                     THEN 0 ELSE warning_email_sent_admin END,
                 warning_email_sent_manager = CASE WHEN balance + ?2 > warning_email_balance_manager
                     THEN 0 ELSE warning_email_sent_manager END
             WHERE id = ?1",
        )?
        .execute(params![p.payer.id, p.net / p.rate])?;
    }
    conn.prepare_cached(
        "INSERT INTO actions (date, user_id, target_id, action, data, data2)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?
    .execute(params![
        now,
        caller,
        p.payer.id,
        format!("payment: {}", p.paymenttype),
        format!("payment id: {id}"),
        format!(
            "{} {cur} | tax: {} {cur} | sent: {} {cur}",
            real_text(p.net),
            real_text(p.tax),
            real_text(p.gross),
            cur = p.currency
        ),
    ])?;
    Ok(id)
}
