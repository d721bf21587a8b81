//! The DID rules several calls share (docs/dids.md): the five states of a DID, the one table of
//! which act moves a DID from which states to which, and what a DID number is.

/// A DID's `status`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// In a stock: the system's or a reseller's.
    Free,
    /// Promised to a user, not yet routed.
    Reserved,
    /// Routed to a device or a dial plan.
    Active,
    /// Its subscription stopped; kept for its owner until `closed_till`.
    Closed,
    /// Retired; nobody's.
    Terminated,
}

/// Every state with its stored word and the word `dids_get` shows.
const WORDS: &[(Status, &str, &str)] = &[
    (Status::Free, "free", "Free"),
    (Status::Reserved, "reserved", "Reserved"),
    (Status::Active, "active", "Active"),
    (Status::Closed, "closed", "Closed"),
    (Status::Terminated, "terminated", "Terminated"),
];

impl Status {
    /// The state a stored word names (`None`: a word morbox does not know).
    pub fn of(word: &str) -> Option<Status> {
        WORDS
            .iter()
            .find(|(_, w, _)| *w == word)
            .map(|(s, _, _)| *s)
    }

    /// The stored word.
    pub fn word(self) -> &'static str {
        WORDS
            .iter()
            .find(|(s, _, _)| *s == self)
            .map_or("", |(_, w, _)| w)
    }

    /// The word as `dids_get` shows it (a capital first letter).
    pub fn shown(word: &str) -> String {
        match WORDS.iter().find(|(_, w, _)| *w == word) {
            Some((_, _, shown)) => shown.to_string(),
            None => {
                let mut c = word.chars();
                c.next()
                    .map(|f| f.to_uppercase().chain(c).collect())
                    .unwrap_or_default()
            }
        }
    }
}

/// What a call does to a DID.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Act {
    /// `did_create`: a new number into a stock.
    Create,
    /// `did_details_update did_user_id=R`: into reseller R's stock.
    ToReseller,
    /// `did_details_update did_user_id=U`: promised to user U.
    Reserve,
    /// `did_device_assign`, `did_trunk_device_assign`: onto a device.
    Assign,
    /// `did_device_unassign`: off its device, back to its stock.
    Unassign,
    /// `did_details_update did_user_id=-1`: back to a stock, whatever its state.
    Release,
    /// `did_subscription_stop`.
    StopSubscription,
    /// `did_close`.
    Close,
    /// `did_make_free`.
    MakeFree,
    /// `did_terminate`.
    Terminate,
}

/// One move of the life cycle: `act` takes a DID in one of `from` to `to` (`None`: the state
/// stays as it was). The call adds its own conditions (whose stock, which user, a dial plan)
/// with its own texts.
pub struct Move {
    /// The act.
    pub act: Act,
    /// The states it starts from (empty: a new DID).
    pub from: &'static [Status],
    /// The state it leaves.
    pub to: Option<Status>,
}

use Status::{Active, Closed, Free, Reserved, Terminated};

/// The life cycle (docs/dids.md): every move a call makes. Any other is refused.
pub const LIFE: &[Move] = &[
    Move {
        act: Act::Create,
        from: &[],
        to: Some(Free),
    },
    Move {
        act: Act::ToReseller,
        from: &[Free, Reserved, Active, Closed, Terminated],
        to: None,
    },
    Move {
        act: Act::Reserve,
        from: &[Free],
        to: Some(Reserved),
    },
    Move {
        act: Act::Reserve,
        from: &[Reserved, Active, Closed, Terminated],
        to: None,
    },
    Move {
        act: Act::Assign,
        from: &[Free, Reserved],
        to: Some(Active),
    },
    Move {
        act: Act::Unassign,
        from: &[Active],
        to: Some(Free),
    },
    Move {
        act: Act::Release,
        from: &[Free, Reserved, Active, Closed, Terminated],
        to: Some(Free),
    },
    Move {
        act: Act::StopSubscription,
        from: &[Active, Closed],
        to: Some(Closed),
    },
    Move {
        act: Act::Close,
        from: &[Active],
        to: Some(Closed),
    },
    Move {
        act: Act::MakeFree,
        from: &[Reserved, Closed, Terminated],
        to: Some(Free),
    },
    Move {
        act: Act::Terminate,
        from: &[Free, Closed],
        to: Some(Terminated),
    },
];

/// Where `act` takes a DID whose stored status is `status`: `None` when the life cycle has no
/// such move; `Some(None)` when the state stays.
pub fn step(act: Act, status: &str) -> Option<Option<Status>> {
    let from = Status::of(status)?;
    LIFE.iter()
        .find(|m| m.act == act && m.from.contains(&from))
        .map(|m| m.to)
}

/// The state a new DID starts in ([`Act::Create`]'s move).
pub fn born() -> Status {
    LIFE.iter()
        .find(|m| m.act == Act::Create)
        .and_then(|m| m.to)
        .unwrap_or(Free)
}

/// The first of a call's refusals by state (`(state, refusal)` rows, asked before its move)
/// that a DID of status `status` meets.
pub fn refusal<E: Clone>(status: &str, table: &[(Status, E)]) -> Option<E> {
    let state = Status::of(status)?;
    table
        .iter()
        .find(|(s, _)| *s == state)
        .map(|(_, e)| e.clone())
}

/// Whether a stored status is `state`.
pub fn is(status: &str, state: Status) -> bool {
    Status::of(status) == Some(state)
}

/// The most digits a DID number has (the vendor's column holds 255 characters).
pub const MAX_DIGITS: usize = 255;

/// A DID number: one to [`MAX_DIGITS`] ASCII digits.
pub fn is_number(text: &str) -> bool {
    !text.is_empty() && text.len() <= MAX_DIGITS && text.bytes().all(|b| b.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_act_has_a_move_and_each_state_one_move_per_act() {
        for m in LIFE {
            for s in m.from {
                let n = LIFE
                    .iter()
                    .filter(|x| x.act == m.act && x.from.contains(s))
                    .count();
                assert_eq!(n, 1, "{:?} from {:?}", m.act, s);
            }
        }
        assert_eq!(step(Act::Assign, "reserved"), Some(Some(Active)));
        assert_eq!(step(Act::Assign, "closed"), None);
        assert_eq!(step(Act::Reserve, "active"), Some(None));
        assert_eq!(step(Act::Terminate, "active"), None);
        assert_eq!(step(Act::Unassign, "bogus"), None);
        assert_eq!(Status::shown("terminated"), "Terminated");
        assert_eq!(Status::shown("odd"), "Odd");
        assert!(is_number("0370") && !is_number("12ab") && !is_number(""));
        assert!(is_number(&"9".repeat(255)) && !is_number(&"9".repeat(256)));
        let table = [(Closed, "closed"), (Terminated, "retired")];
        assert_eq!(refusal("terminated", &table), Some("retired"));
        assert_eq!(refusal("active", &table), None);
        assert!(is("free", Free) && !is("Free", Free));
    }
}
